/** What every analytics report shares: its transaction, and how figures are rounded. */
import type { Database, Transaction } from '@linli/db';
import { sql } from 'drizzle-orm';

/**
 * One transaction per request, with PostgreSQL's JIT off (it misjudges the unnested row sets and spends more
 * compiling than the query takes), no merge joins (bookings joined to a few hundred open pieces were sorted for a
 * merge join instead of probing a hash of the pieces) and room to sort in memory. Read-only, except where the daily
 * rollup may be written: those run in REPEATABLE READ, so the snapshot stamped on a rollup row is the one its
 * numbers came from.
 */
export async function inAnalyticsTransaction<T>(
  db: Database,
  mode: 'read' | 'rollup',
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return db.transaction(
    async (tx) => {
      await tx.execute(
        sql`SELECT set_config('jit', 'off', true), set_config('enable_mergejoin', 'off', true), set_config('work_mem', '64MB', true)`,
      );
      return work(tx);
    },
    mode === 'read' ? { accessMode: 'read only' } : { isolationLevel: 'repeatable read' },
  );
}

/** Minutes are reported to two decimals, ratios to six. */
export const round2 = (n: number) => Math.round(n * 100) / 100;
export const round6 = (n: number | null) => (n === null ? null : Math.round(n * 1e6) / 1e6);
