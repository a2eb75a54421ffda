/**
 * Reading bookings as an actor may see them: one booking (404 when not theirs to see), its history in the order
 * changes committed, and filtered, searched, sorted pages of bookings (and the same rows for the CSV export), each
 * with its booker's identity read by a join; and the lifecycle's reads and versioned writes (a booking read again
 * under its lock, a change at the version it was read at, the sweep's candidate pages).
 */
import type { ListBookingsQuery } from '@linli/contracts';
import { BOOKING_SORTS } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { HOLDING_STATUSES } from '@linli/domain';
import { type SQL, and, asc, desc, eq, gt, ilike, inArray, isNotNull, like, lt, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { BookingRow } from '../claims/space-context.ts';
import { type BookerColumns, type BookingView, answerBookings } from '../claims/booking-answers.ts';
import { BOOKER_COLUMNS, bookerHomeSites as homeSites } from '../claims/booker.repository.ts';
import { containing } from '../../lib/sql.ts';

const { bookings, bookingEvents, users } = schema;
type Db = Database | Transaction;

/** A booking the actor may see: their own as a resident, their sites' as staff, any as org admin. */
export async function findVisibleBooking(db: Db, actor: Actor, bookingId: string): Promise<BookingRow> {
  const [row] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, bookingId), eq(bookings.orgId, actor.orgId)));
  if (!row) throw notFound('Booking');
  const visible =
    actor.role === 'org_admin' ||
    (actor.role === 'resident' ? row.bookerId === actor.userId : actor.siteIds.includes(row.siteId));
  if (!visible) throw notFound('Booking');
  return row;
}

/** Bookings with their booker's columns, in one statement (the booker and their home site by left joins). */
function selectBookingViews<Extra extends Record<string, SQL.Aliased>>(db: Db, extra: Extra = {} as Extra) {
  return db
    .select({ booking: bookings, ...BOOKER_COLUMNS, ...extra })
    .from(bookings)
    .leftJoin(users, eq(users.id, bookings.bookerId))
    .leftJoin(homeSites, eq(homeSites.id, users.homeSiteId));
}

const toView = ({ booking, bookerName, bookerPhone, bookerHomeSiteId, bookerHomeSiteName }: { booking: BookingRow } & BookerColumns): BookingView => ({
  booking,
  booker: { bookerName, bookerPhone, bookerHomeSiteId, bookerHomeSiteName },
});

export async function getBookingWithHistory(db: Database, actor: Actor, bookingId: string) {
  const row = await findVisibleBooking(db, actor, bookingId);
  const [view] = await selectBookingViews(db).where(eq(bookings.id, row.id));
  const events = await db
    .select({ event: bookingEvents, actorName: users.displayName })
    .from(bookingEvents)
    .leftJoin(users, eq(users.id, bookingEvents.actorId))
    .where(eq(bookingEvents.bookingId, row.id))
    // The version is the order changes committed in; seeded history may share one, and then time decides.
    .orderBy(asc(bookingEvents.version), asc(bookingEvents.at), asc(bookingEvents.id));
  // Residents see who acted only where it was themselves; staff names are for staff.
  const nameFor = (actorId: string | null, name: string | null) => (actor.role !== 'resident' || actorId === actor.userId ? name : null);
  const [booking] = await answerBookings(db, actor, [toView(view!)]);
  return {
    ...booking!,
    events: events.map(({ event: e, actorName }) => ({
      id: e.id,
      actorId: e.actorId,
      actorName: nameFor(e.actorId, actorName),
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      reason: e.reason,
      changes: e.changes ?? [],
      version: e.version,
      at: e.at.toISOString(),
    })),
  };
}

type BookingFilters = Omit<ListBookingsQuery, 'cursor' | 'limit'>;
type BookingSort = (typeof BOOKING_SORTS)[number];

/**
 * What `q` finds: part of the booker's or walk-in's name (any case), 4 or more digits anywhere in their phone, or
 * the exact check-in code. Wildcards typed into q are taken literally.
 */
function searchCondition(q: string): SQL {
  const pattern = containing(q);
  const conditions = [ilike(users.displayName, pattern), ilike(bookings.walkInName, pattern), eq(bookings.checkInCode, q.toUpperCase())];
  const digits = q.replace(/[\s-]/g, '');
  if (/^\+?\d{4,}$/.test(digits)) {
    // Phones are stored without +86 (the shared Phone type strips it), so a number typed with it still matches.
    const stored = containing(digits.replace(/^\+/, '').replace(/^86(?=1\d{10}$)/, ''));
    conditions.push(like(users.phone, stored), like(bookings.walkInPhone, stored));
  }
  return or(...conditions)!;
}

/** The list's filters as the actor may apply them: residents see their own, staff their sites', admins all. */
function bookingConditions(actor: Actor, query: BookingFilters): SQL[] {
  const conditions: SQL[] = [eq(bookings.orgId, actor.orgId)];
  if (actor.role === 'resident') conditions.push(eq(bookings.bookerId, actor.userId));
  if (actor.role === 'site_manager' || actor.role === 'staff') {
    if (query.siteId && !actor.siteIds.includes(query.siteId)) throw notFound('Site');
    conditions.push(inArray(bookings.siteId, actor.siteIds.length ? actor.siteIds : ['00000000-0000-0000-0000-000000000000']));
  }
  if (query.siteId) conditions.push(eq(bookings.siteId, query.siteId));
  if (query.spaceId) conditions.push(eq(bookings.spaceId, query.spaceId));
  if (query.bookerId) conditions.push(eq(bookings.bookerId, query.bookerId));
  if (query.status?.length) conditions.push(inArray(bookings.status, query.status));
  if (query.source?.length) conditions.push(inArray(bookings.source, query.source));
  if (query.from) conditions.push(gt(bookings.endAt, new Date(query.from)));
  if (query.to) conditions.push(lt(bookings.startAt, new Date(query.to)));
  if (query.q) conditions.push(searchCondition(query.q));
  return conditions;
}

