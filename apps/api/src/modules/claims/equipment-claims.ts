/**
 * The claims core for the equipment pool: a loan is a claim of `quantity` units of one type held by one lending
 * site, over the borrower's use window widened by transit each way. Every loan that takes units is written after
 * the lender's holdings of that type are locked (FOR UPDATE) and the loans already holding them are counted, the
 * lock-then-check seats use, so the units claimed at any instant never exceed the units in service. Locks are taken
 * in (site id, type id) order so a request split across lenders never deadlocks another.
 *
 * Features (the equipment and loans modules, bookings, activity sessions) call these; this file imports none of them.
 */
import { type Database, type Transaction, newId, schema } from '@linli/db';
import {
  DEFAULT_TRANSIT,
  type HoldingLoan,
  type InstantRange,
  LOAN_HOLDING_STATUSES,
  LOAN_OUT_STATUSES,
  type LenderOffer,
  type LoanFacts,
  type LoanStatus,
  type SiteStock,
  type TransitSettings,
  claimWindow,
  judgeLoan,
  judgeLoanRange,
  rankLenders,
  siteDistanceKm,
  splitAcrossLenders,
  transitMs,
  unitsFree,
} from '@linli/domain';
import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { AppError, notFound } from '../../lib/app-error.ts';
import { type NotificationIntent, notify } from '../outbox/outbox.ts';

const { equipmentHoldings, equipmentLoans, equipmentLoanEvents, equipmentRefusals, equipmentSettings, equipmentTypes, sites, userSites, users } = schema;
type Db = Database | Transaction;

export type LoanRow = typeof equipmentLoans.$inferSelect;
export type EquipmentTypeRow = typeof equipmentTypes.$inferSelect;

/** The longest claim window a loan row may have (CHECK equipment_loans_max_claim): bounds range scans from below. */
const MAX_CLAIM_WINDOW_MS = 100 * 24 * 60 * 60 * 1000;
/** Transit is capped so a site with absurd coordinates cannot hold units for weeks on paper. */
const MAX_TRANSIT_MS = 2 * 24 * 60 * 60 * 1000;

/** The organization's transit settings, or the defaults when it has none. */
export async function findTransitSettings(db: Db, orgId: string): Promise<TransitSettings> {
  const [row] = await db.select().from(equipmentSettings).where(eq(equipmentSettings.orgId, orgId));
  return row ? { transitBaseMinutes: row.transitBaseMinutes, transitMinutesPerKm: row.transitMinutesPerKm } : DEFAULT_TRANSIT;
}

/** An equipment type of the organization, or NOT_FOUND (another organization's type does not exist here). */
export async function findEquipmentType(db: Db, orgId: string, typeId: string): Promise<EquipmentTypeRow> {
  const [row] = await db.select().from(equipmentTypes).where(and(eq(equipmentTypes.id, typeId), eq(equipmentTypes.orgId, orgId)));
  if (!row) throw notFound('Equipment type');
  return row;
}

interface SitePlace {
  id: string;
  name: string;
  district: string;
  lat: number | null;
  lng: number | null;
}

async function findSitePlace(db: Db, orgId: string, siteId: string): Promise<SitePlace> {
  const [row] = await db
    .select({ id: sites.id, name: sites.name, district: sites.district, lat: sites.lat, lng: sites.lng })
    .from(sites)
    .where(and(eq(sites.id, siteId), eq(sites.orgId, orgId), isNull(sites.archivedAt)));
  if (!row) throw notFound('Site');
  return row;
}

/** Transit one way between two sites under the settings, capped. */
export function transitBetween(lender: SitePlace, borrower: SitePlace, settings: TransitSettings): { ms: number; km: number | null } {
  const km = lender.id === borrower.id ? 0 : siteDistanceKm(lender, borrower);
  return { ms: Math.min(MAX_TRANSIT_MS, transitMs(lender.id === borrower.id, km, settings)), km };
}

const stockColumns = {
  inService: sql<number>`coalesce(sum(${equipmentHoldings.inService}), 0)::int`,
  lendable: sql<number>`coalesce(sum(${equipmentHoldings.inService}) FILTER (WHERE ${equipmentHoldings.lendable}), 0)::int`,
};

