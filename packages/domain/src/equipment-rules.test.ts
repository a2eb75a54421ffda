import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  DEFAULT_TRANSIT,
  type HoldingLoan,
  LOAN_HOLDING_STATUSES,
  LOAN_OUT_STATUSES,
  LOAN_STATUSES,
  LOAN_STEP_NAMES,
  type LenderOffer,
  type LoanParty,
  type LoanStep,
  MAX_LOAN_DAYS,
  claimWindow,
  isLoanOverdue,
  judgeLoan,
  judgeLoanRange,
  judgeLoanStep,
  rankLenders,
  splitAcrossLenders,
  transitMs,
  unitsFree,
} from './equipment-rules.ts';

const H = 3_600_000;
const MIN = 60_000;
const r = (startHour: number, endHour: number) => ({ start: startHour * H, end: endHour * H });
const loan = (range: { start: number; end: number }, quantity: number, status = 'approved', external = true): HoldingLoan => ({ claim: range, quantity, status, external });

describe('transitMs: handling time plus distance, rounded up to 15 minutes', () => {
  const settings = { transitBaseMinutes: 60, transitMinutesPerKm: 4 };
  it.each([
    ['the same site needs no transit, whatever the distance', true, 12, settings, 0],
    ['two sites at the same spot still pay the handling time', false, 0, settings, 60],
    ['one km: 64 min rounds up to 75', false, 1, settings, 75],
    ['3.75 km is exactly 75 min', false, 3.75, settings, 75],
    ['just past 3.75 km rounds up to 90', false, 3.76, settings, 90],
    ['unknown distance counts as 30 km (60 + 120)', false, null, settings, 180],
    ['no handling and no travel time is no transit', false, 5, { transitBaseMinutes: 0, transitMinutesPerKm: 0 }, 0],
    ['ten minutes of handling still rounds up to a quarter hour', false, 0, { transitBaseMinutes: 10, transitMinutesPerKm: 0 }, 15],
  ] as const)('%s', (_title, sameSite, km, transit, minutes) => {
    expect(transitMs(sameSite, km, transit)).toBe(minutes * MIN);
  });

  it('the defaults are an hour of handling and four minutes a kilometre', () => {
    expect(transitMs(false, 10, DEFAULT_TRANSIT)).toBe(105 * MIN);
  });
});

describe('claimWindow: the use window widened by transit each way', () => {
  it.each([
    [r(10, 12), H, r(9, 13)],
    [r(10, 12), 0, r(10, 12)],
    [r(10, 12), 90 * MIN, { start: 8.5 * H, end: 13.5 * H }],
  ])('%o widened by %i ms', (use, transit, expected) => {
    expect(claimWindow(use, transit)).toEqual(expected);
  });
});

describe('judgeLoanRange: forwards and no longer than the type allows', () => {
  const from = 1000 * DAY_MS;
  it.each([
    ['an empty window', from, 0, 14, { code: 'INVALID_INTERVAL' }],
    ['a reversed window', from, -H, 14, { code: 'INVALID_INTERVAL' }],
    ['one hour', from, H, 14, null],
    ['exactly the longest loan', from, 14 * DAY_MS, 14, null],
    ['a millisecond past the longest loan', from, 14 * DAY_MS + 1, 14, { code: 'LOAN_TOO_LONG', params: { maxDays: 14 } }],
    ['a type allowing more than the organization cap is held to the cap', from, MAX_LOAN_DAYS * DAY_MS, 200, null],
    ['past the cap, the refusal names the cap', from, MAX_LOAN_DAYS * DAY_MS + 1, 200, { code: 'LOAN_TOO_LONG', params: { maxDays: MAX_LOAN_DAYS } }],
  ] as const)('%s', (_title, start, length, maxLoanDays, expected) => {
    expect(judgeLoanRange({ start, end: start + length }, maxLoanDays)).toEqual(expected);
  });
});

