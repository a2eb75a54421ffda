/**
 * Everything a booking decision needs about one space, read in one place: the space, its site, the effective
 * policy (and where each quota comes from), the closures that touch the site, and the booker's quota usage.
 */
import type { Booking, PolicyRules } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import {
  type BookingPolicy,
  type EffectivePolicy,
  type InstantRange,
  type PolicyLevel,
  type Refusal,
  MAX_BOOKING_MS,
  type QuotaMeasure,
  checkBookingRequest,
  exceedsQuota,
  getEffectivePolicy,
  measureQuotas,
} from '@linli/domain';
import { and, eq, gt, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { closuresAffecting } from '../closures/closures.service.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';

const { bookings, spaces, sites, organizations, closures, users } = schema;

export const HOLDING = ['pending', 'confirmed', 'checked_in'] as const;
/** Statuses that used up an entitlement: quotas count them, cancellations and refusals do not. */
const COUNTS_TOWARD_QUOTA = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'] as const;
export const QUOTA_KEYS = ['quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes'] as const;
const DAY_MS = 86_400_000;

type Db = Database | Transaction;
export type SpaceRow = typeof spaces.$inferSelect;
export type SiteRow = typeof sites.$inferSelect;
export type BookingRow = typeof bookings.$inferSelect;

export interface SpaceContext {
  space: SpaceRow;
  site: SiteRow;
  /** The organization's own rules, for working out other spaces' policies without another query. */
  orgPolicy: PolicyRules;
  policy: EffectivePolicy;
  closures: readonly { startDate: string; endDate: string; reason: string }[];
}

/** The columns a Booking answer is made of (a row just written by linli_book_space has them without a read-back). */
export type BookingFields = Omit<BookingRow, 'during' | 'orgId' | 'exclusive' | 'updatedAt'>;

const isoOf = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A schedule entry's fields (ScheduleBooking) selected straight from `bookings AS b`, instants already ISO
 * strings: a week of a site is about a hundred rows, and these become the answer with no Date objects or per-field
 * mapping in between. Must read as `toBooking` does (a test compares the two).
 */
export const SCHEDULE_BOOKING_COLUMNS = sql.raw(
  [
    'b.id',
    'b.site_id AS "siteId"',
    'b.space_id AS "spaceId"',
    'b.booker_id AS "bookerId"',
    'b.party_size AS "partySize"',
    `${isoOf('b.start_at')} AS "startAt"`,
    `${isoOf('b.end_at')} AS "endAt"`,
    'b.purpose',
    'b.status',
    'b.series_id AS "seriesId"',
    'b.version',
  ].join(', '),
);

export function toBooking(row: BookingFields): Booking {
  return {
    id: row.id,
    siteId: row.siteId,
    spaceId: row.spaceId,
    bookerId: row.bookerId,
    createdById: row.createdById,
    partySize: row.partySize,
    startAt: toIso(row.startAt),
    endAt: toIso(row.endAt),
    purpose: row.purpose,
    status: row.status as Booking['status'],
    source: row.source,
    seriesId: row.seriesId,
    checkInCode: row.checkInCode,
    checkedInAt: toIso(row.checkedInAt),
    offerExpiresAt: toIso(row.offerExpiresAt),
    version: row.version,
    createdAt: toIso(row.createdAt),
  };
}

/**
 * The space as this actor may book it. Staff book only at their sites; residents only what they can see.
 * A hidden space answers 404 like one that does not exist.
 */
export async function loadSpaceContext(db: Db, actor: Actor, spaceId: string): Promise<SpaceContext> {
  const [row] = await db
    .select({ space: spaces, site: sites, orgPolicy: organizations.policy })
    .from(spaces)
    .innerJoin(sites, eq(sites.id, spaces.siteId))
    .innerJoin(organizations, eq(organizations.id, spaces.orgId))
    .where(and(eq(spaces.id, spaceId), eq(spaces.orgId, actor.orgId)));
  if (!row) throw notFound('Space');
  assertBookableSpace(actor, row.space, row.site);
  const siteClosures = await db
    .select({ startDate: closures.startDate, endDate: closures.endDate, reason: closures.reason })
    .from(closures)
    .where(and(eq(closures.orgId, actor.orgId), closuresAffecting(row.site)));
  return buildSpaceContext(row.space, row.site, row.orgPolicy, siteClosures);
}

/** The same context from the organization's in-memory catalogue (see catalogue.ts), without a query. */
export function spaceContextOf(catalogue: Catalogue, actor: Actor, spaceId: string): SpaceContext {
  const space = catalogue.spaces.get(spaceId);
  const site = space && catalogue.sites.get(space.siteId);
  if (!space || !site || space.orgId !== actor.orgId) throw notFound('Space');
  assertBookableSpace(actor, space, site);
  return catalogue.contextOf(space);
}

export function buildSpaceContext(space: SpaceRow, site: SiteRow, orgPolicy: PolicyRules, siteClosures: SpaceContext['closures']): SpaceContext {
  return {
    space,
    site,
    orgPolicy,
    policy: getEffectivePolicy({ org: orgPolicy, site: site.policy, space: space.policy }),
    closures: siteClosures,
  };
}

function assertBookableSpace(actor: Actor, space: SpaceRow, site: SiteRow) {
  const isSiteStaff = actor.role === 'site_manager' || actor.role === 'staff';
  if (isSiteStaff && !actor.siteIds.includes(site.id)) throw notFound('Space');
  if (actor.role === 'resident' && (space.archivedAt || site.archivedAt)) throw notFound('Space');
  if (space.archivedAt || site.archivedAt) throw new AppError('SPACE_UNAVAILABLE');
}

/** Holding bookings of a space that touch `range` widened by `bufferMs` on both sides. */
export async function findHoldingOverlaps(
  db: Db,
  spaceId: string,
  range: InstantRange,
  options: { bufferMs?: number; excludeBookingId?: string } = {},
): Promise<BookingRow[]> {
  const buffer = options.bufferMs ?? 0;
  return db
    .select()
    .from(bookings)
    .where(
      and(
        eq(bookings.spaceId, spaceId),
        inArray(bookings.status, [...HOLDING]),
        lt(bookings.startAt, new Date(range.end + buffer)),
        gt(bookings.startAt, new Date(range.start - buffer - MAX_BOOKING_MS)),
        gt(bookings.endAt, new Date(range.start - buffer)),
        options.excludeBookingId ? ne(bookings.id, options.excludeBookingId) : undefined,
      ),
    );
}

export async function homeSiteOf(db: Db, userId: string): Promise<string | null> {
  const [user] = await db.select({ homeSiteId: users.homeSiteId }).from(users).where(eq(users.id, userId));
  return user?.homeSiteId ?? null;
}

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
        inArray(bookings.status, [...COUNTS_TOWARD_QUOTA]),
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
  const homeSiteId = request.actor.role === 'resident' ? await homeSiteOf(db, request.actor.userId) : null;
  const refusals = policyRefusals(ctx, request, homeSiteId);
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

function ruleInput(ctx: SpaceContext, request: Omit<RequestCheck, 'bookerId'>, homeSiteId: string | null) {
  return {
    range: request.range,
    partySize: request.partySize,
    now: request.now.getTime(),
    zone: ctx.site.timezone,
    hours: ctx.site.openingHours,
    closures: ctx.closures,
    space: {
      siteId: ctx.space.siteId,
      capacity: ctx.space.capacity,
      bookableBy: ctx.space.bookableBy as 'residents' | 'staff_only',
      openToOtherSites: ctx.space.openToOtherSites,
    },
    actor: { role: request.actor.role, homeSiteId },
  };
}

/** Every policy reason except quotas, from values already loaded: no I/O, so many spaces can be judged at once. */
export function policyRefusals(ctx: SpaceContext, request: Omit<RequestCheck, 'bookerId'>, homeSiteId: string | null): Refusal[] {
  const withoutQuotas: BookingPolicy = {
    ...ctx.policy.values,
    quotaPerDayCount: null,
    quotaPerDayMinutes: null,
    quotaPerWeekCount: null,
    quotaPerWeekMinutes: null,
  };
  return checkBookingRequest({ ...ruleInput(ctx, request, homeSiteId), policy: withoutQuotas, heldBookingsInQuotaScope: [] });
}

/**
 * Serializes booking attempts on one space (and, for quota holders, one booker) inside the transaction, before
 * anything is read for the decision. Without it, concurrent inserts against the exclusion constraint deadlock
 * (40P01) and stall for seconds; with it, they queue for milliseconds. Locks are taken in a fixed order
 * (booker, then spaces by id) so two transactions never wait on each other in a cycle.
 */
export async function lockForBooking(tx: Transaction, spaceIds: string[], bookerId: string | null): Promise<void> {
  if (bookerId) await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`booker:${bookerId}`}, 0))`);
  for (const spaceId of [...new Set(spaceIds)].sort()) {
    await tx.execute(sql`SELECT id FROM spaces WHERE id = ${spaceId} FOR UPDATE`);
  }
}

/** The effective policy of a space regardless of who asks (for transitions of existing bookings and the sweep). */
export async function loadSpacePolicy(db: Db, spaceId: string): Promise<EffectivePolicy> {
  const [row] = await db
    .select({ space: spaces.policy, site: sites.policy, org: organizations.policy })
    .from(spaces)
    .innerJoin(sites, eq(sites.id, spaces.siteId))
    .innerJoin(organizations, eq(organizations.id, spaces.orgId))
    .where(eq(spaces.id, spaceId));
  if (!row) throw notFound('Space');
  return getEffectivePolicy(row);
}
