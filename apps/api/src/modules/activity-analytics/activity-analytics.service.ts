/**
 * Activity analytics: what the programme offered and how residents took it up, per activity, category, site,
 * district or organizer, with a total that counts each person once (definitions in docs/metrics.md, "Activities").
 */
import type { ActivityAnalyticsQuery, ActivityAnalyticsResponse, ActivityAnalyticsRow } from '@linli/contracts';
import type { Database } from '@linli/db';
import { periodRange } from '@linli/domain';
import { inAnalyticsTransaction, round2, round6 } from '../../lib/analytics-report.ts';
import type { Actor } from '../../plugins/access.ts';
import { findVisibleSite } from '../sites/sites.service.ts';
import {
  type ActivityAnalyticsSqlRow,
  findActivityMetrics,
  findOrganizationZone,
  findSitesInScope,
} from './activity-analytics.repository.ts';

type Metrics = ActivityAnalyticsResponse['total'];

const ratio = (part: number, whole: number) => (whole > 0 ? round6(part / whole) : null);

export async function getActivityAnalytics(
  db: Database,
  actor: Actor,
  query: ActivityAnalyticsQuery,
  now: Date,
): Promise<ActivityAnalyticsResponse> {
  const period = { from: query.from, to: query.to };
  // Another site's id answers 404, as everywhere else, so its numbers cannot be probed.
  if (query.siteId) await findVisibleSite(db, actor, query.siteId);
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const sites = await findSitesInScope(tx, {
      orgId: actor.orgId,
      siteIds: actor.role === 'org_admin' ? 'all' : actor.siteIds,
      siteId: query.siteId,
      district: query.district,
    });
    const ranges = sites.map((s) => periodRange(period, s.timezone));
    const rows =
      sites.length === 0
        ? []
        : await findActivityMetrics(tx, {
            orgId: actor.orgId,
            groupBy: query.groupBy,
            sites: { siteIds: sites.map((s) => s.id), startMs: ranges.map((r) => r.start), endMs: ranges.map((r) => r.end) },
            category: query.category,
            nowMs: now.getTime(),
            periodStartMs: periodRange(period, await findOrganizationZone(tx, actor.orgId)).start,
          });
    const total = rows.find((r) => r.is_total);
    return {
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
      rows: rows
        .filter((r) => !r.is_total)
        .map(toRow)
        .sort((a, b) => (a.label ?? '').localeCompare(b.label ?? '', 'zh-CN') || (a.key ?? '').localeCompare(b.key ?? '')),
      total: total ? toMetrics(total) : toMetrics(EMPTY),
    };
  });
}

function toRow(r: ActivityAnalyticsSqlRow): ActivityAnalyticsRow {
  return { key: r.key, label: r.label, labelEn: r.label_en, organizerKind: r.organizer_kind, ...toMetrics(r) };
}

function toMetrics(r: ActivityAnalyticsSqlRow): Metrics {
  return {
    sessions: r.sessions,
    placesOffered: r.places,
    registrations: r.registrations,
    registeredPeople: r.registered_people,
    fillRate: ratio(r.registered_people, r.places),
    waitlistUnserved: r.waitlist_unserved,
    attendedPeople: r.attended_people,
    attendanceRate: ratio(r.attended_people, r.registered_people),
    noShowPeople: r.no_show_people,
    noShowRate: ratio(r.no_show_people, r.registered_people),
    residentsReached: r.residents_reached,
    newResidents: r.new_residents,
    repeatParticipants: r.repeat_participants,
    feedbackCount: r.feedback_count,
    averageRating: r.average_rating === null ? null : round2(r.average_rating),
    responseRate: ratio(r.feedback_count, r.attended_registrations),
    walkIns: r.walk_ins,
  };
}

const EMPTY: ActivityAnalyticsSqlRow = {
  is_total: true,
  key: null,
  label: null,
  label_en: null,
  organizer_kind: null,
  sessions: 0,
  places: 0,
  registrations: 0,
  registered_people: 0,
  attended_registrations: 0,
  attended_people: 0,
  no_show_people: 0,
  waitlist_unserved: 0,
  residents_reached: 0,
  new_residents: 0,
  repeat_participants: 0,
  feedback_count: 0,
  average_rating: null,
  walk_ins: 0,
};
