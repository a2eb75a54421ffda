/**
 * Usage analytics (docs/metrics.md): utilization by space, site, kind, district and portfolio; the hour-of-week
 * heatmap; site ranking within kind; booking behaviour; unmet demand. Computed on the fly: open time in TypeScript
 * (packages/domain, DST-correct, per site zone), bookings aggregated in one read-only SQL query against it.
 *
 * This file holds the utilization, heatmap and site ranking reports; the parts they share live beside it: scope and
 * open time (analytics.scope.ts), occupied minutes and the daily rollup (analytics.rollup.ts), the transaction and
 * rounding (lib/analytics-report.ts), SQL (analytics.sql.ts). Behaviour and unmet demand are in analytics.demand.ts,
 * CSV rendering in analytics.csv.ts.
 */
import type {
  HeatmapCell,
  HeatmapQuery,
  HeatmapResponse,
  SiteRankingQuery,
  SiteRankingResponse,
  SiteRankingRow,
  UtilizationQuery,
  UtilizationResponse,
  UtilizationRow,
} from '@linli/contracts';
import type { Database } from '@linli/db';
import {
  HOURS_PER_WEEK,
  type UsageTotals,
  bucketIndexByDate,
  bucketsOf,
  distributionOf,
  hourOfWeekCell,
  peakCells,
  previousPeriod,
  rankDescending,
  utilizationOf,
} from '@linli/domain';
import { AppError } from '../../lib/app-error.ts';
import type { Actor } from '../../plugins/access.ts';
import { inAnalyticsTransaction, round2, round6 } from '../../lib/analytics-report.ts';
import { queryUsage, siteUsageByBucket } from './analytics.rollup.ts';
import {
  type ScopeSite,
  type ScopeSpace,
  layOutOpenTime,
  loadScope,
  openMinutesBySite,
  openMinutesOfSpace,
} from './analytics.scope.ts';

/** A table bigger than this is refused: narrow it by site, kind or district, or use a coarser interval. */
export const MAX_ANALYTICS_ROWS = 20_000;

// ---------------------------------------------------------------------------------------------------------------
// Utilization.

function usageFields(totals: UsageTotals) {
  const figures = utilizationOf(totals);
  return {
    openMinutes: round2(totals.openMinutes),
    bookedMinutes: round2(totals.bookedMinutes),
    usedMinutes: round2(totals.usedMinutes),
    activityMinutes: round2(totals.activityMinutes ?? 0),
    utilization: round6(figures.utilization),
    usedUtilization: round6(figures.usedUtilization),
    noOpenHours: figures.noOpenHours,
  };
}

function tooManyRows(count: number): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `The table would have ${count} rows (at most ${MAX_ANALYTICS_ROWS}).`,
    errors: [{ path: 'querystring.interval', message: 'too fine-grained for this scope: narrow it by site, kind or district, or use a coarser interval' }],
  });
}

