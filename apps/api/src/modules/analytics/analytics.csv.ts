/** CSV exports of the analytics tables: RFC 4180 with a UTF-8 BOM, one file name per endpoint and period. */
import type {
  BehaviourResponse,
  CrossSiteResponse,
  HeatmapResponse,
  SiteRankingResponse,
  UnmetDemandResponse,
  UtilizationResponse,
  UtilizationRow,
} from '@linli/contracts';
import { type CsvTable, toCsv } from '../../lib/csv.ts';

/** The table a CSV export of each endpoint holds, and its file name. */
export function utilizationCsv(r: UtilizationResponse): CsvTable {
  return table(`utilization-${r.groupBy}-${r.interval}`, r, r.rows, Object.keys(UTILIZATION_COLUMNS));
}
export function heatmapCsv(r: HeatmapResponse): CsvTable {
  return table('heatmap', r, r.cells, ['weekday', 'hour', 'openMinutes', 'bookedMinutes', 'usedMinutes', 'utilization', 'usedUtilization', 'noOpenHours']);
}
export function siteRankingCsv(r: SiteRankingResponse): CsvTable {
  return table('site-ranking', r, r.rows, [
    'kind', 'rankInKind', 'sitesRankedInKind', 'siteId', 'siteName', 'district', 'openMinutes', 'bookedMinutes', 'usedMinutes',
    'utilization', 'usedUtilization', 'noOpenHours', 'previousUtilization', 'change',
  ]);
}
export function behaviourCsv(r: BehaviourResponse): CsvTable {
  return table('behaviour', r, r.rows, [
    'siteId', 'siteName', 'bookings', 'cancelled', 'lateCancelled', 'noShows', 'cancellationRate', 'lateCancellationRate',
    'noShowRate', 'approvalsDecided', 'medianApprovalMinutes', 'medianLeadMinutes', 'residentsServed', 'repeatResidents',
    'repeatVisitRate', 'crossSiteBookings', 'crossSiteShare',
  ]);
}
export function crossSiteCsv(r: CrossSiteResponse): CsvTable {
  return table('cross-site', r, r.rows, ['servingSiteId', 'servingSiteName', 'homeSiteId', 'homeSiteName', 'bookings', 'bookedMinutes', 'residents']);
}
export function unmetDemandCsv(r: UnmetDemandResponse): CsvTable {
  return table('unmet-demand', r, r.rows, ['siteId', 'siteName', 'hour', 'refusedTaken', 'refusedFull', 'waitlistUnserved', 'searchEmpty', 'total']);
}

const UTILIZATION_COLUMNS: Record<keyof UtilizationRow, true> = {
  siteId: true,
  siteName: true,
  spaceId: true,
  spaceName: true,
  bookingMode: true,
  capacity: true,
  kind: true,
  district: true,
  bucketStart: true,
  bucketEnd: true,
  spaces: true,
  openMinutes: true,
  bookedMinutes: true,
  usedMinutes: true,
  activityMinutes: true,
  utilization: true,
  usedUtilization: true,
  noOpenHours: true,
};

function table(name: string, period: { from: string; to: string }, rows: readonly object[], columns: string[]): CsvTable {
  return { filename: `linli-${name}-${period.from}-${period.to}.csv`, csv: toCsv(rows as Record<string, unknown>[], columns) };
}
