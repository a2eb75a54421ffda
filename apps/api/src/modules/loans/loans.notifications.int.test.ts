/**
 * Who hears about a loan between sites, recorded in the transaction of each step: the lending site's staff and
 * managers are asked to answer a request (staff.loan_request); the borrowing site's requester hears it was
 * approved and sent; an overdue loan tells the requester and the lender's managers. A site lending to itself asks
 * nobody, nobody is told of their own step, and a request that rolls back tells nobody.
 */
import { schema } from '@linli/db';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createUser } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { eventually } from '../notifications/testing/smtp-sink.ts';
import { type LoanWorld, createEquipmentType, createHolding, createLoanWorld } from './loans.factories.ts';
import { flagOverdueLoans } from './loans.service.ts';

const NOW = at('2027-03-01', '09:00');
const DAY = '2027-03-10';

let t: TestApp;
beforeAll(async () => {
  // The worker runs, so one request can be followed into the lender's inbox.
  t = await startTestApp({ now: NOW, env: { NOTIFICATIONS_WORKER: 'inline', NOTIFICATION_POLL_SECONDS: '0.5' } });
});
afterAll(() => t?.close());

const requestLoan = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/equipment/loans', headers: bearer(token), payload });
const step = (token: string, loanId: string, name: string) => t.app.inject({ method: 'POST', url: `/api/v1/equipment/loans/${loanId}/${name}`, headers: bearer(token), payload: {} });

/** The loan world (staff at A and B, a manager at C) with a manager at A and B's chairs, `units` of them. */
async function chairs(units = 5) {
  const w = await createLoanWorld(t.app, t.db);
  const managerA = await createUser(t.db, { orgId: w.org.id, role: 'site_manager', siteIds: [w.siteA.id] });
  const type = await createEquipmentType(t.db, { orgId: w.org.id, nameZh: '折叠椅' });
  await createHolding(t.db, { orgId: w.org.id, siteId: w.siteB.id, typeId: type.id, units });
  await createHolding(t.db, { orgId: w.org.id, siteId: w.siteA.id, typeId: type.id, units: 2 });
  return { w, managerA, type };
}

async function notificationsOf(userId: string, kind?: string) {
  return t.db
    .select({ kind: schema.notifications.kind, facts: schema.notifications.facts, dedupeKey: schema.notifications.dedupeKey })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.recipientId, userId), kind ? eq(schema.notifications.kind, kind) : undefined))
    .orderBy(schema.notifications.createdAt);
}
const everyoneOf = (w: LoanWorld, managerA: { id: string }) => [w.admin, w.staffA, w.staffB, w.staffC, managerA];

describe('a loan request', () => {
  it("asks the lending site's staff and managers, naming the requester; the requester and other sites hear nothing", async () => {
    const { w, managerA, type } = await chairs();
    const res = await requestLoan(w.tokens.staffB, { typeId: type.id, quantity: 2, borrowerSiteId: w.siteB.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), lenders: [{ siteId: w.siteA.id, quantity: 2 }] });
    expect(res.statusCode, res.body).toBe(201);
    const loan = bodyOf(res).loans[0];
    const expected = {
      kind: 'staff.loan_request',
      dedupeKey: `staff.loan_request:${loan.id}`,
      facts: {
        loanId: loan.id,
        equipmentName: '折叠椅',
        quantity: 2,
        lenderSiteName: w.siteA.name,
        borrowerSiteName: w.siteB.name,
        siteZone: 'Asia/Shanghai',
        useStartAt: at(DAY, '10:00'),
        useEndAt: at(DAY, '12:00'),
        requesterName: w.staffB.displayName,
      },
    };
    expect(await notificationsOf(w.staffA.id)).toEqual([expected]);
    expect(await notificationsOf(managerA.id)).toEqual([expected]);
    for (const user of [w.staffB, w.staffC, w.admin]) expect(await notificationsOf(user.id)).toEqual([]);

    const inbox = await eventually("the request in the lender's inbox", async () => {
      const items = bodyOf<{ items: { kind: string; subject: string }[] }>(await t.app.inject({ url: '/api/v1/me/notifications', headers: bearer(w.tokens.staffA) })).items;
      return items.length ? items : null;
    });
    expect(inbox).toMatchObject([{ kind: 'staff.loan_request', subject: `借用申请：${w.siteB.name}申请折叠椅×2` }]);
  });

  it('a site borrowing its own equipment is approved at once and asks nobody', async () => {
    const { w, managerA, type } = await chairs();
    const res = await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), lenders: [{ siteId: w.siteA.id, quantity: 1 }] });
    expect(bodyOf(res).loans[0].status).toBe('approved');
    for (const user of everyoneOf(w, managerA)) expect(await notificationsOf(user.id)).toEqual([]);
  });

  it('a request whose transaction fails at commit asks nobody', async () => {
    const { w, managerA, type } = await chairs();
    await t.db.execute(sql.raw(`CREATE OR REPLACE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$`));
    await t.db.execute(
      sql.raw(`CREATE CONSTRAINT TRIGGER refuse_loan AFTER INSERT ON equipment_loans DEFERRABLE INITIALLY DEFERRED
               FOR EACH ROW WHEN (NEW.org_id = '${w.org.id}') EXECUTE FUNCTION refuse_commit()`),
    );
    try {
      const res = await requestLoan(w.tokens.staffB, { typeId: type.id, quantity: 2, borrowerSiteId: w.siteB.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), lenders: [{ siteId: w.siteA.id, quantity: 2 }] });
      expect(res.statusCode).toBe(500);
    } finally {
      await t.db.execute(sql.raw('DROP TRIGGER refuse_loan ON equipment_loans'));
    }
    expect(await t.db.select().from(schema.equipmentLoans).where(eq(schema.equipmentLoans.orgId, w.org.id))).toEqual([]);
    for (const user of everyoneOf(w, managerA)) expect(await notificationsOf(user.id)).toEqual([]);
  });
});

