/**
 * Random sequences of requests (random borrower, quantity, window and lenders), approvals, dispatches, receipts,
 * returns, checks with damage, cancellations and rejections, run through the real API against one organization
 * with three sites and one counted type, and mirrored by a plain in-memory model. Every answer must be the model's,
 * and after every command the database must promise no lender more units than it has in service at any instant,
 * nor lend other sites more than it lends out.
 */
import { schema } from '@linli/db';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { createEquipmentType, createHolding, setTransit } from './loans.factories.ts';

const DAY_START = Date.parse(at('2027-03-10', '08:00'));
const HOUR = 3_600_000;
/** Transit is a flat hour between two different sites (no per-km part), none at the same site. */
const TRANSIT = HOUR;
/** Units each site owns, and whether it lends them to other sites. */
const STOCK = [
  { units: 3, lendable: true },
  { units: 2, lendable: true },
  { units: 2, lendable: false },
];
/** Sites lie on a line 0 - 1 km - 3 km: each borrower's nearest lenders, itself first. */
const NEAREST = [
  [0, 1, 2],
  [1, 0, 2],
  [2, 1, 0],
];
const SITE_KM = [0, 1, 3];

type Lenders = { kind: 'auto' } | { kind: 'one'; site: number } | { kind: 'split'; sites: [number, number] };
type Op =
  | { kind: 'request'; borrower: number; quantity: number; day: number; slot: number; hours: number; lenders: Lenders }
  | { kind: 'approve' | 'reject' | 'cancel' | 'dispatch' | 'receive'; index: number }
  | { kind: 'return' | 'check'; index: number; damaged: number; missing: number }
  /** The next step of an open loan, whatever it is: random steps alone rarely get a loan far. */
  | { kind: 'advance'; index: number; damaged: number; missing: number };
type StepOp = Exclude<Op, { kind: 'request' } | { kind: 'advance' }>;

const site = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      borrower: site,
      quantity: fc.integer({ min: 1, max: 4 }),
      day: fc.integer({ min: 0, max: 1 }),
      slot: fc.integer({ min: 0, max: 5 }),
      hours: fc.integer({ min: 1, max: 3 }),
      lenders: fc.oneof(
        { weight: 3, arbitrary: fc.constant({ kind: 'auto' as const }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('one' as const), site }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('split' as const), sites: fc.tuple(site, site) }) },
      ),
    }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'dispatch' as const, 'receive' as const, 'cancel' as const, 'reject' as const), index: fc.nat(40) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('return' as const, 'check' as const), index: fc.nat(40), damaged: fc.integer({ min: 0, max: 2 }), missing: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('advance' as const), index: fc.nat(40), damaged: fc.integer({ min: 0, max: 2 }), missing: fc.integer({ min: 0, max: 1 }) }) },
);

interface ModelLoan {
  id: string;
  lender: number;
  borrower: number;
  quantity: number;
  claim: { start: number; end: number };
  status: string;
}

const HOLDING = new Set(['requested', 'approved', 'dispatched', 'received', 'returned']);
const AWAY = new Set(['dispatched', 'received', 'returned']);
const PROMISED = new Set(['requested', 'approved']);
const STEP_FROM: Record<string, string[]> = {
  approve: ['requested'],
  reject: ['requested'],
  cancel: ['requested', 'approved'],
  dispatch: ['approved'],
  receive: ['dispatched'],
  return: ['received'],
  check: ['returned'],
};
const STEP_TO: Record<string, string> = { approve: 'approved', reject: 'rejected', cancel: 'cancelled', dispatch: 'dispatched', receive: 'received', return: 'returned', check: 'checked' };
const NEXT_STEP: Record<string, 'approve' | 'dispatch' | 'receive' | 'return' | 'check'> = { requested: 'approve', approved: 'dispatch', dispatched: 'receive', received: 'return', returned: 'check' };

/** The most units held at once over `range` by `loans`: the peak is reached at the range start or a loan's start. */
function peak(loans: readonly { claim: { start: number; end: number }; quantity: number }[], range: { start: number; end: number }): number {
  const instants = [range.start, ...loans.map((l) => l.claim.start).filter((s) => s > range.start && s < range.end)];
  return Math.max(0, ...instants.map((i) => loans.filter((l) => l.claim.start <= i && i < l.claim.end).reduce((sum, l) => sum + l.quantity, 0)));
}

/** The model's stock: units in service per site (damage and losses take them out). */
class PoolModel {
  inService = STOCK.map((s) => s.units);
  loans: ModelLoan[] = [];
  refusals = 0;

  lendable(lender: number) {
    return STOCK[lender]!.lendable ? this.inService[lender]! : 0;
  }

  /** Units of `lender` free over `claim`, against `kept` (the holding loans, unless given). */
  free(lender: number, claim: { start: number; end: number }, external: boolean, kept = this.loans.filter((l) => HOLDING.has(l.status))): number {
    const mine = kept.filter((l) => l.lender === lender);
    const overall = this.inService[lender]! - peak(mine, claim);
    const outward = this.lendable(lender) - peak(mine.filter((l) => l.borrower !== l.lender), claim);
    return Math.max(0, external ? Math.min(overall, outward) : overall);
  }