export async function getUtilization(db: Database, actor: Actor, query: UtilizationQuery, now: Date): Promise<UtilizationResponse> {
  const period = { from: query.from, to: query.to };
  const buckets = bucketsOf(period, query.interval);
  const bucketIndex = bucketIndexByDate(period, query.interval);

  return inAnalyticsTransaction(db, query.groupBy === 'space' ? 'read' : 'rollup', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    const groupCount = query.groupBy === 'space' ? scope.spaces.length : scope.sites.length;
    if (groupCount * buckets.length > MAX_ANALYTICS_ROWS) throw tooManyRows(groupCount * buckets.length);

    const open = layOutOpenTime(scope.sites, [{ period, bucketOf: (p) => bucketIndex.get(p.date)! }], 'day');
    const usage =
      query.groupBy === 'space' ? await queryUsage(tx, scope, open, 'space') : await siteUsageByBucket(tx, scope, open, now);

    // Open minutes come per space, occupied minutes per space (groupBy=space) or per site; both fold into groups.
    const groups = new Map<string, { row: GroupColumns; spaces: number; totals: UsageTotals[] }>();
    const groupOf = (site: ScopeSite | null, space: ScopeSpace | null) => {
      const { key, row } = groupIdentity(query.groupBy, site, space);
      let group = groups.get(key);
      if (!group) {
        group = { row, spaces: 0, totals: buckets.map(() => ({ openMinutes: 0, bookedMinutes: 0, usedMinutes: 0, activityMinutes: 0 })) };
        groups.set(key, group);
      }
      return group;
    };
    const addOccupied = (totals: UsageTotals[], key: string) =>
      buckets.forEach((_, b) => {
        const occupied = usage.get(`${key}|${b}`);
        totals[b]!.bookedMinutes += occupied?.booked ?? 0;
        totals[b]!.usedMinutes += occupied?.used ?? 0;
        totals[b]!.activityMinutes! += occupied?.activity ?? 0;
      });
    if (query.groupBy !== 'space') for (const site of scope.sites) addOccupied(groupOf(site, null).totals, site.id);
    for (const space of scope.spaces) {
      const group = groupOf(scope.siteById.get(space.siteId)!, space);
      group.spaces += 1;
      for (const [b, minutes] of openMinutesOfSpace(space, open)) group.totals[b]!.openMinutes += minutes;
      if (query.groupBy === 'space') addOccupied(group.totals, space.id);
    }
    if (query.groupBy === 'portfolio' && groups.size === 0) groupOf(null, null);

    const ordered = [...groups.values()].sort((a, b) => groupLabel(a.row).localeCompare(groupLabel(b.row), 'zh-CN'));
    const rows: UtilizationRow[] = ordered.flatMap((group) =>
      buckets.map((bucket, b) => ({
        ...group.row,
        bucketStart: bucket.start,
        bucketEnd: bucket.end,
        spaces: group.spaces,
        ...usageFields(group.totals[b]!),
      })),
    );
    return { from: query.from, to: query.to, groupBy: query.groupBy, interval: query.interval, rows };
  });
}

type GroupColumns = Pick<
  UtilizationRow,
  'spaceId' | 'spaceName' | 'bookingMode' | 'capacity' | 'siteId' | 'siteName' | 'kind' | 'district'
>;

/** The group a space (or, for site-level numbers, a site) adds to, and the columns that name it. */
function groupIdentity(groupBy: UtilizationQuery['groupBy'], site: ScopeSite | null, space: ScopeSpace | null): { key: string; row: GroupColumns } {
  const row: GroupColumns = { spaceId: null, spaceName: null, bookingMode: null, capacity: null, siteId: null, siteName: null, kind: null, district: null };
  if (!site || groupBy === 'portfolio') return { key: '', row };
  if (groupBy === 'kind') return { key: site.kind, row: { ...row, kind: site.kind } };
  if (groupBy === 'district') return { key: site.district, row: { ...row, district: site.district } };
  const siteRow = { ...row, siteId: site.id, siteName: site.name, kind: site.kind, district: site.district };
  if (groupBy === 'site' || !space) return { key: site.id, row: siteRow };
  return {
    key: space.id,
    row: { ...siteRow, spaceId: space.id, spaceName: space.name, bookingMode: space.bookingMode, capacity: space.capacity },
  };
}

function groupLabel(row: GroupColumns) {
  return [row.siteName, row.spaceName, row.kind, row.district].filter(Boolean).join('\u0000');
}

// ---------------------------------------------------------------------------------------------------------------
// Heatmap.

