/**
 * Policy checks for one booking request, a cancellation and check-in. Each check returns machine codes with
 * params (never prose), so the API can map them to messages in both UI languages and the UI can list every
 * reason at once instead of making residents fix one problem per attempt.
 *
 * Availability (another booking in the way, shared seats already taken, buffers) is not a policy rule: it is
 * answered by `listFreeSlots` / `peakOccupancy` and guarded by the database.
 */
import { DateTime } from 'luxon';
import { type ClosureDates, type WeeklyHours, isWithinOpenRanges, openRanges } from './opening-hours.ts';
import type { PolicyValues } from './policy.ts';
import { MAX_CLAIM_MS } from './claims.ts';
import { isOnLocalSlotGrid } from './slots.ts';
import { type InstantRange, localDatesBetween, localDayRange, zoneOf } from './time.ts';

export const BOOKING_REFUSAL_CODES = [
  'INVALID_INTERVAL',
  'NOT_ON_SLOT_GRID',
  /** Produced by recurrence expansion (a series date whose start time falls in a DST gap), not by single bookings. */
  'NONEXISTENT_LOCAL_TIME',
  'DURATION_TOO_SHORT',
  'DURATION_TOO_LONG',
  'IN_THE_PAST',
  'LEAD_TIME_NOT_MET',
  'BEYOND_HORIZON',
  'OUTSIDE_OPENING_HOURS',
  'SITE_CLOSED',
  'PARTY_EXCEEDS_CAPACITY',
  'STAFF_ONLY_SPACE',
  'NOT_OPEN_TO_OTHER_SITES',
  'NOT_OPEN_TO_OTHER_DISTRICTS',
  'QUOTA_EXCEEDED',
  'CANCEL_CUTOFF_PASSED',
] as const;
export type BookingRefusalCode = (typeof BOOKING_REFUSAL_CODES)[number];

export interface Refusal {
  code: BookingRefusalCode;
  params?: Record<string, string | number>;
}

export type ActorRole = 'org_admin' | 'site_manager' | 'staff' | 'resident';

/**
 * Which residents a space takes besides staff: every resident, those whose home site is in the space's district,
 * or those of its own site only. Sharing between sites is the default; a site keeps a space for its neighbourhood.
 */
export const SPACE_OPENNESS = ['everyone', 'district', 'home_site'] as const;
export type SpaceOpenness = (typeof SPACE_OPENNESS)[number];

export type BookingStatus =
  | 'pending'
  | 'confirmed'
  | 'rejected'
  | 'expired'
  | 'cancelled'
  | 'checked_in'
  | 'completed'
  | 'no_show';

export interface ClosureWithReason extends ClosureDates {
  reason: string;
}

export type BookingPolicy = Pick<
  PolicyValues,
  | 'slotMinutes'
  | 'minDurationMinutes'
  | 'maxDurationMinutes'
  | 'leadTimeMinutes'
  | 'horizonDays'
  | 'quotaPerDayCount'
  | 'quotaPerDayMinutes'
  | 'quotaPerWeekCount'
  | 'quotaPerWeekMinutes'
>;

export interface BookingRequestInput {
  range: InstantRange;
  partySize: number;
  now: number;
  /** The site's IANA zone: grid, opening hours, closures, quota days and weeks are all read there. */
  zone: string;
  policy: BookingPolicy;
  hours: WeeklyHours;
  /** Closures that apply to the site (its own, its district's, the org's). */
  closures: readonly ClosureWithReason[];
  space: { siteId: string; siteDistrict: string; capacity: number; bookableBy: 'residents' | 'staff_only'; openTo: SpaceOpenness };
  /** Who asks, and for a resident their home site and its district (both null for staff and for residents without one). */
  actor: { role: ActorRole; homeSiteId: string | null; homeDistrict: string | null };
  /**
   * The booker's holding bookings in the quota's scope (space, site or org), excluding the one being changed.
   * Each counts toward the local day and ISO week in which it starts.
   */
  heldBookingsInQuotaScope: InstantRange[];
}

/** Check-in opens this long before a booking starts, so people arriving a little early are not turned away. */
export const CHECK_IN_OPENS_MINUTES_BEFORE_START = 15;

const MS_PER_MINUTE = 60_000;

