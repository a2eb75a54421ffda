/**
 * Reads and writes for the equipment pool's inventory: types, settings, holdings with their events, the pool at a
 * glance and a holding's history. Loans themselves, the stock lock and the availability judgement belong to the
 * claims core (claims/equipment-claims.ts); this file only reads loans to say where units are.
 */
import { type Database, type Transaction, newId, schema } from '@linli/db';
import { LOAN_OUT_STATUSES } from '@linli/domain';
import { type SQL, and, asc, desc, eq, gt, ilike, inArray, isNull, or, sql } from 'drizzle-orm';
import { containing, queryRows } from '../../lib/sql.ts';

const { equipmentHoldingEvents, equipmentHoldings, equipmentLoanEvents, equipmentLoanItems, equipmentLoans, equipmentSettings, equipmentTypes, sites, users } = schema;
type Db = Database | Transaction;

export type EquipmentTypeRow = typeof equipmentTypes.$inferSelect;
export type HoldingRow = typeof equipmentHoldings.$inferSelect;

/**
 * Statuses in which a lender's units are away from its store: with the borrower (dispatched, received) or on their
 * way back and not yet counted (returned). The pool's "lent out now" counts only the first two: units at another site.
 */
export const UNITS_AWAY_STATUSES = [...LOAN_OUT_STATUSES, 'returned'] as const;

/** Most history entries one answer carries, of each kind before merging. */
export const HISTORY_LIMIT = 500;

// ---- Types and settings ----

export async function listTypes(db: Db, orgId: string): Promise<EquipmentTypeRow[]> {
  return db.select().from(equipmentTypes).where(eq(equipmentTypes.orgId, orgId)).orderBy(asc(equipmentTypes.key));
}

export async function insertType(db: Db, orgId: string, values: Pick<EquipmentTypeRow, 'key' | 'nameZh' | 'nameEn' | 'tracked' | 'maxLoanDays'>): Promise<EquipmentTypeRow> {
  const [row] = await db.insert(equipmentTypes).values({ id: newId(), orgId, ...values }).returning();
  return row!;
}

export async function updateType(db: Db, orgId: string, typeId: string, set: Partial<Pick<EquipmentTypeRow, 'nameZh' | 'nameEn' | 'maxLoanDays' | 'archivedAt'>>): Promise<EquipmentTypeRow | undefined> {
  const [row] = await db
    .update(equipmentTypes)
    .set(set)
    .where(and(eq(equipmentTypes.id, typeId), eq(equipmentTypes.orgId, orgId)))
    .returning();
  return row;
}

export async function upsertSettings(db: Db, orgId: string, settings: { transitBaseMinutes: number; transitMinutesPerKm: number }, now: Date) {
  const [row] = await db
    .insert(equipmentSettings)
    .values({ orgId, ...settings, updatedAt: now })
    .onConflictDoUpdate({ target: equipmentSettings.orgId, set: { ...settings, updatedAt: now } })
    .returning();
  return row!;
}

// ---- Holdings ----

/** A site of the organization that is not archived, or undefined. */
export async function findActiveSite(db: Db, orgId: string, siteId: string) {
  const [row] = await db
    .select({ id: sites.id, name: sites.name })
    .from(sites)
    .where(and(eq(sites.id, siteId), eq(sites.orgId, orgId), isNull(sites.archivedAt)));
  return row;
}

export async function insertHolding(tx: Transaction, values: Omit<typeof equipmentHoldings.$inferInsert, 'id'>): Promise<HoldingRow> {
  const [row] = await tx.insert(equipmentHoldings).values({ id: newId(), ...values }).returning();
  return row!;
}

export async function insertHoldingEvent(tx: Transaction, event: { orgId: string; holdingId: string; actorId: string | null; kind: string; units: number; note: string | null; loanId?: string | null }) {
  await tx.insert(equipmentHoldingEvents).values({ id: newId(), loanId: null, ...event });
}

export async function findHoldingRow(db: Db, orgId: string, holdingId: string): Promise<HoldingRow | undefined> {
  const [row] = await db
    .select()
    .from(equipmentHoldings)
    .where(and(eq(equipmentHoldings.id, holdingId), eq(equipmentHoldings.orgId, orgId)));
  return row;
}

