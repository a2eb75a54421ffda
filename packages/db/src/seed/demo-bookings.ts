/**
 * Bookings for the demo: a fortnight around "now" so the timeline and check-in desk are not empty (one booking
 * 14:00-15:00, site local time, per chosen space and weekday when the site is open, with statuses that fit the
 * time: past completed / no-show / cancelled, now checked in, future confirmed / pending approval), and five
 * weeks of history before it at every site so the analytics pages have something to show (about 10,000 bookings;
 * the whole demo seeds in about 4 s on PGlite, which `npm start` waits for on first run).
 */
import type { WeeklyHours } from '@linli/contracts';
import {
  type InstantRange,
  isWithinOpenRanges,
  addDaysToLocalDate,
  localDateOf,
  localDayRange,
  localTimeToInstant,
  openRanges,
  weekdayOf,
} from '@linli/domain';
import { v7 as uuidv7 } from 'uuid';
import type { bookingEvents, bookings, closures } from '../schema.ts';
import type { PlannedUser } from './demo-people.ts';
import type { SeededRandom } from './random.ts';

export type PlannedBooking = typeof bookings.$inferInsert & { id: string };
export type PlannedBookingEvent = typeof bookingEvents.$inferInsert;
type BookingStatus = 'pending' | 'confirmed' | 'checked_in' | 'completed' | 'no_show' | 'cancelled';

/** What the demo planners need of a site. */
export interface SiteRef {
  id: string;
  kind: string;
  district: string;
  timezone: string;
  openingHours: WeeklyHours;
}
interface SpaceRef {
  id: string;
  siteId: string;
  kind: string;
  bookingMode: string;
  capacity: number;
  bookableBy: string;
  policy: { approvalRequired?: boolean };
}

