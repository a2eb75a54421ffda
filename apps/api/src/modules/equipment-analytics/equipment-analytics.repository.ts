/**
 * The equipment analytics queries. Loans are scanned per site in scope through the lender index (lender_site_id,
 * type_id, claim_start) and the borrower index (borrower_site_id, use_start); refusals through (org_id, use_start).
 * Every figure is keyed on (site, type), and a (site, type) appears when the site holds the type or has a figure.
 */
import { type Transaction, schema } from '@linli/db';
import { LOAN_MADE_STATUSES } from '@linli/domain';
import { type SQL, and, asc, eq, inArray, sql } from 'drizzle-orm';
import { arrayLiteral, queryRows } from '../../lib/sql.ts';

const { organizations, sites } = schema;

const MADE = sql.raw(LOAN_MADE_STATUSES.map((s) => `'${s}'`).join(', '));
/** CHECK equipment_loans_max_claim: a loan's claim starts at most 100 days before it ends, which bounds the scan. */
const MAX_CLAIM_DAYS = 100;

export interface ScopedSite {
  id: string;
  name: string;
}

/** Sites the caller may see (all of the organization's for an org admin), narrowed to one when asked. */
export function findSitesInScope(tx: Transaction, scope: { orgId: string; siteIds: string[] | 'all'; siteId: string | undefined }): Promise<ScopedSite[]> {
  const filters: (SQL | undefined)[] = [eq(sites.orgId, scope.orgId)];
  if (scope.siteIds !== 'all') filters.push(scope.siteIds.length ? inArray(sites.id, scope.siteIds) : sql`false`);
  if (scope.siteId) filters.push(eq(sites.id, scope.siteId));
  return tx.select({ id: sites.id, name: sites.name }).from(sites).where(and(...filters)).orderBy(asc(sites.id));
}

export async function findOrganizationZone(tx: Transaction, orgId: string): Promise<string> {
  const [org] = await tx.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, orgId));
  return org!.timezone;
}

export interface EquipmentPeriod {
  orgId: string;
  siteIds: string[];
  typeId: string | undefined;
  /** The period [startMs, endMs) in the organization's zone. */
  startMs: number;
  endMs: number;
  /** Unit-days stop here: the earlier of the period's end and now (days still to come were neither lent nor idle). */
  elapsedEndMs: number;
}

export interface EquipmentMetricsSqlRow {
  site_id: string;
  site_name: string;
  type_id: string;
  type_key: string;
  type_name: string;
  type_name_en: string;
  units_owned: number;
  units_in_service: number;
  unit_days_lent_out: number;
  unit_days_own_use: number;
  loans_made: number;
  units_lent: number;
  loans_overdue: number;
  units_checked: number;
  units_damaged_or_missing: number;
  loans_received: number;
  units_borrowed: number;
  refusals: number;
  units_requested_refused: number;
  units_short: number;
}

const bounds = (p: EquipmentPeriod) => ({
  scope: sql`SELECT site_id FROM unnest(${arrayLiteral(p.siteIds)}::uuid[]) AS t(site_id)`,
  start: sql`to_timestamp(${p.startMs}::float8 / 1000.0)`,
  end: sql`to_timestamp(${p.endMs}::float8 / 1000.0)`,
  elapsedEnd: sql`to_timestamp(${p.elapsedEndMs}::float8 / 1000.0)`,
  type: (column: SQL) => (p.typeId === undefined ? sql`` : sql`AND ${column} = ${p.typeId}::uuid`),
});

