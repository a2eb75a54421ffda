/**
 * The analytics queries, as raw SQL: aggregation over a month of a portfolio's bookings has to happen in the
 * database, and these shapes (arrays unnested into row sets, window functions, grouping sets) read more plainly as
 * SQL than as query-builder chains. Every query is read-only and scoped to one organization and a list of sites.
 *
 * Open time is not computed here: the service lays each site's opening hours onto local days in its zone
 * (packages/domain/src/utilization.ts) and passes the resulting "open pieces" in; SQL only clips bookings to them.
 */
import { BOOKED_STATUSES, MAX_CLAIM_MS, USED_STATUSES } from '@linli/domain';
import { type SQL, sql } from 'drizzle-orm';

import { arrayLiteral } from '../../lib/sql.ts';

export { arrayLiteral, queryRows } from '../../lib/sql.ts';

const statusList = (statuses: readonly string[]) => sql.raw(statuses.map((s) => `'${s}'`).join(', '));
const BOOKED = statusList(BOOKED_STATUSES);
const USED = statusList(USED_STATUSES);

/** Sites in scope, each with its open-time pattern (sites with the same hours, zone and closures share one). */
export interface SiteScopeParams {
  siteIds: string[];
  patterns: number[];
  zones: string[];
}

/** Open pieces: open time inside one local day (or hour) of a pattern, tagged with the bucket it adds to. */
export interface PieceParams {
  patterns: number[];
  /** The local date as days since 1970-01-01. */
  days: number[];
  startMs: number[];
  endMs: number[];
  buckets: number[];
}

export interface UsageQueryParams {
  orgId: string;
  sites: SiteScopeParams;
  pieces: PieceParams;
  /** Earliest and latest instants any piece covers. */
  start: number;
  end: number;
  /** Spaces whose shared capacity divides person-minutes; exclusive spaces are not listed. */
  sharedCapacities: Map<string, number>;
  /** Archive instants (epoch ms) of spaces archived themselves or with their site: their open time ends there. */
  archivedAt: Map<string, number>;
  /** 'space': one row per space and bucket; 'site': per site and bucket. */
  level: 'space' | 'site';
}

export interface UsageRow {
  key: string;
  bucket: number;
  booked_minutes: number;
  used_minutes: number;
  activity_minutes: number;
}

/**
 * Occupied minutes per space (or site) and bucket. Each booking is clipped to its space's open time: cut off at the
 * space's archive instant, then to the open pieces of its local start date (and, for the rare booking that crosses
 * local midnight, of the following dates), so the space rows of a site add up to the site row. Exclusive spaces
 * count the union of their bookings, with a running maximum of earlier ends (a no-show's released time booked again
 * is not counted twice); shared spaces count person-minutes divided by the space's capacity.
 */
