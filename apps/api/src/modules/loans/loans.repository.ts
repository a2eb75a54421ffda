/**
 * Reads and writes for loans between sites. The claims core (claims/equipment-claims.ts) owns the stock lock, the
 * judgement, every status change and its event; this file holds what the loans feature reads around them: loans
 * with their names, items, history and lists, and the facts a step checks (items free to go, units away).
 */
import { type Database, type Transaction, schema } from '@linli/db';
import { LOAN_OUT_STATUSES, type LoanStatus } from '@linli/domain';
import { type SQL, and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, not, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { LoanRow } from '../claims/equipment-claims.ts';

const { activitySessions, bookings, equipmentHoldings, equipmentLoanEvents, equipmentLoanItems, equipmentLoans, equipmentTypes, sites, users } = schema;
type Db = Database | Transaction;

/**
 * Loans whose tracked items are not at home: out with the borrower, or returned and not yet checked by the lender
 * (an item goes out again only after someone at home has looked at it).
 */
const ITEM_AWAY_STATUSES = [...LOAN_OUT_STATUSES, 'returned'] as const satisfies readonly LoanStatus[];

const lenderSite = alias(sites, 'lender_site');
const borrowerSite = alias(sites, 'borrower_site');

const loanView = {
  loan: equipmentLoans,
  typeKey: equipmentTypes.key,
  typeNameZh: equipmentTypes.nameZh,
  typeNameEn: equipmentTypes.nameEn,
  tracked: equipmentTypes.tracked,
  lenderSiteName: lenderSite.name,
  borrowerSiteName: borrowerSite.name,
};
export interface LoanView {
  loan: LoanRow;
  typeKey: string;
  typeNameZh: string;
  typeNameEn: string;
  tracked: boolean;
  lenderSiteName: string;
  borrowerSiteName: string;
}

function selectLoanViews(db: Db, where: SQL | undefined) {
  return db
    .select(loanView)
    .from(equipmentLoans)
    .innerJoin(equipmentTypes, eq(equipmentTypes.id, equipmentLoans.typeId))
    .innerJoin(lenderSite, eq(lenderSite.id, equipmentLoans.lenderSiteId))
    .innerJoin(borrowerSite, eq(borrowerSite.id, equipmentLoans.borrowerSiteId))
    .where(where)
    .orderBy(asc(equipmentLoans.id));
}

/** Loans with their type and site names, in id order. */
export async function findLoanViews(db: Db, orgId: string, loanIds: readonly string[]): Promise<LoanView[]> {
  if (loanIds.length === 0) return [];
  return selectLoanViews(db, and(eq(equipmentLoans.orgId, orgId), inArray(equipmentLoans.id, [...loanIds])));
}

export interface LoanListFilter {
  orgId: string;
  /** Sites whose loans are listed, on the side asked for; null: every loan of the organization. */
  scope: { siteIds: readonly string[]; side: 'lending' | 'borrowing' | 'all' } | null;
  typeId?: string;
  status?: string;
  /** Loans whose units are still out after their claim window at `now` (or, false, all others). */
  overdue?: boolean;
  now: Date;
  bookingId?: string;
  sessionId?: string;
  /** Use window overlapping [from, to). */
  from?: Date;
  to?: Date;
  after?: string;
  limit: number;
}

function scopeCondition(scope: NonNullable<LoanListFilter['scope']>): SQL | undefined {
  const lends = inArray(equipmentLoans.lenderSiteId, [...scope.siteIds]);
  const borrows = inArray(equipmentLoans.borrowerSiteId, [...scope.siteIds]);
  if (scope.side === 'lending') return lends;
  if (scope.side === 'borrowing') return borrows;
  return or(lends, borrows);
}

/** One page of loans (limit + 1 rows, for `toPage`), in id order after the cursor. */
export async function listLoanViews(db: Db, filter: LoanListFilter): Promise<LoanView[]> {
  const overdue = and(inArray(equipmentLoans.status, [...LOAN_OUT_STATUSES]), lte(equipmentLoans.claimEnd, filter.now));
  return selectLoanViews(
    db,
    and(
      eq(equipmentLoans.orgId, filter.orgId),
      filter.scope ? scopeCondition(filter.scope) : undefined,
      filter.typeId ? eq(equipmentLoans.typeId, filter.typeId) : undefined,
      filter.status ? eq(equipmentLoans.status, filter.status) : undefined,
      filter.overdue === undefined ? undefined : filter.overdue ? overdue : not(overdue!),
      filter.bookingId ? eq(equipmentLoans.bookingId, filter.bookingId) : undefined,
      filter.sessionId ? eq(equipmentLoans.sessionId, filter.sessionId) : undefined,
      filter.to ? lt(equipmentLoans.useStart, filter.to) : undefined,
      filter.from ? gt(equipmentLoans.useEnd, filter.from) : undefined,
      filter.after ? gt(equipmentLoans.id, filter.after) : undefined,
    ),
  ).limit(filter.limit + 1);
}

/** The tracked items that went out with each loan, by asset tag. */
export async function findItemsOfLoans(db: Db, loanIds: readonly string[]): Promise<{ loanId: string; holdingId: string; assetTag: string }[]> {
  if (loanIds.length === 0) return [];
  const rows = await db
    .select({ loanId: equipmentLoanItems.loanId, holdingId: equipmentLoanItems.holdingId, assetTag: equipmentHoldings.assetTag })
    .from(equipmentLoanItems)
    .innerJoin(equipmentHoldings, eq(equipmentHoldings.id, equipmentLoanItems.holdingId))
    .where(inArray(equipmentLoanItems.loanId, [...loanIds]))
    .orderBy(asc(equipmentHoldings.assetTag));
  return rows.map((row) => ({ ...row, assetTag: row.assetTag ?? '' }));
}

/** A loan's history, oldest first, with who took each step. */
export async function findLoanEvents(db: Db, loanId: string) {
  return db
    .select({ event: equipmentLoanEvents, actorName: users.displayName })
    .from(equipmentLoanEvents)
    .leftJoin(users, eq(users.id, equipmentLoanEvents.actorId))
    .where(eq(equipmentLoanEvents.loanId, loanId))
    .orderBy(asc(equipmentLoanEvents.at), asc(equipmentLoanEvents.id));
}

export async function findLoan(db: Db, orgId: string, loanId: string): Promise<LoanRow | undefined> {
  const [row] = await db.select().from(equipmentLoans).where(and(eq(equipmentLoans.id, loanId), eq(equipmentLoans.orgId, orgId)));
  return row;
}

/** The loan as it is now, locked for the rest of the transaction: each step is decided on this row. */
export async function lockLoan(tx: Transaction, loanId: string): Promise<LoanRow | undefined> {
  const [row] = await tx.select().from(equipmentLoans).where(eq(equipmentLoans.id, loanId)).for('update');
  return row;
}

/** Which of `siteIds` are sites of the organization (open ones only, unless archived ones are asked for too). */
export async function findSiteIdsOfOrg(db: Db, orgId: string, siteIds: readonly string[], options: { includeArchived?: boolean } = {}): Promise<Set<string>> {
  if (siteIds.length === 0) return new Set();
  const rows = await db
    .select({ id: sites.id })
    .from(sites)
    .where(and(eq(sites.orgId, orgId), inArray(sites.id, [...siteIds]), options.includeArchived ? undefined : isNull(sites.archivedAt)));
  return new Set(rows.map((row) => row.id));
}

/** Where a booking or an activity session of the organization takes place, or undefined. */
export async function findOwnerSite(db: Db, orgId: string, owner: { bookingId: string } | { sessionId: string }): Promise<string | undefined> {
  if ('bookingId' in owner) {
    const [row] = await db.select({ siteId: bookings.siteId }).from(bookings).where(and(eq(bookings.id, owner.bookingId), eq(bookings.orgId, orgId)));
    return row?.siteId;
  }
  const [row] = await db
    .select({ siteId: activitySessions.siteId })
    .from(activitySessions)
    .where(and(eq(activitySessions.id, owner.sessionId), eq(activitySessions.orgId, orgId)));
  return row?.siteId;
}

/** Units of a lender's type away now: dispatched, with the borrower, or returned and not yet checked. */
export async function countUnitsAway(db: Db, lenderSiteId: string, typeId: string): Promise<number> {
  const [row] = await db
    .select({ units: sql<number>`coalesce(sum(${equipmentLoans.quantity}), 0)::int` })
    .from(equipmentLoans)
    .where(and(eq(equipmentLoans.lenderSiteId, lenderSiteId), eq(equipmentLoans.typeId, typeId), inArray(equipmentLoans.status, [...ITEM_AWAY_STATUSES])));
  return Number(row?.units ?? 0);
}

/**
 * Of `holdingIds`, the tracked items that may go out with a loan now: the lender's items of the type, in service,
 * at home (on no loan that is away), and lendable when the loan goes to another site.
 */
export async function findItemsFreeToGo(db: Db, input: { lenderSiteId: string; typeId: string; holdingIds: readonly string[]; external: boolean }): Promise<string[]> {
  if (input.holdingIds.length === 0) return [];
  const away = db
    .select({ holdingId: equipmentLoanItems.holdingId })
    .from(equipmentLoanItems)
    .innerJoin(equipmentLoans, eq(equipmentLoans.id, equipmentLoanItems.loanId))
    .where(and(inArray(equipmentLoanItems.holdingId, [...input.holdingIds]), inArray(equipmentLoans.status, [...ITEM_AWAY_STATUSES])));
  const rows = await db
    .select({ id: equipmentHoldings.id })
    .from(equipmentHoldings)
    .where(
      and(
        inArray(equipmentHoldings.id, [...input.holdingIds]),
        eq(equipmentHoldings.siteId, input.lenderSiteId),
        eq(equipmentHoldings.typeId, input.typeId),
        isNotNull(equipmentHoldings.assetTag),
        eq(equipmentHoldings.inService, 1),
        input.external ? eq(equipmentHoldings.lendable, true) : undefined,
        not(inArray(equipmentHoldings.id, away)),
      ),
    );
  return rows.map((row) => row.id);
}

export async function insertLoanItems(tx: Transaction, loan: LoanRow, holdingIds: readonly string[]): Promise<void> {
  if (holdingIds.length === 0) return;
  await tx.insert(equipmentLoanItems).values(holdingIds.map((holdingId) => ({ loanId: loan.id, holdingId, orgId: loan.orgId })));
}

/** The ids of the tracked items that went out with a loan. */
export async function findItemIdsOfLoan(db: Db, loanId: string): Promise<Set<string>> {
  const rows = await db.select({ holdingId: equipmentLoanItems.holdingId }).from(equipmentLoanItems).where(eq(equipmentLoanItems.loanId, loanId));
  return new Set(rows.map((row) => row.holdingId));
}
