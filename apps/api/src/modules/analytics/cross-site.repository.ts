/**
 * The query behind the cross-site service report (analytics.cross-site.ts): residents' booked-status bookings at
 * each serving site, grouped by the residents' home site, clipped to the period in the serving site's zone.
 */
import type { Transaction } from '@linli/db';
import { CONSUMING_STATUSES, MAX_CLAIM_MS } from '@linli/domain';
import { sql } from 'drizzle-orm';
import { arrayLiteral, queryRows } from '../../lib/sql.ts';

const CONSUMING = sql.raw(CONSUMING_STATUSES.map((s) => `'${s}'`).join(', '));

export interface CrossSiteUsageParams {
  orgId: string;
  /** Serving sites in scope, each with the period's bounds in its own zone. */
  siteIds: string[];
  startMs: number[];
  endMs: number[];
}

export interface CrossSiteUsageRow {
  serving_site_id: string;
  home_site_id: string | null;
  home_site_name: string | null;
  bookings: number;
  booked_minutes: number;
  residents: number;
}

/**
 * Per (serving site, home site): bookings whose booker is a resident and whose time overlaps the period, the
 * minutes of them inside it, and the distinct residents. The home site is the one the resident has now.
 */
export function findCrossSiteUsage(tx: Transaction, p: CrossSiteUsageParams): Promise<CrossSiteUsageRow[]> {
  return queryRows<CrossSiteUsageRow>(tx, sql`
    WITH site_range AS (
      SELECT site_id, to_timestamp(start_ms / 1000.0) AS period_start, to_timestamp(end_ms / 1000.0) AS period_end
      FROM unnest(${arrayLiteral(p.siteIds)}::uuid[], ${arrayLiteral(p.startMs)}::float8[], ${arrayLiteral(p.endMs)}::float8[])
        AS t(site_id, start_ms, end_ms)
    ),
    held AS (
      SELECT b.site_id, b.booker_id, u.home_site_id,
        least(b.end_at, r.period_end) - greatest(b.start_at, r.period_start) AS inside
      FROM site_range r
      JOIN bookings b ON b.site_id = r.site_id
        -- A booking starting before the period runs into it by at most the longest claim, so the (site, start)
        -- index bounds the scan.
        AND b.start_at >= r.period_start - make_interval(secs => ${MAX_CLAIM_MS / 1000})
        AND b.start_at < r.period_end
        AND b.end_at > r.period_start
      JOIN users u ON u.id = b.booker_id AND u.role = 'resident'
      WHERE b.org_id = ${p.orgId}::uuid AND b.status IN (${CONSUMING})
    )
    SELECT h.site_id::text AS serving_site_id, h.home_site_id::text AS home_site_id, home.name AS home_site_name,
      count(*)::int AS bookings,
      (sum(extract(epoch FROM h.inside)) / 60)::float8 AS booked_minutes,
      count(DISTINCT h.booker_id)::int AS residents
    FROM held h
    LEFT JOIN sites home ON home.id = h.home_site_id
    GROUP BY h.site_id, h.home_site_id, home.name`);
}
