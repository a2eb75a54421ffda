/**
 * Loans of equipment between sites: a request (split across lenders when asked, or nearest first), then each step
 * by staff of the right side, each an event, until the lender checks the units back in. The claims core
 * (claims/equipment-claims.ts) guarantees the quantities: every request is judged under the lenders' stock locks,
 * and a check that finds units damaged or missing takes them out of the pool and withdraws the promises that no
 * longer fit.
 */
import type { CreateLoanBody, Loan, LoanDetail, LoanListQuery, LoanRequestResponse, LoanStepBody } from '@linli/contracts';
import { type Database, SQLSTATE, type Transaction, sqlStateOf } from '@linli/db';
import { LOAN_STEPS, type LoanParty, type LoanStatus, type LoanStep, isLoanOverdue, judgeLoanStep } from '@linli/domain';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { toIso } from '../../lib/dates.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { type Actor, canSeeSite } from '../../plugins/access.ts';
import {
  type EquipmentTypeRow,
  type LoanRow,
  type ReturnedUnits,
  cancelPromisesBeyondStock,
  claimLoanRequest,
  findEquipmentType,
  findPoolStanding,
  findUnflaggedOverdueLoans,
  loanProgressIntents,
  loanRequestIntents,
  lockStock,
  recordEquipmentRefusal,
  takeReturnedUnitsOutOfService,
  transitionLoan,
} from '../claims/equipment-claims.ts';
import { recordNotifications } from '../outbox/outbox.ts';
import {
  type LoanView,
  countUnitsAway,
  findItemIdsOfLoan,
  findItemsFreeToGo,
  findItemsOfLoans,
  findLoan,
  findLoanEvents,
  findLoanViews,
  findSiteIdsOfOrg,
  findOwnerSite,
  insertLoanItems,
  listLoanViews,
  lockLoan,
} from './loans.repository.ts';

/** A deadlock or serialization failure is retried this many times in all before the caller is told 409. */
const TRANSACTION_ATTEMPTS = 3;
/**
 * An automatic split is planned from an unlocked read; when a lender is taken before its lock is reached but the
 * pool still has the units elsewhere, the request is planned again. Each retry means another request committed.
 */
const REPLAN_ATTEMPTS = 5;

const isTransientConflict = (error: unknown) => {
  const state = sqlStateOf(error);
  return state === SQLSTATE.deadlockDetected || state === SQLSTATE.serializationFailure;
};

/** Runs `work` in a transaction, again after a deadlock or serialization failure, then answers 409 CONFLICT. */
async function inRetriedTransaction<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (!isTransientConflict(error)) throw error;
      if (attempt >= TRANSACTION_ATTEMPTS) throw new AppError('CONFLICT', { detail: 'Other changes to this equipment kept colliding with this one; try again.' });
    }
  }
}

function toLoan(view: LoanView, items: { loanId: string; holdingId: string; assetTag: string }[], now: Date): Loan {
  const { loan } = view;
  return {
    id: loan.id,
    requestId: loan.requestId,
    typeId: loan.typeId,
    typeKey: view.typeKey,
    typeNameZh: view.typeNameZh,
    typeNameEn: view.typeNameEn,
    tracked: view.tracked,
    lenderSiteId: loan.lenderSiteId,
    lenderSiteName: view.lenderSiteName,
    borrowerSiteId: loan.borrowerSiteId,
    borrowerSiteName: view.borrowerSiteName,
    quantity: loan.quantity,
    start: toIso(loan.useStart),
    end: toIso(loan.useEnd),
    claimStart: toIso(loan.claimStart),
    claimEnd: toIso(loan.claimEnd),
    status: loan.status as LoanStatus,
    bookingId: loan.bookingId,
    sessionId: loan.sessionId,
    purpose: loan.purpose,
    // From the clock, not only the sweep's flag: a loan is overdue the moment its units should have been back.
    overdue: isLoanOverdue({ status: loan.status, claimEnd: loan.claimEnd.getTime() }, now.getTime()),
    returnedDamaged: loan.returnedDamaged,
    returnedMissing: loan.returnedMissing,
    items: items.filter((item) => item.loanId === loan.id).map((item) => ({ holdingId: item.holdingId, assetTag: item.assetTag })),
    version: loan.version,
    createdAt: toIso(loan.createdAt),
  };
}

async function loadLoans(db: Database | Transaction, orgId: string, loanIds: readonly string[], now: Date): Promise<Loan[]> {
  const [views, items] = await Promise.all([findLoanViews(db, orgId, loanIds), findItemsOfLoans(db, loanIds)]);
  return views.map((view) => toLoan(view, items, now));
}

