/**
 * Cross-site service (docs/metrics.md): which sites serve which sites' residents. Sharing spaces between sites is
 * the point of running a portfolio as one network; this shows where it happens, and how much each site's residents
 * lean on other sites. Scope narrows the serving site: site staff see what their sites gave, to anyone.
 */
import type { CrossSiteQuery, CrossSiteResponse, CrossSiteRow } from '@linli/contracts';
import type { Database } from '@linli/db';
import { periodRange } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { inAnalyticsTransaction, round2 } from '../../lib/analytics-report.ts';
import { loadScope } from './analytics.scope.ts';
import { findCrossSiteUsage } from './cross-site.repository.ts';

export async function getCrossSiteService(db: Database, actor: Actor, query: CrossSiteQuery): Promise<CrossSiteResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    if (scope.sites.length === 0) return { from: query.from, to: query.to, rows: [] };
    const ranges = scope.sites.map((s) => periodRange(period, s.timezone));
    const found = await findCrossSiteUsage(tx, {
      orgId: scope.orgId,
      siteIds: scope.sites.map((s) => s.id),
      startMs: ranges.map((r) => r.start),
      endMs: ranges.map((r) => r.end),
    });
    const order = new Map(scope.sites.map((s, i) => [s.id, i]));
    const rows: CrossSiteRow[] = found
      .map((r) => ({
        servingSiteId: r.serving_site_id,
        servingSiteName: scope.siteById.get(r.serving_site_id)!.name,
        homeSiteId: r.home_site_id,
        homeSiteName: r.home_site_name,
        bookings: r.bookings,
        bookedMinutes: round2(r.booked_minutes),
        residents: r.residents,
      }))
      .sort(
        (a, b) =>
          order.get(a.servingSiteId)! - order.get(b.servingSiteId)! ||
          b.bookings - a.bookings ||
          // Residents without a home site last, then by name.
          (a.homeSiteName === null ? 1 : 0) - (b.homeSiteName === null ? 1 : 0) ||
          (a.homeSiteName ?? '').localeCompare(b.homeSiteName ?? '', 'zh-CN'),
      );
    return { from: query.from, to: query.to, rows };
  });
}