export async function getHeatmap(db: Database, actor: Actor, query: HeatmapQuery): Promise<HeatmapResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    const open = layOutOpenTime(scope.sites, [{ period, bucketOf: (p) => hourOfWeekCell(p.weekday, p.hour!) }], 'hour');
    const usage = await queryUsage(tx, scope, open, 'site');
    const totals: UsageTotals[] = Array.from({ length: HOURS_PER_WEEK }, () => ({ openMinutes: 0, bookedMinutes: 0, usedMinutes: 0, activityMinutes: 0 }));
    for (const site of scope.sites) {
      for (let cell = 0; cell < HOURS_PER_WEEK; cell++) {
        const used = usage.get(`${site.id}|${cell}`);
        totals[cell]!.bookedMinutes += used?.booked ?? 0;
        totals[cell]!.usedMinutes += used?.used ?? 0;
        totals[cell]!.activityMinutes! += used?.activity ?? 0;
      }
    }
    for (const space of scope.spaces) {
      for (const [cell, minutes] of openMinutesOfSpace(space, open)) totals[cell]!.openMinutes += minutes;
    }
    const cells: HeatmapCell[] = totals.map((t, cell) => ({ weekday: Math.floor(cell / 24), hour: cell % 24, ...usageFields(t) }));
    const peaks = peakCells(cells, 5).map((c) => ({ weekday: c.weekday, hour: c.hour, utilization: c.utilization! }));
    return { from: query.from, to: query.to, siteId: query.siteId ?? null, sites: scope.sites.length, cells, peaks };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Site ranking.

export async function getSiteRanking(db: Database, actor: Actor, query: SiteRankingQuery, now: Date): Promise<SiteRankingResponse> {
  const period = { from: query.from, to: query.to };
  const previous = previousPeriod(period);
  return inAnalyticsTransaction(db, 'rollup', async (tx) => {
    const scope = await loadScope(tx, actor, query, { from: previous.from, to: period.to });
    const open = layOutOpenTime(
      scope.sites,
      [
        { period, bucketOf: () => 0 },
        { period: previous, bucketOf: () => 1 },
      ],
      'day',
    );
    const usage = await siteUsageByBucket(tx, scope, open, now);
    const openOfSite = openMinutesBySite(scope, open);
    const totalsOf = (siteId: string, bucket: number): UsageTotals => {
      const used = usage.get(`${siteId}|${bucket}`);
      return { openMinutes: openOfSite.get(siteId)?.get(bucket) ?? 0, bookedMinutes: used?.booked ?? 0, usedMinutes: used?.used ?? 0, activityMinutes: used?.activity ?? 0 };
    };

    const measured = scope.sites.map((site) => {
      const current = usageFields(totalsOf(site.id, 0));
      const before = utilizationOf(totalsOf(site.id, 1));
      return { site, current, previousUtilization: round6(before.utilization) };
    });
    const kinds = [...new Set(scope.sites.map((s) => s.kind))].sort();
    const rows: SiteRankingRow[] = [];
    const kindDistributions = kinds.map((kind) => {
      const ofKind = measured.filter((m) => m.site.kind === kind);
      const ranks = rankDescending(ofKind.map((m) => m.current.utilization));
      const rankedCount = ranks.filter((r) => r !== null).length;
      ofKind.forEach((m, i) =>
        rows.push({
          siteId: m.site.id,
          siteName: m.site.name,
          kind: m.site.kind,
          district: m.site.district,
          rankInKind: ranks[i]!,
          sitesRankedInKind: rankedCount,
          ...m.current,
          previousUtilization: m.previousUtilization,
          change:
            m.current.utilization === null || m.previousUtilization === null
              ? null
              : round6(m.current.utilization - m.previousUtilization),
        }),
      );
      return { kind, ...roundDistribution(ofKind.map((m) => m.current.utilization)) };
    });
    rows.sort(
      (a, b) =>
        a.kind.localeCompare(b.kind) ||
        (a.rankInKind ?? Infinity) - (b.rankInKind ?? Infinity) ||
        a.siteName.localeCompare(b.siteName, 'zh-CN'),
    );
    return {
      from: period.from,
      to: period.to,
      previousFrom: previous.from,
      previousTo: previous.to,
      portfolio: roundDistribution(measured.map((m) => m.current.utilization)),
      kinds: kindDistributions,
      rows,
    };
  });
}

function roundDistribution(values: (number | null)[]) {
  const d = distributionOf(values.filter((v): v is number => v !== null));
  return { count: d.count, p25: round6(d.p25), median: round6(d.median), p75: round6(d.p75), p90: round6(d.p90) };
}
