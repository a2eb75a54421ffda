/**
 * Usage analytics (docs/metrics.md). Periods are local dates [from, to], inclusive, evaluated in each site's zone.
 * Every endpoint answers JSON, or CSV with `format=csv` (UTF-8 with BOM, so Excel opens Chinese names).
 */
import { BUCKET_INTERVALS, isLongerThanMonths, periodDays } from '@linli/domain';
import { z } from 'zod';
import { LocalDate, Line } from './common.ts';
import { SiteKind } from './sites.ts';

/** Longest period any analytics query covers. */
export const ANALYTICS_MAX_MONTHS = 13;
/** Longest period broken down by day (a quarter); longer periods go by week or month. */
export const ANALYTICS_MAX_DAYS_BY_DAY = 92;

export const ANALYTICS_FORMATS = ['json', 'csv'] as const;
export const UTILIZATION_GROUPS = ['space', 'site', 'kind', 'district', 'portfolio'] as const;
export type UtilizationGroup = (typeof UTILIZATION_GROUPS)[number];
export type UtilizationInterval = (typeof BUCKET_INTERVALS)[number];

const District = Line({ min: 1, max: 60 });

/** Shared by every analytics query: the period, what it is narrowed to, and the answer's format. */
export const AnalyticsPeriodFields = {
  from: LocalDate,
  to: LocalDate,
  siteId: z.uuid().optional(),
  kind: SiteKind.optional(),
  district: District.optional(),
  format: z.enum(ANALYTICS_FORMATS).default('json'),
};

