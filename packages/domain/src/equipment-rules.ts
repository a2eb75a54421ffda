/**
 * The equipment pool's pure rules. A loan is a claim of `quantity` units of one equipment type held by one lending
 * site, over the borrower's use window widened by the transit time each way; the claims engine's counted judgement
 * decides whether it fits beside the loans already holding that site's units. The database repeats the statuses
 * (CHECK in migration 0014) and a test checks both against this file.
 */
import { type ClaimRefusal, judgeClaim } from './claims.ts';
import { distanceKm } from './geo.ts';
import type { InstantRange } from './time.ts';

/** Every status a loan can be in, in the order of its life. */
export const LOAN_STATUSES = ['requested', 'approved', 'dispatched', 'received', 'returned', 'checked', 'rejected', 'cancelled'] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

/**
 * Statuses that hold the lender's units. A returned loan still holds them: the units are on their way back and
 * nobody has counted them yet; the lender's check releases them (and takes damaged or missing ones out of the pool).
 */
export const LOAN_HOLDING_STATUSES = ['requested', 'approved', 'dispatched', 'received', 'returned'] as const satisfies readonly LoanStatus[];
/** Statuses in which the units are away from the lender: an overdue loan in one of these keeps them past its end. */
export const LOAN_OUT_STATUSES = ['dispatched', 'received'] as const satisfies readonly LoanStatus[];
/** Loans that were made (not refused or withdrawn before anything moved): what "loans made" counts. */
export const LOAN_MADE_STATUSES = ['dispatched', 'received', 'returned', 'checked'] as const satisfies readonly LoanStatus[];

const HOLDING_SET: ReadonlySet<string> = new Set(LOAN_HOLDING_STATUSES);
const OUT_SET: ReadonlySet<string> = new Set(LOAN_OUT_STATUSES);
export const isLoanHolding = (status: string) => HOLDING_SET.has(status);
export const isLoanOut = (status: string) => OUT_SET.has(status);

/** Which side of a loan acts: the site that owns the units or the site that uses them. */
export type LoanParty = 'lender' | 'borrower';

/**
 * Each step, where it may come from and which side takes it. Receive comes after dispatch, return after receive:
 * out of order is refused. Either side may cancel until the units leave the lender.
 */
export const LOAN_STEPS = {
  approve: { from: ['requested'], to: 'approved', by: ['lender'] },
  reject: { from: ['requested'], to: 'rejected', by: ['lender'] },
  cancel: { from: ['requested', 'approved'], to: 'cancelled', by: ['lender', 'borrower'] },
  dispatch: { from: ['approved'], to: 'dispatched', by: ['lender'] },
  receive: { from: ['dispatched'], to: 'received', by: ['borrower'] },
  return: { from: ['received'], to: 'returned', by: ['borrower'] },
  check: { from: ['returned'], to: 'checked', by: ['lender'] },
} as const satisfies Record<string, { from: readonly LoanStatus[]; to: LoanStatus; by: readonly LoanParty[] }>;
export type LoanStep = keyof typeof LOAN_STEPS;
export const LOAN_STEP_NAMES = Object.keys(LOAN_STEPS) as LoanStep[];

export type LoanStepRefusal = 'INVALID_TRANSITION' | 'NOT_YOUR_SIDE';

/** Whether `parties` (the sides the actor works for; both when a site lends to itself) may take `step` now. */
export function judgeLoanStep(step: LoanStep, status: string, parties: readonly LoanParty[]): LoanStepRefusal | null {
  const rule = LOAN_STEPS[step];
  if (!(rule.from as readonly string[]).includes(status)) return 'INVALID_TRANSITION';
  if (!parties.some((party) => (rule.by as readonly LoanParty[]).includes(party))) return 'NOT_YOUR_SIDE';
  return null;
}

/** How long units take to travel between two sites, from the organization's settings. */
export interface TransitSettings {
  /** Fixed handling time for any move between two different sites (loading, paperwork). */
  transitBaseMinutes: number;
  /** Travel time per kilometre of straight-line distance (city traffic, not a route planner). */
  transitMinutesPerKm: number;
}

export const DEFAULT_TRANSIT: TransitSettings = { transitBaseMinutes: 60, transitMinutesPerKm: 4 };
/** Transit times are rounded up to this step so buffers read as "1 h 30 min", not "1 h 27 min". */
const TRANSIT_STEP_MINUTES = 15;
/** The longest any organization may let a loan run (its types set their own, up to this). */
export const MAX_LOAN_DAYS = 90;
export const DAY_MS = 24 * 60 * 60 * 1000;

interface Place {
  lat: number | null;
  lng: number | null;
}

/**
 * Straight-line distance between two sites, or null when either has no coordinates (such a site ranks last and
 * gets the base handling time plus a 30 km allowance, the span of a large district).
 */
export function siteDistanceKm(a: Place, b: Place): number | null {
  if (a.lat === null || a.lng === null || b.lat === null || b.lng === null) return null;
  return distanceKm({ lat: a.lat, lng: a.lng }, { lat: b.lat, lng: b.lng });
}

const UNKNOWN_DISTANCE_KM = 30;