/**
 * Locks the lender's holdings of the type for the rest of the transaction and returns its stock. Every change to
 * what those units promise (a new loan, a moved loan, damage taking units out) takes this lock first.
 */
export async function lockStock(tx: Transaction, siteId: string, typeId: string): Promise<SiteStock> {
  const rows = await tx
    .select({ inService: equipmentHoldings.inService, lendable: equipmentHoldings.lendable })
    .from(equipmentHoldings)
    .where(and(eq(equipmentHoldings.siteId, siteId), eq(equipmentHoldings.typeId, typeId)))
    .orderBy(asc(equipmentHoldings.id))
    .for('update');
  return {
    inService: rows.reduce((sum, row) => sum + row.inService, 0),
    lendable: rows.reduce((sum, row) => sum + (row.lendable ? row.inService : 0), 0),
  };
}

/**
 * Loans holding a lender's units of a type near `claim`: those whose claim window overlaps it, and those whose units
 * are still out past their window (overdue), which `judgeLoan` treats as holding until they come back.
 */
export async function findHoldingLoans(
  db: Db,
  lenders: readonly string[] | 'every-site',
  typeId: string,
  claim: InstantRange,
  options: { excludeLoanIds?: readonly string[] } = {},
) {
  if (lenders !== 'every-site' && lenders.length === 0) return [];
  const start = new Date(claim.start);
  const end = new Date(claim.end);
  const rows = await db
    .select({
      id: equipmentLoans.id,
      lenderSiteId: equipmentLoans.lenderSiteId,
      borrowerSiteId: equipmentLoans.borrowerSiteId,
      quantity: equipmentLoans.quantity,
      status: equipmentLoans.status,
      claimStart: equipmentLoans.claimStart,
      claimEnd: equipmentLoans.claimEnd,
    })
    .from(equipmentLoans)
    .where(
      and(
        // A type belongs to one organization, so 'every-site' (the pool question) needs no list of sites.
        lenders === 'every-site' ? undefined : inArray(equipmentLoans.lenderSiteId, [...lenders]),
        eq(equipmentLoans.typeId, typeId),
        inArray(equipmentLoans.status, [...LOAN_HOLDING_STATUSES]),
        lt(equipmentLoans.claimStart, end),
        or(
          and(gte(equipmentLoans.claimStart, new Date(claim.start - MAX_CLAIM_WINDOW_MS)), gt(equipmentLoans.claimEnd, start)),
          and(inArray(equipmentLoans.status, [...LOAN_OUT_STATUSES]), lte(equipmentLoans.claimEnd, start)),
        ),
      ),
    );
  const excluded = new Set(options.excludeLoanIds ?? []);
  return rows
    .filter((row) => !excluded.has(row.id))
    .map((row) => ({
      lenderSiteId: row.lenderSiteId,
      loan: {
        claim: { start: row.claimStart.getTime(), end: row.claimEnd.getTime() },
        quantity: row.quantity,
        status: row.status,
        external: row.borrowerSiteId !== row.lenderSiteId,
      } satisfies HoldingLoan,
    }));
}

export interface LenderStanding extends LenderOffer {
  siteName: string;
  district: string;
  claim: InstantRange;
}

/**
 * Which sites of the organization could lend how many units of a type to `destination` over `use` (a read, not
 * locked: a request re-judges under the lock). The destination's own stock counts all its units in service; other
 * sites only what they lend out. Nearest first.
 */
