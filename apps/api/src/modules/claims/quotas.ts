/**
 * Policy and quota checks of a claim on a space: every reason at once, from the space's effective policy (pure, in
 * packages/domain) and, for residents, their bookings in each quota's scope.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import {
  type BookingPolicy,
  CONSUMING_STATUSES,
  type InstantRange,
  type PolicyLevel,
  type QuotaMeasure,
  type Refusal,
  checkBookingRequest,
  exceedsQuota,
  measureQuotas,
  opennessRefusal,
} from '@linli/domain';
import { and, eq, gte, inArray, lt, ne } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { type ResidentHome, type SpaceContext, residentHomeOf } from './space-context.ts';

const { bookings } = schema;
type Db = Database | Transaction;
export const QUOTA_KEYS = ['quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes'] as const;
const DAY_MS = 86_400_000;

/**
 * The booker's bookings that count toward a quota set at `level`: the space's own, the site's, or the whole
 * organization's (a city-wide entitlement counted across sites). A window of two weeks around the request
 * covers every day and ISO week the request can fall in.
 */
async function quotaUsage(
  db: Db,
  ctx: SpaceContext,
  bookerId: string,
  level: PolicyLevel,
  range: InstantRange,
  excludeBookingId?: string,
): Promise<InstantRange[]> {
  const scope =
    level === 'space' ? eq(bookings.spaceId, ctx.space.id) : level === 'site' ? eq(bookings.siteId, ctx.site.id) : eq(bookings.orgId, ctx.space.orgId);
  const rows = await db
    .select({ startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(
      and(
        eq(bookings.bookerId, bookerId),
        scope,
        inArray(bookings.status, [...CONSUMING_STATUSES]),
        gte(bookings.startAt, new Date(range.start - 8 * DAY_MS)),
        lt(bookings.startAt, new Date(range.start + 8 * DAY_MS)),
        excludeBookingId ? ne(bookings.id, excludeBookingId) : undefined,
      ),
    );
  return rows.map((r) => ({ start: r.startAt.getTime(), end: r.endAt.getTime() }));
}

export interface RequestCheck {
  actor: Actor;
  bookerId: string | null;
  range: InstantRange;
  partySize: number;
  now: Date;
  excludeBookingId?: string;
}

/**
 * Every policy reason the request is refused for (opening hours, closures, grid, durations, timing, who may book,
 * quotas). Quotas are checked per level they come from, each against the bookings in that level's scope.
 */
export async function checkPolicy(db: Db, ctx: SpaceContext, request: RequestCheck): Promise<Refusal[]> {
  const refusals = policyRefusals(ctx, request, await residentHomeOf(db, request.actor));
  return refusals.length ? refusals : quotaRefusals(db, ctx, request);
}

/**
 * Where the request stands against each resident quota, per level the quota comes from, each counted against the
 * booker's bookings in that level's scope (the space's, the site's, or the whole organization's).
 */
export async function quotaMeasures(
  db: Db,
  ctx: SpaceContext,
  request: RequestCheck,
  /** Bookings not yet written that count too (earlier occurrences of the same new series). */
  pending: InstantRange[] = [],
): Promise<(QuotaMeasure & { scope: PolicyLevel })[]> {
  if (request.actor.role !== 'resident' || !request.bookerId) return [];
  const values = ctx.policy.values;
  const measures: (QuotaMeasure & { scope: PolicyLevel })[] = [];
  const levels = new Set(QUOTA_KEYS.filter((k) => values[k] !== null).map((k) => ctx.policy.sources[k]));
  for (const level of levels) {
    const quotasFromLevel = Object.fromEntries(
      QUOTA_KEYS.map((k) => [k, ctx.policy.sources[k] === level ? values[k] : null]),
    ) as Pick<BookingPolicy, (typeof QUOTA_KEYS)[number]>;
    const held = [...(await quotaUsage(db, ctx, request.bookerId, level, request.range, request.excludeBookingId)), ...pending];
    const measured = measureQuotas({ range: request.range, zone: ctx.site.timezone, policy: { ...values, ...quotasFromLevel }, heldBookingsInQuotaScope: held });
    measures.push(...measured.map((m) => ({ ...m, scope: level })));
  }
  return measures;
}

/**
 * Resident quotas the request would exceed. Run under the booker lock (see lockForBooking) so two simultaneous
 * requests cannot both take the last unit.
 */
export async function quotaRefusals(
  db: Db,
  ctx: SpaceContext,
  request: RequestCheck,
  pending: InstantRange[] = [],
): Promise<Refusal[]> {
  const measures = await quotaMeasures(db, ctx, request, pending);
  return measures.filter(exceedsQuota).map(quotaRefusal);
}

export const quotaRefusal = ({ quota, limit, used, requested, period, scope }: QuotaMeasure & { scope: PolicyLevel }): Refusal => ({
  code: 'QUOTA_EXCEEDED',
  params: { quota, limit, used, requested, period, scope },
});

function ruleInput(ctx: SpaceContext, request: Omit<RequestCheck, 'bookerId'>, home: ResidentHome | null) {
  return {
    range: request.range,
    partySize: request.partySize,
    now: request.now.getTime(),
    zone: ctx.site.timezone,
    hours: ctx.site.openingHours,
    closures: ctx.closures,
    space: {
      siteId: ctx.space.siteId,
      siteDistrict: ctx.site.district,
      capacity: ctx.space.capacity,
      bookableBy: ctx.space.bookableBy as 'residents' | 'staff_only',
      openTo: ctx.space.openTo,
    },
    actor: { role: request.actor.role, homeSiteId: home?.homeSiteId ?? null, homeDistrict: home?.homeDistrict ?? null },
  };
}

/** Whether the space's openness alone shuts this actor out, whatever the time (staff: never). */
export function opennessRefusalFor(ctx: SpaceContext, actor: Actor, home: ResidentHome): Refusal | null {
  return opennessRefusal({ role: actor.role, ...home }, { siteId: ctx.space.siteId, siteDistrict: ctx.site.district, openTo: ctx.space.openTo });
}

/**
 * Every policy reason except quotas, from values already loaded: no I/O, so many spaces can be judged at once.
 * `home` is the acting resident's (residentHomeOf); null for staff, whom openness does not bind.
 */
export function policyRefusals(ctx: SpaceContext, request: Omit<RequestCheck, 'bookerId'>, home: ResidentHome | null): Refusal[] {
  const withoutQuotas: BookingPolicy = {
    ...ctx.policy.values,
    quotaPerDayCount: null,
    quotaPerDayMinutes: null,
    quotaPerWeekCount: null,
    quotaPerWeekMinutes: null,
  };
  return checkBookingRequest({ ...ruleInput(ctx, request, home), policy: withoutQuotas, heldBookingsInQuotaScope: [] });
}
