/**
 * The queries of recurring bookings: the series row and its changes, its upcoming occurrences, and the
 * occurrences written in bulk with their events (an occurrence is changed as any booking is, through
 * claims.repository's updateBookingAtVersion). The service judges each occurrence and holds the transaction and
 * the space lock; this file reads and writes.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';

const { bookings, bookingEvents, bookingSeries } = schema;
type Db = Database | Transaction;

export type SeriesRow = typeof bookingSeries.$inferSelect;
type BookingRow = typeof bookings.$inferSelect;

export async function insertBookingSeries(tx: Transaction, series: typeof bookingSeries.$inferInsert): Promise<SeriesRow> {
  const [row] = await tx.insert(bookingSeries).values(series).returning();
  return row!;
}

/** The series with this id in the organization, or null; whether the actor may see it is the caller's decision. */
export async function findBookingSeries(db: Db, orgId: string, seriesId: string): Promise<SeriesRow | null> {
  const [row] = await db.select().from(bookingSeries).where(and(eq(bookingSeries.id, seriesId), eq(bookingSeries.orgId, orgId)));
  return row ?? null;
}

export async function updateBookingSeries(
  tx: Transaction,
  seriesId: string,
  change: Partial<Pick<typeof bookingSeries.$inferInsert, 'cancelledAt' | 'startTime' | 'durationMinutes' | 'partySize'>>,
): Promise<void> {
  await tx.update(bookingSeries).set(change).where(eq(bookingSeries.id, seriesId));
}

/** The series' occurrences that are still changeable (pending or confirmed) and start after `now`, in time order. */
export async function findUpcomingOccurrences(db: Db, seriesId: string, now: Date): Promise<BookingRow[]> {
  return db
    .select()
    .from(bookings)
    .where(and(eq(bookings.seriesId, seriesId), inArray(bookings.status, ['pending', 'confirmed']), gt(bookings.startAt, now)))
    .orderBy(asc(bookings.startAt));
}

/** Writes the occurrences and, in the same transaction, one creation event each. */
export async function insertOccurrences(
  tx: Transaction,
  rows: (typeof bookings.$inferInsert)[],
  event: { actorId: string; status: string; reason: string },
): Promise<BookingRow[]> {
  const inserted = await tx.insert(bookings).values(rows).returning();
  await tx.insert(bookingEvents).values(
    inserted.map((r) => ({ orgId: r.orgId, bookingId: r.id, actorId: event.actorId, fromStatus: null, toStatus: event.status, reason: event.reason })),
  );
  return inserted;
}