export async function findLenders(db: Db, input: { orgId: string; typeId: string; destinationSiteId: string; use: InstantRange; now: Date }): Promise<LenderStanding[]> {
  const [settings, destination] = await Promise.all([findTransitSettings(db, input.orgId), findSitePlace(db, input.orgId, input.destinationSiteId)]);
  const stocks = await db
    .select({ siteId: sites.id, siteName: sites.name, district: sites.district, lat: sites.lat, lng: sites.lng, ...stockColumns })
    .from(equipmentHoldings)
    .innerJoin(sites, eq(sites.id, equipmentHoldings.siteId))
    .where(and(eq(equipmentHoldings.orgId, input.orgId), eq(equipmentHoldings.typeId, input.typeId), isNull(sites.archivedAt)))
    .groupBy(sites.id);
  const widest = claimWindow(input.use, MAX_TRANSIT_MS);
  const holding = stocks.length === 0 ? [] : await findHoldingLoans(db, 'every-site', input.typeId, widest);
  const bySite = new Map<string, HoldingLoan[]>();
  for (const h of holding) bySite.set(h.lenderSiteId, [...(bySite.get(h.lenderSiteId) ?? []), h.loan]);
  const now = input.now.getTime();
  const offers = stocks.map((stock) => {
    const place = { id: stock.siteId, name: stock.siteName, district: stock.district, lat: stock.lat, lng: stock.lng };
    const transit = transitBetween(place, destination, settings);
    const claim = claimWindow(input.use, transit.ms);
    const external = stock.siteId !== destination.id;
    const loans = bySite.get(stock.siteId) ?? [];
    return {
      siteId: stock.siteId,
      siteName: stock.siteName,
      district: stock.district,
      distanceKm: transit.km,
      transitMs: transit.ms,
      claim,
      free: unitsFree({ inService: Number(stock.inService), lendable: Number(stock.lendable) }, claim, external, loans, now),
    };
  });
  return rankLenders(offers.filter((offer) => offer.free > 0));
}

/** The standing of a need against the pool: lenders, free units and the shortfall, with the split a request would make. */
export async function findPoolStanding(db: Db, input: { orgId: string; typeId: string; destinationSiteId: string; use: InstantRange; quantity: number; now: Date }) {
  const lenders = await findLenders(db, input);
  const { parts, shortfall } = splitAcrossLenders(lenders, input.quantity);
  return { lenders, totalFree: lenders.reduce((sum, l) => sum + l.free, 0), shortfall, split: parts.map((p) => ({ siteId: p.lender.siteId, quantity: p.quantity })) };
}

export interface LoanRequestInput {
  orgId: string;
  typeId: string;
  borrowerSiteId: string;
  quantity: number;
  use: InstantRange;
  /** Explicit split; left out, the nearest lenders with free units, nearest first. */
  lenders?: readonly { siteId: string; quantity: number }[];
  bookingId?: string | null;
  sessionId?: string | null;
  purpose?: string | null;
  actorId: string | null;
  now: Date;
  /** Why the first event was written ('requested', 'booking', 'session'). */
  reason?: string;
}

/**
 * Claims units for a request in the caller's transaction: each lender's stock is locked in a fixed order, the loans
 * holding it are counted, and the part is written with its first event only if it fits. Refuses the whole request
 * (EQUIPMENT_SHORTFALL, with what could be had) if any part does not fit, so a request is all or nothing; the caller
 * records the refusal outside its rolled-back transaction (`recordEquipmentRefusal`).
 */
export async function claimLoanRequest(tx: Transaction, input: LoanRequestInput): Promise<LoanRow[]> {
  const type = await findEquipmentType(tx, input.orgId, input.typeId);
  if (type.archivedAt) throw new AppError('ARCHIVED', { detail: 'This equipment type is archived.' });
  const rangeRefusal = judgeLoanRange(input.use, type.maxLoanDays);
  if (rangeRefusal) throw new AppError(rangeRefusal.code, { details: 'params' in rangeRefusal ? rangeRefusal.params : {} });

  const parts = input.lenders ?? (await planSplit(tx, input));
  const [settings, borrower] = await Promise.all([findTransitSettings(tx, input.orgId), findSitePlace(tx, input.orgId, input.borrowerSiteId)]);
  const requestId = newId();
  const written: LoanRow[] = [];
  for (const part of [...parts].sort((a, b) => a.siteId.localeCompare(b.siteId))) {
    const lender = await findSitePlace(tx, input.orgId, part.siteId);
    const claim = claimWindow(input.use, transitBetween(lender, borrower, settings).ms);
    const external = lender.id !== borrower.id;
    const stock = await lockStock(tx, lender.id, input.typeId);
    const holding = (await findHoldingLoans(tx, [lender.id], input.typeId, claim)).map((h) => h.loan);
    const refusal = judgeLoan(stock, claim, part.quantity, external, holding, input.now.getTime());
    if (refusal) {
      const standing = await findPoolStanding(tx, { ...input, destinationSiteId: input.borrowerSiteId, quantity: input.quantity });
      throw new AppError('EQUIPMENT_SHORTFALL', {
        details: { siteId: lender.id, requested: part.quantity, ...('params' in refusal ? refusal.params : {}), shortfall: standing.shortfall, totalFree: standing.totalFree, lenders: standing.lenders.map(toLenderDetail) },
      });
    }
    written.push(await insertLoan(tx, { ...input, requestId, lenderSiteId: lender.id, quantity: part.quantity, claim }));
  }
  return written;
}

