/**
 * The waitlist's queries: entries joined, looked up, listed, promoted and settled, and the booking a promotion
 * writes. The service decides who waits and who is promoted; this file reads and writes.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import type { InstantRange } from '@linli/domain';
import { activeEntriesOverlapping as overlapping } from '../claims/space-waitlist.ts';
import { and, asc, eq, inArray, isNull, lte } from 'drizzle-orm';

const { waitlistEntries } = schema;
type Db = Database | Transaction;

export type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;

/** Entries still in the queue: waiting, or offered a place not yet taken up. */
const ACTIVE = ['waiting', 'offered'];

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

/** Entries still waiting whose time has come without a place are marked 'expired'; returns how many. */
export async function expireUnplacedEntries(db: Db, now: Date): Promise<number> {
  const expired = await db
    .update(waitlistEntries)
    .set({ status: 'expired' })
    .where(and(eq(waitlistEntries.status, 'waiting'), lte(waitlistEntries.startAt, now), isNull(waitlistEntries.bookingId)))
    .returning({ id: waitlistEntries.id });
  return expired.length;
}
