/**
 * Where and when a party can be: free slots of one space, and the alternatives offered when a request is
 * refused as taken or full (the same space at the nearest free times, and equivalent spaces at nearby sites).
 */
import type { BookingAlternative } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import {
  type InstantRange,
  type FreeSlot,
  bookingHorizon,
  distanceKm,
  getEffectivePolicy,
  listFreeSlots,
  localDatesBetween,
  localDayRange,
  openRanges,
} from '@linli/domain';
import { and, arrayContains, eq, gt, gte, inArray, isNull, lt, ne } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import type { AppDeps } from '../../lib/context.ts';
import { HOLDING, type SpaceContext, findHoldingOverlaps, homeSiteOf, policyRefusals } from '../bookings/booking-context.ts';
import { availabilityRefusal } from '../bookings/bookings.service.ts';

const { spaces, sites, closures, bookings } = schema;
const DAY_MS = 86_400_000;
const ALTERNATIVES_PER_KIND = 3;
const SAME_SPACE_DAYS = 3;
/** How many nearby candidate spaces are checked in full before giving up. */
const NEARBY_CANDIDATES = 15;

type Db = Database | Transaction;

/** Free slots of a space over local dates [fromDate, toDate] in the site's zone, for this actor. */
export async function findFreeSlots(
  db: Db,
  actor: Actor,
  ctx: SpaceContext,
  window: InstantRange,
  options: { durationMinutes: number; partySize: number; now: Date },
): Promise<FreeSlot[]> {
  const policy = ctx.policy.values;
  const isStaff = actor.role !== 'resident';
  const busy = await findHoldingOverlaps(db, ctx.space.id, window, { bufferMs: policy.bufferMinutes * 60_000 });
  return listFreeSlots({
    open: openRanges(ctx.site.openingHours, ctx.site.timezone, window, ctx.closures),
    busy: busy.map((b) => ({ range: { start: b.startAt.getTime(), end: b.endAt.getTime() }, partySize: b.partySize })),
    mode: ctx.space.bookingMode as 'exclusive' | 'shared_capacity',
    capacity: ctx.space.capacity,
    partySize: options.partySize,
    slotMinutes: policy.slotMinutes,
    durationMinutes: options.durationMinutes,
    bufferMinutes: policy.bufferMinutes,
    zone: ctx.site.timezone,
    now: options.now.getTime(),
    leadTimeMinutes: isStaff ? 0 : policy.leadTimeMinutes,
    horizonEnd: isStaff ? Infinity : bookingHorizon({ now: options.now.getTime(), horizonDays: policy.horizonDays, zone: ctx.site.timezone }).end,
  });
}

/**
 * The same space, same length, at the free times nearest the one asked for: that day first, and the following
 * days only while fewer than three were found (this runs on every refusal, so it does no more than it must).
 */
async function sameSpaceAlternatives(deps: AppDeps, actor: Actor, ctx: SpaceContext, range: InstantRange, partySize: number) {
  const zone = ctx.site.timezone;
  const [firstDate] = localDatesBetween(range, zone);
  let day = localDayRange(firstDate!, zone);
  const found: FreeSlot[] = [];
  for (let i = 0; i < SAME_SPACE_DAYS && found.length < ALTERNATIVES_PER_KIND; i++) {
    const slots = await findFreeSlots(deps.db, actor, ctx, day, {
      durationMinutes: Math.round((range.end - range.start) / 60_000),
      partySize,
      now: deps.now(),
    });
    found.push(...slots.sort((a, b) => Math.abs(a.range.start - range.start) - Math.abs(b.range.start - range.start)));
    day = localDayRange(localDatesBetween({ start: day.end, end: day.end + 1 }, zone)[0]!, zone);
  }
  return found
    .slice(0, ALTERNATIVES_PER_KIND)
    .sort((a, b) => a.range.start - b.range.start)
    .map(
      (slot): BookingAlternative => ({
        spaceId: ctx.space.id,
        siteId: ctx.site.id,
        spaceName: ctx.space.name,
        siteName: ctx.site.name,
        startAt: new Date(slot.range.start).toISOString(),
        endAt: new Date(slot.range.end).toISOString(),
        kind: 'same_space',
        distanceKm: 0,
      }),
    );
}