/** The sides of a loan the actor works for: org admins both; site staff by their sites; none -> the loan is not theirs. */
function partiesOf(actor: Actor, loan: Pick<LoanRow, 'lenderSiteId' | 'borrowerSiteId'>): LoanParty[] {
  if (actor.role === 'org_admin') return ['lender', 'borrower'];
  const parties: LoanParty[] = [];
  if (actor.siteIds.includes(loan.lenderSiteId)) parties.push('lender');
  if (actor.siteIds.includes(loan.borrowerSiteId)) parties.push('borrower');
  return parties;
}

async function loanOfActor(db: Database, actor: Actor, loanId: string): Promise<{ loan: LoanRow; parties: LoanParty[] }> {
  const loan = actor.role === 'resident' ? undefined : await findLoan(db, actor.orgId, loanId);
  const parties = loan ? partiesOf(actor, loan) : [];
  if (!loan || parties.length === 0) throw notFound('Loan');
  return { loan, parties };
}

/**
 * POST /equipment/loans. The borrower must be a site the caller works at; the type, every named lender and the
 * booking or session must be the organization's (another organization's do not exist here: 404), and the booking
 * or session must be at the borrowing site. The units are claimed all or nothing in one transaction; a shortfall is
 * recorded for unmet-demand analytics after the rollback. A site borrowing from itself needs nobody's consent:
 * its loan is approved at once (event reason `own_site`); every other lender's staff are asked in the same
 * transaction (staff.loan_request).
 */
export async function requestLoan(deps: AppDeps, actor: Actor, body: CreateLoanBody): Promise<LoanRequestResponse> {
  const { db } = deps;
  const now = deps.now();
  if (!canSeeSite(actor, body.borrowerSiteId)) throw notFound('Site');
  const named = [body.borrowerSiteId, ...(body.lenders ?? []).map((part) => part.siteId)];
  const open = await findSiteIdsOfOrg(db, actor.orgId, named);
  if (named.some((siteId) => !open.has(siteId))) throw notFound('Site');
  await findEquipmentType(db, actor.orgId, body.typeId);
  const owner = body.bookingId ? { bookingId: body.bookingId } : body.sessionId ? { sessionId: body.sessionId } : null;
  if (owner) {
    const ownerSiteId = await findOwnerSite(db, actor.orgId, owner);
    if (!ownerSiteId) throw notFound('bookingId' in owner ? 'Booking' : 'Session');
    if (ownerSiteId !== body.borrowerSiteId) throw new AppError('LOAN_OWNER_AT_OTHER_SITE', { details: { siteId: ownerSiteId } });
  }
  const use = { start: Date.parse(body.start), end: Date.parse(body.end) };
  const input = {
    orgId: actor.orgId,
    typeId: body.typeId,
    borrowerSiteId: body.borrowerSiteId,
    quantity: body.quantity,
    use,
    lenders: body.lenders,
    bookingId: body.bookingId ?? null,
    sessionId: body.sessionId ?? null,
    purpose: body.purpose ?? null,
    actorId: actor.userId,
    now,
    reason: 'requested',
  };
  for (let plan = 1; ; plan++) {
    try {
      const loans = await inRetriedTransaction(db, async (tx) => {
        const written = await claimLoanRequest(tx, input);
        const settled: LoanRow[] = [];
        for (const loan of written) {
          settled.push(loan.lenderSiteId === loan.borrowerSiteId ? await transitionLoan(tx, loan, { to: 'approved', actorId: actor.userId, reason: 'own_site', now }) : loan);
        }
        await recordNotifications(tx, await loanRequestIntents(tx, settled, actor.userId), { now });
        return settled;
      });
      return { requestId: loans[0]!.requestId, loans: await loadLoans(db, actor.orgId, loans.map((loan) => loan.id), now) };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'EQUIPMENT_SHORTFALL') throw error;
      const refusal = await standingAfterRefusal(db, error, { ...input, destinationSiteId: body.borrowerSiteId });
      // The plan was made before the locks; another request got there first but the pool can still do it.
      if (!body.lenders && refusal.shortfall === 0 && plan < REPLAN_ATTEMPTS) continue;
      await recordEquipmentRefusal(db, { orgId: actor.orgId, typeId: body.typeId, borrowerSiteId: body.borrowerSiteId, quantity: body.quantity, shortfall: refusal.shortfall, use });
      throw refusal.error;
    }
  }
}