  claimOf(lender: number, borrower: number, use: { start: number; end: number }) {
    const transit = lender === borrower ? 0 : TRANSIT;
    return { start: use.start - transit, end: use.end + transit };
  }

  /** The parts a request gets, or null when it is refused (and whether the refusal is kept as unmet demand). */
  request(op: Extract<Op, { kind: 'request' }>): { lender: number; quantity: number }[] | null {
    const use = useOf(op);
    const offers = NEAREST[op.borrower]!.map((lender) => ({ lender, free: this.free(lender, this.claimOf(lender, op.borrower, use), lender !== op.borrower) }));
    const shortfall = Math.max(0, op.quantity - offers.reduce((sum, o) => sum + o.free, 0));
    let parts: { lender: number; quantity: number }[];
    const named = requestedLenders(op);
    if (named) {
      parts = named;
      const fits = parts.every((p) => offers.find((o) => o.lender === p.lender)!.free >= p.quantity);
      if (!fits) {
        if (shortfall > 0) this.refusals += 1;
        return null;
      }
    } else {
      if (shortfall > 0) {
        this.refusals += 1;
        return null;
      }
      parts = [];
      let left = op.quantity;
      for (const offer of offers) {
        const take = Math.min(left, offer.free);
        if (take > 0) parts.push({ lender: offer.lender, quantity: take });
        left -= take;
      }
    }
    return parts;
  }

  add(loan: ModelLoan) {
    this.loans.push(loan);
  }

  /** What a step answers: 200, or the status of its refusal. */
  expectStep(op: StepOp, loan: ModelLoan): number {
    if (!STEP_FROM[op.kind]!.includes(loan.status)) return 409;
    if ((op.kind === 'return' || op.kind === 'check') && op.damaged + op.missing > loan.quantity) return 422;
    if (op.kind === 'dispatch') {
      const away = this.loans.filter((l) => l.lender === loan.lender && AWAY.has(l.status)).reduce((sum, l) => sum + l.quantity, 0);
      if (away + loan.quantity > this.inService[loan.lender]!) return 409;
    }
    return 200;
  }

  /** Applies an accepted step; a check with damage takes units out and withdraws promises that no longer fit. */
  applyStep(op: StepOp, loan: ModelLoan) {
    loan.status = STEP_TO[op.kind]!;
    if (op.kind !== 'check' || op.damaged + op.missing === 0) return;
    this.inService[loan.lender]! -= op.damaged + op.missing;
    const mine = this.loans.filter((l) => l.lender === loan.lender && HOLDING.has(l.status)).sort((a, b) => (a.id < b.id ? -1 : 1));
    const kept = mine.filter((l) => !PROMISED.has(l.status));
    for (const promise of mine.filter((l) => PROMISED.has(l.status))) {
      if (this.free(loan.lender, promise.claim, promise.borrower !== promise.lender, kept) >= promise.quantity) kept.push(promise);
      else promise.status = 'cancelled';
    }
  }
}

/** Two days apart, loans on different days never meet: units lent on one are promised again on the other. */
function useOf(op: Extract<Op, { kind: 'request' }>) {
  const start = DAY_START + op.day * 24 * HOUR + op.slot * HOUR;
  return { start, end: start + op.hours * HOUR };
}

function requestedLenders(op: Extract<Op, { kind: 'request' }>): { lender: number; quantity: number }[] | null {
  if (op.lenders.kind === 'auto') return null;
  if (op.lenders.kind === 'one' || op.lenders.sites[0] === op.lenders.sites[1] || op.quantity < 2) {
    return [{ lender: op.lenders.kind === 'one' ? op.lenders.site : op.lenders.sites[0], quantity: op.quantity }];
  }
  const first = Math.ceil(op.quantity / 2);
  return [
    { lender: op.lenders.sites[0], quantity: first },
    { lender: op.lenders.sites[1], quantity: op.quantity - first },
  ];
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
});
afterAll(() => t.close());

/** A fresh organization per run: three sites on a line, one counted type, the stock above, flat transit. */
async function freshPool() {
  const org = await createOrg(t.db);
  await setTransit(t.db, org.id, { transitBaseMinutes: TRANSIT / 60_000, transitMinutesPerKm: 0 });
  const sites = [];
  for (const km of SITE_KM) sites.push(await createSite(t.db, { orgId: org.id, lat: 31.2 + km / 111.19, lng: 121.4 }));
  const type = await createEquipmentType(t.db, { orgId: org.id, maxLoanDays: 2 });
  const holdings = [];
  for (const [i, s] of STOCK.entries()) holdings.push(await createHolding(t.db, { orgId: org.id, siteId: sites[i]!.id, typeId: type.id, units: s.units, lendable: s.lendable }));
  const token = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
  return { org, sites, type, holdings, token };
}

