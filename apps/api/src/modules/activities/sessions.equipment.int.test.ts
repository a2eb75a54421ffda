/**
 * Activity sessions that ask for equipment with their room: every session borrows it over its own time for its
 * site, all or nothing, and the loans follow the session when it moves or is cancelled (alone or with its activity).
 */
import { newId, schema } from '@linli/db';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

const { activitySessions, equipmentHoldings, equipmentLoanEvents, equipmentLoans, equipmentRefusals, equipmentTypes } = schema;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
});
afterAll(() => t.close());

/** Three sites: the activity room is at `home`, which owns 2 projectors; `near` holds 3 more. */
async function pool() {
  const org = await createOrg(t.db);
  const home = await createSite(t.db, { orgId: org.id, lat: 31.17, lng: 121.43 });
  const near = await createSite(t.db, { orgId: org.id, lat: 31.18, lng: 121.43 });
  const far = await createSite(t.db, { orgId: org.id, lat: 31.26, lng: 121.43 });
  const room = await createSpace(t.db, { orgId: org.id, siteId: home.id, capacity: 40 });
  const [projector] = await t.db.insert(equipmentTypes).values({ orgId: org.id, key: `projector_${newId().slice(0, 8)}`, nameZh: '投影仪', nameEn: 'Projector' }).returning();
  await t.db.insert(equipmentHoldings).values([
    { orgId: org.id, siteId: home.id, typeId: projector!.id, inService: 2 },
    { orgId: org.id, siteId: near.id, typeId: projector!.id, inService: 3 },
  ]);
  const admin = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/activities',
    headers: bearer(admin),
    payload: { title: '社区电影夜', titleEn: 'Film night', category: 'culture', places: 30 },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { org, home, near, far, room, projector: projector!, admin, activityId: res.json().id as string };
}

type Pool = Awaited<ReturnType<typeof pool>>;
const addSessions = (w: Pool, payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/activities/${w.activityId}/sessions`, headers: bearer(w.admin), payload });
const loansOf = (sessionId: string) => t.db.select().from(equipmentLoans).where(eq(equipmentLoans.sessionId, sessionId)).orderBy(asc(equipmentLoans.quantity));
const lastEventOf = async (loanId: string) =>
  (await t.db.select().from(equipmentLoanEvents).where(eq(equipmentLoanEvents.loanId, loanId)).orderBy(asc(equipmentLoanEvents.at))).at(-1)!;

async function sessionWithProjectors(w: Pool, quantity: number, date = '2027-03-05') {
  const res = await addSessions(w, { spaceId: w.room.id, startAt: at(date, '19:00'), endAt: at(date, '21:00'), equipment: [{ typeId: w.projector.id, quantity }] });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().sessions[0] as { id: string; version: number; bookingId: string };
}

describe('sessions that ask for equipment', () => {
  it("a session borrows for its site over its time: the site's own units first, the rest from the nearest lender", async () => {
    const w = await pool();
    const session = await sessionWithProjectors(w, 5);
    const loans = await loansOf(session.id);
    expect(loans.map((l) => [l.lenderSiteId, l.borrowerSiteId, l.quantity, l.status, l.bookingId])).toEqual([
      [w.home.id, w.home.id, 2, 'requested', null],
      [w.near.id, w.home.id, 3, 'requested', null],
    ]);
    expect(loans.map((l) => [l.useStart.toISOString(), l.useEnd.toISOString()])).toEqual(Array(2).fill([at('2027-03-05', '19:00'), at('2027-03-05', '21:00')]));
    expect(await lastEventOf(loans[0]!.id)).toMatchObject({ toStatus: 'requested', reason: 'session' });
  });

  it('each recurring session borrows over its own evening', async () => {
    const w = await pool();
    const res = await addSessions(w, {
      spaceId: w.room.id,
      startDate: '2027-03-05',
      startTime: '19:00',
      durationMinutes: 120,
      rule: 'FREQ=WEEKLY;COUNT=3',
      equipment: [{ typeId: w.projector.id, quantity: 1 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const sessions = res.json().sessions as { id: string; startAt: string }[];
    expect(sessions).toHaveLength(3);
    for (const session of sessions) {
      const [loan] = await loansOf(session.id);
      expect(loan).toMatchObject({ lenderSiteId: w.home.id, quantity: 1 });
      expect(loan!.useStart.toISOString()).toBe(session.startAt);
    }
  });

  it('more than the pool can lend: 409 EQUIPMENT_SHORTFALL, no session, booking or loan written, the refusal kept', async () => {
    const w = await pool();
    const res = await addSessions(w, { spaceId: w.room.id, startAt: at('2027-03-05', '19:00'), endAt: at('2027-03-05', '21:00'), equipment: [{ typeId: w.projector.id, quantity: 6 }] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EQUIPMENT_SHORTFALL', details: { typeId: w.projector.id, shortfall: 1, totalFree: 5 } });
    expect(await t.db.select().from(activitySessions).where(eq(activitySessions.activityId, w.activityId))).toEqual([]);
    expect(await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, w.room.id))).toEqual([]);
    expect(await t.db.select().from(equipmentLoans).where(eq(equipmentLoans.typeId, w.projector.id))).toEqual([]);
    const refusals = await t.db.select().from(equipmentRefusals).where(eq(equipmentRefusals.typeId, w.projector.id));
    expect(refusals.map((r) => [r.borrowerSiteId, r.quantity, r.shortfall])).toEqual([[w.home.id, 6, 1]]);
  });

  it('moving the session moves its loans to the new time', async () => {
    const w = await pool();
    const session = await sessionWithProjectors(w, 3);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/activity-sessions/${session.id}`,
      headers: { ...bearer(w.admin), 'if-match': `"${session.version}"` },
      payload: { startAt: at('2027-03-06', '19:00'), endAt: at('2027-03-06', '21:00') },
    });
    expect(res.statusCode, res.body).toBe(200);
    const loans = await loansOf(session.id);
    expect(loans.map((l) => [l.status, l.useStart.toISOString()])).toEqual([
      ['requested', at('2027-03-06', '19:00')],
      ['requested', at('2027-03-06', '19:00')],
    ]);
    expect(await lastEventOf(loans[1]!.id)).toMatchObject({ reason: 'moved' });
  });

  it('cancelling the session cancels its loans; a dispatched one stays', async () => {
    const w = await pool();
    const session = await sessionWithProjectors(w, 5);
    const [homeLoan, nearLoan] = await loansOf(session.id);
    await t.db.update(equipmentLoans).set({ status: 'dispatched' }).where(eq(equipmentLoans.id, nearLoan!.id));
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/activity-sessions/${session.id}/cancel`, headers: bearer(w.admin), payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    expect((await loansOf(session.id)).map((l) => [l.id, l.status])).toEqual([
      [homeLoan!.id, 'cancelled'],
      [nearLoan!.id, 'dispatched'],
    ]);
    expect(await lastEventOf(homeLoan!.id)).toMatchObject({ fromStatus: 'requested', toStatus: 'cancelled', reason: 'session_cancelled' });
  });

  it('cancelling the activity cancels the loans of its sessions', async () => {
    const w = await pool();
    const first = await sessionWithProjectors(w, 1, '2027-03-05');
    const second = await sessionWithProjectors(w, 1, '2027-03-12');
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/activities/${w.activityId}/cancel`, headers: bearer(w.admin), payload: { reason: '场地维修' } });
    expect(res.statusCode, res.body).toBe(200);
    for (const session of [first, second]) expect((await loansOf(session.id)).map((l) => l.status)).toEqual(['cancelled']);
  });
});