/** Per (site, type) in scope: stock today, unit-days lent and used, loans made and received, refusals, returns. */
export function findEquipmentMetrics(tx: Transaction, p: EquipmentPeriod): Promise<EquipmentMetricsSqlRow[]> {
  const b = bounds(p);
  return queryRows<EquipmentMetricsSqlRow>(tx, sql`
    WITH scope AS (${b.scope}),
    stock AS (
      SELECT h.site_id, h.type_id, sum(h.in_service + h.damaged + h.missing)::int AS units_owned,
        sum(h.in_service)::int AS units_in_service
      FROM scope JOIN equipment_holdings h ON h.site_id = scope.site_id
      WHERE h.org_id = ${p.orgId}::uuid ${b.type(sql`h.type_id`)}
      GROUP BY h.site_id, h.type_id
    ),
    -- The site's units away (or in its own use) over the claim window: use window plus transit each way.
    lent AS (
      SELECT l.lender_site_id AS site_id, l.type_id, l.quantity, l.status, l.overdue_at,
        l.returned_damaged + l.returned_missing AS damaged_or_missing,
        l.borrower_site_id <> l.lender_site_id AS external,
        l.use_start >= ${b.start} AND l.use_start < ${b.end} AS starts_in_period,
        greatest(extract(epoch FROM least(l.claim_end, ${b.elapsedEnd}) - greatest(l.claim_start, ${b.start})), 0) / 86400.0 AS days_inside
      FROM scope JOIN equipment_loans l ON l.lender_site_id = scope.site_id
        AND l.claim_start >= ${b.start} - make_interval(days => ${MAX_CLAIM_DAYS})
        AND l.claim_start < ${b.end}
        AND l.claim_end > ${b.start}
      WHERE l.org_id = ${p.orgId}::uuid AND l.status IN (${MADE}) ${b.type(sql`l.type_id`)}
    ),
    lender AS (
      SELECT site_id, type_id,
        coalesce(sum(quantity * days_inside) FILTER (WHERE external), 0)::float8 AS unit_days_lent_out,
        coalesce(sum(quantity * days_inside) FILTER (WHERE NOT external), 0)::float8 AS unit_days_own_use,
        count(*) FILTER (WHERE external AND starts_in_period)::int AS loans_made,
        coalesce(sum(quantity) FILTER (WHERE external AND starts_in_period), 0)::int AS units_lent,
        count(*) FILTER (WHERE external AND starts_in_period AND overdue_at IS NOT NULL)::int AS loans_overdue,
        coalesce(sum(quantity) FILTER (WHERE external AND starts_in_period AND status = 'checked'), 0)::int AS units_checked,
        coalesce(sum(damaged_or_missing) FILTER (WHERE external AND starts_in_period AND status = 'checked'), 0)::int AS units_damaged_or_missing
      FROM lent GROUP BY site_id, type_id
    ),
    borrower AS (
      SELECT l.borrower_site_id AS site_id, l.type_id, count(*)::int AS loans_received, sum(l.quantity)::int AS units_borrowed
      FROM scope JOIN equipment_loans l ON l.borrower_site_id = scope.site_id
        AND l.use_start >= ${b.start} AND l.use_start < ${b.end}
      WHERE l.org_id = ${p.orgId}::uuid AND l.status IN (${MADE}) AND l.lender_site_id <> l.borrower_site_id
        ${b.type(sql`l.type_id`)}
      GROUP BY l.borrower_site_id, l.type_id
    ),
    refused AS (
      SELECT r.borrower_site_id AS site_id, r.type_id, count(*)::int AS refusals,
        sum(r.quantity)::int AS units_requested_refused, sum(r.shortfall)::int AS units_short
      FROM equipment_refusals r
      WHERE r.org_id = ${p.orgId}::uuid AND r.use_start >= ${b.start} AND r.use_start < ${b.end}
        AND r.borrower_site_id IN (SELECT site_id FROM scope) ${b.type(sql`r.type_id`)}
      GROUP BY r.borrower_site_id, r.type_id
    ),
    keys AS (
      SELECT site_id, type_id FROM stock UNION SELECT site_id, type_id FROM lender
      UNION SELECT site_id, type_id FROM borrower UNION SELECT site_id, type_id FROM refused
    )
    SELECT k.site_id::text AS site_id, s.name AS site_name, k.type_id::text AS type_id, t.key AS type_key,
      t.name_zh AS type_name, t.name_en AS type_name_en,
      coalesce(stock.units_owned, 0) AS units_owned, coalesce(stock.units_in_service, 0) AS units_in_service,
      coalesce(lender.unit_days_lent_out, 0) AS unit_days_lent_out, coalesce(lender.unit_days_own_use, 0) AS unit_days_own_use,
      coalesce(lender.loans_made, 0) AS loans_made, coalesce(lender.units_lent, 0) AS units_lent,
      coalesce(lender.loans_overdue, 0) AS loans_overdue, coalesce(lender.units_checked, 0) AS units_checked,
      coalesce(lender.units_damaged_or_missing, 0) AS units_damaged_or_missing,
      coalesce(borrower.loans_received, 0) AS loans_received, coalesce(borrower.units_borrowed, 0) AS units_borrowed,
      coalesce(refused.refusals, 0) AS refusals, coalesce(refused.units_requested_refused, 0) AS units_requested_refused,
      coalesce(refused.units_short, 0) AS units_short
    FROM keys k
    JOIN sites s ON s.id = k.site_id
    JOIN equipment_types t ON t.id = k.type_id
    LEFT JOIN stock ON stock.site_id = k.site_id AND stock.type_id = k.type_id
    LEFT JOIN lender ON lender.site_id = k.site_id AND lender.type_id = k.type_id
    LEFT JOIN borrower ON borrower.site_id = k.site_id AND borrower.type_id = k.type_id
    LEFT JOIN refused ON refused.site_id = k.site_id AND refused.type_id = k.type_id`);
}