/**
 * A lender's part refused under its lock was judged inside the request's transaction, beside the parts already
 * written for the same request, so the pool's standing it reports counts those too. After the rollback the pool is
 * asked again, for the answer and for the unmet-demand record. A refusal of the plan itself came before any write.
 */
async function standingAfterRefusal(db: Database, error: AppError, need: Parameters<typeof findPoolStanding>[1]): Promise<{ shortfall: number; error: AppError }> {
  const details = error.options.details ?? {};
  if (!('siteId' in details)) return { shortfall: Number(details.shortfall ?? 0), error };
  const standing = await findPoolStanding(db, need);
  const lenders = standing.lenders.map((l) => ({ siteId: l.siteId, siteName: l.siteName, free: l.free, distanceKm: l.distanceKm }));
  return { shortfall: standing.shortfall, error: new AppError('EQUIPMENT_SHORTFALL', { details: { ...details, shortfall: standing.shortfall, totalFree: standing.totalFree, lenders } }) };
}

/** Field problems for what a step does not take: items go out at dispatch; counts come back at return and check. */
function refuseFieldsNotForStep(step: LoanStep, body: LoanStepBody): void {
  const counts = ['damaged', 'missing', 'damagedItemIds', 'missingItemIds'] as const;
  const errors = [
    ...(step !== 'dispatch' && body.itemIds !== undefined ? [{ path: 'itemIds', message: 'is only for dispatch' }] : []),
    ...(step !== 'return' && step !== 'check' ? counts.filter((field) => body[field] !== undefined).map((path) => ({ path, message: 'is only for return and check' })) : []),
  ];
  if (errors.length) throw new AppError('VALIDATION_FAILED', { errors });
}

function refuseStep(step: LoanStep, status: string, parties: readonly LoanParty[]): void {
  const refusal = judgeLoanStep(step, status, parties);
  if (refusal === 'INVALID_TRANSITION') throw new AppError('LOAN_INVALID_TRANSITION', { details: { from: status, step, allowedFrom: LOAN_STEPS[step].from } });
  if (refusal === 'NOT_YOUR_SIDE') throw new AppError('LOAN_WRONG_SIDE', { details: { step, by: LOAN_STEPS[step].by } });
}

const distinct = (ids: readonly string[]) => new Set(ids).size === ids.length;

/**
 * What came back broken or did not come back, from the step's body. Counted types give counts; tracked types may
 * name the items (the lender's check must: those are the items that leave service), and counts given beside them
 * must agree. More than the loan's quantity is refused.
 */
function readReturnedUnits(step: 'return' | 'check', loan: LoanRow, tracked: boolean, body: LoanStepBody): ReturnedUnits {
  const damagedItemIds = body.damagedItemIds ?? [];
  const missingItemIds = body.missingItemIds ?? [];
  const named = damagedItemIds.length + missingItemIds.length > 0;
  const damaged = body.damaged ?? damagedItemIds.length;
  const missing = body.missing ?? missingItemIds.length;
  if (damaged + missing > loan.quantity) throw new AppError('RETURN_EXCEEDS_LOAN', { details: { quantity: loan.quantity, damaged, missing } });
  if (!tracked && named) throw new AppError('LOAN_ITEMS_MISMATCH', { detail: 'This equipment is counted, not tracked: give damaged and missing as numbers.' });
  if (tracked) {
    const agrees = damaged === damagedItemIds.length && missing === missingItemIds.length;
    if (!agrees && (named || step === 'check')) {
      throw new AppError('LOAN_ITEMS_MISMATCH', { detail: 'Name the damaged and missing items (damagedItemIds, missingItemIds).' });
    }
    if (!distinct([...damagedItemIds, ...missingItemIds])) throw new AppError('LOAN_ITEMS_MISMATCH', { detail: 'Name each item once.' });
  }
  return { damaged, missing, damagedItemIds, missingItemIds };
}

/** Steps that change what the lender has at home take its stock lock, before the loan's (the core's lock order). */
const STOCK_STEPS: ReadonlySet<LoanStep> = new Set(['dispatch', 'check']);

/**
 * POST /equipment/loans/:id/:step. The actor's sides decide what they may do (wrong side 403, out of order 409);
 * the step is decided again on the loan's locked row. Dispatch assigns the tracked items that go (or checks the
 * units are at home), return keeps the borrower's report in the event, and check takes damaged and missing units out
 * of the pool, withdrawing later promises that no longer fit. The requester hears of approval and dispatch.
 */
