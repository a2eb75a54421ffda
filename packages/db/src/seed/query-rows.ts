import type { SQL } from 'drizzle-orm';
import type { Database, Transaction } from '../client.ts';

/**
 * Runs raw SQL and returns its rows. drizzle types `execute` as the driver's own result, which differs between
 * node-postgres and PGlite; both carry `rows`. Cast in SQL what must compare equal across drivers: counts to
 * int (node-postgres returns bigint as text), instants to epoch numbers (drizzle's PGlite driver returns text).
 */
export async function queryRows<Row extends Record<string, unknown>>(
  db: Database | Transaction,
  query: SQL,
): Promise<Row[]> {
  const result = (await db.execute(query)) as { rows: Row[] };
  return result.rows;
}
