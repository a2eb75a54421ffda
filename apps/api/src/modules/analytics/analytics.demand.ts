/**
 * Booking behaviour (cancellations, no-shows, approval and lead times, repeat and cross-site residents) and unmet
 * demand (refusals, unserved waitlist entries, empty searches): counted from bookings and searches in SQL, not
 * measured against open time.
 */
import type {
  BehaviourQuery,
  BehaviourResponse,
  BehaviourRow,
  UnmetDemandQuery,
  UnmetDemandResponse,
  UnmetDemandRow,
} from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { getEffectivePolicy, periodRange } from '@linli/domain';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { inAnalyticsTransaction, round2, round6 } from '../../lib/analytics-report.ts';
import { loadScope } from './analytics.scope.ts';
import {
  type BehaviourSqlRow,
  type UnmetDemandSqlRow,
  behaviourSql,
  queryRows,
  unmetDemandSql,
} from './analytics.sql.ts';

const { organizations } = schema;

/** A cancellation less than this long before the start is late, whatever the cut-off (see docs/metrics.md). */
export const LATE_CANCEL_MINUTES = 24 * 60;

// ---------------------------------------------------------------------------------------------------------------
// Behaviour.

const ratio = (part: number, whole: number) => (whole > 0 ? round6(part / whole) : null);

export async function getBehaviour(db: Database, actor: Actor, query: BehaviourQuery): Promise<BehaviourResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    const [org] = await tx.select({ policy: organizations.policy }).from(organizations).where(eq(organizations.id, actor.orgId));
    const ranges = scope.sites.map((s) => periodRange(period, s.timezone));
    const rows =
      scope.sites.length === 0
        ? []
        : await queryRows<BehaviourSqlRow>(
            tx,
            behaviourSql({
              orgId: scope.orgId,
              sites: { siteIds: scope.sites.map((s) => s.id), startMs: ranges.map((r) => r.start), endMs: ranges.map((r) => r.end) },
              lateCancel: {
                spaceIds: scope.spaces.map((s) => s.id),
                minutes: scope.spaces.map((s) => {
                  const site = scope.siteById.get(s.siteId)!;
                  const cutoff = getEffectivePolicy({ org: org?.policy, site: site.policy, space: s.policy }).values.cancelCutoffMinutes;
                  return Math.max(cutoff, LATE_CANCEL_MINUTES);
                }),
              },
            }),
          );
    const bySite = new Map(rows.map((r) => [r.site_id, r]));
    const toRow = (siteId: string | null, siteName: string | null, r: BehaviourSqlRow | undefined): BehaviourRow => ({
      siteId,
      siteName,
      bookings: r?.bookings ?? 0,
      cancelled: r?.cancelled ?? 0,
      lateCancelled: r?.late_cancelled ?? 0,
      noShows: r?.no_shows ?? 0,
      cancellationRate: ratio(r?.cancelled ?? 0, r?.not_refused ?? 0),
      lateCancellationRate: ratio(r?.late_cancelled ?? 0, r?.not_refused ?? 0),
      noShowRate: ratio(r?.no_shows ?? 0, r?.outcome_known ?? 0),
      approvalsDecided: r?.approvals_decided ?? 0,
      medianApprovalMinutes: r?.median_approval_minutes == null ? null : round2(r.median_approval_minutes),
      medianLeadMinutes: r?.median_lead_minutes == null ? null : round2(r.median_lead_minutes),
      residentsServed: r?.residents_served ?? 0,
      repeatResidents: r?.repeat_residents ?? 0,
      repeatVisitRate: ratio(r?.repeat_residents ?? 0, r?.residents_served ?? 0),
      crossSiteBookings: r?.cross_site_bookings ?? 0,
      crossSiteShare: ratio(r?.cross_site_bookings ?? 0, r?.resident_bookings ?? 0),
    });
    return {
      from: query.from,
      to: query.to,
      rows: [...scope.sites.map((s) => toRow(s.id, s.name, bySite.get(s.id))), toRow(null, null, bySite.get(null))],
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Unmet demand.

export async function getUnmetDemand(db: Database, actor: Actor, query: UnmetDemandQuery, now: Date): Promise<UnmetDemandResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    // Searches that named no site belong to the whole organization: only an org admin asking for all of it sees them.
    const includeSiteless = actor.role === 'org_admin' && !query.siteId && !query.kind && !query.district;
    const [org] = await tx.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, actor.orgId));
    const orgRange = periodRange(period, org!.timezone);
    const ranges = scope.sites.map((s) => periodRange(period, s.timezone));
    const rows =
      scope.sites.length === 0 && !includeSiteless
        ? []
        : await queryRows<UnmetDemandSqlRow>(
            tx,
            unmetDemandSql({
              orgId: scope.orgId,
              sites: {
                siteIds: scope.sites.map((s) => s.id),
                startMs: ranges.map((r) => r.start),
                endMs: ranges.map((r) => r.end),
                zones: scope.sites.map((s) => s.timezone),
              },
              siteless: includeSiteless ? { zone: org!.timezone, startMs: orgRange.start, endMs: orgRange.end } : null,
              nowMs: now.getTime(),
            }),
          );
    const nameOf = (siteId: string | null) => (siteId === null ? null : (scope.siteById.get(siteId)?.name ?? null));
    const counts = (r: Omit<UnmetDemandSqlRow, 'site_id' | 'hour'>) => ({
      refusedTaken: r.refused_taken,
      refusedFull: r.refused_full,
      waitlistUnserved: r.waitlist_unserved,
      searchEmpty: r.search_empty,
      total: r.refused_taken + r.refused_full + r.waitlist_unserved + r.search_empty,
    });
    const order = new Map<string | null, number>(scope.sites.map((s, i) => [s.id, i]));
    const sortKey = (siteId: string | null) => order.get(siteId) ?? scope.sites.length;
    const hourRows: UnmetDemandRow[] = rows
      .map((r) => ({ siteId: r.site_id, siteName: nameOf(r.site_id), hour: r.hour, ...counts(r) }))
      .sort((a, b) => sortKey(a.siteId) - sortKey(b.siteId) || a.hour - b.hour);
    const perSite = new Map<string | null, Omit<UnmetDemandSqlRow, 'site_id' | 'hour'>>();
    for (const r of rows) {
      const sum = perSite.get(r.site_id) ?? { refused_taken: 0, refused_full: 0, waitlist_unserved: 0, search_empty: 0 };
      sum.refused_taken += r.refused_taken;
      sum.refused_full += r.refused_full;
      sum.waitlist_unserved += r.waitlist_unserved;
      sum.search_empty += r.search_empty;
      perSite.set(r.site_id, sum);
    }
    const siteTotals = [...perSite]
      .map(([siteId, sum]) => ({ siteId, siteName: nameOf(siteId), ...counts(sum) }))
      .sort((a, b) => sortKey(a.siteId) - sortKey(b.siteId));
    return { from: query.from, to: query.to, rows: hourRows, sites: siteTotals };
  });
}