/** Changes a holding at the version it was read at; undefined when someone else changed it first. */
export async function updateHolding(tx: Transaction, holding: HoldingRow, set: Partial<Pick<HoldingRow, 'inService' | 'damaged' | 'missing' | 'lendable' | 'serialNumber' | 'conditionNote' | 'notes' | 'photoUrl'>>, now: Date) {
  const [row] = await tx
    .update(equipmentHoldings)
    .set({ ...set, version: holding.version + 1, updatedAt: now })
    .where(and(eq(equipmentHoldings.id, holding.id), eq(equipmentHoldings.version, holding.version)))
    .returning();
  return row;
}

const holdingView = {
  holding: equipmentHoldings,
  siteName: sites.name,
  typeKey: equipmentTypes.key,
  typeNameZh: equipmentTypes.nameZh,
  typeNameEn: equipmentTypes.nameEn,
};
export interface HoldingView {
  holding: HoldingRow;
  siteName: string;
  typeKey: string;
  typeNameZh: string;
  typeNameEn: string;
}

export interface HoldingFilters {
  siteId?: string;
  typeId?: string;
  tracked?: boolean;
  q?: string;
  afterId?: string;
}

/** `%` and `_` in a search are the characters themselves, not wildcards. */

/** A page of the organization's holdings in creation order (limit + 1 rows: the last tells a next page exists). */
export async function listHoldingViews(db: Db, orgId: string, filters: HoldingFilters, limit: number): Promise<HoldingView[]> {
  const where: SQL[] = [eq(equipmentHoldings.orgId, orgId)];
  if (filters.siteId) where.push(eq(equipmentHoldings.siteId, filters.siteId));
  if (filters.typeId) where.push(eq(equipmentHoldings.typeId, filters.typeId));
  if (filters.tracked !== undefined) where.push(eq(equipmentTypes.tracked, filters.tracked));
  if (filters.afterId) where.push(gt(equipmentHoldings.id, filters.afterId));
  if (filters.q) {
    const pattern = containing(filters.q);
    where.push(
      or(
        ilike(equipmentHoldings.assetTag, pattern),
        ilike(equipmentHoldings.serialNumber, pattern),
        ilike(equipmentTypes.key, pattern),
        ilike(equipmentTypes.nameZh, pattern),
        ilike(equipmentTypes.nameEn, pattern),
        ilike(sites.name, pattern),
      )!,
    );
  }
  return db
    .select(holdingView)
    .from(equipmentHoldings)
    .innerJoin(sites, eq(sites.id, equipmentHoldings.siteId))
    .innerJoin(equipmentTypes, eq(equipmentTypes.id, equipmentHoldings.typeId))
    .where(and(...where))
    .orderBy(asc(equipmentHoldings.id))
    .limit(limit);
}

export async function findHoldingView(db: Db, orgId: string, holdingId: string): Promise<HoldingView | undefined> {
  const [row] = await db
    .select(holdingView)
    .from(equipmentHoldings)
    .innerJoin(sites, eq(sites.id, equipmentHoldings.siteId))
    .innerJoin(equipmentTypes, eq(equipmentTypes.id, equipmentHoldings.typeId))
    .where(and(eq(equipmentHoldings.id, holdingId), eq(equipmentHoldings.orgId, orgId)));
  return row;
}

export interface ItemOut {
  holdingId: string;
  loanId: string;
  status: string;
  borrowerSiteId: string;
  borrowerSiteName: string;
}

/**
 * Where the units of these holdings are: for counted stock, the units of its site and type on loans in an away
 * status (keyed `siteId:typeId`); for tracked items, the loan each one went out with, if it is still away.
 */
