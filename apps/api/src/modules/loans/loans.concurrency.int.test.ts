/**
 * Equipment requests under a crowd, on PostgreSQL (PGlite has one connection, so nothing there is concurrent): the
 * lenders' stock locks admit exactly the units there are, a request split across lenders is all or nothing, and at
 * no instant do the loans holding a lender's units outnumber its units in service.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { at } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { queryRows } from '../../lib/sql.ts';
import { createEquipmentType, createHolding, createLoanWorld } from './loans.factories.ts';

const template = inject('databaseTemplate');
const DAY = '2027-03-10';
const HOUR = 3_600_000;

describe.runIf(template.kind === 'postgres')('equipment loans under concurrency (PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ now: at('2027-03-01', '09:00'), env: { REQUEST_TIMEOUT_MS: '60000' } });
  });
  afterAll(() => t.close());

  const requestLoan = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/equipment/loans', headers: bearer(token), payload });

  /**
   * Every instant where a lender's holding loans of the type sum to more than its units in service (in all, or
   * lent to other sites beyond its lendable units): the peak of overlapping claims is reached at some claim's start.
   */
  async function overCommitments(typeId: string) {
    return queryRows<{ lender: string; instant: Date; held: number; lent: number; in_service: number; lendable: number }>(
      t.db,
      sql`
        WITH holding AS (
          SELECT lender_site_id, borrower_site_id, quantity, claim_start, claim_end FROM equipment_loans
          WHERE type_id = ${typeId} AND status IN ('requested', 'approved', 'dispatched', 'received', 'returned')
        ),
        stock AS (
          SELECT site_id, sum(in_service)::int AS in_service, coalesce(sum(in_service) FILTER (WHERE lendable), 0)::int AS lendable
          FROM equipment_holdings WHERE type_id = ${typeId} GROUP BY site_id
        )
        SELECT h.lender_site_id AS lender, h.claim_start AS instant,
          sum(o.quantity)::int AS held,
          coalesce(sum(o.quantity) FILTER (WHERE o.borrower_site_id <> o.lender_site_id), 0)::int AS lent,
          s.in_service, s.lendable
        FROM (SELECT DISTINCT lender_site_id, claim_start FROM holding) h
        JOIN holding o ON o.lender_site_id = h.lender_site_id AND o.claim_start <= h.claim_start AND h.claim_start < o.claim_end
        JOIN stock s ON s.site_id = h.lender_site_id
        GROUP BY h.lender_site_id, h.claim_start, s.in_service, s.lendable
        HAVING sum(o.quantity) > s.in_service OR coalesce(sum(o.quantity) FILTER (WHERE o.borrower_site_id <> o.lender_site_id), 0) > s.lendable
      `,
    );
  }

  async function loansOf(typeId: string) {
    return queryRows<{ request_id: string; lender_site_id: string; quantity: number }>(
      t.db,
      sql`SELECT request_id, lender_site_id, quantity FROM equipment_loans WHERE type_id = ${typeId} AND status IN ('requested', 'approved')`,
    );
  }

  const refusalsOf = async (typeId: string) =>
    Number((await queryRows<{ n: number }>(t.db, sql`SELECT count(*)::int AS n FROM equipment_refusals WHERE type_id = ${typeId}`))[0]!.n);

  it('N units, N + 10 requests for one unit at once over overlapping windows: exactly N lent, 10 refused and recorded', async () => {
    const units = 20;
    const w = await createLoanWorld(t.app, t.db);
    const type = await createEquipmentType(t.db, { orgId: w.org.id });
    await createHolding(t.db, { orgId: w.org.id, siteId: w.siteB.id, typeId: type.id, units });
    // Windows start a quarter of an hour apart, so each overlaps many others but not all at the same instants.
    const answers = await Promise.all(
      Array.from({ length: units + 10 }, (_, i) => {
        const start = Date.parse(at(DAY, '08:00')) + (i % 8) * 15 * 60_000;
        return requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: new Date(start).toISOString(), end: new Date(start + 4 * HOUR).toISOString() });
      }),
    );

    expect(answers.filter((r) => r.statusCode >= 500).map((r) => r.body)).toEqual([]);
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(units);
    expect(answers.filter((r) => r.statusCode !== 201).map((r) => r.json().code)).toEqual(Array(10).fill('EQUIPMENT_SHORTFALL'));
    expect((await loansOf(type.id)).reduce((sum, l) => sum + l.quantity, 0)).toBe(units);
    expect(await refusalsOf(type.id)).toBe(10);
    expect(await overCommitments(type.id)).toEqual([]);
  }, 60_000);

  it('two lenders and split requests racing: all or nothing per request, never over-committed, no 5xx', async () => {
    const w = await createLoanWorld(t.app, t.db);
    const type = await createEquipmentType(t.db, { orgId: w.org.id });
    await createHolding(t.db, { orgId: w.org.id, siteId: w.siteB.id, typeId: type.id, units: 6 });
    await createHolding(t.db, { orgId: w.org.id, siteId: w.siteC.id, typeId: type.id, units: 6 });
    const window = { typeId: type.id, start: at(DAY, '10:00'), end: at(DAY, '12:00') };
    const requests = Array.from({ length: 24 }, (_, i) => {
      // A's staff ask for A, B's staff for B (B lends to itself), some naming their lenders, some leaving it to the pool.
      const [token, borrower] = i % 3 === 2 ? [w.tokens.staffB, w.siteB] : [w.tokens.staffA, w.siteA];
      const quantity = 2 + (i % 2);
      const lenders = i % 4 === 0 ? [{ siteId: w.siteB.id, quantity: 1 }, { siteId: w.siteC.id, quantity: quantity - 1 }] : undefined;
      return { token, payload: { ...window, quantity, borrowerSiteId: borrower.id, lenders } };
    });
    const answers = await Promise.all(requests.map((r) => requestLoan(r.token, r.payload)));

    expect(answers.filter((r) => r.statusCode >= 500).map((r) => r.body)).toEqual([]);
    expect(answers.filter((r) => r.statusCode !== 201).map((r) => r.json().code)).toEqual(answers.filter((r) => r.statusCode !== 201).map(() => 'EQUIPMENT_SHORTFALL'));
    const loans = await loansOf(type.id);
    const lentPerRequest = new Map<string, number>();
    for (const loan of loans) lentPerRequest.set(loan.request_id, (lentPerRequest.get(loan.request_id) ?? 0) + loan.quantity);
    const granted = answers.filter((r) => r.statusCode === 201).map((r) => r.json());
    // Each granted request holds exactly what it asked for, and nothing else holds units.
    expect(granted.map((g) => lentPerRequest.get(g.requestId))).toEqual(granted.map((g) => g.loans.reduce((sum: number, l: { quantity: number }) => sum + l.quantity, 0)));
    expect(lentPerRequest.size).toBe(granted.length);
    expect(await overCommitments(type.id)).toEqual([]);
    // Free units only shrink, and a stale plan is made again, so the pool ends (nearly) full: with two units still
    // free every two-unit request left to the pool would have had them.
    const lent = loans.reduce((sum, l) => sum + l.quantity, 0);
    expect(lent).toBeLessThanOrEqual(12);
    expect(lent).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it('two lenders, one-unit requests left to the pool racing: every unit of both is lent, none twice', async () => {
    const w = await createLoanWorld(t.app, t.db);
    const type = await createEquipmentType(t.db, { orgId: w.org.id });
    await createHolding(t.db, { orgId: w.org.id, siteId: w.siteB.id, typeId: type.id, units: 8 });
    await createHolding(t.db, { orgId: w.org.id, siteId: w.siteC.id, typeId: type.id, units: 8 });
    const answers = await Promise.all(
      Array.from({ length: 26 }, () => requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '14:00'), end: at(DAY, '16:00') })),
    );
    expect(answers.filter((r) => r.statusCode >= 500).map((r) => r.body)).toEqual([]);
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(16);
    const loans = await loansOf(type.id);
    expect(loans.filter((l) => l.lender_site_id === w.siteB.id)).toHaveLength(8);
    expect(loans.filter((l) => l.lender_site_id === w.siteC.id)).toHaveLength(8);
    expect(await refusalsOf(type.id)).toBe(10);
    expect(await overCommitments(type.id)).toEqual([]);
  }, 60_000);
});