const toLenderDetail = (l: LenderStanding) => ({ siteId: l.siteId, siteName: l.siteName, free: l.free, distanceKm: l.distanceKm });

async function planSplit(db: Db, input: LoanRequestInput) {
  const standing = await findPoolStanding(db, { ...input, destinationSiteId: input.borrowerSiteId });
  if (standing.shortfall > 0) {
    throw new AppError('EQUIPMENT_SHORTFALL', {
      details: { requested: input.quantity, shortfall: standing.shortfall, totalFree: standing.totalFree, lenders: standing.lenders.map(toLenderDetail) },
    });
  }
  return standing.split;
}

async function insertLoan(tx: Transaction, loan: LoanRequestInput & { requestId: string; lenderSiteId: string; claim: InstantRange }): Promise<LoanRow> {
  const [row] = await tx
    .insert(equipmentLoans)
    .values({
      id: newId(),
      orgId: loan.orgId,
      typeId: loan.typeId,
      lenderSiteId: loan.lenderSiteId,
      borrowerSiteId: loan.borrowerSiteId,
      requestId: loan.requestId,
      quantity: loan.quantity,
      useStart: new Date(loan.use.start),
      useEnd: new Date(loan.use.end),
      claimStart: new Date(loan.claim.start),
      claimEnd: new Date(loan.claim.end),
      status: 'requested',
      bookingId: loan.bookingId ?? null,
      sessionId: loan.sessionId ?? null,
      purpose: loan.purpose ?? null,
      requestedBy: loan.actorId,
      createdAt: loan.now,
      updatedAt: loan.now,
    })
    .returning();
  await recordLoanEvent(tx, row!, { actorId: loan.actorId, from: null, to: 'requested', reason: loan.reason ?? null });
  return row!;
}

/** Appends a loan event (the table refuses updates and deletes). */
export async function recordLoanEvent(
  tx: Transaction,
  loan: { id: string; orgId: string },
  change: { actorId: string | null; from: string | null; to: string; reason: string | null; details?: Record<string, unknown> | null },
) {
  await tx.insert(equipmentLoanEvents).values({
    id: newId(),
    orgId: loan.orgId,
    loanId: loan.id,
    actorId: change.actorId,
    fromStatus: change.from,
    toStatus: change.to,
    reason: change.reason,
    details: change.details ?? null,
  });
}

/** Keeps a refused request for unmet-demand analytics; call it outside the refused request's transaction. */
export async function recordEquipmentRefusal(db: Db, refusal: { orgId: string; typeId: string; borrowerSiteId: string; quantity: number; shortfall: number; use: InstantRange }) {
  if (refusal.shortfall <= 0) return;
  await db.insert(equipmentRefusals).values({
    id: newId(),
    orgId: refusal.orgId,
    typeId: refusal.typeId,
    borrowerSiteId: refusal.borrowerSiteId,
    quantity: refusal.quantity,
    shortfall: Math.min(refusal.shortfall, refusal.quantity),
    useStart: new Date(refusal.use.start),
    useEnd: new Date(refusal.use.end),
  });
}

