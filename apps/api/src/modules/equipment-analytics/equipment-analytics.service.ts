/**
 * Equipment pool analytics (definitions in docs/metrics.md, "Equipment pool"): per type and site, how much of the
 * pool was lent out or sat idle, loans made and received, demand refused for want of units, and how loans came back;
 * and who lends to whom. Site staff see their sites' rows, and the flows their sites lend or borrow in.
 */
import type {
  EquipmentAnalyticsQuery,
  EquipmentAnalyticsResponse,
  EquipmentAnalyticsRow,
  EquipmentFlowRow,
  EquipmentFlowsResponse,
} from '@linli/contracts';
import type { Database, Transaction } from '@linli/db';
import { DAY_MS, periodRange } from '@linli/domain';
import { inAnalyticsTransaction, round2, round6 } from '../../lib/analytics-report.ts';
import type { Actor } from '../../plugins/access.ts';
import { findEquipmentType } from '../claims/equipment-claims.ts';
import { findVisibleSite } from '../sites/sites.service.ts';
import {
  type EquipmentMetricsSqlRow,
  type EquipmentPeriod,
  findEquipmentFlows,
  findEquipmentMetrics,
  findOrganizationZone,
  findSitesInScope,
} from './equipment-analytics.repository.ts';

const ratio = (part: number, whole: number) => (whole > 0 ? round6(part / whole) : null);
const byName = (a: string, b: string) => a.localeCompare(b, 'zh-CN');

export async function getEquipmentAnalytics(db: Database, actor: Actor, query: EquipmentAnalyticsQuery, now: Date): Promise<EquipmentAnalyticsResponse> {
  const rows = await inEquipmentPeriod(db, actor, query, now, async (tx, period) => {
    const found = await findEquipmentMetrics(tx, period);
    const availableDays = Math.max(0, period.elapsedEndMs - period.startMs) / DAY_MS;
    return found.map((r) => toRow(r, availableDays));
  });
  rows.sort((a, b) => byName(a.typeName, b.typeName) || byName(a.siteName, b.siteName) || a.typeId.localeCompare(b.typeId) || a.siteId.localeCompare(b.siteId));
  return { from: query.from, to: query.to, rows };
}

export async function getEquipmentFlows(db: Database, actor: Actor, query: EquipmentAnalyticsQuery, now: Date): Promise<EquipmentFlowsResponse> {
  const found = await inEquipmentPeriod(db, actor, query, now, (tx, period) => findEquipmentFlows(tx, period));
  const rows: EquipmentFlowRow[] = found
    .map((r) => ({
      lenderSiteId: r.lender_site_id,
      lenderSiteName: r.lender_site_name,
      borrowerSiteId: r.borrower_site_id,
      borrowerSiteName: r.borrower_site_name,
      typeId: r.type_id,
      typeName: r.type_name,
      loans: r.loans,
      units: r.units,
    }))
    .sort(
      (a, b) =>
        byName(a.lenderSiteName, b.lenderSiteName) ||
        a.lenderSiteId.localeCompare(b.lenderSiteId) ||
        b.units - a.units ||
        byName(a.borrowerSiteName, b.borrowerSiteName) ||
        byName(a.typeName, b.typeName) ||
        a.borrowerSiteId.localeCompare(b.borrowerSiteId) ||
        a.typeId.localeCompare(b.typeId),
    );
  return { from: query.from, to: query.to, rows };
}

/**
 * Checks the filters (another site's or organization's id answers 404, so its numbers cannot be probed), then runs
 * `work` over the caller's sites with the period as instants in the organization's zone.
 */
async function inEquipmentPeriod<T>(
  db: Database,
  actor: Actor,
  query: EquipmentAnalyticsQuery,
  now: Date,
  work: (tx: Transaction, period: EquipmentPeriod) => Promise<T[]>,
): Promise<T[]> {
  if (query.siteId) await findVisibleSite(db, actor, query.siteId);
  if (query.typeId) await findEquipmentType(db, actor.orgId, query.typeId);
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const sites = await findSitesInScope(tx, { orgId: actor.orgId, siteIds: actor.role === 'org_admin' ? 'all' : actor.siteIds, siteId: query.siteId });
    if (sites.length === 0) return [];
    const range = periodRange({ from: query.from, to: query.to }, await findOrganizationZone(tx, actor.orgId));
    return work(tx, {
      orgId: actor.orgId,
      siteIds: sites.map((s) => s.id),
      typeId: query.typeId,
      startMs: range.start,
      endMs: range.end,
      elapsedEndMs: Math.max(range.start, Math.min(range.end, now.getTime())),
    });
  });
}

function toRow(r: EquipmentMetricsSqlRow, availableDays: number): EquipmentAnalyticsRow {
  const available = r.units_in_service * availableDays;
  const lentOut = Number(r.unit_days_lent_out);
  const ownUse = Number(r.unit_days_own_use);
  return {
    typeId: r.type_id,
    typeKey: r.type_key,
    typeName: r.type_name,
    typeNameEn: r.type_name_en,
    siteId: r.site_id,
    siteName: r.site_name,
    unitsOwned: r.units_owned,
    unitsInService: r.units_in_service,
    unitDaysAvailable: round2(available),
    unitDaysLentOut: round2(lentOut),
    unitDaysOwnUse: round2(ownUse),
    unitDaysIdle: round2(Math.max(0, available - lentOut - ownUse)),
    lendShare: ratio(lentOut, available),
    loansMade: r.loans_made,
    unitsLent: r.units_lent,
    loansReceived: r.loans_received,
    unitsBorrowed: r.units_borrowed,
    refusals: r.refusals,
    unitsRequestedRefused: r.units_requested_refused,
    unitsShort: r.units_short,
    loansOverdue: r.loans_overdue,
    overdueRate: ratio(r.loans_overdue, r.loans_made),
    unitsChecked: r.units_checked,
    unitsDamagedOrMissing: r.units_damaged_or_missing,
    damageRate: ratio(r.units_damaged_or_missing, r.units_checked),
  };
}
