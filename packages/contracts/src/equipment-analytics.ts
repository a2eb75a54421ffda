/**
 * Equipment pool analytics (docs/metrics.md, "Equipment pool"): per equipment type and site, how much of the pool
 * was lent out or idle, who lent to whom, demand the pool could not meet, and how loans came back. The period is
 * local dates [from, to], inclusive, in the organization's zone (a loan joins two sites, so one zone judges it).
 */
import { z } from 'zod';
import { AnalyticsPeriodFields, checkAnalyticsPeriod } from './analytics.ts';
import { LocalDate } from './common.ts';

// Unknown parameters are refused, as in every analytics query.
export const EquipmentAnalyticsQuery = z
  .strictObject({
    from: AnalyticsPeriodFields.from,
    to: AnalyticsPeriodFields.to,
    siteId: AnalyticsPeriodFields.siteId,
    typeId: z.uuid().optional(),
    format: AnalyticsPeriodFields.format,
  })
  .superRefine(checkAnalyticsPeriod);
export type EquipmentAnalyticsQuery = z.infer<typeof EquipmentAnalyticsQuery>;

const Count = z.number().int().min(0);
/** Unit-days, two decimals. */
const UnitDays = z.number().min(0);
/** A share of a whole, six decimals; null when the whole is zero. */
const Ratio = z.number().min(0).max(1).nullable();

export const EquipmentAnalyticsRow = z.object({
  typeId: z.uuid(),
  typeKey: z.string(),
  typeName: z.string(),
  typeNameEn: z.string(),
  siteId: z.uuid(),
  siteName: z.string(),
  /** Units the site owns today (in service, damaged and missing): today's count, not the period's. */
  unitsOwned: Count,
  /** Of those, units in service today. */
  unitsInService: Count,
  /** unitsInService × days of the period elapsed by now. */
  unitDaysAvailable: UnitDays,
  /** Σ quantity × days of each loan's claim window inside the period (and before now), loans to other sites. */
  unitDaysLentOut: UnitDays,
  /** The same for loans the site made to itself. */
  unitDaysOwnUse: UnitDays,
  /** max(0, available − lent out − own use). */
  unitDaysIdle: UnitDays,
  /** unitDaysLentOut / unitDaysAvailable. */
  lendShare: z.number().min(0).nullable(),
  /** Loans made to other sites whose use starts in the period, and their units. */
  loansMade: Count,
  unitsLent: Count,
  /** Loans made to this site by other sites whose use starts in the period, and their units. */
  loansReceived: Count,
  unitsBorrowed: Count,
  /** Requests by this site the pool refused for want of units, use starting in the period. */
  refusals: Count,
  /** Units those requests asked for. */
  unitsRequestedRefused: Count,
  /** Units the pool lacked to fill them. */
  unitsShort: Count,
  /** Of loansMade, those the lifecycle sweep flagged overdue. */
  loansOverdue: Count,
  /** loansOverdue / loansMade. */
  overdueRate: Ratio,
  /** Units of loansMade the lender has checked back in. */
  unitsChecked: Count,
  /** Of those, units returned damaged or missing. */
  unitsDamagedOrMissing: Count,
  /** unitsDamagedOrMissing / unitsChecked. */
  damageRate: Ratio,
});
export type EquipmentAnalyticsRow = z.infer<typeof EquipmentAnalyticsRow>;

export const EquipmentAnalyticsResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  /** Per (type, site) the site holds or had loans or refusals of: by type name, then site name. */
  rows: z.array(EquipmentAnalyticsRow),
});
export type EquipmentAnalyticsResponse = z.infer<typeof EquipmentAnalyticsResponse>;

/** Who depends on whom: loans one site made to another, per type. */
export const EquipmentFlowRow = z.object({
  lenderSiteId: z.uuid(),
  lenderSiteName: z.string(),
  borrowerSiteId: z.uuid(),
  borrowerSiteName: z.string(),
  typeId: z.uuid(),
  typeName: z.string(),
  /** Loans made (dispatched or later) whose use starts in the period. */
  loans: Count,
  /** Their units. */
  units: Count,
});
export type EquipmentFlowRow = z.infer<typeof EquipmentFlowRow>;

export const EquipmentFlowsResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  /** By lender name, then most units first, then borrower and type name. */
  rows: z.array(EquipmentFlowRow),
});
export type EquipmentFlowsResponse = z.infer<typeof EquipmentFlowsResponse>;