export function isStaffRole(role: ActorRole): boolean {
  return role === 'org_admin' || role === 'site_manager' || role === 'staff';
}

/**
 * Every reason the request breaks policy; empty means allowed. Staff skip lead time, horizon and quotas (they
 * book on behalf of people and fix mistakes) but not the grid, opening hours, closures or capacity.
 */
export function checkBookingRequest(input: BookingRequestInput): Refusal[] {
  const { range } = input;
  // An inverted interval makes every time rule meaningless, so it is the only answer.
  if (!(range.end > range.start)) return [{ code: 'INVALID_INTERVAL' }];
  // Opening hours and closures are judged day by day: a span past the longest claim is answered before that work.
  if (range.end - range.start > MAX_CLAIM_MS) return checkDuration(input);
  const isStaff = isStaffRole(input.actor.role);
  return [
    ...checkSlotGrid(input),
    ...checkDuration(input),
    ...checkTiming(input, isStaff),
    ...checkClosures(input),
    ...checkOpeningHours(input),
    ...checkCapacity(input),
    ...checkWhoMayBook(input),
    ...(isStaff ? [] : checkQuotas(input)),
  ];
}

function checkSlotGrid({ range, zone, policy }: BookingRequestInput): Refusal[] {
  const offGrid = (['start', 'end'] as const).filter((end) => !isOnLocalSlotGrid(range[end], zone, policy.slotMinutes));
  if (offGrid.length === 0) return [];
  return [{ code: 'NOT_ON_SLOT_GRID', params: { slotMinutes: policy.slotMinutes, offGrid: offGrid.join(',') } }];
}

/** Elapsed minutes: 01:00-04:00 on a spring-forward day is two hours long, and that is what is checked. */
function checkDuration({ range, policy }: BookingRequestInput): Refusal[] {
  const minutes = (range.end - range.start) / MS_PER_MINUTE;
  if (minutes < policy.minDurationMinutes) {
    return [{ code: 'DURATION_TOO_SHORT', params: { minutes, minDurationMinutes: policy.minDurationMinutes } }];
  }
  if (minutes > policy.maxDurationMinutes) {
    return [{ code: 'DURATION_TOO_LONG', params: { minutes, maxDurationMinutes: policy.maxDurationMinutes } }];
  }
  return [];
}

/** A start in the past is reported as such only, not also as a missed lead time. */
function checkTiming({ range, now, zone, policy }: BookingRequestInput, isStaff: boolean): Refusal[] {
  if (range.start < now) return [{ code: 'IN_THE_PAST' }];
  if (isStaff) return [];
  const refusals: Refusal[] = [];
  const earliestStart = now + policy.leadTimeMinutes * MS_PER_MINUTE;
  if (range.start < earliestStart) {
    refusals.push({ code: 'LEAD_TIME_NOT_MET', params: { leadTimeMinutes: policy.leadTimeMinutes, earliestStart } });
  }
  const horizon = bookingHorizon({ now, horizonDays: policy.horizonDays, zone });
  if (range.end > horizon.end) {
    refusals.push({ code: 'BEYOND_HORIZON', params: { horizonDays: policy.horizonDays, lastDate: horizon.lastDate } });
  }
  return refusals;
}

/**
 * The booking horizon: bookings may run until the end of the local day `horizonDays` after today, so a whole new
 * day opens at midnight rather than slot by slot through the day. horizonDays 0 means today only.
 */
export function bookingHorizon({ now, horizonDays, zone }: { now: number; horizonDays: number; zone: string }): {
  lastDate: string;
  end: number;
} {
  const lastDate = DateTime.fromMillis(now, { zone: zoneOf(zone) }).startOf('day').plus({ days: horizonDays }).toISODate()!;
  return { lastDate, end: localDayRange(lastDate, zone).end };
}

/** One refusal per closure touching the booking's local dates, with that closure's reason. */
function checkClosures({ range, zone, closures }: BookingRequestInput): Refusal[] {
  const dates = localDatesBetween(range, zone);
  const refusals: Refusal[] = [];
  for (const closure of closures) {
    const date = dates.find((d) => closure.startDate <= d && d <= closure.endDate);
    if (date !== undefined) {
      refusals.push({
        code: 'SITE_CLOSED',
        params: { date, reason: closure.reason, startDate: closure.startDate, endDate: closure.endDate },
      });
    }
  }
  return refusals;
}

