/**
 * Availability's queries: the holding bookings of many candidate spaces at once (a prepared statement, read on
 * every search and every refusal), and the demand event of a search that found nothing. The service judges the
 * candidates against the in-memory catalogue; this file reads and writes.
 */
import { type Database, type Transaction, queryPrepared, schema } from '@linli/db';
import { type InstantRange, MAX_BOOKING_MS, isHoldingStatus } from '@linli/domain';
import { type SQL, sql } from 'drizzle-orm';
import { arrayLiteral } from '../../lib/sql.ts';

const DAY_MS = 86_400_000;

type Db = Database | Transaction;

export type HoldingRow = { spaceId: string; startAt: Date; endAt: Date; partySize: number };

/**
 * The bookings holding the candidate spaces around the range (a day either side covers any buffer), by space:
 * with the catalogue in memory, the one query that judging many candidates at once needs. It also reads the
 * catalogue version (`catalogueVersion`, the catalogue's scalar version expression), so a search confirms its
 * snapshot in the same round trip (see readWithCatalogue).
 */
export async function findHoldingBySpace(db: Db, spaceIds: string[], range: InstantRange, catalogueVersion: SQL) {
  // Status is filtered here rather than in SQL on purpose: a status condition lets the planner pick the partial
  // index of holding bookings by start time, which reads every space's bookings in the window and is what it
  // chooses whenever its statistics think the window is empty (bookings for months ahead arrive between ANALYZEs).
  // Without it only the (space_id, start_at) index fits, one short probe per candidate space.
  const rows = await queryPrepared<{ catalogueVersion: number | null; spaceId: string | null; status: string; start: number; end: number; partySize: number }>(
    db,
    sql`SELECT ${catalogueVersion} AS "catalogueVersion", b.space_id AS "spaceId", b.status, b.party_size AS "partySize",
          (extract(epoch FROM b.start_at) * 1000)::float8 AS "start", (extract(epoch FROM b.end_at) * 1000)::float8 AS "end"
        FROM (SELECT 1) AS one
        LEFT JOIN bookings b ON b.space_id = ANY(${arrayLiteral(spaceIds)}::uuid[])
          AND b.start_at < ${new Date(range.end + DAY_MS).toISOString()}
          AND b.start_at > ${new Date(range.start - DAY_MS - MAX_BOOKING_MS).toISOString()}
          AND b.end_at > ${new Date(range.start - DAY_MS).toISOString()}`,
  );
  const holdingBySpace = new Map<string, HoldingRow[]>();
  for (const row of rows) {
    if (!row.spaceId || !isHoldingStatus(row.status)) continue;
    const holding = { spaceId: row.spaceId, startAt: new Date(row.start), endAt: new Date(row.end), partySize: row.partySize };
    const list = holdingBySpace.get(row.spaceId);
    if (list) list.push(holding);
    else holdingBySpace.set(row.spaceId, [holding]);
  }
  return { holdingBySpace, catalogueVersion: rows[0]?.catalogueVersion ?? null };
}

export async function insertDemandEvent(db: Db, event: typeof schema.demandEvents.$inferInsert): Promise<void> {
  await db.insert(schema.demandEvents).values(event);
}
