/**
 * Everything a decision about claiming a space needs, read in one place: the space, its site, the effective policy
 * (and where each quota comes from), and the closures that touch the site. Part of the claims core
 * (docs/architecture.md): features call down into it, it never imports a feature.
 */
import type { Booking, BookerIdentity, PolicyRules } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { CHECK_IN_OPENS_MINUTES_BEFORE_START, type EffectivePolicy, checkInClosesAt, getEffectivePolicy } from '@linli/domain';
import { type SQL, and, eq, or, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';

const { spaces, sites, organizations, closures, users } = schema;
type BookingsTable = typeof schema.bookings;

type Db = Database | Transaction;
export type SpaceRow = typeof spaces.$inferSelect;
export type SiteRow = typeof sites.$inferSelect;
export type BookingRow = BookingsTable['$inferSelect'];

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

/**
 * What a Booking answer adds to its row: who it is for, as this reader may see it (null when they may not), and the
 * space's no-show minutes that fix when check-in closes. Left out, both read as unknown (booker and window null).
 */
export interface BookingReading {
  booker?: BookerIdentity | null;
  noShowAfterMinutes?: number;
}

/** When a confirmed booking can be checked in, as checkInWindow (packages/domain) judges it; null for any other status. */
export function checkInTimesOf(row: Pick<BookingFields, 'status' | 'startAt' | 'endAt'>, noShowAfterMinutes: number | undefined) {
  if (row.status !== 'confirmed' || noShowAfterMinutes === undefined) return { opensAt: null, closesAt: null };
  const start = row.startAt.getTime();
  return {
    opensAt: new Date(start - CHECK_IN_OPENS_MINUTES_BEFORE_START * 60_000),
    closesAt: new Date(checkInClosesAt({ start, end: row.endAt.getTime(), noShowAfterMinutes })),
  };
}

export function toBooking(row: BookingFields, reading: BookingReading = {}): Booking {
  const checkIn = checkInTimesOf(row, reading.noShowAfterMinutes);
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
    checkInOpensAt: toIso(checkIn.opensAt),
    checkInClosesAt: toIso(checkIn.closesAt),
    booker: reading.booker ?? null,
    version: row.version,
    createdAt: toIso(row.createdAt),
  };
}

/** Closures that apply to one site: its own, its district's, and the whole org's. */
export function closuresAffecting(site: { id: string; district: string }): SQL {
  return or(
    eq(closures.scope, 'org'),
    and(eq(closures.scope, 'district'), eq(closures.district, site.district)),
    eq(closures.siteId, site.id),
  )!;
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

export function buildSpaceContext(space: SpaceRow, site: SiteRow, orgPolicy: PolicyRules, siteClosures: SpaceContext['closures']): SpaceContext {
  return {
    space,
    site,
    orgPolicy,
    policy: getEffectivePolicy({ org: orgPolicy, site: site.policy, space: space.policy }),
    closures: siteClosures,
  };
}

/** Staff book only at their sites; residents only active spaces; a hidden space answers 404 like a missing one. */
export function assertBookableSpace(actor: Actor, space: SpaceRow, site: SiteRow) {
  const isSiteStaff = actor.role === 'site_manager' || actor.role === 'staff';
  if (isSiteStaff && !actor.siteIds.includes(site.id)) throw notFound('Space');
  if (actor.role === 'resident' && (space.archivedAt || site.archivedAt)) throw notFound('Space');
  if (space.archivedAt || site.archivedAt) throw new AppError('SPACE_UNAVAILABLE');
}

/** Where a resident lives, as the rule of who may book a space reads it (packages/domain checkWhoMayBook). */
export interface ResidentHome {
  homeSiteId: string | null;
  homeDistrict: string | null;
}

const NO_HOME: ResidentHome = { homeSiteId: null, homeDistrict: null };

/** The acting resident's home site and its district; staff are not bound by openness, so theirs is not read. */
export async function residentHomeOf(db: Db, actor: Actor): Promise<ResidentHome> {
  if (actor.role !== 'resident') return NO_HOME;
  const [home] = await db
    .select({ homeSiteId: users.homeSiteId, homeDistrict: sites.district })
    .from(users)
    .leftJoin(sites, eq(sites.id, users.homeSiteId))
    .where(eq(users.id, actor.userId));
  return home ?? NO_HOME;
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
