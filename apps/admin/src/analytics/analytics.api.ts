import type { BehaviourResponse, CrossSiteResponse, HeatmapResponse, SiteRankingResponse, UnmetDemandResponse, UtilizationResponse } from '@linli/contracts';
import { apiRequest, queryString } from '../api/client.ts';

/** The dashboard's filters; every analytics endpoint takes them (docs/metrics.md). */
export interface AnalyticsFilter {
  from: string;
  to: string;
  kind?: string;
  district?: string;
  siteId?: string;
}

export const ANALYTICS_REPORTS = ['utilization', 'heatmap', 'site-ranking', 'behaviour', 'unmet-demand', 'cross-site'] as const;
export type AnalyticsReport = (typeof ANALYTICS_REPORTS)[number];

const get = <T,>(report: AnalyticsReport, query: Record<string, string | undefined>, signal?: AbortSignal) =>
  apiRequest<T>('GET', `/api/v1/analytics/${report}${queryString(query)}`, { signal });

export const getUtilization = (filter: AnalyticsFilter & { groupBy: string; interval: string }, signal?: AbortSignal) =>
  get<UtilizationResponse>('utilization', { ...filter }, signal);
export const getHeatmap = (filter: AnalyticsFilter, signal?: AbortSignal) => get<HeatmapResponse>('heatmap', { ...filter }, signal);
export const getSiteRanking = (filter: AnalyticsFilter, signal?: AbortSignal) => get<SiteRankingResponse>('site-ranking', { ...filter }, signal);
export const getBehaviour = (filter: AnalyticsFilter, signal?: AbortSignal) => get<BehaviourResponse>('behaviour', { ...filter }, signal);
export const getUnmetDemand = (filter: AnalyticsFilter, signal?: AbortSignal) => get<UnmetDemandResponse>('unmet-demand', { ...filter }, signal);
export const getCrossSite = (filter: AnalyticsFilter, signal?: AbortSignal) => get<CrossSiteResponse>('cross-site', { ...filter }, signal);

/** The report as CSV (UTF-8 with BOM, so Excel opens Chinese names), saved as a file. */
export async function downloadCsv(report: AnalyticsReport, filter: AnalyticsFilter): Promise<void> {
  const extra = report === 'utilization' ? { groupBy: 'site', interval: 'total' } : {};
  // As a Blob, not text: decoding the body as text would drop the BOM the API sends.
  const csv = await apiRequest<Blob>('GET', `/api/v1/analytics/${report}${queryString({ ...filter, ...extra, format: 'csv' })}`, { as: 'blob' });
  const url = URL.createObjectURL(csv);
  const link = document.createElement('a');
  link.href = url;
  link.download = `linli-${report}-${filter.from}-${filter.to}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
