/**
 * The waitlist's queries: entries joined, looked up, listed, promoted and settled, and the booking a promotion
 * writes. The service decides who waits and who is promoted; this file reads and writes.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import type { InstantRange } from '@linli/domain';
import { and, asc, eq, gt, inArray, isNull, lt, lte } from 'drizzle-orm';

const { waitlistEntries, bookings } = schema;
type Db = Database | Transaction;

export type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;

/** Entries still in the queue: waiting, or offered a place not yet taken up. */
const ACTIVE = ['waiting', 'offered'];

/** Entries of a space whose time overlaps `range`. */
function overlapping(spaceId: string, range: InstantRange) {
  return and(
    eq(waitlistEntries.spaceId, spaceId),
    lt(waitlistEntries.startAt, new Date(range.end)),
    gt(waitlistEntries.endAt, new Date(range.start)),
  );
}

export async function insertWaitlistEntry(tx: Transaction, entry: typeof waitlistEntries.$inferInsert): Promise<WaitlistEntryRow> {
  const [row] = await tx.insert(waitlistEntries).values(entry).returning();
  return row!;
}

/** A resident's active entry (waiting or offered) for a space that overlaps `range`, if any. */
export async function findActiveWaitlistEntry(db: Db, userId: string, spaceId: string, range: InstantRange) {
  const [entry] = await db
    .select({ id: waitlistEntries.id })
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.userId, userId), overlapping(spaceId, range), inArray(waitlistEntries.status, ACTIVE)))
    .limit(1);
  return entry ?? null;
}

/** Entries still waiting for time on a space that overlaps `range` and starts after `now`, first come first. */
export async function findWaitingEntries(db: Db, spaceId: string, range: InstantRange, now: Date): Promise<WaitlistEntryRow[]> {
  return db
    .select()
    .from(waitlistEntries)
    .where(and(overlapping(spaceId, range), eq(waitlistEntries.status, 'waiting'), gt(waitlistEntries.startAt, now)))
    .orderBy(asc(waitlistEntries.createdAt), asc(waitlistEntries.id));
}

export async function listUserWaitlistEntries(db: Db, orgId: string, userId: string): Promise<WaitlistEntryRow[]> {
  return db
    .select()
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.orgId, orgId), eq(waitlistEntries.userId, userId)))
    .orderBy(asc(waitlistEntries.startAt))
    .limit(200);
}

/** Cancels the user's entry if it is still waiting; returns it, or null when there is no such entry. */
export async function cancelWaitingEntry(db: Db, orgId: string, userId: string, entryId: string): Promise<WaitlistEntryRow | null> {
  const [row] = await db
    .update(waitlistEntries)
    .set({ status: 'cancelled' })
    .where(
      and(
        eq(waitlistEntries.id, entryId),
        eq(waitlistEntries.orgId, orgId),
        eq(waitlistEntries.userId, userId),
        eq(waitlistEntries.status, 'waiting'),
      ),
    )
    .returning();
  return row ?? null;
}

/** The booking a promotion writes (its event is written by the caller, in the same transaction). */
export async function insertPromotedBooking(tx: Transaction, row: typeof bookings.$inferInsert) {
  const [booking] = await tx.insert(bookings).values(row).returning();
  return booking!;
}

export async function updateWaitlistEntry(
  tx: Transaction,
  entryId: string,
  change: Pick<typeof waitlistEntries.$inferInsert, 'status' | 'bookingId' | 'promotedAt'>,
): Promise<void> {
  await tx.update(waitlistEntries).set(change).where(eq(waitlistEntries.id, entryId));
}

/** Entries still waiting whose time has come without a place are marked 'expired'; returns how many. */
export async function expireUnplacedEntries(db: Db, now: Date): Promise<number> {
  const expired = await db
    .update(waitlistEntries)
    .set({ status: 'expired' })
    .where(and(eq(waitlistEntries.status, 'waiting'), lte(waitlistEntries.startAt, now), isNull(waitlistEntries.bookingId)))
    .returning({ id: waitlistEntries.id });
  return expired.length;
}

/** Sets the status of the entry behind a waitlist booking. */
export async function updateEntryStatusByBooking(tx: Transaction, bookingId: string, status: string): Promise<void> {
  await tx.update(waitlistEntries).set({ status }).where(eq(waitlistEntries.bookingId, bookingId));
}