export async function takeLoanStep(deps: AppDeps, actor: Actor, loanId: string, step: LoanStep, body: LoanStepBody): Promise<Loan> {
  const { db } = deps;
  const now = deps.now();
  const { loan, parties } = await loanOfActor(db, actor, loanId);
  refuseStep(step, loan.status, parties);
  refuseFieldsNotForStep(step, body);
  const type = await findEquipmentType(db, loan.orgId, loan.typeId);
  if (step === 'dispatch' && !type.tracked && body.itemIds !== undefined) {
    throw new AppError('LOAN_ITEMS_MISMATCH', { detail: 'This equipment is counted, not tracked: dispatch it without items.' });
  }
  const returned = step === 'return' || step === 'check' ? readReturnedUnits(step, loan, type.tracked, body) : null;
  const reason = body.reason ?? null;

  const updated = await inRetriedTransaction(db, async (tx) => {
    const changed = await applyLoanStep(tx, actor, loan, step, { type, body, returned, reason, now, parties });
    const told = STEPS_TOLD_TO_REQUESTER[step];
    if (told) await recordNotifications(tx, await loanProgressIntents(tx, changed, told, actor.userId), { now });
    return changed;
  });
  return (await loadLoans(db, actor.orgId, [updated.id], now))[0]!;
}

/** The steps the borrowing side's requester is told of. */
const STEPS_TOLD_TO_REQUESTER: Partial<Record<LoanStep, 'loan.approved' | 'loan.dispatched'>> = { approve: 'loan.approved', dispatch: 'loan.dispatched' };

/** One step on the loan's locked row, in the caller's transaction. */
async function applyLoanStep(
  tx: Transaction,
  actor: Actor,
  loan: LoanRow,
  step: LoanStep,
  input: { type: EquipmentTypeRow; body: LoanStepBody; returned: ReturnedUnits | null; reason: string | null; now: Date; parties: LoanParty[] },
): Promise<LoanRow> {
  const { type, body, returned, reason, now, parties } = input;
  // A loan's lender and type never change, so the stock lock can be taken from the unlocked read.
  const stock = STOCK_STEPS.has(step) ? await lockStock(tx, loan.lenderSiteId, loan.typeId) : null;
  const current = (await lockLoan(tx, loan.id))!;
  refuseStep(step, current.status, parties);
  const to = LOAN_STEPS[step].to;
  switch (step) {
    case 'dispatch': {
      const details = await prepareDispatch(tx, current, type.tracked, body.itemIds ?? [], stock!);
      const dispatched = await transitionLoan(tx, current, { to, actorId: actor.userId, reason, now, details });
      await insertLoanItems(tx, dispatched, body.itemIds ?? []);
      return dispatched;
    }
    case 'return':
    case 'check': {
      if (type.tracked && returned!.damagedItemIds.length + returned!.missingItemIds.length > 0) {
        const items = await findItemIdsOfLoan(tx, current.id);
        if (![...returned!.damagedItemIds, ...returned!.missingItemIds].every((id) => items.has(id))) {
          throw new AppError('LOAN_ITEMS_MISMATCH', { detail: 'Name only items that went out with this loan.' });
        }
      }
      const details = { damaged: returned!.damaged, missing: returned!.missing, ...(type.tracked ? { damagedItemIds: returned!.damagedItemIds, missingItemIds: returned!.missingItemIds } : {}) };
      if (step === 'return') return transitionLoan(tx, current, { to, actorId: actor.userId, reason, now, details });
      const checked = await transitionLoan(tx, current, { to, actorId: actor.userId, reason, now, details, set: { returnedDamaged: returned!.damaged, returnedMissing: returned!.missing } });
      if (returned!.damaged + returned!.missing > 0) {
        await takeReturnedUnitsOutOfService(tx, checked, returned!, { tracked: type.tracked, actorId: actor.userId, now, note: reason });
        await cancelPromisesBeyondStock(tx, { lenderSiteId: checked.lenderSiteId, typeId: checked.typeId, actorId: actor.userId, now, details: { checkedLoanId: checked.id } });
      }
      return checked;
    }
    default:
      return transitionLoan(tx, current, { to, actorId: actor.userId, reason, now });
  }
}

/**
 * Dispatch sends units that are at home. A tracked type names exactly `quantity` distinct items of the lender, in
 * service, at home and (to another site) lendable. A counted type needs that many units not away on other loans:
 * units out early or not yet checked in cannot be sent twice, which also keeps a later check's damage within stock.
 */