export function usageSql(p: UsageQueryParams): SQL {
  const sharedIds = [...p.sharedCapacities.keys()];
  const archivedIds = [...p.archivedAt.keys()];
  const groupKey = sql.raw(p.level === 'space' ? 'space_id' : 'site_id');
  return sql`
    WITH site_scope AS (
      SELECT * FROM unnest(${arrayLiteral(p.sites.siteIds)}::uuid[], ${arrayLiteral(p.sites.patterns)}::int[],
        ${arrayLiteral(p.sites.zones)}::text[]) AS t(site_id, pattern, zone)
    ),
    piece AS (
      SELECT pattern, day, to_timestamp(start_ms / 1000.0) AS start_at, to_timestamp(end_ms / 1000.0) AS end_at, bucket
      FROM unnest(${arrayLiteral(p.pieces.patterns)}::int[], ${arrayLiteral(p.pieces.days)}::int[],
        ${arrayLiteral(p.pieces.startMs)}::float8[], ${arrayLiteral(p.pieces.endMs)}::float8[],
        ${arrayLiteral(p.pieces.buckets)}::int[]) AS t(pattern, day, start_ms, end_ms, bucket)
    ),
    shared AS (
      SELECT * FROM unnest(${arrayLiteral(sharedIds)}::uuid[], ${arrayLiteral(sharedIds.map((id) => p.sharedCapacities.get(id)!))}::int[])
        AS t(space_id, capacity)
    ),
    archived AS (
      SELECT * FROM unnest(${arrayLiteral(archivedIds)}::uuid[], ${arrayLiteral(archivedIds.map((id) => p.archivedAt.get(id)!))}::float8[])
        AS t(space_id, archived_ms)
    ),
    booking AS MATERIALIZED (
      SELECT b.site_id, b.space_id, b.party_size, sh.capacity, b.status IN (${USED}) AS used, b.source = 'activity' AS activity,
        s.pattern, b.start_at, c.end_at,
        (b.start_at AT TIME ZONE s.zone)::date - DATE '1970-01-01' AS d0,
        ((c.end_at - interval '1 microsecond') AT TIME ZONE s.zone)::date - DATE '1970-01-01' AS d1
      FROM site_scope s
      -- Per site through the (site_id, start_at) index: the cost follows the period, not the table's whole history.
      -- OFFSET 0 keeps the planner from flattening this into a sequential scan of every booking.
      CROSS JOIN LATERAL (
        SELECT b.* FROM bookings b
        WHERE b.site_id = s.site_id
          AND b.org_id = ${p.orgId}::uuid
          -- Bookings that started before the period can run into it, by at most the longest claim (the database
          -- refuses longer ones), so the scan goes back that far and no further and can use the site/start index.
          AND b.start_at >= to_timestamp(${(p.start - MAX_CLAIM_MS) / 1000}::float8)
          AND b.start_at < to_timestamp(${p.end / 1000}::float8)
          AND b.end_at > to_timestamp(${p.start / 1000}::float8)
          AND b.status IN (${BOOKED})
        OFFSET 0
      ) b
      LEFT JOIN shared sh ON sh.space_id = b.space_id
      LEFT JOIN archived a ON a.space_id = b.space_id
      -- A space's open time ends when it is archived: what a booking holds after that is not counted anywhere
      -- (least() skips the NULL of a space never archived).
      CROSS JOIN LATERAL (SELECT least(b.end_at, to_timestamp(a.archived_ms / 1000.0)) AS end_at) c
      WHERE c.end_at > b.start_at
    ),
    part AS (
      SELECT k.site_id, k.space_id, k.party_size, k.capacity, k.used, k.activity, p.bucket,
        greatest(k.start_at, p.start_at) AS s, least(k.end_at, p.end_at) AS e
      FROM booking k JOIN piece p ON p.pattern = k.pattern AND p.day = k.d0
      WHERE p.start_at < k.end_at AND p.end_at > k.start_at
      UNION ALL
      SELECT k.site_id, k.space_id, k.party_size, k.capacity, k.used, k.activity, p.bucket,
        greatest(k.start_at, p.start_at), least(k.end_at, p.end_at)
      FROM (SELECT * FROM booking WHERE d1 > d0) k
      JOIN piece p ON p.pattern = k.pattern AND p.day > k.d0 AND p.day <= k.d1
      WHERE p.start_at < k.end_at AND p.end_at > k.start_at
    ),
    -- Exclusive spaces: what a part adds beyond the latest end among earlier parts of the same space (the union).
    -- Shared spaces (capacity set) simply add person-time over capacity.
    counted AS (
      SELECT ${groupKey} AS key, bucket, used, activity,
        CASE WHEN capacity IS NULL
          THEN extract(epoch FROM greatest(e - greatest(s, coalesce(max(e) OVER w, s)), interval '0'))
          ELSE extract(epoch FROM e - s) * party_size / capacity END AS booked_seconds,
        CASE WHEN NOT used THEN 0
          WHEN capacity IS NULL
          THEN extract(epoch FROM greatest(e - greatest(s, coalesce(max(e) FILTER (WHERE used) OVER w, s)), interval '0'))
          ELSE extract(epoch FROM e - s) * party_size / capacity END AS used_seconds
      FROM part
      WINDOW w AS (PARTITION BY space_id ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    )
    -- Activity time: what activity sessions' bookings add to the booked time (of an exclusive space, the part of
    -- the union they cover first), so activity and ordinary minutes add up to the booked minutes.
    SELECT key::text AS key, bucket, (sum(booked_seconds) / 60)::float8 AS booked_minutes,
      (sum(used_seconds) / 60)::float8 AS used_minutes,
      (coalesce(sum(booked_seconds) FILTER (WHERE activity), 0) / 60)::float8 AS activity_minutes
    FROM counted
    GROUP BY key, bucket`;
}