/** Weekly hours only; a closed date is SITE_CLOSED, not also "outside opening hours". */
function checkOpeningHours({ range, zone, hours }: BookingRequestInput): Refusal[] {
  return isWithinOpenRanges(range, openRanges(hours, zone, range)) ? [] : [{ code: 'OUTSIDE_OPENING_HOURS' }];
}

function checkCapacity({ partySize, space }: BookingRequestInput): Refusal[] {
  if (partySize <= space.capacity) return [];
  return [{ code: 'PARTY_EXCEEDS_CAPACITY', params: { partySize, capacity: space.capacity } }];
}

/** Residents only: staff book any space at their sites, whoever it is open to. */
function checkWhoMayBook({ actor, space }: BookingRequestInput): Refusal[] {
  if (actor.role !== 'resident') return [];
  const refusals: Refusal[] = [];
  if (space.bookableBy === 'staff_only') refusals.push({ code: 'STAFF_ONLY_SPACE' });
  const closedToActor = opennessRefusal(actor, space);
  if (closedToActor) refusals.push(closedToActor);
  return refusals;
}

/**
 * Whether the space's openness leaves this resident out (staff never). A resident without a home site belongs to
 * no site and no district, so only spaces open to everyone take them; a resident of the space's own site is always in.
 */
export function opennessRefusal(
  actor: BookingRequestInput['actor'],
  space: Pick<BookingRequestInput['space'], 'siteId' | 'siteDistrict' | 'openTo'>,
): Refusal | null {
  if (actor.role !== 'resident' || space.openTo === 'everyone' || actor.homeSiteId === space.siteId) return null;
  if (space.openTo === 'home_site') return { code: 'NOT_OPEN_TO_OTHER_SITES', params: { siteId: space.siteId } };
  if (actor.homeDistrict !== null && actor.homeDistrict === space.siteDistrict) return null;
  return { code: 'NOT_OPEN_TO_OTHER_DISTRICTS', params: { siteId: space.siteId, district: space.siteDistrict } };
}

export type QuotaKey = 'quotaPerDayCount' | 'quotaPerDayMinutes' | 'quotaPerWeekCount' | 'quotaPerWeekMinutes';

/** Where a request stands against one quota: what is used in its day or week, and what it would add. */
export interface QuotaMeasure {
  quota: QuotaKey;
  limit: number;
  used: number;
  requested: number;
  /** The local date (day quotas) or ISO week (week quotas) the request falls in. */
  period: string;
}

/**
 * Day and week quotas in the site's zone (ISO weeks, Monday first), for the quotas the policy sets. A booking
 * belongs to the day and week of its local start, so one booking is never counted twice or split across days.
 */
export function measureQuotas({ range, zone, policy, heldBookingsInQuotaScope }: Pick<BookingRequestInput, 'range' | 'zone' | 'policy' | 'heldBookingsInQuotaScope'>): QuotaMeasure[] {
  const requestedMinutes = (range.end - range.start) / MS_PER_MINUTE;
  const periods = [
    { period: localDateOf(range.start, zone), periodOf: localDateOf, countKey: 'quotaPerDayCount', minutesKey: 'quotaPerDayMinutes' },
    { period: isoWeekOf(range.start, zone), periodOf: isoWeekOf, countKey: 'quotaPerWeekCount', minutesKey: 'quotaPerWeekMinutes' },
  ] as const;
  const measures: QuotaMeasure[] = [];
  for (const { period, periodOf, countKey, minutesKey } of periods) {
    const held = heldBookingsInQuotaScope.filter((b) => periodOf(b.start, zone) === period);
    const heldMinutes = held.reduce((sum, b) => sum + (b.end - b.start) / MS_PER_MINUTE, 0);
    const countLimit = policy[countKey];
    const minutesLimit = policy[minutesKey];
    if (countLimit !== null) measures.push({ quota: countKey, limit: countLimit, used: held.length, requested: 1, period });
    if (minutesLimit !== null) measures.push({ quota: minutesKey, limit: minutesLimit, used: heldMinutes, requested: requestedMinutes, period });
  }
  return measures;
}