/**
 * Moves a loan to `to` at the version it was read at, with its event; `set` carries what the step records (returned
 * counts, overdue flag). Refuses a lost race (VERSION_MISMATCH). Which steps are allowed is the caller's judgement
 * (`judgeLoanStep`); this only writes.
 */
export async function transitionLoan(
  tx: Transaction,
  loan: LoanRow,
  change: { to: LoanStatus; actorId: string | null; reason: string | null; now: Date; details?: Record<string, unknown> | null; set?: Partial<Pick<LoanRow, 'returnedDamaged' | 'returnedMissing' | 'overdueAt'>> },
): Promise<LoanRow> {
  const [updated] = await tx
    .update(equipmentLoans)
    .set({ ...change.set, status: change.to, version: loan.version + 1, updatedAt: change.now })
    .where(and(eq(equipmentLoans.id, loan.id), eq(equipmentLoans.version, loan.version)))
    .returning();
  if (!updated) throw new AppError('VERSION_MISMATCH');
  await recordLoanEvent(tx, updated, { actorId: change.actorId, from: loan.status, to: change.to, reason: change.reason, details: change.details });
  return updated;
}

type Owner = { bookingId: string } | { sessionId: string };
const ownerFilter = (owner: Owner) => ('bookingId' in owner ? eq(equipmentLoans.bookingId, owner.bookingId) : eq(equipmentLoans.sessionId, owner.sessionId));

/** The loans a booking or a session asked for, oldest first. */
export async function findLoansOf(db: Db, owner: Owner): Promise<LoanRow[]> {
  return db.select().from(equipmentLoans).where(ownerFilter(owner)).orderBy(asc(equipmentLoans.createdAt), asc(equipmentLoans.id));
}

/**
 * Withdraws what a booking or session still only promised (requested or approved loans), each with its event, when
 * it is cancelled. Units already dispatched stay on their loans: they must come back and be checked. Returns how
 * many loans were cancelled.
 */
export async function cancelLoansOf(tx: Transaction, owner: Owner, change: { actorId: string | null; reason: string; now: Date }): Promise<number> {
  const open = await tx
    .select()
    .from(equipmentLoans)
    .where(and(ownerFilter(owner), inArray(equipmentLoans.status, ['requested', 'approved'])))
    .orderBy(asc(equipmentLoans.id))
    .for('update');
  for (const loan of open) await transitionLoan(tx, loan, { to: 'cancelled', actorId: change.actorId, reason: change.reason, now: change.now });
  return open.length;
}

/**
 * Moves the not-yet-dispatched loans of a booking or session to its new window. Each is judged again under its
 * lender's lock without counting itself; one that no longer fits is cancelled with reason `no_longer_available`
 * (its event says so), never left promising units that are not there. Returns what happened to each.
 */
export async function moveLoansOf(tx: Transaction, owner: Owner, change: { use: InstantRange; actorId: string | null; now: Date }): Promise<{ moved: LoanRow[]; cancelled: LoanRow[] }> {
  const loans = (await findLoansOf(tx, owner)).filter((loan) => loan.status === 'requested' || loan.status === 'approved');
  const moved: LoanRow[] = [];
  const cancelled: LoanRow[] = [];
  if (loans.length === 0) return { moved, cancelled };
  const settings = await findTransitSettings(tx, loans[0]!.orgId);
  for (const loan of [...loans].sort((a, b) => a.lenderSiteId.localeCompare(b.lenderSiteId) || a.typeId.localeCompare(b.typeId))) {
    const [lender, borrower] = await Promise.all([findSitePlace(tx, loan.orgId, loan.lenderSiteId), findSitePlace(tx, loan.orgId, loan.borrowerSiteId)]);
    const claim = claimWindow(change.use, transitBetween(lender, borrower, settings).ms);
    const stock = await lockStock(tx, loan.lenderSiteId, loan.typeId);
    const holding = (await findHoldingLoans(tx, [loan.lenderSiteId], loan.typeId, claim, { excludeLoanIds: [loan.id] })).map((h) => h.loan);
    const type = await findEquipmentType(tx, loan.orgId, loan.typeId);
    const fits = judgeLoanRange(change.use, type.maxLoanDays) === null && judgeLoan(stock, claim, loan.quantity, lender.id !== borrower.id, holding, change.now.getTime()) === null;
    if (!fits) {
      cancelled.push(await transitionLoan(tx, loan, { to: 'cancelled', actorId: change.actorId, reason: 'no_longer_available', now: change.now }));
      continue;
    }
    const [updated] = await tx
      .update(equipmentLoans)
      .set({ useStart: new Date(change.use.start), useEnd: new Date(change.use.end), claimStart: new Date(claim.start), claimEnd: new Date(claim.end), version: loan.version + 1, updatedAt: change.now })
      .where(and(eq(equipmentLoans.id, loan.id), eq(equipmentLoans.version, loan.version)))
      .returning();
    if (!updated) throw new AppError('VERSION_MISMATCH');
    await recordLoanEvent(tx, updated, {
      actorId: change.actorId,
      from: loan.status,
      to: loan.status,
      reason: 'moved',
      details: { fromStart: loan.useStart.toISOString(), fromEnd: loan.useEnd.toISOString(), toStart: updated.useStart.toISOString(), toEnd: updated.useEnd.toISOString() },
    });
    moved.push(updated);
  }
  return { moved, cancelled };
}