const sortColumnOf = (sort: BookingSort) => (sort.endsWith('startAt') ? bookings.startAt : bookings.createdAt);
const descending = (sort: BookingSort) => sort.startsWith('-');
const orderOf = (sort: BookingSort) => {
  const direction = descending(sort) ? desc : asc;
  return [direction(sortColumnOf(sort)), direction(bookings.id)];
};
/** The sort key at full precision (microseconds), so a cursor never falls between two rows a millisecond apart. */
const sortKeyOf = (sort: BookingSort) => sql<string>`to_char(${sortColumnOf(sort)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A keyset cursor: the sort it belongs to and the last row's (sort key, id). Opaque to clients; one issued for
 * another sort (or made up) is refused rather than silently skipping or repeating rows.
 */
function encodeCursor(sort: BookingSort, key: string, id: string) {
  return Buffer.from(JSON.stringify([sort, key, id]), 'utf8').toString('base64url');
}

function decodeCursor(sort: BookingSort, cursor: string): { key: string; id: string } {
  const refuse = (message: string) => new AppError('VALIDATION_FAILED', { errors: [{ path: 'querystring.cursor', message }] });
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not a cursor from this API');
  }
  if (!Array.isArray(parts) || parts.length !== 3 || !BOOKING_SORTS.includes(parts[0])) throw refuse('is not a cursor from this API');
  const [cursorSort, key, id] = parts as [BookingSort, unknown, unknown];
  if (typeof key !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(key)) throw refuse('is not a cursor from this API');
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw refuse('is not a cursor from this API');
  if (cursorSort !== sort) throw refuse(`belongs to sort=${cursorSort}, not sort=${sort}`);
  return { key, id };
}

/** Rows after the cursor in the sort's order: (key, id) strictly past the last row of the previous page. */
function afterCursor(sort: BookingSort, after: { key: string; id: string }): SQL {
  const column = sortColumnOf(sort);
  return descending(sort)
    ? sql`(${column}, ${bookings.id}) < (${after.key}::timestamptz, ${after.id}::uuid)`
    : sql`(${column}, ${bookings.id}) > (${after.key}::timestamptz, ${after.id}::uuid)`;
}

export async function listBookings(db: Database, actor: Actor, query: ListBookingsQuery) {
  const conditions = bookingConditions(actor, query);
  if (query.cursor) conditions.push(afterCursor(query.sort, decodeCursor(query.sort, query.cursor)));
  const rows = await selectBookingViews(db, { sortKey: sortKeyOf(query.sort).as('sort_key') })
    .where(and(...conditions))
    .orderBy(...orderOf(query.sort))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: await answerBookings(db, actor, page.map(toView)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(query.sort, last.sortKey, last.booking.id) : null,
  };
}

/** Every booking the list's filters match, in its sort, up to `limit` rows (the export asks for one more than it allows). */
export async function findBookingViews(db: Database, actor: Actor, query: BookingFilters, limit: number): Promise<BookingView[]> {
  const rows = await selectBookingViews(db)
    .where(and(...bookingConditions(actor, query)))
    .orderBy(...orderOf(query.sort))
    .limit(limit);
  return rows.map(toView);
}

/** Who a walk-in booking is for (no account: a name, maybe a phone), on the row linli_book_space has just written. */
export async function recordWalkIn(tx: Transaction, bookingId: string, walkIn: { name: string; phone: string | null }) {
  await tx.update(bookings).set({ walkInName: walkIn.name, walkInPhone: walkIn.phone }).where(eq(bookings.id, bookingId));
}

/** A change made against a version someone has since replaced is refused (412), never applied over theirs. */
export function assertVersion(row: BookingRow, expected: number | undefined) {
  if (expected !== undefined && row.version !== expected) {
    throw new AppError('VERSION_MISMATCH', { details: { currentVersion: row.version } });
  }
}

/**
 * A page of the lifecycle sweep's candidates: holding bookings that have started or whose offer has lapsed, in
 * (start, id) order after `after`.
 */
export async function findSweepCandidates(
  db: Database,
  now: Date,
  after: { startAt: Date; id: string } | undefined,
  limit: number,
): Promise<BookingRow[]> {
  return db
    .select()
    .from(bookings)
    .where(
      and(
        inArray(bookings.status, [...HOLDING_STATUSES]),
        or(lte(bookings.startAt, now), and(isNotNull(bookings.offerExpiresAt), lte(bookings.offerExpiresAt, now))),
        after ? or(gt(bookings.startAt, after.startAt), and(eq(bookings.startAt, after.startAt), gt(bookings.id, after.id))) : undefined,
      ),
    )
    .orderBy(asc(bookings.startAt), asc(bookings.id))
    .limit(limit);
}
