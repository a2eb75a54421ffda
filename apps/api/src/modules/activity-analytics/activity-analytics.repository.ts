/**
 * The activity analytics queries. Sessions held in the period are picked once (per site, in its zone) and tagged
 * with their group; every metric then aggregates over them with GROUPING SETS ((g), ()), so the total row counts a
 * person once across groups. `grouping(g)` tells the total apart from a group whose key is null.
 */
import type { ActivityAnalyticsGroup } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { BOOKED_STATUSES, CONSUMING_STATUSES, USED_STATUSES } from '@linli/domain';
import { type SQL, and, asc, eq, inArray, sql } from 'drizzle-orm';
import { arrayLiteral, queryRows } from '../../lib/sql.ts';

const { sites } = schema;

const statusList = (statuses: readonly string[]) => sql.raw(statuses.map((s) => `'${s}'`).join(', '));
const CONSUMING = statusList(CONSUMING_STATUSES);
const ATTENDED = statusList(USED_STATUSES);
const BOOKED = statusList(BOOKED_STATUSES);

export interface ScopedSite {
  id: string;
  timezone: string;
}

/** Sites the caller may see (all of the organization's for an org admin), narrowed by site and district. */
export async function findSitesInScope(
  db: Database | Transaction,
  scope: { orgId: string; siteIds: string[] | 'all'; siteId?: string | undefined; district?: string | undefined },
): Promise<ScopedSite[]> {
  const filters: (SQL | undefined)[] = [eq(sites.orgId, scope.orgId)];
  if (scope.siteIds !== 'all') filters.push(scope.siteIds.length ? inArray(sites.id, scope.siteIds) : sql`false`);
  if (scope.siteId) filters.push(eq(sites.id, scope.siteId));
  if (scope.district) filters.push(eq(sites.district, scope.district));
  return db.select({ id: sites.id, timezone: sites.timezone }).from(sites).where(and(...filters)).orderBy(asc(sites.id));
}

/** What each grouping keys on and how its rows are named; fixed fragments, never caller text. */
const GROUPINGS: Record<ActivityAnalyticsGroup, { key: SQL; label: SQL; labelEn: SQL; organizerKind: SQL }> = {
  activity: { key: sql`a.id::text`, label: sql`a.title`, labelEn: sql`a.title_en`, organizerKind: sql`NULL::text` },
  category: { key: sql`a.category`, label: sql`c.name_zh`, labelEn: sql`c.name_en`, organizerKind: sql`NULL::text` },
  site: { key: sql`s.site_id::text`, label: sql`st.name`, labelEn: sql`NULL::text`, organizerKind: sql`NULL::text` },
  district: { key: sql`st.district`, label: sql`st.district`, labelEn: sql`NULL::text`, organizerKind: sql`NULL::text` },
  // A partner organization runs the activity when one is named; otherwise the staff member who organizes it.
  organizer: {
    key: sql`coalesce(a.partner_id, a.organizer_user_id)::text`,
    label: sql`coalesce(po.name, ou.display_name)`,
    labelEn: sql`NULL::text`,
    organizerKind: sql`CASE WHEN a.partner_id IS NOT NULL THEN 'partner' WHEN a.organizer_user_id IS NOT NULL THEN 'staff' END`,
  },
};

export interface ActivityAnalyticsParams {
  orgId: string;
  groupBy: ActivityAnalyticsGroup;
  /** Each site's period as instants in its zone. */
  sites: { siteIds: string[]; startMs: number[]; endMs: number[] };
  category: string | undefined;
  /** Sessions not yet ended were not held. */
  nowMs: number;
  /** Start of the period in the organization's zone: engagement before it makes a resident not new. */
  periodStartMs: number;
}

export interface ActivityAnalyticsSqlRow {
  is_total: boolean;
  key: string | null;
  label: string | null;
  label_en: string | null;
  organizer_kind: 'staff' | 'partner' | null;
  sessions: number;
  places: number;
  registrations: number;
  registered_people: number;
  attended_registrations: number;
  attended_people: number;
  no_show_people: number;
  waitlist_unserved: number;
  residents_reached: number;
  new_residents: number;
  repeat_participants: number;
  feedback_count: number;
  average_rating: number | null;
  walk_ins: number;
}

