/**
 * The waitlist's queries: entries joined, looked up, listed, promoted and settled, and the booking a promotion
 * writes. The service decides who waits and who is promoted; this file reads and writes.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import type { InstantRange } from '@linli/domain';
import { activeEntriesOverlapping as overlapping } from '../claims/space-waitlist.ts';
import { and, asc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';

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

export type WaitlistEntryWithPosition = { entry: WaitlistEntryRow; position: number | null };

/**
 * Place in line of a waiting entry: 1 + the active entries for the same space and an overlapping time that joined
 * before it (promotion goes by join time, then id, see findWaitingEntries). Null for entries out of the queue.
 * Qualified by hand: drizzle may print the outer columns unqualified, which the subquery would read as its own.
 */
const waitingPosition = sql<number | null>`CASE WHEN waitlist_entries.status = 'waiting' THEN (
  SELECT count(*)::int + 1 FROM waitlist_entries ahead
  WHERE ahead.space_id = waitlist_entries.space_id AND ahead.status IN ('waiting', 'offered')
    AND ahead.start_at < waitlist_entries.end_at AND ahead.end_at > waitlist_entries.start_at
    AND (ahead.created_at, ahead.id) < (waitlist_entries.created_at, waitlist_entries.id)
) END`;

async function selectWithPosition(db: Db, condition: SQL | undefined): Promise<WaitlistEntryWithPosition[]> {
  const rows = await db
    .select({ entry: waitlistEntries, position: waitingPosition })
    .from(waitlistEntries)
    .where(condition)
    .orderBy(asc(waitlistEntries.startAt))
    .limit(200);
  // node-postgres and PGlite both answer ::int as a number; Number() keeps a driver that sends text honest.
  return rows.map((row) => ({ entry: row.entry, position: row.position === null ? null : Number(row.position) }));
}

/** A user's entries (the latest 200 by time), each with its place in line. */
export async function listUserWaitlistEntries(db: Db, orgId: string, userId: string): Promise<WaitlistEntryWithPosition[]> {
  return selectWithPosition(db, and(eq(waitlistEntries.orgId, orgId), eq(waitlistEntries.userId, userId)));
}

/** One entry with its place in line (as just written, inside the transaction that wrote it). */
export async function findWaitlistEntryWithPosition(db: Db, entryId: string): Promise<WaitlistEntryWithPosition | null> {
  const [row] = await selectWithPosition(db, eq(waitlistEntries.id, entryId));
  return row ?? null;
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