export async function findUnitsAway(db: Db, orgId: string, holdings: readonly HoldingRow[]) {
  const counted = holdings.filter((h) => h.assetTag === null);
  const tracked = holdings.filter((h) => h.assetTag !== null);
  const unitsByStock = new Map<string, number>();
  const itemsOut = new Map<string, ItemOut>();
  if (counted.length) {
    const rows = await db
      .select({ siteId: equipmentLoans.lenderSiteId, typeId: equipmentLoans.typeId, units: sql<number>`sum(${equipmentLoans.quantity})::int` })
      .from(equipmentLoans)
      .where(
        and(
          eq(equipmentLoans.orgId, orgId),
          inArray(equipmentLoans.status, [...UNITS_AWAY_STATUSES]),
          inArray(equipmentLoans.lenderSiteId, [...new Set(counted.map((h) => h.siteId))]),
          inArray(equipmentLoans.typeId, [...new Set(counted.map((h) => h.typeId))]),
        ),
      )
      .groupBy(equipmentLoans.lenderSiteId, equipmentLoans.typeId);
    for (const row of rows) unitsByStock.set(`${row.siteId}:${row.typeId}`, Number(row.units));
  }
  if (tracked.length) {
    const rows = await db
      .select({ holdingId: equipmentLoanItems.holdingId, loanId: equipmentLoans.id, status: equipmentLoans.status, borrowerSiteId: equipmentLoans.borrowerSiteId, borrowerSiteName: sites.name })
      .from(equipmentLoanItems)
      .innerJoin(equipmentLoans, eq(equipmentLoans.id, equipmentLoanItems.loanId))
      .innerJoin(sites, eq(sites.id, equipmentLoans.borrowerSiteId))
      .where(and(inArray(equipmentLoanItems.holdingId, tracked.map((h) => h.id)), inArray(equipmentLoans.status, [...UNITS_AWAY_STATUSES])))
      // An item is away with one loan at a time; should two ever say so, the latest wins.
      .orderBy(asc(equipmentLoans.id));
    for (const row of rows) itemsOut.set(row.holdingId, row);
  }
  return { unitsByStock, itemsOut };
}

// ---- The pool at a glance ----

export interface PoolStockRow {
  siteId: string;
  siteName: string;
  district: string;
  typeId: string;
  typeKey: string;
  typeNameZh: string;
  typeNameEn: string;
  inService: number;
  lendable: number;
  damaged: number;
  missing: number;
  lentOutNow: number;
  borrowedInNow: number;
}

/**
 * One row per (site, type) that holds stock or has units lent out or borrowed in right now (loans in an out status
 * between two different sites), for the organization's active sites, by site name and type key.
 */
export async function findPoolRows(db: Db, orgId: string, filters: { siteId?: string; typeId?: string }): Promise<PoolStockRow[]> {
  const holdingFilter = sql.join(
    [sql`h.org_id = ${orgId}`, ...(filters.siteId ? [sql`h.site_id = ${filters.siteId}`] : []), ...(filters.typeId ? [sql`h.type_id = ${filters.typeId}`] : [])],
    sql` AND `,
  );
  const loanFilter = sql.join(
    [
      sql`l.org_id = ${orgId}`,
      sql`l.status IN (${sql.join(LOAN_OUT_STATUSES.map((s) => sql`${s}`), sql`, `)})`,
      sql`l.lender_site_id <> l.borrower_site_id`,
      ...(filters.typeId ? [sql`l.type_id = ${filters.typeId}`] : []),
      ...(filters.siteId ? [sql`(l.lender_site_id = ${filters.siteId} OR l.borrower_site_id = ${filters.siteId})`] : []),
    ],
    sql` AND `,
  );
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`
    WITH stock AS (
      SELECT h.site_id, h.type_id, sum(h.in_service)::int AS in_service,
             coalesce(sum(h.in_service) FILTER (WHERE h.lendable), 0)::int AS lendable,
             sum(h.damaged)::int AS damaged, sum(h.missing)::int AS missing
      FROM equipment_holdings h WHERE ${holdingFilter} GROUP BY h.site_id, h.type_id
    ), moves AS (
      SELECT l.lender_site_id, l.borrower_site_id, l.type_id, sum(l.quantity)::int AS units
      FROM equipment_loans l WHERE ${loanFilter} GROUP BY l.lender_site_id, l.borrower_site_id, l.type_id
    ), away AS (
      SELECT site_id, type_id, sum(lent_out)::int AS lent_out, sum(borrowed_in)::int AS borrowed_in FROM (
        SELECT lender_site_id AS site_id, type_id, units AS lent_out, 0 AS borrowed_in FROM moves
        UNION ALL
        SELECT borrower_site_id, type_id, 0, units FROM moves
      ) m GROUP BY site_id, type_id
    ), pairs AS (
      SELECT site_id, type_id FROM stock UNION SELECT site_id, type_id FROM away
    )
    SELECT p.site_id, s.name AS site_name, s.district, p.type_id, t.key AS type_key, t.name_zh, t.name_en,
           coalesce(st.in_service, 0) AS in_service, coalesce(st.lendable, 0) AS lendable,
           coalesce(st.damaged, 0) AS damaged, coalesce(st.missing, 0) AS missing,
           coalesce(a.lent_out, 0) AS lent_out, coalesce(a.borrowed_in, 0) AS borrowed_in
    FROM pairs p
    JOIN sites s ON s.id = p.site_id
    JOIN equipment_types t ON t.id = p.type_id
    LEFT JOIN stock st ON st.site_id = p.site_id AND st.type_id = p.type_id
    LEFT JOIN away a ON a.site_id = p.site_id AND a.type_id = p.type_id
    WHERE s.archived_at IS NULL ${filters.siteId ? sql`AND p.site_id = ${filters.siteId}` : sql``}
    ORDER BY s.name, t.key, p.site_id`,
  );
  return rows.map((row) => ({
    siteId: String(row.site_id),
    siteName: String(row.site_name),
    district: String(row.district),
    typeId: String(row.type_id),
    typeKey: String(row.type_key),
    typeNameZh: String(row.name_zh),
    typeNameEn: String(row.name_en),
    inService: Number(row.in_service),
    lendable: Number(row.lendable),
    damaged: Number(row.damaged),
    missing: Number(row.missing),
    lentOutNow: Number(row.lent_out),
    borrowedInNow: Number(row.borrowed_in),
  }));
}