/** A quota the request would take past its limit. */
export const exceedsQuota = (m: QuotaMeasure) => m.used + m.requested > m.limit;

function checkQuotas(input: BookingRequestInput): Refusal[] {
  return measureQuotas(input)
    .filter(exceedsQuota)
    .map(({ quota, limit, used, requested, period }) => ({ code: 'QUOTA_EXCEEDED', params: { quota, limit, used, requested, period } }));
}

function localDateOf(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone: zoneOf(zone) }).toISODate()!;
}

/** ISO week as `2026-W10`; the week-year differs from the calendar year around New Year. */
function isoWeekOf(instant: number, zone: string): string {
  const local = DateTime.fromMillis(instant, { zone: zoneOf(zone) });
  return `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
}

/** What a booking is for, as an approver judged it: where, when, how many and why. */
export interface BookingTerms {
  spaceId: string;
  range: InstantRange;
  partySize: number;
  purpose: string | null;
}

/**
 * Whether a change sends a confirmed booking back to staff for approval. Staff changes never do (their bookings
 * skip approval); nor does any change in a space without approval. In a space that needs approval, a resident
 * keeps the confirmation only by staying within what is confirmed: the same space and purpose, no more people,
 * and an interval inside the confirmed one. Anything else, a same-length shift included (the approver judged a
 * time), is a new request; a booking already pending simply stays pending.
 */
export function changeNeedsApproval(change: {
  approvalRequired: boolean;
  actorRole: ActorRole;
  status: BookingStatus;
  current: BookingTerms;
  requested: BookingTerms;
}): boolean {
  if (!change.approvalRequired || isStaffRole(change.actorRole) || change.status !== 'confirmed') return false;
  const { current, requested } = change;
  const staysWithin =
    requested.spaceId === current.spaceId &&
    requested.purpose === current.purpose &&
    requested.partySize <= current.partySize &&
    requested.range.start >= current.range.start &&
    requested.range.end <= current.range.end;
  return !staysWithin;
}

/** Residents may cancel until `cancelCutoffMinutes` before the start, inclusive; staff at any time. */
export function checkCancellation({
  now,
  start,
  cancelCutoffMinutes,
  actorIsStaff,
}: {
  now: number;
  start: number;
  cancelCutoffMinutes: number;
  actorIsStaff: boolean;
}): Refusal | null {
  if (actorIsStaff) return null;
  const deadline = start - cancelCutoffMinutes * MS_PER_MINUTE;
  return now <= deadline ? null : { code: 'CANCEL_CUTOFF_PASSED', params: { cancelCutoffMinutes, deadline } };
}

export type CheckInWindowState = 'too_early' | 'open' | 'closed';

/**
 * When check-in closes: `noShowAfterMinutes` after the start, or at the end if the booking is shorter, since
 * checking in to a finished booking means nothing.
 */
export function checkInClosesAt({ start, end, noShowAfterMinutes }: { start: number; end?: number; noShowAfterMinutes: number }): number {
  return Math.min(start + noShowAfterMinutes * MS_PER_MINUTE, end ?? Infinity);
}

/** Check-in is open on `[start - 15 min, checkInClosesAt)`. */
export function checkInWindow({
  now,
  start,
  end,
  noShowAfterMinutes,
}: {
  now: number;
  start: number;
  end: number;
  noShowAfterMinutes: number;
}): CheckInWindowState {
  if (now < start - CHECK_IN_OPENS_MINUTES_BEFORE_START * MS_PER_MINUTE) return 'too_early';
  return now < checkInClosesAt({ start, end, noShowAfterMinutes }) ? 'open' : 'closed';
}

/**
 * Whether a confirmed booking nobody checked in to should now be marked no-show (and the space released): from
 * the instant check-in closes. Pass `end` so this agrees with `checkInWindow` for bookings shorter than the window.
 */
export function isNoShowDue({
  now,
  start,
  end,
  noShowAfterMinutes,
  status,
}: {
  now: number;
  start: number;
  end?: number;
  noShowAfterMinutes: number;
  status: BookingStatus;
}): boolean {
  return status === 'confirmed' && now >= checkInClosesAt({ start, end, noShowAfterMinutes });
}