/** No lender promises more than it has in service at any instant, nor lends other sites more than it lends out. */
async function expectNoOverCommitment(pool: Awaited<ReturnType<typeof freshPool>>) {
  const loans = (await t.db.select().from(schema.equipmentLoans).where(eq(schema.equipmentLoans.orgId, pool.org.id))).filter((l) => HOLDING.has(l.status));
  const holdings = await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.typeId, pool.type.id));
  for (const [lender, s] of pool.sites.entries()) {
    const holding = holdings.find((h) => h.siteId === s.id)!;
    const mine = loans.filter((l) => l.lenderSiteId === s.id).map((l) => ({ claim: { start: l.claimStart.getTime(), end: l.claimEnd.getTime() }, quantity: l.quantity, external: l.borrowerSiteId !== l.lenderSiteId }));
    for (const loan of mine) {
      const at = { start: loan.claim.start, end: loan.claim.start + 1 };
      expect(peak(mine, at), `site ${lender} at ${new Date(at.start).toISOString()}`).toBeLessThanOrEqual(holding.inService);
      expect(peak(mine.filter((l) => l.external), at), `site ${lender} lent out at ${new Date(at.start).toISOString()}`).toBeLessThanOrEqual(holding.lendable ? holding.inService : 0);
    }
  }
}

describe('the equipment pool against an in-memory model', () => {
  it('random request/approve/dispatch/receive/return/check/cancel/reject sequences never over-commit and answer as the model predicts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 15, maxLength: 40, size: 'max' }), async (ops) => {
        const pool = await freshPool();
        const model = new PoolModel();
        for (const op of ops) {
          if (op.kind === 'request') {
            const expected = model.request(op);
            const use = useOf(op);
            const named = requestedLenders(op);
            const res = await t.app.inject({
              method: 'POST',
              url: '/api/v1/equipment/loans',
              headers: bearer(pool.token),
              payload: {
                typeId: pool.type.id,
                quantity: op.quantity,
                borrowerSiteId: pool.sites[op.borrower]!.id,
                start: new Date(use.start).toISOString(),
                end: new Date(use.end).toISOString(),
                ...(named ? { lenders: named.map((p) => ({ siteId: pool.sites[p.lender]!.id, quantity: p.quantity })) } : {}),
              },
            });
            expect(res.statusCode, JSON.stringify({ op, expected, body: res.json() })).toBe(expected ? 201 : 409);
            if (expected) {
              const index = new Map(pool.sites.map((s, i) => [s.id, i]));
              const parts = res.json().loans.map((l: { lenderSiteId: string; quantity: number }) => ({ lender: index.get(l.lenderSiteId)!, quantity: l.quantity }));
              expect(parts.sort((a: { lender: number }, b: { lender: number }) => a.lender - b.lender)).toEqual([...expected].sort((a, b) => a.lender - b.lender));
              for (const loan of res.json().loans) {
                model.add({ id: loan.id, lender: index.get(loan.lenderSiteId)!, borrower: op.borrower, quantity: loan.quantity, claim: { start: Date.parse(loan.claimStart), end: Date.parse(loan.claimEnd) }, status: loan.status });
              }
              // A site lending to itself approves at once; the model's claim windows are the API's.
              for (const loan of res.json().loans) expect(loan.status).toBe(index.get(loan.lenderSiteId) === op.borrower ? 'approved' : 'requested');
            }
          } else {
            const candidates = op.kind === 'advance' ? model.loans.filter((l) => NEXT_STEP[l.status]) : model.loans;
            const loan = candidates[op.index % Math.max(candidates.length, 1)];
            if (!loan) continue;
            const step: StepOp = op.kind === 'advance' ? { ...op, kind: NEXT_STEP[loan.status]! } : op;
            const expected = model.expectStep(step, loan);
            const body = step.kind === 'return' || step.kind === 'check' ? { damaged: step.damaged, missing: step.missing } : {};
            const res = await t.app.inject({ method: 'POST', url: `/api/v1/equipment/loans/${loan.id}/${step.kind}`, headers: bearer(pool.token), payload: body });
            expect(res.statusCode, JSON.stringify({ step, loan, body: res.json() })).toBe(expected);
            if (expected === 200) model.applyStep(step, loan);
          }

          await expectNoOverCommitment(pool);
          // What the database holds is what the model holds: every loan's status, every site's units in service.
          const rows = await t.db.select({ id: schema.equipmentLoans.id, status: schema.equipmentLoans.status }).from(schema.equipmentLoans).where(eq(schema.equipmentLoans.orgId, pool.org.id));
          expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual(Object.fromEntries(model.loans.map((l) => [l.id, l.status])));
          const holdings = await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.typeId, pool.type.id));
          expect(pool.sites.map((s) => holdings.find((h) => h.siteId === s.id)!.inService)).toEqual(model.inService);
        }
        const refusals = await t.db.select().from(schema.equipmentRefusals).where(eq(schema.equipmentRefusals.orgId, pool.org.id));
        expect(refusals).toHaveLength(model.refusals);
      }),
      { numRuns: 25 },
    );
  }, 300_000);
});