/** Per-site period bounds: local dates [from, to] in each site's zone, as instants. */
export interface SiteRangeParams {
  siteIds: string[];
  startMs: number[];
  endMs: number[];
}

const siteRanges = (s: SiteRangeParams) => sql`
  SELECT * FROM unnest(${arrayLiteral(s.siteIds)}::uuid[], ${arrayLiteral(s.startMs)}::float8[], ${arrayLiteral(s.endMs)}::float8[])
    AS t(site_id, start_ms, end_ms)`;

export interface BehaviourQueryParams {
  orgId: string;
  sites: SiteRangeParams;
  /** Minutes before the start after which a cancellation is late, per space. */
  lateCancel: { spaceIds: string[]; minutes: number[] };
}

export interface BehaviourSqlRow {
  site_id: string | null;
  bookings: number;
  cancelled: number;
  late_cancelled: number;
  no_shows: number;
  outcome_known: number;
  not_refused: number;
  approvals_decided: number;
  median_approval_minutes: number | null;
  median_lead_minutes: number | null;
  residents_served: number;
  repeat_residents: number;
  resident_bookings: number;
  cross_site_bookings: number;
}

/**
 * Behaviour of bookings starting in the period, per site and for the whole scope (grouping sets: residents are
 * counted once across sites). Cancellation, decision and pending instants come from booking_events; a cancelled
 * booking without a 'cancelled' event (imported history) falls back to its last update.
 */
export function behaviourSql(p: BehaviourQueryParams): SQL {
  return sql`
    WITH site_range AS (${siteRanges(p.sites)}),
    late_cancel AS (
      SELECT * FROM unnest(${arrayLiteral(p.lateCancel.spaceIds)}::uuid[], ${arrayLiteral(p.lateCancel.minutes)}::int[])
        AS t(space_id, minutes)
    ),
    b AS MATERIALIZED (
      SELECT b.id, b.site_id, b.space_id, b.status, b.booker_id, b.start_at, b.created_at, b.updated_at
      FROM site_range r
      JOIN bookings b ON b.site_id = r.site_id
        AND b.start_at >= to_timestamp(r.start_ms / 1000.0) AND b.start_at < to_timestamp(r.end_ms / 1000.0)
      WHERE b.org_id = ${p.orgId}::uuid
    ),
    ev AS (
      SELECT e.booking_id,
        min(e.at) FILTER (WHERE e.to_status = 'cancelled') AS cancelled_at,
        min(e.at) FILTER (WHERE e.to_status = 'pending') AS pending_at,
        min(e.at) FILTER (WHERE e.to_status IN ('confirmed', 'rejected') AND e.from_status = 'pending') AS decided_at
      FROM b JOIN booking_events e ON e.booking_id = b.id
      WHERE e.to_status IN ('cancelled', 'pending', 'confirmed', 'rejected')
      GROUP BY e.booking_id
    ),
    x AS MATERIALIZED (
      SELECT b.site_id, b.status, b.booker_id, b.start_at, b.created_at,
        coalesce(ev.cancelled_at, CASE WHEN b.status = 'cancelled' THEN b.updated_at END) AS cancelled_at,
        ev.pending_at, ev.decided_at,
        coalesce(lc.minutes, 1440) AS late_minutes,
        u.role = 'resident' AS by_resident,
        u.home_site_id
      FROM b
      LEFT JOIN ev ON ev.booking_id = b.id
      LEFT JOIN late_cancel lc ON lc.space_id = b.space_id
      LEFT JOIN users u ON u.id = b.booker_id
    ),
    visits AS (
      SELECT site_id, booker_id, count(*) AS n
      FROM x WHERE status IN (${USED}) AND by_resident
      GROUP BY GROUPING SETS ((site_id, booker_id), (booker_id))
    ),
    served AS (
      SELECT site_id, count(*)::int AS residents_served, count(*) FILTER (WHERE n >= 2)::int AS repeat_residents
      FROM visits GROUP BY site_id
    ),
    agg AS (
      SELECT site_id,
        count(*)::int AS bookings,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
        count(*) FILTER (WHERE status = 'cancelled' AND cancelled_at > start_at - make_interval(mins => late_minutes))::int
          AS late_cancelled,
        count(*) FILTER (WHERE status = 'no_show')::int AS no_shows,
        count(*) FILTER (WHERE status IN ('no_show', ${USED}))::int AS outcome_known,
        count(*) FILTER (WHERE status NOT IN ('rejected', 'expired'))::int AS not_refused,
        count(*) FILTER (WHERE decided_at >= pending_at)::int AS approvals_decided,
        (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - pending_at) / 60)
          FILTER (WHERE decided_at >= pending_at))::float8 AS median_approval_minutes,
        (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM start_at - created_at) / 60))::float8
          AS median_lead_minutes,
        count(*) FILTER (WHERE by_resident AND status IN (${BOOKED}))::int AS resident_bookings,
        count(*) FILTER (WHERE by_resident AND status IN (${BOOKED}) AND home_site_id IS NOT NULL AND home_site_id <> site_id)::int
          AS cross_site_bookings
      FROM x
      GROUP BY GROUPING SETS ((site_id), ())
    )
    SELECT agg.site_id::text AS site_id, agg.bookings, agg.cancelled, agg.late_cancelled, agg.no_shows, agg.outcome_known,
      agg.not_refused, agg.approvals_decided, agg.median_approval_minutes, agg.median_lead_minutes,
      coalesce(served.residents_served, 0) AS residents_served, coalesce(served.repeat_residents, 0) AS repeat_residents,
      agg.resident_bookings, agg.cross_site_bookings
    FROM agg
    LEFT JOIN served ON served.site_id IS NOT DISTINCT FROM agg.site_id`;
}