/** The period refinement every analytics query shares: ordered, at most 13 months, a quarter by day. */
export function checkAnalyticsPeriod(q: { from: string; to: string; interval?: UtilizationInterval }, ctx: z.RefinementCtx) {
  if (q.to < q.from) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    return;
  }
  if (isLongerThanMonths(q, ANALYTICS_MAX_MONTHS)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may cover at most ${ANALYTICS_MAX_MONTHS} months` });
    return;
  }
  if (q.interval === 'day' && periodDays(q) > ANALYTICS_MAX_DAYS_BY_DAY) {
    ctx.addIssue({
      code: 'custom',
      path: ['interval'],
      message: `a breakdown by day covers at most ${ANALYTICS_MAX_DAYS_BY_DAY} days; use week or month`,
    });
  }
}

// Unknown query parameters (a misspelt metric or grouping) are refused rather than silently ignored.
export const UtilizationQuery = z
  .strictObject({
    ...AnalyticsPeriodFields,
    groupBy: z.enum(UTILIZATION_GROUPS).default('site'),
    interval: z.enum(BUCKET_INTERVALS).default('total'),
  })
  .superRefine(checkAnalyticsPeriod);
export type UtilizationQuery = z.infer<typeof UtilizationQuery>;

const Minutes = z.number().min(0);
const Ratio = z.number().min(0).nullable();

const UsageFields = {
  /** Open space-minutes: each counted space's open minutes, summed. */
  openMinutes: Minutes,
  /** Occupied space-minutes by booked statuses (shared spaces: person-minutes / capacity). */
  bookedMinutes: Minutes,
  /** The same for checked-in and completed bookings only. */
  usedMinutes: Minutes,
  /** Of bookedMinutes, the part held by activity sessions (their rooms are booked with source 'activity'). */
  activityMinutes: Minutes,
  /** bookedMinutes / openMinutes; null when nothing was open. */
  utilization: Ratio,
  usedUtilization: Ratio,
  /** Nothing was open in the period (no opening hours, closed, archived): not 0%, there was nothing to use. */
  noOpenHours: z.boolean(),
};

export const UtilizationRow = z.object({
  /** Space rows only. */
  spaceId: z.uuid().nullable(),
  spaceName: z.string().nullable(),
  bookingMode: z.enum(['exclusive', 'shared_capacity']).nullable(),
  capacity: z.number().int().nullable(),
  /** Space and site rows. */
  siteId: z.uuid().nullable(),
  siteName: z.string().nullable(),
  /** The site's kind and district (space, site, kind and district rows). */
  kind: z.string().nullable(),
  district: z.string().nullable(),
  bucketStart: LocalDate,
  bucketEnd: LocalDate,
  /** Spaces counted in this row. */
  spaces: z.number().int(),
  ...UsageFields,
});
export type UtilizationRow = z.infer<typeof UtilizationRow>;

export const UtilizationResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  groupBy: z.enum(UTILIZATION_GROUPS),
  interval: z.enum(BUCKET_INTERVALS),
  rows: z.array(UtilizationRow),
});
export type UtilizationResponse = z.infer<typeof UtilizationResponse>;

export const HeatmapQuery = z.strictObject(AnalyticsPeriodFields).superRefine(checkAnalyticsPeriod);
export type HeatmapQuery = z.infer<typeof HeatmapQuery>;

export const HeatmapCell = z.object({
  /** 0 = Monday ... 6 = Sunday, in each site's zone. */
  weekday: z.number().int().min(0).max(6),
  /** Local hour 0-23 (on a fall-back day one hour happens twice and counts twice). */
  hour: z.number().int().min(0).max(23),
  ...UsageFields,
});
export type HeatmapCell = z.infer<typeof HeatmapCell>;

export const HeatmapResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  /** The one site asked for, or null for every site in the caller's scope (narrowed by kind / district). */
  siteId: z.uuid().nullable(),
  sites: z.number().int(),
  /** 168 cells, Monday 00:00 first. */
  cells: z.array(HeatmapCell),
  /** Up to 5 busiest cells by utilization, busiest first. */
  peaks: z.array(z.object({ weekday: z.number().int(), hour: z.number().int(), utilization: z.number() })),
});
export type HeatmapResponse = z.infer<typeof HeatmapResponse>;

export const SiteRankingQuery = z.strictObject(AnalyticsPeriodFields).superRefine(checkAnalyticsPeriod);
export type SiteRankingQuery = z.infer<typeof SiteRankingQuery>;

const DistributionShape = z.object({
  /** Sites with open hours (the others are not ranked). */
  count: z.number().int(),
  p25: z.number().nullable(),
  median: z.number().nullable(),
  p75: z.number().nullable(),
  p90: z.number().nullable(),
});

export const SiteRankingRow = z.object({
  siteId: z.uuid(),
  siteName: z.string(),
  kind: z.string(),
  district: z.string(),
  /** 1 = highest utilization among sites of the same kind; null when the site had no open hours. */
  rankInKind: z.number().int().nullable(),
  sitesRankedInKind: z.number().int(),
  ...UsageFields,
  previousUtilization: Ratio,
  /** utilization - previousUtilization (0.05 = five percentage points up); null if either is null. */
  change: z.number().nullable(),
});
export type SiteRankingRow = z.infer<typeof SiteRankingRow>;

export const SiteRankingResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  previousFrom: LocalDate,
  previousTo: LocalDate,
  /** Utilization of the sites in scope with open hours. */
  portfolio: DistributionShape,
  kinds: z.array(DistributionShape.extend({ kind: z.string() })),
  rows: z.array(SiteRankingRow),
});
export type SiteRankingResponse = z.infer<typeof SiteRankingResponse>;

export const BehaviourQuery = z.strictObject(AnalyticsPeriodFields).superRefine(checkAnalyticsPeriod);
export type BehaviourQuery = z.infer<typeof BehaviourQuery>;

const Rate = z.number().min(0).max(1).nullable();

export const BehaviourRow = z.object({
  /** null on the total row (every site in scope; residents are counted once across sites). */
  siteId: z.uuid().nullable(),
  siteName: z.string().nullable(),
  /** Bookings starting in the period, whatever their status. */
  bookings: z.number().int(),
  cancelled: z.number().int(),
  lateCancelled: z.number().int(),
  noShows: z.number().int(),
  /** cancelled / (bookings - rejected - expired). */
  cancellationRate: Rate,
  lateCancellationRate: Rate,
  /** no-shows / (no-shows + checked in + completed). */
  noShowRate: Rate,
  approvalsDecided: z.number().int(),
  medianApprovalMinutes: z.number().nullable(),
  medianLeadMinutes: z.number().nullable(),
  residentsServed: z.number().int(),
  repeatResidents: z.number().int(),
  repeatVisitRate: Rate,
  /** Booked by residents whose home site is another site. */
  crossSiteBookings: z.number().int(),
  crossSiteShare: Rate,
});
export type BehaviourRow = z.infer<typeof BehaviourRow>;

export const BehaviourResponse = z.object({ from: LocalDate, to: LocalDate, rows: z.array(BehaviourRow) });
export type BehaviourResponse = z.infer<typeof BehaviourResponse>;

export const UnmetDemandQuery = z.strictObject(AnalyticsPeriodFields).superRefine(checkAnalyticsPeriod);
export type UnmetDemandQuery = z.infer<typeof UnmetDemandQuery>;

const UnmetCounts = {
  refusedTaken: z.number().int(),
  refusedFull: z.number().int(),
  /** Waitlist entries whose time came without them getting a place. */
  waitlistUnserved: z.number().int(),
  searchEmpty: z.number().int(),
  total: z.number().int(),
};

export const UnmetDemandRow = z.object({
  /** null: searches across sites that named no site (org admins only). */
  siteId: z.uuid().nullable(),
  siteName: z.string().nullable(),
  /** Local hour of the time asked for, in the site's zone (the organization's for searches without a site). */
  hour: z.number().int().min(0).max(23),
  ...UnmetCounts,
});
export type UnmetDemandRow = z.infer<typeof UnmetDemandRow>;

export const UnmetDemandResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  /** Non-zero (site, hour) pairs, by site then hour. */
  rows: z.array(UnmetDemandRow),
  /** Per site, all hours together. */
  sites: z.array(z.object({ siteId: z.uuid().nullable(), siteName: z.string().nullable(), ...UnmetCounts })),
});
export type UnmetDemandResponse = z.infer<typeof UnmetDemandResponse>;

export const CrossSiteQuery = z.strictObject(AnalyticsPeriodFields).superRefine(checkAnalyticsPeriod);
export type CrossSiteQuery = z.infer<typeof CrossSiteQuery>;

/** What one site's spaces gave the residents of one home site in the period (docs/metrics.md, "Cross-site service"). */
export const CrossSiteRow = z.object({
  /** The site whose spaces were booked. */
  servingSiteId: z.uuid(),
  servingSiteName: z.string(),
  /** The residents' home site; null for residents without one. */
  homeSiteId: z.uuid().nullable(),
  homeSiteName: z.string().nullable(),
  /** Booked-status bookings by these residents holding time in the period. */
  bookings: z.number().int(),
  /** Their minutes inside the period (each booking's whole length there, whatever its party size). */
  bookedMinutes: Minutes,
  /** Distinct residents behind those bookings. */
  residents: z.number().int(),
});
export type CrossSiteRow = z.infer<typeof CrossSiteRow>;

export const CrossSiteResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  /** Non-zero (serving site, home site) pairs: by serving site, then most bookings first. */
  rows: z.array(CrossSiteRow),
});
export type CrossSiteResponse = z.infer<typeof CrossSiteResponse>;
