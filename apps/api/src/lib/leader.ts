/**
 * Timed work (the lifecycle sweep) runs in every API process, but once at a time across them: the process that
 * takes a PostgreSQL advisory lock does the run, the others skip this round. The lock is transaction-scoped, so a
 * process that dies mid-run releases it with its connection. The embedded database serves one process, so there
 * it just runs.
 */
import type { Database } from '@linli/db';
import { sql } from 'drizzle-orm';
import { queryRows } from './sql.ts';

export async function runAsLeader<T>(db: Database, kind: 'pglite' | 'postgres', job: string, work: () => Promise<T>): Promise<T | null> {
  // On PGlite a transaction holds the only connection, and `work` needs it.
  if (kind === 'pglite') return work();
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ taken: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(hashtext(${`linli:${job}`})) AS taken`);
    // `work` runs on other pool connections; this transaction only holds the lock until it is done.
    return lock?.taken ? work() : null;
  });
}