/** Loans whose units are still out after their claim window and not yet flagged: the lifecycle sweep flags them. */
export async function findUnflaggedOverdueLoans(db: Db, now: Date, limit = 500): Promise<LoanRow[]> {
  return db
    .select()
    .from(equipmentLoans)
    .where(and(inArray(equipmentLoans.status, [...LOAN_OUT_STATUSES]), lte(equipmentLoans.claimEnd, now), isNull(equipmentLoans.overdueAt)))
    .orderBy(asc(equipmentLoans.claimEnd))
    .limit(limit);
}

/** What a check found: counts for counted stock; for a tracked type, the items (the counts are their lengths). */
export interface ReturnedUnits {
  damaged: number;
  missing: number;
  damagedItemIds: readonly string[];
  missingItemIds: readonly string[];
}

/**
 * Takes the units a check found damaged or missing out of the lender's pool until they are repaired or found: the
 * counted stock's in_service goes down and damaged/missing up, or the named tracked items leave service, each with
 * a holding event naming the loan. The caller holds `lockStock(lender, type)`. Refuses HOLDING_UNITS_INSUFFICIENT
 * when the holding no longer has those units in service (recounted down while they were out).
 */
export async function takeReturnedUnitsOutOfService(
  tx: Transaction,
  loan: LoanRow,
  units: ReturnedUnits,
  change: { tracked: boolean; actorId: string | null; now: Date; note?: string | null },
): Promise<void> {
  const { equipmentHoldingEvents } = schema;
  const ofLender = and(eq(equipmentHoldings.siteId, loan.lenderSiteId), eq(equipmentHoldings.typeId, loan.typeId));
  const recordTaken = (holdingId: string, kind: 'damaged' | 'missing', count: number) =>
    tx.insert(equipmentHoldingEvents).values({ id: newId(), orgId: loan.orgId, holdingId, actorId: change.actorId, kind, units: count, loanId: loan.id, note: change.note ?? null });
  if (!change.tracked) {
    const total = units.damaged + units.missing;
    if (total === 0) return;
    const [stock] = await tx
      .update(equipmentHoldings)
      .set({
        inService: sql`${equipmentHoldings.inService} - ${total}`,
        damaged: sql`${equipmentHoldings.damaged} + ${units.damaged}`,
        missing: sql`${equipmentHoldings.missing} + ${units.missing}`,
        version: sql`${equipmentHoldings.version} + 1`,
        updatedAt: change.now,
      })
      .where(and(ofLender, isNull(equipmentHoldings.assetTag), gte(equipmentHoldings.inService, total)))
      .returning({ id: equipmentHoldings.id });
    if (!stock) throw new AppError('HOLDING_UNITS_INSUFFICIENT', { details: { siteId: loan.lenderSiteId, units: total } });
    if (units.damaged > 0) await recordTaken(stock.id, 'damaged', units.damaged);
    if (units.missing > 0) await recordTaken(stock.id, 'missing', units.missing);
    return;
  }
  const outcomes = [...units.damagedItemIds.map((id) => ({ id, kind: 'damaged' as const })), ...units.missingItemIds.map((id) => ({ id, kind: 'missing' as const }))];
  for (const { id, kind } of outcomes.sort((a, b) => a.id.localeCompare(b.id))) {
    const [item] = await tx
      .update(equipmentHoldings)
      .set({ inService: 0, ...(kind === 'damaged' ? { damaged: 1 } : { missing: 1 }), version: sql`${equipmentHoldings.version} + 1`, updatedAt: change.now })
      .where(and(ofLender, eq(equipmentHoldings.id, id), isNotNull(equipmentHoldings.assetTag), eq(equipmentHoldings.inService, 1)))
      .returning({ id: equipmentHoldings.id });
    if (!item) throw new AppError('HOLDING_UNITS_INSUFFICIENT', { details: { holdingId: id } });
    await recordTaken(item.id, kind, 1);
  }
}