describe('a loan on its way', () => {
  it('the requester hears it was approved and sent; the lender taking the steps is not told; later steps tell nobody', async () => {
    const { w, managerA, type } = await chairs();
    const loan = bodyOf(await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 3, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), lenders: [{ siteId: w.siteB.id, quantity: 3 }] })).loans[0];
    for (const [token, name] of [[w.tokens.staffB, 'approve'], [w.tokens.staffB, 'dispatch'], [w.tokens.staffA, 'receive'], [w.tokens.staffA, 'return'], [w.tokens.staffB, 'check']] as const) {
      expect((await step(token, loan.id, name)).statusCode, name).toBe(200);
    }
    const told = await notificationsOf(w.staffA.id);
    expect(told.map((n) => [n.kind, n.dedupeKey])).toEqual([
      ['loan.approved', `loan.approved:${loan.id}`],
      ['loan.dispatched', `loan.dispatched:${loan.id}`],
    ]);
    expect(told[1]!.facts).toEqual({
      loanId: loan.id,
      equipmentName: '折叠椅',
      quantity: 3,
      lenderSiteName: w.siteB.name,
      borrowerSiteName: w.siteA.name,
      siteZone: 'Asia/Shanghai',
      useStartAt: at(DAY, '10:00'),
      useEndAt: at(DAY, '12:00'),
    });
    // B's staff were asked to answer the request and took every step themselves: nothing more for them.
    expect((await notificationsOf(w.staffB.id)).map((n) => n.kind)).toEqual(['staff.loan_request']);
    expect(await notificationsOf(managerA.id)).toEqual([]);
  });

  it("an overdue loan tells its requester and the lending site's managers, once", async () => {
    const { w, type } = await chairs();
    const managerB = await createUser(t.db, { orgId: w.org.id, role: 'site_manager', siteIds: [w.siteB.id] });
    const loan = bodyOf(await requestLoan(w.tokens.staffA, { typeId: type.id, quantity: 1, borrowerSiteId: w.siteA.id, start: at(DAY, '10:00'), end: at(DAY, '12:00'), lenders: [{ siteId: w.siteB.id, quantity: 1 }] })).loans[0];
    for (const [token, name] of [[w.tokens.staffB, 'approve'], [w.tokens.staffB, 'dispatch'], [w.tokens.staffA, 'receive']] as const) await step(token, loan.id, name);
    t.setNow(loan.claimEnd);
    try {
      expect(await flagOverdueLoans(t.app.deps)).toBeGreaterThanOrEqual(1);
      expect(await flagOverdueLoans(t.app.deps)).toBe(0);
    } finally {
      t.setNow(NOW);
    }
    for (const user of [w.staffA, managerB]) {
      expect(await notificationsOf(user.id, 'loan.overdue')).toMatchObject([{ dedupeKey: `loan.overdue:${loan.id}`, facts: { loanId: loan.id, useEndAt: at(DAY, '12:00'), lenderSiteName: w.siteB.name } }]);
    }
    // The lender's plain staff learn it from their lists and the digest, not a message each.
    expect(await notificationsOf(w.staffB.id, 'loan.overdue')).toEqual([]);
  });
});
