/**
 * Reading bookings as an actor may see them: one booking (404 when not theirs to see), its history in the order
 * changes committed, and filtered pages of bookings; and the lifecycle's reads and versioned writes (a booking
 * read again under its lock, a change at the version it was read at, the sweep's candidate pages).
 */
import type { ListBookingsQuery } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { HOLDING_STATUSES } from '@linli/domain';
import { type SQL, and, asc, eq, gt, inArray, isNotNull, lt, lte, or } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { type BookingRow, toBooking } from '../claims/space-context.ts';

const { bookings, bookingEvents, users } = schema;

/** A booking the actor may see: their own as a resident, their sites' as staff, any as org admin. */
export async function findVisibleBooking(db: Database | Transaction, actor: Actor, bookingId: string): Promise<BookingRow> {
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

export async function getBookingWithHistory(db: Database, actor: Actor, bookingId: string) {
  const row = await findVisibleBooking(db, actor, bookingId);
  const events = await db
    .select({ event: bookingEvents, actorName: users.displayName })
    .from(bookingEvents)
    .leftJoin(users, eq(users.id, bookingEvents.actorId))
    .where(eq(bookingEvents.bookingId, row.id))
    // The version is the order changes committed in; seeded history may share one, and then time decides.
    .orderBy(asc(bookingEvents.version), asc(bookingEvents.at), asc(bookingEvents.id));
  // Residents see who acted only where it was themselves; staff names are for staff.
  const nameFor = (actorId: string | null, name: string | null) => (actor.role !== 'resident' || actorId === actor.userId ? name : null);
  return {
    ...toBooking(row),
    events: events.map(({ event: e, actorName }) => ({
      id: e.id,
      actorId: e.actorId,
      actorName: nameFor(e.actorId, actorName),
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      reason: e.reason,
      version: e.version,
      at: e.at.toISOString(),
    })),
  };
}

export async function listBookings(db: Database, actor: Actor, query: ListBookingsQuery) {
  const filters: (SQL | undefined)[] = [eq(bookings.orgId, actor.orgId)];
  if (actor.role === 'resident') filters.push(eq(bookings.bookerId, actor.userId));
  if (actor.role === 'site_manager' || actor.role === 'staff') {
    if (query.siteId && !actor.siteIds.includes(query.siteId)) throw notFound('Site');
    filters.push(inArray(bookings.siteId, actor.siteIds.length ? actor.siteIds : ['00000000-0000-0000-0000-000000000000']));
  }
  if (query.siteId) filters.push(eq(bookings.siteId, query.siteId));
  if (query.spaceId) filters.push(eq(bookings.spaceId, query.spaceId));
  if (query.bookerId) filters.push(eq(bookings.bookerId, query.bookerId));
  if (query.status?.length) filters.push(inArray(bookings.status, query.status));
  if (query.from) filters.push(gt(bookings.endAt, new Date(query.from)));
  if (query.to) filters.push(lt(bookings.startAt, new Date(query.to)));
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(bookings.id, after));
  const rows = await db
    .select()
    .from(bookings)
    .where(and(...filters))
    .orderBy(bookings.id)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toBooking), nextCursor: page.nextCursor };
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