/**
 * Cross-site substitution: spaces of the same kind and mode, big enough, with at least the same features, free
 * for exactly the requested time and bookable by this actor, nearest first. Judged in memory from four queries,
 * because this runs on every refusal and refusals come in bursts. Quotas are judged when the alternative is booked.
 */
async function nearbySpaceAlternatives(deps: AppDeps, actor: Actor, ctx: SpaceContext, range: InstantRange, partySize: number) {
  const { db } = deps;
  const candidates = await db
    .select({ space: spaces, site: sites })
    .from(spaces)
    .innerJoin(sites, eq(sites.id, spaces.siteId))
    .where(
      and(
        eq(spaces.orgId, actor.orgId),
        ne(spaces.id, ctx.space.id),
        eq(spaces.kind, ctx.space.kind),
        eq(spaces.bookingMode, ctx.space.bookingMode),
        gte(spaces.capacity, partySize),
        ctx.space.features.length ? arrayContains(spaces.features, ctx.space.features) : undefined,
        isNull(spaces.archivedAt),
        isNull(sites.archivedAt),
        actor.role === 'resident' ? eq(spaces.bookableBy, 'residents') : undefined,
      ),
    );
  const origin = ctx.site.lat !== null && ctx.site.lng !== null ? { lat: ctx.site.lat, lng: ctx.site.lng } : null;
  const ranked = candidates
    .filter((c) => actor.role === 'org_admin' || actor.role === 'resident' || actor.siteIds.includes(c.site.id))
    .map((c) => ({
      ...c,
      distance: origin && c.site.lat !== null && c.site.lng !== null ? distanceKm(origin, { lat: c.site.lat, lng: c.site.lng }) : null,
    }))
    .sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity))
    .slice(0, NEARBY_CANDIDATES);
  if (!ranked.length) return [];

  const ids = ranked.map((c) => c.space.id);
  const [orgClosures, holding, homeSiteId] = await Promise.all([
    db.select().from(closures).where(eq(closures.orgId, actor.orgId)),
    db
      .select({ spaceId: bookings.spaceId, startAt: bookings.startAt, endAt: bookings.endAt, partySize: bookings.partySize })
      .from(bookings)
      .where(
        and(
          inArray(bookings.spaceId, ids),
          inArray(bookings.status, [...HOLDING]),
          // A day either side covers any buffer a policy can set.
          lt(bookings.startAt, new Date(range.end + DAY_MS)),
          gt(bookings.endAt, new Date(range.start - DAY_MS)),
        ),
      ),
    actor.role === 'resident' ? homeSiteOf(db, actor.userId) : Promise.resolve(null),
  ]);

  const alternatives: BookingAlternative[] = [];
  for (const candidate of ranked) {
    if (alternatives.length >= ALTERNATIVES_PER_KIND) break;
    const candidateCtx: SpaceContext = {
      space: candidate.space,
      site: candidate.site,
      orgPolicy: ctx.orgPolicy,
      policy: getEffectivePolicy({ org: ctx.orgPolicy, site: candidate.site.policy, space: candidate.space.policy }),
      closures: orgClosures.filter(
        (c) => c.scope === 'org' || (c.scope === 'district' && c.district === candidate.site.district) || c.siteId === candidate.site.id,
      ),
    };
    if (policyRefusals(candidateCtx, { actor, range, partySize, now: deps.now() }, homeSiteId).length) continue;
    const spaceHolding = holding.filter((b) => b.spaceId === candidate.space.id);
    if (availabilityRefusal(candidateCtx, range, partySize, spaceHolding)) continue;
    alternatives.push({
      spaceId: candidate.space.id,
      siteId: candidate.site.id,
      spaceName: candidate.space.name,
      siteName: candidate.site.name,
      startAt: new Date(range.start).toISOString(),
      endAt: new Date(range.end).toISOString(),
      kind: 'nearby_space',
      distanceKm: candidate.distance === null ? null : Math.round(candidate.distance * 10) / 10,
    });
  }
  return alternatives;
}

export async function suggestAlternatives(
  deps: AppDeps,
  actor: Actor,
  ctx: SpaceContext,
  range: InstantRange,
  partySize: number,
): Promise<BookingAlternative[]> {
  return [
    ...(await sameSpaceAlternatives(deps, actor, ctx, range, partySize)),
    ...(await nearbySpaceAlternatives(deps, actor, ctx, range, partySize)),
  ];
}