export interface UnmetDemandQueryParams {
  orgId: string;
  sites: SiteRangeParams & { zones: string[] };
  /** Searches that named no site: included (org admins, unfiltered) with the organization's zone and bounds. */
  siteless: { zone: string; startMs: number; endMs: number } | null;
  nowMs: number;
}

export interface UnmetDemandSqlRow {
  site_id: string | null;
  hour: number;
  refused_taken: number;
  refused_full: number;
  waitlist_unserved: number;
  search_empty: number;
}

/**
 * Demand the portfolio could not meet, by site and local hour of the time asked for: refused booking requests,
 * searches that found nothing, and waitlist entries whose time has come without them being booked.
 */
export function unmetDemandSql(p: UnmetDemandQueryParams): SQL {
  const siteless = p.siteless
    ? sql`
      UNION ALL
      SELECT NULL::uuid, d.kind, coalesce(d.requested_start, d.at) AS wanted, ${p.siteless.zone}::text
      FROM demand_events d
      WHERE d.org_id = ${p.orgId}::uuid AND d.site_id IS NULL
        AND coalesce(d.requested_start, d.at) >= to_timestamp(${p.siteless.startMs / 1000}::float8)
        AND coalesce(d.requested_start, d.at) < to_timestamp(${p.siteless.endMs / 1000}::float8)`
    : sql``;
  return sql`
    WITH site_range AS (
      SELECT * FROM unnest(${arrayLiteral(p.sites.siteIds)}::uuid[], ${arrayLiteral(p.sites.startMs)}::float8[],
        ${arrayLiteral(p.sites.endMs)}::float8[], ${arrayLiteral(p.sites.zones)}::text[]) AS t(site_id, start_ms, end_ms, zone)
    ),
    unmet AS (
      SELECT d.site_id, d.kind, coalesce(d.requested_start, d.at) AS wanted, r.zone
      FROM site_range r JOIN demand_events d ON d.site_id = r.site_id
      WHERE d.org_id = ${p.orgId}::uuid
        AND coalesce(d.requested_start, d.at) >= to_timestamp(r.start_ms / 1000.0)
        AND coalesce(d.requested_start, d.at) < to_timestamp(r.end_ms / 1000.0)
      UNION ALL
      SELECT w.site_id, 'waitlist_unserved', w.start_at, r.zone
      FROM site_range r JOIN waitlist_entries w ON w.site_id = r.site_id
      WHERE w.org_id = ${p.orgId}::uuid
        AND w.start_at >= to_timestamp(r.start_ms / 1000.0) AND w.start_at < to_timestamp(r.end_ms / 1000.0)
        AND w.start_at <= to_timestamp(${p.nowMs / 1000}::float8)
        AND w.status <> 'booked'
      ${siteless}
    )
    SELECT site_id::text AS site_id, extract(hour FROM wanted AT TIME ZONE zone)::int AS hour,
      count(*) FILTER (WHERE kind = 'refused_taken')::int AS refused_taken,
      count(*) FILTER (WHERE kind = 'refused_full')::int AS refused_full,
      count(*) FILTER (WHERE kind = 'waitlist_unserved')::int AS waitlist_unserved,
      count(*) FILTER (WHERE kind = 'search_empty')::int AS search_empty
    FROM unmet
    GROUP BY 1, 2
    ORDER BY 1 NULLS LAST, 2`;
}

