/** The portfolio dashboard's reports (docs/metrics.md) through the typed client, and the dashboard's query. */
import type { BehaviourResponse, CrossSiteResponse, HeatmapResponse, SiteRankingResponse, UnmetDemandResponse, UtilizationResponse } from '@linli/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api, data } from '../api/typed.ts';
import { addDaysToLocalDate } from '../time/zoned.ts';

/** The dashboard's filters; every analytics endpoint takes them (docs/metrics.md). */
export interface AnalyticsFilter {
  from: string;
  to: string;
  kind?: string | undefined;
  district?: string | undefined;
  siteId?: string | undefined;
}

type UtilizationQuery = AnalyticsFilter & { groupBy: 'space' | 'site' | 'kind' | 'district' | 'portfolio'; interval: 'day' | 'week' | 'month' | 'total' };

export const ANALYTICS_REPORTS = ['utilization', 'heatmap', 'site-ranking', 'behaviour', 'unmet-demand', 'cross-site'] as const;
export type AnalyticsReport = (typeof ANALYTICS_REPORTS)[number];

/** The filter without unset fields: the typed query takes a field or its absence, not `undefined`. */
function queryOf<T extends object>(filter: T): T {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined && value !== '')) as T;
}

export const getUtilization = (filter: UtilizationQuery, signal?: AbortSignal) =>
  data(api.GET('/api/v1/analytics/utilization', { params: { query: queryOf(filter) }, signal })) as Promise<UtilizationResponse>;
export const getHeatmap = (filter: AnalyticsFilter, signal?: AbortSignal) =>
  data(api.GET('/api/v1/analytics/heatmap', { params: { query: queryOf(filter) }, signal })) as Promise<HeatmapResponse>;
export const getSiteRanking = (filter: AnalyticsFilter, signal?: AbortSignal) =>
  data(api.GET('/api/v1/analytics/site-ranking', { params: { query: queryOf(filter) }, signal })) as Promise<SiteRankingResponse>;
export const getBehaviour = (filter: AnalyticsFilter, signal?: AbortSignal) =>
  data(api.GET('/api/v1/analytics/behaviour', { params: { query: queryOf(filter) }, signal })) as Promise<BehaviourResponse>;
export const getUnmetDemand = (filter: AnalyticsFilter, signal?: AbortSignal) =>
  data(api.GET('/api/v1/analytics/unmet-demand', { params: { query: queryOf(filter) }, signal })) as Promise<UnmetDemandResponse>;
export const getCrossSite = (filter: AnalyticsFilter, signal?: AbortSignal) =>
  data(api.GET('/api/v1/analytics/cross-site', { params: { query: queryOf(filter) }, signal })) as Promise<CrossSiteResponse>;

/** Days between two local dates, inclusive. */
const lengthOf = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;

/** Every report the dashboard shows, and the period before for the trend's comparison, read together. */
async function loadDashboard(filter: AnalyticsFilter, signal: AbortSignal) {
  const days = lengthOf(filter.from, filter.to);
  const previous = { ...filter, from: addDaysToLocalDate(filter.from, -days), to: addDaysToLocalDate(filter.from, -1) };
  const interval = days > 92 ? 'week' : 'day';
  const [ranking, heatmap, behaviour, unmet, crossSite, trend, previousTrend] = await Promise.all([
    getSiteRanking(filter, signal),
    getHeatmap(filter, signal),
    getBehaviour(filter, signal),
    getUnmetDemand(filter, signal),
    getCrossSite(filter, signal),
    getUtilization({ ...filter, groupBy: 'portfolio', interval }, signal),
    getUtilization({ ...previous, groupBy: 'portfolio', interval }, signal),
  ]);
  return { ranking, heatmap, behaviour, unmet, crossSite, trend, previousTrend };
}

export const analyticsQueries = {
  dashboard: (filter: AnalyticsFilter) => queryOptions({ queryKey: ['analytics', 'dashboard', filter] as const, queryFn: ({ signal }) => loadDashboard(filter, signal) }),
};

/** One report as CSV bytes, by report name (each is its own path in the API's document). */
function fetchCsv(report: AnalyticsReport, filter: AnalyticsFilter): Promise<Blob> {
  const query = { ...queryOf(filter), format: 'csv' as const };
  // As a Blob, not text: decoding the body as text would drop the BOM the API sends.
  const options = { params: { query }, parseAs: 'blob' as const };
  switch (report) {
    case 'utilization':
      return data(api.GET('/api/v1/analytics/utilization', { ...options, params: { query: { ...query, groupBy: 'site', interval: 'total' } } }));
    case 'heatmap':
      return data(api.GET('/api/v1/analytics/heatmap', options));
    case 'site-ranking':
      return data(api.GET('/api/v1/analytics/site-ranking', options));
    case 'behaviour':
      return data(api.GET('/api/v1/analytics/behaviour', options));
    case 'unmet-demand':
      return data(api.GET('/api/v1/analytics/unmet-demand', options));
    case 'cross-site':
      return data(api.GET('/api/v1/analytics/cross-site', options));
  }
}

/** The report as CSV (UTF-8 with BOM, so Excel opens Chinese names), saved as a file. */
export async function downloadCsv(report: AnalyticsReport, filter: AnalyticsFilter): Promise<void> {
  const csv = await fetchCsv(report, filter);
  const url = URL.createObjectURL(csv);
  const link = document.createElement('a');
  link.href = url;
  link.download = `linli-${report}-${filter.from}-${filter.to}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