describe('judgeLoan and unitsFree: counted units over the claim window', () => {
  const stock = { inService: 10, lendable: 10 };
  const now = 0;
  const cases: { title: string; stock: { inService: number; lendable: number }; claim: { start: number; end: number }; external: boolean; holding: HoldingLoan[]; now: number; free: number }[] = [
    { title: 'nothing lent: every unit', stock, claim: r(10, 12), external: true, holding: [], now, free: 10 },
    { title: 'an overlapping loan of 6 leaves 4', stock, claim: r(10, 12), external: true, holding: [loan(r(11, 13), 6)], now, free: 4 },
    { title: 'back to back with a loan is free (half-open windows)', stock, claim: r(12, 14), external: true, holding: [loan(r(10, 12), 6)], now, free: 10 },
    { title: 'the busiest instant counts, not the sum', stock, claim: r(10, 14), external: true, holding: [loan(r(9, 11), 6), loan(r(12, 15), 6)], now, free: 4 },
    { title: 'an overdue loan still out holds its units past its window', stock, claim: r(12, 14), external: true, holding: [loan(r(8, 10), 6, 'dispatched')], now: 11 * H, free: 4 },
    { title: 'an overdue loan received by the borrower holds them too', stock, claim: r(12, 14), external: true, holding: [loan(r(8, 10), 6, 'received')], now: 11 * H, free: 4 },
    { title: 'a loan out but not yet overdue holds only its window', stock, claim: r(12, 14), external: true, holding: [loan(r(8, 10), 6, 'dispatched')], now: 9 * H, free: 10 },
    { title: 'a returned loan (units on their way back) holds only its window', stock, claim: r(12, 14), external: true, holding: [loan(r(8, 10), 6, 'returned')], now: 11 * H, free: 10 },
    { title: 'a loan not yet dispatched is not extended when its window passes', stock, claim: r(12, 14), external: true, holding: [loan(r(8, 10), 6, 'approved')], now: 11 * H, free: 10 },
    { title: 'other sites get only the lendable units', stock: { inService: 10, lendable: 4 }, claim: r(10, 12), external: true, holding: [], now, free: 4 },
    { title: 'the owner itself may use every unit in service', stock: { inService: 10, lendable: 4 }, claim: r(10, 12), external: false, holding: [], now, free: 10 },
    { title: 'the owner using 8 leaves 2 for others, though 4 are lendable', stock: { inService: 10, lendable: 4 }, claim: r(10, 12), external: true, holding: [loan(r(10, 12), 8, 'approved', false)], now, free: 2 },
    { title: 'three lent out leave one lendable unit for others', stock: { inService: 10, lendable: 4 }, claim: r(10, 12), external: true, holding: [loan(r(10, 12), 3)], now, free: 1 },
    { title: 'three lent out leave seven for the owner', stock: { inService: 10, lendable: 4 }, claim: r(10, 12), external: false, holding: [loan(r(10, 12), 3)], now, free: 7 },
    { title: 'nothing lendable: nothing for others', stock: { inService: 5, lendable: 0 }, claim: r(10, 12), external: true, holding: [], now, free: 0 },
    { title: 'nothing in service: nothing for anyone', stock: { inService: 0, lendable: 0 }, claim: r(10, 12), external: false, holding: [], now, free: 0 },
    { title: 'over-committed stock (units damaged after loans were made) answers 0, not a negative', stock: { inService: 3, lendable: 3 }, claim: r(10, 12), external: true, holding: [loan(r(10, 12), 5)], now, free: 0 },
  ];

  it.each(cases)('$title', (c) => {
    expect(unitsFree(c.stock, c.claim, c.external, c.holding, c.now)).toBe(c.free);
    if (c.free > 0) expect(judgeLoan(c.stock, c.claim, c.free, c.external, c.holding, c.now)).toBeNull();
    expect(judgeLoan(c.stock, c.claim, c.free + 1, c.external, c.holding, c.now)?.code).toBe('CAPACITY_FULL');
  });

  it('refuses with the figures of the limit that binds', () => {
    expect(judgeLoan({ inService: 10, lendable: 4 }, r(10, 12), 5, true, [], now)).toEqual({ code: 'CAPACITY_FULL', params: { capacity: 4, taken: 0, remaining: 4 } });
    expect(judgeLoan({ inService: 10, lendable: 4 }, r(10, 12), 3, true, [loan(r(10, 12), 8, 'approved', false)], now)).toEqual({
      code: 'CAPACITY_FULL',
      params: { capacity: 10, taken: 8, remaining: 2 },
    });
  });

  it('unitsFree is the largest quantity judgeLoan accepts (property)', () => {
    const holdingLoan = fc.record({
      start: fc.integer({ min: 0, max: 30 }),
      length: fc.integer({ min: 1, max: 10 }),
      quantity: fc.integer({ min: 1, max: 6 }),
      status: fc.constantFrom(...LOAN_HOLDING_STATUSES),
      external: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(holdingLoan, { maxLength: 8 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 45 }),
        (loans, inService, lendableRaw, start, length, external, nowHour) => {
          const stockNow = { inService, lendable: Math.min(inService, lendableRaw) };
          const holding = loans.map((l) => loan(r(l.start, l.start + l.length), l.quantity, l.status, l.external));
          const claim = r(start, start + length);
          let largest = 0;
          for (let q = 1; q <= inService + 1; q++) if (judgeLoan(stockNow, claim, q, external, holding, nowHour * H) === null) largest = q;
          expect(unitsFree(stockNow, claim, external, holding, nowHour * H)).toBe(largest);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('isLoanOverdue: still out after the claim window ended', () => {
  it.each([
    ['dispatched', 10 * H, 11 * H, true],
    ['received', 10 * H, 10 * H, true],
    ['received', 10 * H, 10 * H - 1, false],
    ['returned', 10 * H, 11 * H, false],
    ['approved', 10 * H, 11 * H, false],
    ['checked', 10 * H, 11 * H, false],
  ] as const)('%s ending at %i, now %i: %s', (status, claimEnd, now, expected) => {
    expect(isLoanOverdue({ status, claimEnd }, now)).toBe(expected);
  });

  it('the status sets nest: out within holding, both within all', () => {
    expect(LOAN_OUT_STATUSES.every((s) => (LOAN_HOLDING_STATUSES as readonly string[]).includes(s))).toBe(true);
    expect(LOAN_HOLDING_STATUSES.every((s) => (LOAN_STATUSES as readonly string[]).includes(s))).toBe(true);
  });
});

describe('rankLenders and splitAcrossLenders', () => {
  const offer = (siteId: string, distanceKm: number | null, free: number, transitMinutes = 60): LenderOffer => ({ siteId, distanceKm, free, transitMs: transitMinutes * MIN });

  it.each([
    ['nearest first', [offer('far', 9, 5), offer('near', 1, 5), offer('mid', 4, 5)], ['near', 'mid', 'far']],
    ['sites without coordinates last', [offer('unknown', null, 50), offer('far', 30, 1)], ['far', 'unknown']],
    ['two without coordinates: more free first', [offer('a', null, 1), offer('b', null, 3)], ['b', 'a']],
    ['at the same distance, more units free first', [offer('few', 2, 1), offer('many', 2, 8)], ['many', 'few']],
    ['the destination (no transit) before another site at the same spot with more free', [offer('neighbour', 0, 9, 60), offer('home', 0, 2, 0)], ['home', 'neighbour']],
    ['a full tie is broken by site id, so the order is stable', [offer('b', 2, 1), offer('a', 2, 1)], ['a', 'b']],
  ] as const)('%s', (_title, offers, expected) => {
    expect(rankLenders(offers).map((o) => o.siteId)).toEqual(expected);
  });

  const ranked = [offer('a', 1, 3), offer('empty', 2, 0), offer('b', 3, 5), offer('c', 4, 2)];
  it.each([
    [0, [], 0],
    [2, [['a', 2]], 0],
    [3, [['a', 3]], 0],
    [4, [['a', 3], ['b', 1]], 0],
    [10, [['a', 3], ['b', 5], ['c', 2]], 0],
    [11, [['a', 3], ['b', 5], ['c', 2]], 1],
    [100, [['a', 3], ['b', 5], ['c', 2]], 90],
  ] as const)('%i units: nearest first, skipping a lender with none free', (quantity, parts, shortfall) => {
    const split = splitAcrossLenders(ranked, quantity);
    expect(split.parts.map((p) => [p.lender.siteId, p.quantity])).toEqual(parts);
    expect(split.shortfall).toBe(shortfall);
  });

  it('nobody to ask: everything is short', () => {
    expect(splitAcrossLenders([], 4)).toEqual({ parts: [], shortfall: 4 });
  });
});

describe('judgeLoanStep: every step, from every status, by every side', () => {
  // Written out by hand (not read from LOAN_STEPS) so a changed rule shows up here.
  const RULES: Record<LoanStep, { from: string[]; by: LoanParty[] }> = {
    approve: { from: ['requested'], by: ['lender'] },
    reject: { from: ['requested'], by: ['lender'] },
    cancel: { from: ['requested', 'approved'], by: ['lender', 'borrower'] },
    dispatch: { from: ['approved'], by: ['lender'] },
    receive: { from: ['dispatched'], by: ['borrower'] },
    return: { from: ['received'], by: ['borrower'] },
    check: { from: ['returned'], by: ['lender'] },
  };
  const SIDES: LoanParty[][] = [['lender'], ['borrower'], ['lender', 'borrower'], []];

  it('names exactly these steps', () => {
    expect([...LOAN_STEP_NAMES].sort()).toEqual(Object.keys(RULES).sort());
  });

  const cases = LOAN_STEP_NAMES.flatMap((step) =>
    [...LOAN_STATUSES, 'bogus'].flatMap((status) =>
      SIDES.map((parties) => {
        const rule = RULES[step];
        const expected = !rule.from.includes(status) ? 'INVALID_TRANSITION' : parties.some((p) => rule.by.includes(p)) ? null : 'NOT_YOUR_SIDE';
        return { step, status, parties, side: parties.join('+') || 'nobody', expected };
      }),
    ),
  );
  it.each(cases)('$step from $status by $side: $expected', ({ step, status, parties, expected }) => {
    expect(judgeLoanStep(step, status, parties)).toBe(expected);
  });

  it('a step out of order is refused as such even by the wrong side (receive before dispatch)', () => {
    expect(judgeLoanStep('receive', 'approved', ['lender'])).toBe('INVALID_TRANSITION');
  });
});
