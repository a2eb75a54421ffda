/**
 * Loans between sites through the API: the whole life of a loan, split requests, every bad input the issue names
 * (each a 4xx with its code and nothing written), transit buffers, overdue loans, damage leaving the pool, tracked
 * items at dispatch, and the lists.
 */
import { schema } from '@linli/db';
import { DEFAULT_TRANSIT, siteDistanceKm, transitMs } from '@linli/domain';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { type LoanWorld, createBooking, createEquipmentType, createHolding, createLoanWorld, stockOf } from './loans.factories.ts';
import { flagOverdueLoans } from './loans.service.ts';

const NOW = at('2027-03-01', '09:00');
const DAY = '2027-03-10';
const HOUR = 3_600_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: NOW });
});
afterAll(() => t.close());

const requestLoan = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/equipment/loans', headers: bearer(token), payload });
const step = (token: string, loanId: string, name: string, payload: object = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1/equipment/loans/${loanId}/${name}`, headers: bearer(token), payload });
const detailOf = (token: string, loanId: string) => t.app.inject({ method: 'GET', url: `/api/v1/equipment/loans/${loanId}`, headers: bearer(token) });
const list = (token: string, query: string) => t.app.inject({ method: 'GET', url: `/api/v1/equipment/loans?${query}`, headers: bearer(token) });

/** Takes a loan through `steps` as the given sides, expecting each to succeed. */
async function walk(w: LoanWorld, loanId: string, steps: [token: string, name: string, payload?: object][]) {
  let last: any;
  for (const [token, name, payload] of steps) {
    const res = await step(token, loanId, name, payload);
    expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
    last = bodyOf(res);
  }
  return last;
}

/** Everything a loan request or step could write for an organization, to prove a refusal wrote nothing. */
async function footprint(orgId: string) {
  const count = async (table: typeof schema.equipmentLoans | typeof schema.equipmentLoanEvents | typeof schema.equipmentLoanItems | typeof schema.equipmentHoldingEvents | typeof schema.equipmentRefusals) =>
    Number((await t.db.select({ n: sql<number>`count(*)::int` }).from(table).where(eq(table.orgId, orgId)))[0]!.n);
  const holdings = await t.db
    .select({ id: schema.equipmentHoldings.id, inService: schema.equipmentHoldings.inService, damaged: schema.equipmentHoldings.damaged, missing: schema.equipmentHoldings.missing })
    .from(schema.equipmentHoldings)
    .where(eq(schema.equipmentHoldings.orgId, orgId))
    .orderBy(schema.equipmentHoldings.id);
  const loans = await t.db
    .select({ id: schema.equipmentLoans.id, status: schema.equipmentLoans.status, version: schema.equipmentLoans.version })
    .from(schema.equipmentLoans)
    .where(eq(schema.equipmentLoans.orgId, orgId))
    .orderBy(schema.equipmentLoans.id);
  return {
    loans,
    loanEvents: await count(schema.equipmentLoanEvents),
    loanItems: await count(schema.equipmentLoanItems),
    holdingEvents: await count(schema.equipmentHoldingEvents),
    refusals: await count(schema.equipmentRefusals),
    holdings,
  };
}

async function expectRefusedWithoutWriting(orgId: string, act: () => Promise<{ statusCode: number; json: () => any }>, status: number, code: string) {
  const before = await footprint(orgId);
  const res = await act();
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(res.json().code).toBe(code);
  expect(await footprint(orgId)).toEqual(before);
  return res.json();
}

async function chairsWorld(stock: { a?: number; b?: number; c?: number } = {}, typeInput: { maxLoanDays?: number } = {}) {
  const w = await createLoanWorld(t.app, t.db);
  const type = await createEquipmentType(t.db, { orgId: w.org.id, ...typeInput });
  for (const [site, units] of [[w.siteA, stock.a], [w.siteB, stock.b], [w.siteC, stock.c]] as const) {
    if (units) await createHolding(t.db, { orgId: w.org.id, siteId: site.id, typeId: type.id, units });
  }
  return { w, type };
}

const transitBetween = (a: { lat: number | null; lng: number | null }, b: { lat: number | null; lng: number | null }) => transitMs(false, siteDistanceKm(a, b), DEFAULT_TRANSIT);

describe('a loan from request to check', () => {
  it('request -> approve -> dispatch -> receive -> return -> check, each by its side and each an event; damaged units leave the pool', async () => {
    const { w, type } = await chairsWorld({ b: 5 });
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 3, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), purpose: '社区讲座' });
    expect(res.statusCode, res.body).toBe(201);
    const { requestId, loans } = bodyOf(res);
    expect(loans).toHaveLength(1);
    const transit = transitBetween(w.siteA, w.siteB);
    expect(loans[0]).toMatchObject({
      requestId,
      lenderSiteId: w.siteB.id,
      lenderSiteName: w.siteB.name,
      borrowerSiteId: w.siteA.id,
      quantity: 3,
      status: 'requested',
      start: at(DAY, '10:00'),
      claimStart: new Date(Date.parse(at(DAY, '10:00')) - transit).toISOString(),
      claimEnd: new Date(Date.parse(at(DAY, '12:00')) + transit).toISOString(),
      tracked: false,
      overdue: false,
      items: [],
      purpose: '社区讲座',
    });
    const loanId = loans[0].id;

    const checked = await walk(w, loanId, [
      [w.tokens.staffB, 'approve'],
      [w.tokens.staffB, 'dispatch'],
      [w.tokens.staffA, 'receive'],
      [w.tokens.staffA, 'return', { damaged: 1, reason: '一把椅子腿松了' }],
      [w.tokens.staffB, 'check', { damaged: 1, missing: 0 }],
    ]);
    expect(checked).toMatchObject({ status: 'checked', returnedDamaged: 1, returnedMissing: 0 });

    const detail = bodyOf(await detailOf(w.tokens.staffA, loanId));
    expect(detail.events.map((e: any) => [e.from, e.to])).toEqual([
      [null, 'requested'],
      ['requested', 'approved'],
      ['approved', 'dispatched'],
      ['dispatched', 'received'],
      ['received', 'returned'],
      ['returned', 'checked'],
    ]);
    expect(detail.events.map((e: any) => e.actorName)).toEqual([w.staffA.displayName, w.staffB.displayName, w.staffB.displayName, w.staffA.displayName, w.staffA.displayName, w.staffB.displayName]);
    expect(detail.events[4]).toMatchObject({ reason: '一把椅子腿松了', details: { damaged: 1, missing: 0 } });

    // The damaged chair left B's pool, with a holding event naming the loan.
    expect(await stockOf(t.db, w.siteB.id, type.id)).toEqual({ inService: 4, damaged: 1, missing: 0 });
    const holdingEvents = await t.db.select().from(schema.equipmentHoldingEvents).where(eq(schema.equipmentHoldingEvents.loanId, loanId));
    expect(holdingEvents.map((e) => [e.kind, e.units])).toEqual([['damaged', 1]]);

    // A later request sees four chairs, not five.
    const later = { typeId: type.id, borrowerSiteId: w.siteA.id, start: at('2027-03-12', '10:00'), end: at('2027-03-12', '12:00') };
    const tooMany = await requestLoan(w.tokens.staffA, { ...later, quantity: 5 });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json()).toMatchObject({ code: 'EQUIPMENT_SHORTFALL', details: { shortfall: 1, totalFree: 4 } });
    expect((await requestLoan(w.tokens.staffA, { ...later, quantity: 4 })).statusCode).toBe(201);
  });

  it('a site borrowing its own equipment is approved at once (reason own_site) and needs no transit', async () => {
    const { w, type } = await chairsWorld({ a: 2, b: 5 });
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 2, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') });
    expect(res.statusCode).toBe(201);
    const [loan] = bodyOf(res).loans;
    expect(loan).toMatchObject({ lenderSiteId: w.siteA.id, status: 'approved', claimStart: at(DAY, '10:00'), claimEnd: at(DAY, '12:00') });
    const events = bodyOf(await detailOf(w.tokens.staffA, loan.id)).events;
    expect(events.map((e: any) => [e.to, e.reason])).toEqual([['requested', 'requested'], ['approved', 'own_site']]);
    // Staff of the site are both sides: they dispatch and receive their own chairs.
    await walk(w, loan.id, [[w.tokens.staffA, 'dispatch'], [w.tokens.staffA, 'receive']]);
  });

  it('a request split across two lenders, as named: one part per lender under one request id', async () => {
    const { w, type } = await chairsWorld({ b: 2, c: 5 });
    const res = await requestLoan(w.tokens.staffA, {
      typeId: type.id,
      quantity: 4,
      borrowerSiteId: w.siteA.id,
      start: at(DAY, '10:00'),
      end: at(DAY, '12:00'),
      lenders: [{ siteId: w.siteC.id, quantity: 3 }, { siteId: w.siteB.id, quantity: 1 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const { requestId, loans } = bodyOf(res);
    expect(loans.map((l: any) => [l.lenderSiteId, l.quantity, l.requestId]).sort()).toEqual(
      [[w.siteB.id, 1, requestId], [w.siteC.id, 3, requestId]].sort(),
    );
    // C is ten times further: its units are held longer on each side.
    const partC = loans.find((l: any) => l.lenderSiteId === w.siteC.id);
    expect(partC.claimEnd).toBe(new Date(Date.parse(at(DAY, '12:00')) + transitBetween(w.siteA, w.siteC)).toISOString());

    // Cancelling one part leaves the other standing.
    const partB = loans.find((l: any) => l.lenderSiteId === w.siteB.id);
    expect(bodyOf(await step(w.tokens.staffA, partB.id, 'cancel')).status).toBe('cancelled');
    expect(bodyOf(await detailOf(w.tokens.staffA, partC.id)).loan.status).toBe('requested');
  });

  it('a request without lenders is split nearest first: all of B (1 km), then the rest from C (10 km)', async () => {
    const { w, type } = await chairsWorld({ b: 2, c: 5 });
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 4, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') });
    expect(res.statusCode, res.body).toBe(201);
    const parts = bodyOf(res).loans.map((l: any) => [l.lenderSiteId, l.quantity]);
    expect(parts.sort()).toEqual([[w.siteB.id, 2], [w.siteC.id, 2]].sort());
  });

  it('a loan may name a booking at the borrowing site', async () => {
    const { w, type } = await chairsWorld({ b: 5 });
    const booking = await createBooking(t.db, w.spaceA, { startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') });
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), bookingId: booking.id });
    expect(res.statusCode, res.body).toBe(201);
    expect(bodyOf(res).loans[0].bookingId).toBe(booking.id);
  });
});

describe('bad input: a 4xx with a reason code, and nothing written', () => {
  it('more units than exist anywhere: 409 EQUIPMENT_SHORTFALL with what could be had, and the unmet demand kept', async () => {
    const { w, type } = await chairsWorld({ b: 2, c: 3 });
    const before = await footprint(w.org.id);
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 9, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EQUIPMENT_SHORTFALL', details: { requested: 9, shortfall: 4, totalFree: 5 } });
    expect(res.json().details.lenders.map((l: any) => [l.siteId, l.free])).toEqual([[w.siteB.id, 2], [w.siteC.id, 3]]);
    expect(await footprint(w.org.id)).toEqual({ ...before, refusals: before.refusals + 1 });
    const [refusal] = await t.db.select().from(schema.equipmentRefusals).where(eq(schema.equipmentRefusals.orgId, w.org.id));
    expect(refusal).toMatchObject({ typeId: type.id, borrowerSiteId: w.siteA.id, quantity: 9, shortfall: 4 });
  });

  it('a named lender without enough free: 409 with what the pool could do, and no unmet demand when it could', async () => {
    const { w, type } = await chairsWorld({ b: 5, c: 2 });
    // B's part fits and is judged first; C's does not. The pool as a whole has 7, so nothing is unmet.
    const refused = await expectRefusedWithoutWriting(
      w.org.id,
      () => requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 5, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), lenders: [{ siteId: w.siteB.id, quantity: 2 }, { siteId: w.siteC.id, quantity: 3 }] }),
      409,
      'EQUIPMENT_SHORTFALL',
    );
    expect(refused.details).toMatchObject({ siteId: w.siteC.id, requested: 3, shortfall: 0, totalFree: 7 });
  });

  it('a loan ending before it starts: 422 INVALID_INTERVAL; one longer than the type allows: 422 LOAN_TOO_LONG', async () => {
    const { w, type } = await chairsWorld({ b: 5 }, { maxLoanDays: 2 });
    const base = { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id };
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, start: at(DAY, '12:00'), end: at(DAY, '10:00') }), 422, 'INVALID_INTERVAL');
    const tooLong = await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, start: at(DAY, '10:00'), end: at('2027-03-12', '10:01') }), 422, 'LOAN_TOO_LONG');
    expect(tooLong.details).toEqual({ maxDays: 2 });
    // Beyond the longest loan any type may have, the request is refused before any work.
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, start: at(DAY, '10:00'), end: at('2027-07-10', '10:00') }), 400, 'VALIDATION_FAILED');
  });

  it('a loan between organizations: another organization\'s lender site or type is 404', async () => {
    const { w, type } = await chairsWorld({ b: 5 });
    const base = { quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') };
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, typeId: type.id, lenders: [{ siteId: w.otherSite.id, quantity: 1 }] }), 404, 'NOT_FOUND');
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, typeId: w.otherType.id }), 404, 'NOT_FOUND');
    // And the other organization's admin cannot borrow for this one's site.
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.otherAdmin, { ...base, typeId: type.id }), 404, 'NOT_FOUND');
  });

  it('staff asking for a site they do not work at: 404; a booking elsewhere: 422; another organization\'s booking: 404', async () => {
    const { w, type } = await chairsWorld({ c: 5 });
    const base = { typeId: type.id, quantity: 1, start: at(DAY, '10:00'), end: at(DAY, '12:00') };
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffB, { ...base, borrowerSiteId: w.siteA.id }), 404, 'NOT_FOUND');
    const bookingAtB = await createBooking(t.db, w.spaceB, { startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') });
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, borrowerSiteId: w.siteA.id, bookingId: bookingAtB.id }), 422, 'LOAN_OWNER_AT_OTHER_SITE');
    const other = await createLoanWorld(t.app, t.db);
    const foreignBooking = await createBooking(t.db, other.spaceA, { startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') });
    await expectRefusedWithoutWriting(w.org.id, () => requestLoan(w.tokens.staffA, { ...base, borrowerSiteId: w.siteA.id, bookingId: foreignBooking.id }), 404, 'NOT_FOUND');
  });

  it('steps out of order, from the wrong side, by another site, or reporting more than was lent', async () => {
    const { w, type } = await chairsWorld({ b: 5 });
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 2, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') });
    const loanId = bodyOf(res).loans[0].id;

    // The borrower approving its own request: 403.
    const wrongSide = await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'approve'), 403, 'LOAN_WRONG_SIDE');
    expect(wrongSide.details).toEqual({ step: 'approve', by: ['lender'] });
    // A site that neither lends nor borrows: the loan does not exist for it.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffC, loanId, 'cancel'), 404, 'NOT_FOUND');
    await expectRefusedWithoutWriting(w.org.id, () => detailOf(w.tokens.staffC, loanId), 404, 'NOT_FOUND');
    await expectRefusedWithoutWriting(w.org.id, () => detailOf(w.tokens.otherAdmin, loanId), 404, 'NOT_FOUND');

    await walk(w, loanId, [[w.tokens.staffB, 'approve']]);
    // Receive before dispatch: 409.
    const outOfOrder = await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'receive'), 409, 'LOAN_INVALID_TRANSITION');
    expect(outOfOrder.details).toMatchObject({ from: 'approved', step: 'receive' });

    await walk(w, loanId, [[w.tokens.staffB, 'dispatch'], [w.tokens.staffA, 'receive']]);
    // Cancelling once the units have left: 409.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'cancel'), 409, 'LOAN_INVALID_TRANSITION');
    // A return of more units than were lent: 422.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'return', { damaged: 2, missing: 1 }), 422, 'RETURN_EXCEEDS_LOAN');
    // Fields a step does not take: 400.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'return', { itemIds: [w.siteA.id] }), 400, 'VALIDATION_FAILED');
    // Item ids for counted equipment: 422.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'return', { damagedItemIds: [w.siteA.id] }), 422, 'LOAN_ITEMS_MISMATCH');

    await walk(w, loanId, [[w.tokens.staffA, 'return']]);
    // The lender counting more broken and missing units than it lent: 422.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffB, loanId, 'check', { damaged: 1, missing: 2 }), 422, 'RETURN_EXCEEDS_LOAN');
    // The borrower checking the lender's units: 403.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffA, loanId, 'check'), 403, 'LOAN_WRONG_SIDE');
    expect(bodyOf(await step(w.tokens.staffB, loanId, 'check')).status).toBe('checked');
  });
});

describe('transit buffers', () => {
  it('a loan ending at 12:00 at a site 10 km away holds the lender\'s units until 12:00 plus transit', async () => {
    const { w, type } = await chairsWorld({ c: 1 });
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') });
    expect(res.statusCode, res.body).toBe(201);
    const km = siteDistanceKm(w.siteA, w.siteC)!;
    expect(km).toBeGreaterThan(9.9);
    expect(km).toBeLessThan(10.1);
    const back = Date.parse(at(DAY, '12:00')) + transitBetween(w.siteA, w.siteC);
    expect(back - Date.parse(at(DAY, '12:00'))).toBeGreaterThan(HOUR);
    expect(bodyOf(res).loans[0].claimEnd).toBe(new Date(back).toISOString());

    // C wants its own projector at 12:00, and a quarter of an hour before it is back: not there yet.
    const own = (start: number) => requestLoan(w.tokens.staffC, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteC.id, start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() });
    for (const start of [Date.parse(at(DAY, '12:00')), back - 15 * 60_000]) {
      const refused = await own(start);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('EQUIPMENT_SHORTFALL');
    }
    expect((await own(back)).statusCode).toBe(201);
  });
});

describe('overdue loans', () => {
  it('the sweep flags a loan still out after its window once, and its units stay held until they come back', async () => {
    const { w, type } = await chairsWorld({ b: 1 });
    try {
      const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') });
      const loan = bodyOf(res).loans[0];
      await walk(w, loan.id, [[w.tokens.staffB, 'approve'], [w.tokens.staffB, 'dispatch'], [w.tokens.staffA, 'receive']]);

      t.setNow(loan.claimEnd);
      expect(bodyOf(await detailOf(w.tokens.staffB, loan.id)).loan.overdue).toBe(true);
      expect(await flagOverdueLoans(t.app.deps)).toBeGreaterThanOrEqual(1);
      expect(await flagOverdueLoans(t.app.deps)).toBe(0);
      const [row] = await t.db.select().from(schema.equipmentLoans).where(eq(schema.equipmentLoans.id, loan.id));
      expect(row!.overdueAt?.toISOString()).toBe(loan.claimEnd);
      const events = bodyOf(await detailOf(w.tokens.staffB, loan.id)).events;
      expect(events.at(-1)).toMatchObject({ from: 'received', to: 'received', reason: 'overdue', actorName: null });
      expect(events.filter((e: any) => e.reason === 'overdue')).toHaveLength(1);
      const overdueList = bodyOf(await list(w.tokens.staffB, 'side=lending&overdue=true'));
      expect(overdueList.items.map((l: any) => l.id)).toEqual([loan.id]);

      // B wants its projector the next day: it is still at A, so it is not free, though the loan "ended".
      const nextDay = { typeId: type.id, quantity: 1, borrowerSiteId: w.siteB.id, start: at('2027-03-11', '10:00'), end: at('2027-03-11', '12:00') };
      expect((await requestLoan(w.tokens.staffB, nextDay)).statusCode).toBe(409);
      await walk(w, loan.id, [[w.tokens.staffA, 'return'], [w.tokens.staffB, 'check']]);
      expect((await requestLoan(w.tokens.staffB, nextDay)).statusCode).toBe(201);
    } finally {
      t.setNow(NOW);
    }
  });
});

describe('units at home, damage and promises', () => {
  it('counted units cannot be dispatched while they are away on another loan', async () => {
    const { w, type } = await chairsWorld({ b: 2 });
    const ask = async (day: string) => bodyOf(await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 2, borrowerSiteId: w.siteA.id, start: at(day, '10:00'), end: at(day, '12:00') })).loans[0];
    const first = await ask('2027-03-10');
    const second = await ask('2027-03-12');
    await walk(w, first.id, [[w.tokens.staffB, 'approve'], [w.tokens.staffB, 'dispatch']]);
    await walk(w, second.id, [[w.tokens.staffB, 'approve']]);
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffB, second.id, 'dispatch'), 409, 'HOLDING_UNITS_INSUFFICIENT');
    await walk(w, first.id, [[w.tokens.staffA, 'receive'], [w.tokens.staffA, 'return'], [w.tokens.staffB, 'check']]);
    expect(bodyOf(await step(w.tokens.staffB, second.id, 'dispatch')).status).toBe('dispatched');
  });

  it('a check that finds units missing withdraws the later promises that no longer fit, first come first kept', async () => {
    const { w, type } = await chairsWorld({ b: 3 });
    const ask = async (day: string, quantity: number) =>
      bodyOf(await requestLoan(w.tokens.staffA, { typeId: type.id, quantity, borrowerSiteId: w.siteA.id, start: at(day, '10:00'), end: at(day, '12:00') })).loans[0];
    const out = await ask('2027-03-10', 3);
    const early = await ask('2027-03-12', 2);
    const late = await ask('2027-03-12', 1);
    await walk(w, out.id, [[w.tokens.staffB, 'approve'], [w.tokens.staffB, 'dispatch'], [w.tokens.staffA, 'receive'], [w.tokens.staffA, 'return']]);
    await walk(w, early.id, [[w.tokens.staffB, 'approve']]);

    await walk(w, out.id, [[w.tokens.staffB, 'check', { missing: 1 }]]);
    expect(await stockOf(t.db, w.siteB.id, type.id)).toEqual({ inService: 2, damaged: 0, missing: 1 });
    expect(bodyOf(await detailOf(w.tokens.staffB, early.id)).loan.status).toBe('approved');
    const withdrawn = bodyOf(await detailOf(w.tokens.staffA, late.id));
    expect(withdrawn.loan.status).toBe('cancelled');
    expect(withdrawn.events.at(-1)).toMatchObject({ reason: 'no_longer_available', details: { checkedLoanId: out.id } });
  });

  it('tracked items: dispatch names exactly the items that go, free, at the lender and lendable; the check names the damaged ones', async () => {
    const w = await createLoanWorld(t.app, t.db);
    const type = await createEquipmentType(t.db, { orgId: w.org.id, tracked: true });
    const item = async (site: { id: string }, tag: string, lendable = true) => (await createHolding(t.db, { orgId: w.org.id, siteId: site.id, typeId: type.id, assetTag: `${tag}-${type.key}`, lendable })).id;
    const [t1, t2, t3, elsewhere] = [await item(w.siteB, 'P1'), await item(w.siteB, 'P2'), await item(w.siteB, 'P3', false), await item(w.siteC, 'P9')];
    const ask = async (day: string, quantity: number) =>
      bodyOf(await requestLoan(w.tokens.staffA, { typeId: type.id, quantity, borrowerSiteId: w.siteA.id, start: at(day, '10:00'), end: at(day, '12:00'), lenders: [{ siteId: w.siteB.id, quantity }] })).loans[0];
    const first = await ask('2027-03-10', 2);
    const second = await ask('2027-03-12', 1);
    await walk(w, first.id, [[w.tokens.staffB, 'approve']]);
    await walk(w, second.id, [[w.tokens.staffB, 'approve']]);

    const dispatch = (loanId: string, itemIds?: string[]) => () => step(w.tokens.staffB, loanId, 'dispatch', itemIds ? { itemIds } : {});
    for (const itemIds of [undefined, [t1], [t1, t1], [t1, elsewhere], [t1, t3], [t1, t2, t3]]) {
      await expectRefusedWithoutWriting(w.org.id, dispatch(first.id, itemIds), 422, 'LOAN_ITEMS_MISMATCH');
    }
    const sent = bodyOf(await dispatch(first.id, [t2, t1])());
    expect(sent.status).toBe('dispatched');
    expect(sent.items.map((i: any) => i.holdingId).sort()).toEqual([t1, t2].sort());
    const rows = await t.db.select().from(schema.equipmentLoanItems).where(eq(schema.equipmentLoanItems.loanId, first.id));
    expect(rows.map((r) => r.holdingId).sort()).toEqual([t1, t2].sort());

    // P1 is away with the first loan.
    await expectRefusedWithoutWriting(w.org.id, dispatch(second.id, [t1]), 422, 'LOAN_ITEMS_MISMATCH');
    await walk(w, first.id, [[w.tokens.staffA, 'receive'], [w.tokens.staffA, 'return', { damaged: 1 }]]);
    // Returned but not yet checked: still not at home.
    await expectRefusedWithoutWriting(w.org.id, dispatch(second.id, [t1]), 422, 'LOAN_ITEMS_MISMATCH');
    // The lender's check must say which item is damaged, and only items of this loan.
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffB, first.id, 'check', { damaged: 1 }), 422, 'LOAN_ITEMS_MISMATCH');
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffB, first.id, 'check', { damagedItemIds: [t3] }), 422, 'LOAN_ITEMS_MISMATCH');
    const checked = bodyOf(await step(w.tokens.staffB, first.id, 'check', { damagedItemIds: [t2] }));
    expect(checked).toMatchObject({ status: 'checked', returnedDamaged: 1 });
    const [p2] = await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.id, t2));
    expect(p2).toMatchObject({ inService: 0, damaged: 1 });

    await expectRefusedWithoutWriting(w.org.id, dispatch(second.id, [t2]), 422, 'LOAN_ITEMS_MISMATCH');
    expect(bodyOf(await dispatch(second.id, [t1])()).items).toEqual([{ holdingId: t1, assetTag: `P1-${type.key}` }]);
  });

  it('counted equipment is dispatched without items', async () => {
    const { w, type } = await chairsWorld({ b: 2 });
    const loan = bodyOf(await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') })).loans[0];
    await walk(w, loan.id, [[w.tokens.staffB, 'approve']]);
    await expectRefusedWithoutWriting(w.org.id, () => step(w.tokens.staffB, loan.id, 'dispatch', { itemIds: [loan.id] }), 422, 'LOAN_ITEMS_MISMATCH');
  });
});

describe('lists', () => {
  it('site staff see the loans their site lends or borrows; admins all; filters and pages', async () => {
    const { w, type } = await chairsWorld({ a: 2, b: 5, c: 5 });
    const ask = async (token: string, borrower: { id: string }, lender: { id: string }, day: string) =>
      bodyOf(await requestLoan(token, { typeId: type.id, quantity: 1, borrowerSiteId: borrower.id, start: at(day, '10:00'), end: at(day, '12:00'), lenders: [{ siteId: lender.id, quantity: 1 }] })).loans[0].id;
    const aFromB = await ask(w.tokens.staffA, w.siteA, w.siteB, '2027-03-10');
    const aFromC = await ask(w.tokens.staffA, w.siteA, w.siteC, '2027-03-11');
    const bFromA = await ask(w.tokens.staffB, w.siteB, w.siteA, '2027-03-12');
    const cFromB = await ask(w.tokens.staffC, w.siteC, w.siteB, '2027-03-13');
    await walk(w, aFromB, [[w.tokens.staffB, 'approve']]);

    const ids = async (token: string, query: string) => {
      const res = await list(token, query);
      expect(res.statusCode, res.body).toBe(200);
      return bodyOf(res).items.map((l: any) => l.id);
    };
    expect(await ids(w.tokens.staffA, 'side=borrowing')).toEqual([aFromB, aFromC]);
    expect(await ids(w.tokens.staffA, 'side=lending')).toEqual([bFromA]);
    expect(await ids(w.tokens.staffA, '')).toEqual([aFromB, aFromC, bFromA]);
    expect(await ids(w.tokens.staffB, 'side=lending')).toEqual([aFromB, cFromB]);
    expect(await ids(w.tokens.admin, '')).toEqual([aFromB, aFromC, bFromA, cFromB]);
    expect(await ids(w.tokens.admin, `side=borrowing&siteId=${w.siteC.id}`)).toEqual([cFromB]);
    expect(await ids(w.tokens.staffB, 'status=approved')).toEqual([aFromB]);
    expect(await ids(w.tokens.admin, `from=${encodeURIComponent(at('2027-03-11', '11:00'))}&to=${encodeURIComponent(at('2027-03-12', '10:00'))}`)).toEqual([aFromC]);
    expect(await ids(w.tokens.admin, `from=${encodeURIComponent(at('2027-03-11', '11:00'))}&to=${encodeURIComponent(at('2027-03-12', '10:01'))}`)).toEqual([aFromC, bFromA]);
    expect(await ids(w.tokens.admin, `typeId=${w.otherType.id}`)).toEqual([]);
    expect(await ids(w.tokens.otherAdmin, '')).toEqual([]);
    // Another site's loans cannot be asked for by name.
    expect((await list(w.tokens.staffA, `siteId=${w.siteC.id}`)).statusCode).toBe(404);

    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: { id: string }[]; nextCursor: string | null } = bodyOf(await list(w.tokens.admin, `limit=1${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([aFromB, aFromC, bFromA, cFromB]);
    const stored = await t.db.select({ id: schema.equipmentLoans.id }).from(schema.equipmentLoans).where(and(eq(schema.equipmentLoans.orgId, w.org.id), inArray(schema.equipmentLoans.id, seen)));
    expect(stored).toHaveLength(4);
  });
});