/** Loans that only promise units (nothing has left the lender): the ones a shrunken pool may have to withdraw. */
const PROMISE_STATUSES: ReadonlySet<string> = new Set(['requested', 'approved'] satisfies LoanStatus[]);

/**
 * After units left a lender's pool (a check found some damaged or missing, a recount), keeps every loan that still
 * fits and cancels the promises that no longer do, so no loan is left promising units that are not there. Units
 * already out stay on their loans; each not-yet-dispatched loan, first come first kept (id order), is judged
 * against what is kept before it, and one that does not fit is cancelled with reason `no_longer_available`. The
 * caller holds `lockStock(lender, type)`. Returns the cancelled loans.
 */
export async function cancelPromisesBeyondStock(
  tx: Transaction,
  input: { lenderSiteId: string; typeId: string; actorId: string | null; now: Date; details?: Record<string, unknown> | null },
): Promise<LoanRow[]> {
  const stock = await lockStock(tx, input.lenderSiteId, input.typeId);
  const loans = await tx
    .select()
    .from(equipmentLoans)
    .where(and(eq(equipmentLoans.lenderSiteId, input.lenderSiteId), eq(equipmentLoans.typeId, input.typeId), inArray(equipmentLoans.status, [...LOAN_HOLDING_STATUSES])))
    .orderBy(asc(equipmentLoans.id))
    .for('update');
  const asHolding = (loan: LoanRow): HoldingLoan => ({
    claim: { start: loan.claimStart.getTime(), end: loan.claimEnd.getTime() },
    quantity: loan.quantity,
    status: loan.status,
    external: loan.borrowerSiteId !== loan.lenderSiteId,
  });
  const kept = loans.filter((loan) => !PROMISE_STATUSES.has(loan.status)).map(asHolding);
  const cancelled: LoanRow[] = [];
  for (const loan of loans.filter((l) => PROMISE_STATUSES.has(l.status))) {
    const holding = asHolding(loan);
    if (judgeLoan(stock, holding.claim, holding.quantity, holding.external, kept, input.now.getTime()) === null) {
      kept.push(holding);
      continue;
    }
    cancelled.push(await transitionLoan(tx, loan, { to: 'cancelled', actorId: input.actorId, reason: 'no_longer_available', now: input.now, details: input.details ?? null }));
  }
  return cancelled;
}

// ---- what the people on each side of a loan are told ------------------------------------------------------------

const lenderSite = alias(sites, 'lender_site');
const borrowerSite = alias(sites, 'borrower_site');
const requester = alias(users, 'requester');