export function findActivityMetrics(db: Transaction, p: ActivityAnalyticsParams): Promise<ActivityAnalyticsSqlRow[]> {
  return queryRows<ActivityAnalyticsSqlRow>(db, activityMetricsSql(p));
}

function activityMetricsSql(p: ActivityAnalyticsParams): SQL {
  const group = GROUPINGS[p.groupBy];
  const periodStart = sql`to_timestamp(${p.periodStartMs}::float8 / 1000.0)`;
  return sql`
    WITH site_range AS (
      SELECT * FROM unnest(${arrayLiteral(p.sites.siteIds)}::uuid[], ${arrayLiteral(p.sites.startMs)}::float8[],
        ${arrayLiteral(p.sites.endMs)}::float8[]) AS t(site_id, start_ms, end_ms)
    ),
    -- Held: ended inside the site's period (an end at its last midnight belongs to it) and by now, not cancelled.
    s AS MATERIALIZED (
      SELECT s.id, s.places, ${group.key} AS g, ${group.label} AS label, ${group.labelEn} AS label_en,
        ${group.organizerKind} AS organizer_kind
      FROM site_range r
      JOIN activity_sessions s ON s.site_id = r.site_id
        AND s.end_at > to_timestamp(r.start_ms / 1000.0) AND s.end_at <= to_timestamp(r.end_ms / 1000.0)
      JOIN activities a ON a.id = s.activity_id
      JOIN activity_categories c ON c.org_id = a.org_id AND c.slug = a.category
      JOIN sites st ON st.id = s.site_id
      LEFT JOIN partner_organizations po ON po.id = a.partner_id
      LEFT JOIN users ou ON ou.id = a.organizer_user_id
      WHERE s.org_id = ${p.orgId}::uuid AND s.status <> 'cancelled' AND a.status IN ('published', 'completed')
        AND s.end_at <= to_timestamp(${p.nowMs}::float8 / 1000.0)
        ${p.category === undefined ? sql`` : sql`AND a.category = ${p.category}`}
    ),
    held AS (
      SELECT g, grouping(g) = 1 AS is_total, min(label) AS label, min(label_en) AS label_en,
        min(organizer_kind) AS organizer_kind, count(*)::int AS sessions, sum(places)::int AS places
      FROM s GROUP BY GROUPING SETS ((g), ())
    ),
    reg AS MATERIALIZED (
      SELECT s.g, r.session_id, r.user_id, r.party_size, r.status IN (${ATTENDED}) AS attended, r.status = 'no_show' AS no_show
      FROM s JOIN activity_registrations r ON r.session_id = s.id
      WHERE r.status IN (${CONSUMING})
    ),
    registered AS (
      SELECT g, grouping(g) = 1 AS is_total,
        count(*)::int AS registrations,
        sum(party_size)::int AS registered_people,
        count(*) FILTER (WHERE attended)::int AS attended_registrations,
        coalesce(sum(party_size) FILTER (WHERE attended), 0)::int AS attended_people,
        coalesce(sum(party_size) FILTER (WHERE no_show), 0)::int AS no_show_people
      FROM reg GROUP BY GROUPING SETS ((g), ())
    ),
    attendee AS (
      SELECT g, grouping(g) = 1 AS is_total, user_id, count(DISTINCT session_id) AS sessions_attended
      FROM reg WHERE attended
      GROUP BY GROUPING SETS ((g, user_id), (user_id))
    ),
    -- New to the portfolio: nothing attended and nothing booked in the organization before the period.
    newcomer AS (
      SELECT u.user_id FROM (SELECT DISTINCT user_id FROM reg WHERE attended) u
      WHERE NOT EXISTS (
          SELECT 1 FROM activity_registrations r2 JOIN activity_sessions s2 ON s2.id = r2.session_id
          WHERE r2.org_id = ${p.orgId}::uuid AND r2.user_id = u.user_id AND r2.status IN (${ATTENDED}) AND s2.start_at < ${periodStart})
        AND NOT EXISTS (
          SELECT 1 FROM bookings b
          WHERE b.org_id = ${p.orgId}::uuid AND b.booker_id = u.user_id AND b.status IN (${BOOKED}) AND b.start_at < ${periodStart})
    ),
    reached AS (
      SELECT g, is_total, count(*)::int AS residents_reached,
        count(*) FILTER (WHERE sessions_attended >= 2)::int AS repeat_participants,
        count(*) FILTER (WHERE user_id IN (SELECT user_id FROM newcomer))::int AS new_residents
      FROM attendee GROUP BY g, is_total
    ),
    -- Never got a place: no registration at that session that took one (a later cancellation still took one).
    unserved_person AS (
      SELECT s.g, grouping(s.g) = 1 AS is_total, w.user_id
      FROM s JOIN activity_waitlist_entries w ON w.session_id = s.id
      WHERE w.status <> 'registered' AND NOT EXISTS (
        SELECT 1 FROM activity_registrations r
        WHERE r.session_id = w.session_id AND r.user_id = w.user_id AND r.status IN (${CONSUMING}))
      GROUP BY GROUPING SETS ((s.g, w.user_id), (w.user_id))
    ),
    unserved AS (SELECT g, is_total, count(*)::int AS waitlist_unserved FROM unserved_person GROUP BY g, is_total),
    feedback AS (
      SELECT s.g, grouping(s.g) = 1 AS is_total, count(*)::int AS feedback_count, avg(f.rating)::float8 AS average_rating
      FROM s JOIN activity_feedback f ON f.session_id = s.id
      GROUP BY GROUPING SETS ((s.g), ())
    ),
    walk_ins AS (
      SELECT s.g, grouping(s.g) = 1 AS is_total, sum(w.people)::int AS walk_ins
      FROM s JOIN activity_walk_ins w ON w.session_id = s.id
      GROUP BY GROUPING SETS ((s.g), ())
    )
    SELECT held.is_total, held.g AS key, held.label, held.label_en, held.organizer_kind,
      held.sessions, coalesce(held.places, 0) AS places,
      coalesce(registered.registrations, 0) AS registrations, coalesce(registered.registered_people, 0) AS registered_people,
      coalesce(registered.attended_registrations, 0) AS attended_registrations,
      coalesce(registered.attended_people, 0) AS attended_people, coalesce(registered.no_show_people, 0) AS no_show_people,
      coalesce(unserved.waitlist_unserved, 0) AS waitlist_unserved,
      coalesce(reached.residents_reached, 0) AS residents_reached, coalesce(reached.new_residents, 0) AS new_residents,
      coalesce(reached.repeat_participants, 0) AS repeat_participants,
      coalesce(feedback.feedback_count, 0) AS feedback_count, feedback.average_rating,
      coalesce(walk_ins.walk_ins, 0) AS walk_ins
    FROM held
    LEFT JOIN registered ON registered.is_total = held.is_total AND registered.g IS NOT DISTINCT FROM held.g
    LEFT JOIN reached ON reached.is_total = held.is_total AND reached.g IS NOT DISTINCT FROM held.g
    LEFT JOIN unserved ON unserved.is_total = held.is_total AND unserved.g IS NOT DISTINCT FROM held.g
    LEFT JOIN feedback ON feedback.is_total = held.is_total AND feedback.g IS NOT DISTINCT FROM held.g
    LEFT JOIN walk_ins ON walk_ins.is_total = held.is_total AND walk_ins.g IS NOT DISTINCT FROM held.g`;
}

export async function findOrganizationZone(db: Transaction, orgId: string): Promise<string> {
  const [org] = await db.select({ timezone: schema.organizations.timezone }).from(schema.organizations).where(eq(schema.organizations.id, orgId));
  return org!.timezone;
}