// ---- History ----

/** A holding's own events, newest first, with who made them. */
export async function findHoldingEvents(db: Db, holdingId: string) {
  return db
    .select({
      id: equipmentHoldingEvents.id,
      at: equipmentHoldingEvents.at,
      kind: equipmentHoldingEvents.kind,
      units: equipmentHoldingEvents.units,
      note: equipmentHoldingEvents.note,
      loanId: equipmentHoldingEvents.loanId,
      actorName: users.displayName,
    })
    .from(equipmentHoldingEvents)
    .leftJoin(users, eq(users.id, equipmentHoldingEvents.actorId))
    .where(eq(equipmentHoldingEvents.holdingId, holdingId))
    .orderBy(desc(equipmentHoldingEvents.at), desc(equipmentHoldingEvents.id))
    .limit(HISTORY_LIMIT);
}

/**
 * The events of the loans a holding's units went on, newest first: for a tracked item the loans it was dispatched
 * with, for counted stock every loan of its site's units of the type.
 */
export async function findLoanEventsOfHolding(db: Db, holding: HoldingRow) {
  const borrower = sites;
  const ofHolding =
    holding.assetTag === null
      ? and(eq(equipmentLoans.lenderSiteId, holding.siteId), eq(equipmentLoans.typeId, holding.typeId))
      : inArray(equipmentLoans.id, db.select({ id: equipmentLoanItems.loanId }).from(equipmentLoanItems).where(eq(equipmentLoanItems.holdingId, holding.id)));
  return db
    .select({
      id: equipmentLoanEvents.id,
      at: equipmentLoanEvents.at,
      loanId: equipmentLoanEvents.loanId,
      from: equipmentLoanEvents.fromStatus,
      to: equipmentLoanEvents.toStatus,
      reason: equipmentLoanEvents.reason,
      borrowerSiteName: borrower.name,
      actorName: users.displayName,
    })
    .from(equipmentLoanEvents)
    .innerJoin(equipmentLoans, eq(equipmentLoans.id, equipmentLoanEvents.loanId))
    .innerJoin(borrower, eq(borrower.id, equipmentLoans.borrowerSiteId))
    .leftJoin(users, eq(users.id, equipmentLoanEvents.actorId))
    .where(and(eq(equipmentLoans.orgId, holding.orgId), ofHolding))
    .orderBy(desc(equipmentLoanEvents.at), desc(equipmentLoanEvents.id))
    .limit(HISTORY_LIMIT);
}