/** Each loan's facts for its messages (named in the organization's language), with who asked for it. */
async function findLoanNotices(db: Db, loanIds: readonly string[]): Promise<Map<string, { facts: LoanFacts; requesterName: string | null }>> {
  if (loanIds.length === 0) return new Map();
  const rows = await db
    .select({
      loanId: equipmentLoans.id,
      equipmentName: equipmentTypes.nameZh,
      quantity: equipmentLoans.quantity,
      lenderSiteName: lenderSite.name,
      borrowerSiteName: borrowerSite.name,
      siteZone: borrowerSite.timezone,
      useStart: equipmentLoans.useStart,
      useEnd: equipmentLoans.useEnd,
      requesterName: requester.displayName,
    })
    .from(equipmentLoans)
    .innerJoin(equipmentTypes, eq(equipmentTypes.id, equipmentLoans.typeId))
    .innerJoin(lenderSite, eq(lenderSite.id, equipmentLoans.lenderSiteId))
    .innerJoin(borrowerSite, eq(borrowerSite.id, equipmentLoans.borrowerSiteId))
    .leftJoin(requester, eq(requester.id, equipmentLoans.requestedBy))
    .where(inArray(equipmentLoans.id, [...loanIds]));
  return new Map(
    rows.map(({ useStart, useEnd, requesterName, ...facts }) => [facts.loanId, { facts: { ...facts, useStartAt: useStart.toISOString(), useEndAt: useEnd.toISOString() }, requesterName }]),
  );
}

/** Who works at each of `siteIds` in one of `roles`, by site. */
async function findStaffOfSites(db: Db, siteIds: readonly string[], roles: readonly string[]): Promise<Map<string, string[]>> {
  if (siteIds.length === 0) return new Map();
  const rows = await db
    .select({ siteId: userSites.siteId, userId: users.id })
    .from(userSites)
    .innerJoin(users, eq(users.id, userSites.userId))
    .where(and(inArray(userSites.siteId, [...new Set(siteIds)]), inArray(users.role, [...roles]), isNull(users.disabledAt)));
  const bySite = new Map<string, string[]>();
  for (const row of rows) bySite.set(row.siteId, [...(bySite.get(row.siteId) ?? []), row.userId]);
  return bySite;
}

/**
 * The staff and managers of each lending site are asked to answer a loan request (staff.loan_request: the lender's
 * side, naming the requester). The requester is not told of their own request (loan.requested would only echo it)
 * nor asked to answer it. Loans already settled (a site lending to itself is approved at once) ask nobody.
 */
export async function loanRequestIntents(db: Db, loans: readonly LoanRow[], requesterId: string | null): Promise<NotificationIntent[]> {
  const asking = loans.filter((loan) => loan.status === 'requested');
  if (asking.length === 0) return [];
  const [notices, staff] = await Promise.all([
    findLoanNotices(db, asking.map((loan) => loan.id)),
    findStaffOfSites(db, asking.map((loan) => loan.lenderSiteId), ['staff', 'site_manager']),
  ]);
  return asking.flatMap((loan) => {
    const notice = notices.get(loan.id)!;
    const facts = { ...notice.facts, requesterName: notice.requesterName ?? notice.facts.borrowerSiteName };
    return (staff.get(loan.lenderSiteId) ?? [])
      .filter((userId) => userId !== requesterId)
      .map((userId) => notify.staffLoanRequest({ orgId: loan.orgId, recipientId: userId, facts }));
  });
}

/**
 * The borrowing side hears its loan was approved or sent (the requester), or that it is overdue (the requester and
 * the lending site's managers, who must get the units back). Whoever took the step is not told of it.
 */
export async function loanProgressIntents(db: Db, loan: LoanRow, kind: 'loan.approved' | 'loan.dispatched' | 'loan.overdue', actorId: string | null): Promise<NotificationIntent[]> {
  const managers = kind === 'loan.overdue' ? ((await findStaffOfSites(db, [loan.lenderSiteId], ['site_manager'])).get(loan.lenderSiteId) ?? []) : [];
  const recipients = [...new Set([...(loan.requestedBy ? [loan.requestedBy] : []), ...managers])].filter((userId) => userId !== actorId);
  if (recipients.length === 0) return [];
  const { facts } = (await findLoanNotices(db, [loan.id])).get(loan.id)!;
  const build = { 'loan.approved': notify.loanApproved, 'loan.dispatched': notify.loanDispatched, 'loan.overdue': notify.loanOverdue }[kind];
  return recipients.map((recipientId) => build({ orgId: loan.orgId, recipientId, facts }));
}