async function prepareDispatch(tx: Transaction, loan: LoanRow, tracked: boolean, itemIds: readonly string[], stock: { inService: number }) {
  if (!tracked) {
    const away = await countUnitsAway(tx, loan.lenderSiteId, loan.typeId);
    if (away + loan.quantity > stock.inService) {
      throw new AppError('HOLDING_UNITS_INSUFFICIENT', { detail: 'Not enough of these units are at the lending site now.', details: { inService: stock.inService, away, quantity: loan.quantity } });
    }
    return null;
  }
  const free = itemIds.length === loan.quantity && distinct(itemIds) ? await findItemsFreeToGo(tx, { lenderSiteId: loan.lenderSiteId, typeId: loan.typeId, holdingIds: itemIds, external: loan.lenderSiteId !== loan.borrowerSiteId }) : [];
  if (free.length !== loan.quantity) {
    const refused = itemIds.filter((id) => !free.includes(id));
    throw new AppError('LOAN_ITEMS_MISMATCH', { details: { quantity: loan.quantity, named: itemIds.length, refusedItemIds: [...new Set(refused)] } });
  }
  return { itemIds: [...itemIds] };
}

/** GET /equipment/loans/:id: the loan with its history, for staff of either side. */
export async function getLoanDetail(deps: AppDeps, actor: Actor, loanId: string): Promise<LoanDetail> {
  const { loan } = await loanOfActor(deps.db, actor, loanId);
  const [[view], events] = await Promise.all([loadLoans(deps.db, actor.orgId, [loan.id], deps.now()), findLoanEvents(deps.db, loan.id)]);
  return {
    loan: view!,
    events: events.map(({ event, actorName }) => ({
      id: event.id,
      at: toIso(event.at),
      from: event.fromStatus as LoanStatus | null,
      to: event.toStatus as LoanStatus,
      actorName,
      reason: event.reason,
      details: event.details,
    })),
  };
}

/**
 * GET /equipment/loans. Site staff see the loans their sites lend or borrow (or one of their sites', with
 * `siteId`); org admins every loan of the organization, or one site's with `siteId`. Oldest first, by id.
 */
export async function listLoans(deps: AppDeps, actor: Actor, query: LoanListQuery) {
  const now = deps.now();
  const after = decodeCursor(query.cursor);
  if (query.siteId && (!canSeeSite(actor, query.siteId) || !(await findSiteIdsOfOrg(deps.db, actor.orgId, [query.siteId], { includeArchived: true })).has(query.siteId))) throw notFound('Site');
  const siteIds = query.siteId ? [query.siteId] : actor.role === 'org_admin' ? null : actor.siteIds;
  if (siteIds?.length === 0) return { items: [], nextCursor: null };
  const rows = await listLoanViews(deps.db, {
    orgId: actor.orgId,
    scope: siteIds ? { siteIds, side: query.side } : null,
    typeId: query.typeId,
    status: query.status,
    overdue: query.overdue,
    now,
    bookingId: query.bookingId,
    sessionId: query.sessionId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    after,
    limit: query.limit,
  });
  const page = toPage(rows.map((view) => ({ ...view, id: view.loan.id })), query.limit);
  const items = await findItemsOfLoans(deps.db, page.items.map((view) => view.id));
  return { items: page.items.map((view) => toLoan(view, items, now)), nextCursor: page.nextCursor };
}

/**
 * The lifecycle sweep's part for loans: each loan whose units are still out after its claim window is flagged once
 * (overdue_at, and an event from its status to the same status with reason `overdue`), decided on its locked row so
 * overlapping sweeps flag it once; its requester and the lending site's managers are told with the flag. Returns
 * how many were flagged.
 */
export async function flagOverdueLoans(deps: Pick<AppDeps, 'db' | 'now'>): Promise<number> {
  const now = deps.now();
  let flagged = 0;
  for (const candidate of await findUnflaggedOverdueLoans(deps.db, now)) {
    flagged += await deps.db.transaction(async (tx) => {
      const loan = await lockLoan(tx, candidate.id);
      if (!loan || loan.overdueAt || !isLoanOverdue({ status: loan.status, claimEnd: loan.claimEnd.getTime() }, now.getTime())) return 0;
      const flaggedLoan = await transitionLoan(tx, loan, { to: loan.status as LoanStatus, actorId: null, reason: 'overdue', now, set: { overdueAt: now } });
      await recordNotifications(tx, await loanProgressIntents(tx, flaggedLoan, 'loan.overdue', null), { now });
      return 1;
    });
  }
  return flagged;
}