export interface DemoBookingInput {
  orgId: string;
  now: Date;
  sites: readonly SiteRef[];
  spaces: readonly SpaceRef[];
  closures: readonly (typeof closures.$inferInsert)[];
  residents: readonly PlannedUser[];
  staffBySite: ReadonlyMap<string, string>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How many sites get demo bookings, and how far back and ahead of now. */
const BOOKED_SITES = 10;
const WINDOW_DAYS = 7;
const SLOT_START_MINUTES = 14 * 60;
const HISTORY_WEEKS = 5;
const HISTORY_SPACES_PER_SITE = 3;
const RESIDENT_WEEKLY_HISTORY = 4;

const PURPOSES: Record<string, readonly string[]> = {
  activity_room: ['社区合唱团排练', '老年智能手机课堂', '亲子绘本共读', '楼组长例会'],
  hall: ['社区电影放映', '健康养生讲座', '邻里文艺汇演彩排', '垃圾分类宣传活动'],
  meeting_room: ['读书会', '考研小组讨论', '项目例会', '志愿者培训'],
  study_area: ['自习'],
};

export function planDemoBookings(
  random: SeededRandom,
  input: DemoBookingInput,
): { bookings: PlannedBooking[]; events: PlannedBookingEvent[] } {
  const planned: PlannedBooking[] = [];
  const events: PlannedBookingEvent[] = [];
  // Hubs are closed at 14:00 on weekdays; centres and study rooms are open then.
  const bookedSites = input.sites.filter((s) => s.kind !== 'white_collar_hub').slice(0, BOOKED_SITES);
  for (const site of bookedSites) {
    const closedDates = closuresOf(site, input.closures);
    for (const space of demoSpacesOf(site, input.spaces)) {
      for (const localDate of weekdaysAround(input.now, site.timezone)) {
        const slot = slotOn(localDate, site.timezone);
        const open = openRanges(site.openingHours, site.timezone, slot, closedDates);
        if (!isWithinOpenRanges(slot, open) || !random.chance(0.5)) continue;
        // A study area is shared: several residents sit there at once, each with a seat or two.
        const partyCount = space.bookingMode === 'shared_capacity' ? random.int(1, 3) : 1;
        for (let p = 0; p < partyCount; p++) {
          const booking = planBooking(random, input, site, space, slot, random.pick(input.residents));
          planned.push(booking.row);
          events.push(...booking.events);
        }
      }
    }
  }
  const history = planDemoHistory(random, input);
  return { bookings: [...history.bookings, ...planned], events: [...history.events, ...events] };
}

/**
 * Weeks of history before the window above, at every site, so the analytics pages have something to show: each
 * site gets a popularity, and its first rooms are booked hour by hour through its opening hours with that
 * probability. Most history is activities staff booked for groups (no resident booker); the rest is residents',
 * at most RESIDENT_WEEKLY_HISTORY each per week, well inside the demo's own quota of ten.
 */
function planDemoHistory(random: SeededRandom, input: DemoBookingInput): { bookings: PlannedBooking[]; events: PlannedBookingEvent[] } {
  const planned: PlannedBooking[] = [];
  const events: PlannedBookingEvent[] = [];
  const weeklyByResident = new Map<string, number>();
  for (const site of input.sites) {
    const popularity = 0.15 + random.next() * 0.4;
    const closedDates = closuresOf(site, input.closures);
    const spaces = input.spaces.filter((s) => s.siteId === site.id && s.bookableBy === 'residents').slice(0, HISTORY_SPACES_PER_SITE);
    const today = localDateOf(input.now.getTime(), site.timezone);
    for (let daysAgo = HISTORY_WEEKS * 7; daysAgo > WINDOW_DAYS; daysAgo--) {
      const localDate = addDaysToLocalDate(today, -daysAgo);
      const open = openRanges(site.openingHours, site.timezone, localDayRange(localDate, site.timezone), closedDates);
      for (const space of spaces) {
        for (const range of open) {
          // Hour by hour through the opening hours; a booked hour sometimes runs on into a second one.
          for (let start = range.start; start + HOUR <= range.end; ) {
            const length = start + 2 * HOUR <= range.end && random.chance(0.35) ? 2 * HOUR : HOUR;
            if (random.chance(popularity)) {
              const week = `${localDate.slice(0, 4)}-${Math.floor(daysAgo / 7)}`;
              const resident = random.chance(0.25) ? random.pick(input.residents) : null;
              const key = resident ? `${resident.id}|${week}` : '';
              const booker = resident && (weeklyByResident.get(key) ?? 0) < RESIDENT_WEEKLY_HISTORY ? resident : null;
              if (booker) weeklyByResident.set(key, (weeklyByResident.get(key) ?? 0) + 1);
              const parties = space.bookingMode === 'shared_capacity' ? random.int(1, 3) : 1;
              for (let p = 0; p < parties; p++) {
                const booking = planBooking(random, input, site, space, { start, end: start + length }, p === 0 ? booker : null);
                planned.push(booking.row);
                events.push(...booking.events);
              }
            }
            start += length;
          }
        }
      }
    }
  }
  return { bookings: planned, events };
}

/** The closures that shut a site: the whole org's, its district's and its own. */
export function closuresOf(site: { id: string; district: string }, closures: DemoBookingInput['closures']) {
  return closures.filter((c) => c.scope === 'org' || (c.scope === 'district' && c.district === site.district) || c.siteId === site.id);
}

/** The first ordinary room of a site, plus its hall (approval needed) or its study area (shared seats). */
function demoSpacesOf(site: SiteRef, spaces: readonly SpaceRef[]): SpaceRef[] {
  const own = spaces.filter((s) => s.siteId === site.id && s.bookableBy === 'residents');
  const room = own.find((s) => s.bookingMode === 'exclusive' && !s.policy.approvalRequired);
  const special = own.find((s) => s.bookingMode === 'shared_capacity' || s.policy.approvalRequired);
  return [room, special].filter((s): s is SpaceRef => s !== undefined);
}

function weekdaysAround(now: Date, zone: string): string[] {
  const today = localDateOf(now.getTime(), zone);
  return Array.from({ length: 2 * WINDOW_DAYS + 1 }, (_, i) => addDaysToLocalDate(today, i - WINDOW_DAYS)).filter(
    (date) => !['sat', 'sun'].includes(weekdayOf(date)),
  );
}

function slotOn(localDate: string, zone: string): InstantRange {
  return {
    start: localTimeToInstant(localDate, SLOT_START_MINUTES, zone),
    end: localTimeToInstant(localDate, SLOT_START_MINUTES + 60, zone),
  };
}

function planBooking(
  random: SeededRandom,
  input: DemoBookingInput,
  site: SiteRef,
  space: SpaceRef,
  slot: InstantRange,
  /** The resident it is for; null for a group activity staff booked. */
  booker: PlannedUser | null,
): { row: PlannedBooking; events: PlannedBookingEvent[] } {
  const now = input.now.getTime();
  const approval = space.policy.approvalRequired === true;
  const status = statusFor(random, slot, now, approval);
  const staffId = input.staffBySite.get(site.id) ?? null;
  // Halls are usually booked by staff on behalf of a group; everything else by the resident.
  const byStaff = booker === null || (approval && random.chance(0.5));
  const createdAt = Math.min(slot.start - random.int(1, 5) * DAY, now - random.int(1, 48) * HOUR);
  const id = uuidv7();
  const events = statusHistory(status, approval, slot, createdAt, now).map((step, i, steps) => ({
    id: uuidv7(),
    orgId: input.orgId,
    bookingId: id,
    actorId: actorOf(step.to, { bookerId: booker?.id ?? null, staffId, approval, byStaff }),
    fromStatus: i === 0 ? null : steps[i - 1]!.to,
    toStatus: step.to,
    reason: step.reason,
    at: new Date(step.at),
  }));
  const partySize =
    space.bookingMode === 'shared_capacity' ? random.int(1, 2) : random.int(2, Math.min(space.capacity, 15));
  const row: PlannedBooking = {
    id,
    orgId: input.orgId,
    siteId: site.id,
    spaceId: space.id,
    bookerId: booker?.id ?? null,
    createdById: byStaff ? staffId : booker!.id,
    exclusive: space.bookingMode === 'exclusive',
    partySize,
    startAt: new Date(slot.start),
    endAt: new Date(slot.end),
    purpose: random.pick(PURPOSES[space.kind] ?? PURPOSES.activity_room!),
    status,
    source: byStaff ? 'staff' : 'resident',
    checkInCode: status === 'confirmed' || status === 'checked_in' ? String(random.int(100000, 999999)) : null,
    version: events.length,
    createdAt: new Date(createdAt),
    updatedAt: events[events.length - 1]!.at,
  };
  return { row, events };
}

function statusFor(random: SeededRandom, slot: InstantRange, now: number, approval: boolean): BookingStatus {
  const roll = random.next();
  if (slot.end <= now) return roll < 0.7 ? 'completed' : roll < 0.85 ? 'no_show' : 'cancelled';
  if (slot.start <= now) return 'checked_in';
  if (approval) return roll < 0.6 ? 'pending' : 'confirmed';
  return roll < 0.85 ? 'confirmed' : 'cancelled';
}

interface StatusStep {
  to: BookingStatus;
  at: number;
  reason: string | null;
}

/** The state changes that led to `status`, oldest first, as the booking service would have recorded them. */
function statusHistory(
  status: BookingStatus,
  approval: boolean,
  slot: InstantRange,
  createdAt: number,
  now: number,
): StatusStep[] {
  const steps: StatusStep[] = [];
  if (approval) steps.push({ to: 'pending', at: createdAt, reason: 'created' });
  if (status === 'pending') return steps;
  steps.push(
    approval
      ? { to: 'confirmed', at: createdAt + 30 * MINUTE, reason: '审核通过' }
      : { to: 'confirmed', at: createdAt, reason: 'created' },
  );
  const lastAt = steps[steps.length - 1]!.at;
  switch (status) {
    case 'cancelled':
      steps.push({ to: 'cancelled', at: (lastAt + Math.min(slot.start, now)) / 2, reason: '行程有变，取消预约' });
      break;
    case 'no_show':
      steps.push({ to: 'no_show', at: slot.start + 15 * MINUTE, reason: '超过签到时间未签到，已释放' });
      break;
    case 'checked_in':
    case 'completed':
      steps.push({ to: 'checked_in', at: Math.min(slot.start + 5 * MINUTE, now), reason: null });
      if (status === 'completed') steps.push({ to: 'completed', at: slot.end, reason: null });
      break;
    default:
      break;
  }
  return steps.map((step) => ({ ...step, at: Math.round(step.at) }));
}

function actorOf(
  to: BookingStatus,
  who: { bookerId: string | null; staffId: string | null; approval: boolean; byStaff: boolean },
): string | null {
  const creator = who.byStaff ? who.staffId : who.bookerId;
  switch (to) {
    case 'pending':
      return creator;
    // Where approval is needed, "confirmed" is staff approving; otherwise it is the booking being made.
    case 'confirmed':
      return who.approval ? who.staffId : creator;
    case 'cancelled':
      return who.bookerId ?? who.staffId;
    case 'checked_in':
      return who.staffId;
    // Completion and no-show release are done by the system, not a person.
    default:
      return null;
  }
}