/** Transit time one way between a lender and a borrower, in ms: zero at the same site. */
export function transitMs(sameSite: boolean, km: number | null, settings: TransitSettings): number {
  if (sameSite) return 0;
  const minutes = settings.transitBaseMinutes + settings.transitMinutesPerKm * (km ?? UNKNOWN_DISTANCE_KM);
  return Math.ceil(minutes / TRANSIT_STEP_MINUTES) * TRANSIT_STEP_MINUTES * 60_000;
}

/** The lender's units are held from the moment they leave until they are back: the use window plus transit each way. */
export function claimWindow(use: InstantRange, transit: number): InstantRange {
  return { start: use.start - transit, end: use.end + transit };
}

export type LoanRangeRefusal = { code: 'INVALID_INTERVAL' } | { code: 'LOAN_TOO_LONG'; params: { maxDays: number } };

/** A loan's use window must run forwards and not exceed its type's longest loan. */
export function judgeLoanRange(use: InstantRange, maxLoanDays: number): LoanRangeRefusal | null {
  if (!(use.end > use.start)) return { code: 'INVALID_INTERVAL' };
  const maxDays = Math.min(maxLoanDays, MAX_LOAN_DAYS);
  if (use.end - use.start > maxDays * DAY_MS) return { code: 'LOAN_TOO_LONG', params: { maxDays } };
  return null;
}

/** A loan already holding a lender's units, as the judgement needs it. */
export interface HoldingLoan {
  claim: InstantRange;
  quantity: number;
  status: string;
  /** The loan goes to another site (counts against the units the owner lends out). */
  external: boolean;
}

/** What a site owns of one type: units in service, and how many of them it lends to other sites. */
export interface SiteStock {
  inService: number;
  lendable: number;
}

/**
 * The range a holding loan really occupies at `now`: an overdue loan whose units are still out keeps them until it
 * is returned, so nobody is promised units that have not come back.
 */
export function occupiedRange(loan: HoldingLoan, now: number): InstantRange {
  if (isLoanOut(loan.status) && loan.claim.end <= now) return { start: loan.claim.start, end: Number.POSITIVE_INFINITY };
  return loan.claim;
}

/**
 * Whether `quantity` units fit over `claim` beside the loans holding the lender's stock. Every claim counts against
 * the units in service; claims by other sites also count against the units the owner lends out.
 */
export function judgeLoan(stock: SiteStock, claim: InstantRange, quantity: number, external: boolean, holding: readonly HoldingLoan[], now: number): ClaimRefusal | null {
  const all = holding.map((loan) => ({ range: occupiedRange(loan, now), quantity: loan.quantity }));
  const overall = judgeClaim({ mode: 'counted', capacity: stock.inService }, claim, quantity, all);
  if (overall || !external) return overall;
  const lentOut = holding.filter((loan) => loan.external).map((loan) => ({ range: occupiedRange(loan, now), quantity: loan.quantity }));
  return judgeClaim({ mode: 'counted', capacity: stock.lendable }, claim, quantity, lentOut);
}

/** How many more units fit over `claim` (0 when none): the largest quantity `judgeLoan` would accept. */
export function unitsFree(stock: SiteStock, claim: InstantRange, external: boolean, holding: readonly HoldingLoan[], now: number): number {
  // Asking each judgement for one more unit than it has always refuses, and its `remaining` is then exact. Both
  // limits are asked on their own: a probe through judgeLoan stops at the first (in service) and never sees lendable.
  const remaining = (capacity: number, loans: readonly HoldingLoan[]) => {
    const refusal = judgeClaim({ mode: 'counted', capacity }, claim, capacity + 1, loans.map((loan) => ({ range: occupiedRange(loan, now), quantity: loan.quantity })));
    return refusal?.code === 'CAPACITY_FULL' ? refusal.params.remaining : 0;
  };
  const overall = remaining(stock.inService, holding);
  return external ? Math.min(overall, remaining(stock.lendable, holding.filter((loan) => loan.external))) : overall;
}

/** A loan is overdue when its units are still out after its claim window (the use end plus transit back) ended. */
export function isLoanOverdue(loan: { status: string; claimEnd: number }, now: number): boolean {
  return isLoanOut(loan.status) && loan.claimEnd <= now;
}

/** One lender's offer for a pool request, nearest first. */
export interface LenderOffer {
  siteId: string;
  distanceKm: number | null;
  free: number;
  transitMs: number;
}

/**
 * Nearest lenders first; sites without coordinates last; at the same distance the shorter transit (the destination's
 * own units need none, even beside a site at the same coordinates), then more units free.
 */
export function rankLenders<T extends LenderOffer>(offers: readonly T[]): T[] {
  return [...offers].sort(
    (a, b) =>
      (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) ||
      a.transitMs - b.transitMs ||
      b.free - a.free ||
      a.siteId.localeCompare(b.siteId),
  );
}

/**
 * Splits `quantity` across ranked lenders, nearest first, taking what each has free. Returns the parts and the
 * shortfall (units nobody can lend).
 */
export function splitAcrossLenders<T extends LenderOffer>(ranked: readonly T[], quantity: number): { parts: { lender: T; quantity: number }[]; shortfall: number } {
  const parts: { lender: T; quantity: number }[] = [];
  let left = quantity;
  for (const lender of ranked) {
    if (left <= 0) break;
    const take = Math.min(left, lender.free);
    if (take > 0) parts.push({ lender, quantity: take });
    left -= take;
  }
  return { parts, shortfall: Math.max(0, left) };
}

export type { ClaimRefusal };
