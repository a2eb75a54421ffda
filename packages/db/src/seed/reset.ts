/** Whether a database may be seeded, and emptying it for a forced reseed. */
import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../client.ts';
import { organizations } from '../schema.ts';
import { queryRows } from './query-rows.ts';

/** Whether any organization exists: the one question "may I seed here?" needs answered, in one index probe. */
export async function databaseHasData(db: Database | Transaction): Promise<boolean> {
  const rows = await db.select({ id: organizations.id }).from(organizations).limit(1);
  return rows.length > 0;
}

/**
 * Empties every tenant table: organizations and every table with an org_id column, found in the catalog so
 * tables added by later migrations are included. One TRUNCATE of them all cannot trip over foreign keys in any
 * order, is instant even after a million-booking benchmark, and is the one way the history triggers of
 * migration 0003 allow bookings to go (a row-by-row DELETE of bookings is refused). Call it in a transaction.
 */
export async function deleteAllTenantData(tx: Transaction): Promise<void> {
  const tables = await queryRows<{ name: string }>(
    tx,
    sql`SELECT quote_ident(c.table_name) AS name
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND c.column_name = 'org_id' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name`,
  );
  const names = [sql`${organizations}`, ...tables.map((t) => sql.raw(t.name))];
  await tx.execute(sql`TRUNCATE TABLE ${sql.join(names, sql`, `)} CASCADE`);
}