export interface EquipmentFlowSqlRow {
  lender_site_id: string;
  lender_site_name: string;
  borrower_site_id: string;
  borrower_site_name: string;
  type_id: string;
  type_name: string;
  loans: number;
  units: number;
}

/** Loans made between two different sites whose use starts in the period, where either side is in scope. */
export function findEquipmentFlows(tx: Transaction, p: EquipmentPeriod): Promise<EquipmentFlowSqlRow[]> {
  const b = bounds(p);
  const made = sql`l.org_id = ${p.orgId}::uuid AND l.status IN (${MADE}) AND l.lender_site_id <> l.borrower_site_id
    AND l.use_start >= ${b.start} AND l.use_start < ${b.end} ${b.type(sql`l.type_id`)}`;
  return queryRows<EquipmentFlowSqlRow>(tx, sql`
    WITH scope AS (${b.scope}),
    -- UNION, not UNION ALL: a loan between two sites in scope is found from both ends and counts once.
    made AS (
      SELECT l.id, l.lender_site_id, l.borrower_site_id, l.type_id, l.quantity
      FROM scope JOIN equipment_loans l ON l.borrower_site_id = scope.site_id
      WHERE ${made}
      UNION
      SELECT l.id, l.lender_site_id, l.borrower_site_id, l.type_id, l.quantity
      FROM scope JOIN equipment_loans l ON l.lender_site_id = scope.site_id
        AND l.claim_start >= ${b.start} - make_interval(days => ${MAX_CLAIM_DAYS}) AND l.claim_start < ${b.end}
      WHERE ${made}
    )
    SELECT m.lender_site_id::text AS lender_site_id, ls.name AS lender_site_name,
      m.borrower_site_id::text AS borrower_site_id, bs.name AS borrower_site_name,
      m.type_id::text AS type_id, t.name_zh AS type_name, count(*)::int AS loans, sum(m.quantity)::int AS units
    FROM made m
    JOIN sites ls ON ls.id = m.lender_site_id
    JOIN sites bs ON bs.id = m.borrower_site_id
    JOIN equipment_types t ON t.id = m.type_id
    GROUP BY m.lender_site_id, ls.name, m.borrower_site_id, bs.name, m.type_id, t.name_zh`);
}
