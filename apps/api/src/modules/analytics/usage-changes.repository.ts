/**
 * Keeps usage_changes bounded. Every booking write adds a marker (site, local date, writing transaction); the
 * rollup deletes the markers it has sealed, but writes to dates nobody reports on, or to dates whose rollup row
 * is already stale, would pile up for ever. A marker older than any transaction can run (statement and request
 * timeouts cap them at seconds) is no longer needed to detect a race with a rollup being computed, so the sweep:
 * 1. drops rollup rows made stale by such an old marker (the next report recomputes them), then
 * 2. drops every marker that old: none of them can now point at a rollup row that does not already include it.
 */
import type { Database } from '@linli/db';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../lib/sql.ts';

/** Far longer than a transaction may run, so a rollup being computed while the sweep runs is never affected. */
export const USAGE_CHANGE_RETENTION_MS = 10 * 60_000;

export async function removeSettledUsageChanges(db: Database, now: Date): Promise<{ staleRollups: number; markers: number }> {
  const cutoff = new Date(now.getTime() - USAGE_CHANGE_RETENTION_MS).toISOString();
  return db.transaction(async (tx) => {
    const stale = await queryRows(tx, sql`
      DELETE FROM site_usage_daily u
      WHERE EXISTS (
        SELECT 1 FROM usage_changes c
        WHERE c.site_id = u.site_id AND c.local_date = u.local_date AND c.recorded_at < ${cutoff}::timestamptz
          AND NOT pg_visible_in_snapshot(c.xid, u.snapshot::pg_snapshot))
      RETURNING 1`);
    const markers = await queryRows(tx, sql`DELETE FROM usage_changes WHERE recorded_at < ${cutoff}::timestamptz RETURNING 1`);
    return { staleRollups: stale.length, markers: markers.length };
  });
}