// ---------------------------------------------------------------------------------------------------------------
// The daily rollup (site_usage_daily): see docs/metrics.md, "How it is computed".

export interface RollupRow {
  site_id: string;
  local_date: string;
  booked_minutes: number;
  used_minutes: number;
  activity_minutes: number;
  fingerprint: string;
}

/**
 * Rollup rows of these sites and dates that no later booking change has made stale: every change recorded for
 * the site and date (usage_changes) was visible to the transaction that computed the row.
 */
export function freshRollupSql(p: { siteIds: string[]; from: string; to: string }): SQL {
  return sql`
    SELECT u.site_id::text AS site_id, u.local_date::text AS local_date, u.booked_minutes, u.used_minutes, u.activity_minutes, u.fingerprint
    FROM site_usage_daily u
    WHERE u.site_id = ANY(${arrayLiteral(p.siteIds)}::uuid[])
      AND u.local_date BETWEEN ${p.from}::date AND ${p.to}::date
      AND NOT EXISTS (
        SELECT 1 FROM usage_changes c
        WHERE c.site_id = u.site_id AND c.local_date = u.local_date
          AND NOT pg_visible_in_snapshot(c.xid, u.snapshot::pg_snapshot))`;
}

export interface SealParams {
  orgId: string;
  siteIds: string[];
  dates: string[];
  booked: number[];
  used: number[];
  activity: number[];
  fingerprints: string[];
}

/**
 * Writes rollup rows computed in this (repeatable read) transaction, stamped with its snapshot, and forgets the
 * changes they include. Changes committed after the snapshot are not visible here, so they stay and keep the row stale.
 */
export function sealRollupSql(p: SealParams): SQL[] {
  const rows = sql`unnest(${arrayLiteral(p.siteIds)}::uuid[], ${arrayLiteral(p.dates)}::date[], ${arrayLiteral(p.booked)}::float8[],
    ${arrayLiteral(p.used)}::float8[], ${arrayLiteral(p.activity)}::float8[], ${arrayLiteral(p.fingerprints)}::text[])
    AS t(site_id, local_date, booked, used, activity, fingerprint)`;
  return [
    sql`
      INSERT INTO site_usage_daily (org_id, site_id, local_date, booked_minutes, used_minutes, activity_minutes, fingerprint, snapshot, computed_at)
      SELECT ${p.orgId}::uuid, site_id, local_date, booked, used, activity, fingerprint, pg_current_snapshot()::text, now() FROM ${rows}
      ON CONFLICT (site_id, local_date) DO UPDATE SET
        booked_minutes = excluded.booked_minutes, used_minutes = excluded.used_minutes, activity_minutes = excluded.activity_minutes,
        fingerprint = excluded.fingerprint,
        snapshot = excluded.snapshot, computed_at = excluded.computed_at`,
    sql`
      DELETE FROM usage_changes c USING ${rows}
      WHERE c.site_id = t.site_id AND c.local_date = t.local_date AND pg_visible_in_snapshot(c.xid, pg_current_snapshot())`,
  ];
}
