/**
 * What registrants hear when staff change a session: a move tells everyone holding a place what it was and is now,
 * and takes confirmed registrants' reminders with it; a cancelled session (alone or with its activity) tells every
 * registrant whose place it ended, once, with the reason given, and their reminders vanish. A change that rolls back
 * tells nobody. Equipment a session borrows asks the lending site's staff.
 */
import { schema } from '@linli/db';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { REMINDER_QUEUE } from '../outbox/job-queue.ts';
import { jobsOf } from '../notifications/testing/fixtures.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof world>>;

async function world() {
  const org = await createOrg(t.db);
  const site = await createSite(t.db, { orgId: org.id, name: '滨江邻里中心', address: '滨江路 88 号' });
  const other = await createSite(t.db, { orgId: org.id, name: '城西白领驿站', lat: 31.18 });
  const roomA = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '多功能室 A', capacity: 20 });
  const roomB = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '多功能室 B', capacity: 20 });
  const admin = await createUser(t.db, { orgId: org.id, role: 'org_admin' });
  return { org, site, other, roomA, roomB, admin, adminToken: tokenFor(t.app, admin) };
}

beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  w = await world();
});
afterAll(() => t?.close());

const api = (method: 'POST' | 'PATCH', url: string, payload: object = {}, headers: Record<string, string> = {}, token = w.adminToken) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, payload });

/** A published activity (offers held for waitlisted residents) with one session per date, 10:00-12:00 in room A. */
async function publishedActivity(dates: string[], places = 2) {
  const created = await api('POST', '/activities', { title: '社区读书会', category: 'culture', places, waitlistMode: 'offer' });
  expect(created.statusCode, created.body).toBe(201);
  const activityId = created.json().id as string;
  const sessions = [];
  for (const date of dates) {
    const res = await api('POST', `/activities/${activityId}/sessions`, { spaceId: w.roomA.id, startAt: at(date, '10:00'), endAt: at(date, '12:00') });
    expect(res.statusCode, res.body).toBe(201);
    sessions.push(res.json().sessions[0] as { id: string; version: number });
  }
  expect((await api('POST', `/activities/${activityId}/publish`)).statusCode).toBe(200);
  return { activityId, sessions };
}

async function resident() {
  const user = await createUser(t.db, { orgId: w.org.id, role: 'resident', homeSiteId: w.site.id });
  return { user, token: tokenFor(t.app, user) };
}
type Resident = Awaited<ReturnType<typeof resident>>;
const register = (who: Resident, sessionId: string) => api('POST', `/activity-sessions/${sessionId}/registrations`, { partySize: 1 }, {}, who.token);

/** Holder, a second holder who cancels (their place goes to `offered` as a held offer), and one still in line. */
async function registrants(sessionId: string) {
  const [holder, leaver, offered, waiting] = [await resident(), await resident(), await resident(), await resident()];
  const held = (await register(holder, sessionId)).json().registration;
  const left = (await register(leaver, sessionId)).json().registration;
  await register(offered, sessionId);
  await register(waiting, sessionId);
  expect((await api('POST', `/registrations/${left.id}/cancel`, {}, {}, leaver.token)).statusCode).toBe(200);
  const [offer] = await t.db.select().from(schema.activityRegistrations).where(and(eq(schema.activityRegistrations.sessionId, sessionId), eq(schema.activityRegistrations.userId, offered.user.id)));
  expect(offer!.status).toBe('pending');
  return { holder, leaver, offered, waiting, heldId: held.id as string, offerId: offer!.id };
}

async function notificationsOf(userId: string, kind: string) {
  return t.db
    .select({ facts: schema.notifications.facts, dedupeKey: schema.notifications.dedupeKey })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.recipientId, userId), eq(schema.notifications.kind, kind)))
    .orderBy(schema.notifications.createdAt);
}
const pendingReminders = async (registrationId: string) =>
  (await jobsOf(t.db, REMINDER_QUEUE)).filter((job) => job.singletonKey === `registration:${registrationId}:reminder` && job.state === 'created');
const sessionVersion = async (id: string) => (await t.db.select().from(schema.activitySessions).where(eq(schema.activitySessions.id, id)))[0]!.version;
const move = async (sessionId: string, payload: object) => api('PATCH', `/activity-sessions/${sessionId}`, payload, { 'if-match': `"${await sessionVersion(sessionId)}"` });

describe('a session moved', () => {
  it('tells everyone holding a place, each move once, and moves confirmed reminders with it', async () => {
    const { sessions: [s] } = await publishedActivity(['2027-03-10']);
    const r = await registrants(s!.id);
    const [reminderBefore] = await pendingReminders(r.heldId);
    expect(new Date(reminderBefore!.startAfter).toISOString()).toBe(at('2027-03-09', '10:00'));

    expect((await move(s!.id, { startAt: at('2027-03-11', '14:00'), endAt: at('2027-03-11', '16:00') })).statusCode).toBe(200);
    const [toHolder] = await notificationsOf(r.holder.user.id, 'activity.session_changed');
    expect(toHolder!.facts).toEqual({
      registrationId: r.heldId,
      sessionId: s!.id,
      activityTitle: '社区读书会',
      siteName: '滨江邻里中心',
      siteAddress: '滨江路 88 号',
      siteZone: 'Asia/Shanghai',
      spaceName: '多功能室 A',
      startAt: at('2027-03-11', '14:00'),
      endAt: at('2027-03-11', '16:00'),
      previousStartAt: at('2027-03-10', '10:00'),
      previousEndAt: at('2027-03-10', '12:00'),
    });
    expect(await notificationsOf(r.offered.user.id, 'activity.session_changed')).toMatchObject([{ facts: { registrationId: r.offerId } }]);
    expect(await notificationsOf(r.leaver.user.id, 'activity.session_changed')).toEqual([]);
    expect(await notificationsOf(r.waiting.user.id, 'activity.session_changed')).toEqual([]);
    // The same reminder job, now the day before the new time; the offer has none until it is accepted.
    const [reminderAfter] = await pendingReminders(r.heldId);
    expect(reminderAfter!.id).toBe(reminderBefore!.id);
    expect(new Date(reminderAfter!.startAfter).toISOString()).toBe(at('2027-03-10', '14:00'));
    expect(reminderAfter!.data).toMatchObject({ intent: { facts: { startAt: at('2027-03-11', '14:00') } } });
    expect(await pendingReminders(r.offerId)).toEqual([]);

    // Another room at the same time is a change too; moving back to a time told before is told again.
    expect((await move(s!.id, { spaceId: w.roomB.id })).statusCode).toBe(200);
    expect((await move(s!.id, { startAt: at('2027-03-10', '10:00'), endAt: at('2027-03-10', '12:00') })).statusCode).toBe(200);
    expect((await move(s!.id, { startAt: at('2027-03-11', '14:00'), endAt: at('2027-03-11', '16:00') })).statusCode).toBe(200);
    const told = await notificationsOf(r.holder.user.id, 'activity.session_changed');
    expect(told.map((n) => [(n.facts as { spaceName: string }).spaceName, (n.facts as { startAt: string }).startAt])).toEqual([
      ['多功能室 A', at('2027-03-11', '14:00')],
      ['多功能室 B', at('2027-03-11', '14:00')],
      ['多功能室 B', at('2027-03-10', '10:00')],
      ['多功能室 B', at('2027-03-11', '14:00')],
    ]);
  });

  it('a move that fails at commit tells nobody and leaves the reminder where it was', async () => {
    const { sessions: [s] } = await publishedActivity(['2027-03-12']);
    const r = await registrants(s!.id);
    await t.db.execute(sql.raw(`CREATE OR REPLACE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$`));
    await t.db.execute(
      sql.raw(`CREATE CONSTRAINT TRIGGER refuse_session_move AFTER UPDATE ON activity_sessions DEFERRABLE INITIALLY DEFERRED
               FOR EACH ROW WHEN (NEW.id = '${s!.id}') EXECUTE FUNCTION refuse_commit()`),
    );
    try {
      expect((await move(s!.id, { startAt: at('2027-03-13', '10:00'), endAt: at('2027-03-13', '12:00') })).statusCode).toBe(500);
    } finally {
      await t.db.execute(sql.raw('DROP TRIGGER refuse_session_move ON activity_sessions'));
    }
    expect(await notificationsOf(r.holder.user.id, 'activity.session_changed')).toEqual([]);
    expect(await notificationsOf(r.offered.user.id, 'activity.session_changed')).toEqual([]);
    const [reminder] = await pendingReminders(r.heldId);
    expect(new Date(reminder!.startAfter).toISOString()).toBe(at('2027-03-11', '10:00'));
  });
});

describe('a session cancelled', () => {
  it('tells every registrant whose place it ended, once, with the reason; nobody else; their reminders vanish', async () => {
    const { sessions: [s] } = await publishedActivity(['2027-03-15']);
    const r = await registrants(s!.id);
    const res = await api('POST', `/activity-sessions/${s!.id}/cancel`, { reason: '场地维修' });
    expect(res.statusCode, res.body).toBe(200);
    for (const [who, registrationId] of [[r.holder, r.heldId], [r.offered, r.offerId]] as const) {
      const told = await notificationsOf(who.user.id, 'activity.session_cancelled');
      expect(told).toEqual([
        {
          dedupeKey: `activity.session_cancelled:${registrationId}`,
          facts: expect.objectContaining({ registrationId, sessionId: s!.id, reason: '场地维修', siteName: '滨江邻里中心', startAt: at('2027-03-15', '10:00') }),
        },
      ]);
    }
    expect(await notificationsOf(r.leaver.user.id, 'activity.session_cancelled')).toEqual([]);
    expect(await notificationsOf(r.waiting.user.id, 'activity.session_cancelled')).toEqual([]);
    expect(await notificationsOf(w.admin.id, 'activity.session_cancelled')).toEqual([]);
    expect(await pendingReminders(r.heldId)).toEqual([]);
  });

  it('cancelling an activity tells the registrants of each of its sessions; no reason given is said as none', async () => {
    const { activityId, sessions } = await publishedActivity(['2027-03-16', '2027-03-17'], 5);
    const [first, second] = [await resident(), await resident()];
    const a = (await register(first, sessions[0]!.id)).json().registration;
    const b = (await register(second, sessions[1]!.id)).json().registration;
    expect((await api('POST', `/activities/${activityId}/cancel`)).statusCode).toBe(200);
    expect(await notificationsOf(first.user.id, 'activity.session_cancelled')).toMatchObject([{ facts: { registrationId: a.id, reason: null, startAt: at('2027-03-16', '10:00') } }]);
    expect(await notificationsOf(second.user.id, 'activity.session_cancelled')).toMatchObject([{ facts: { registrationId: b.id, reason: null, startAt: at('2027-03-17', '10:00') } }]);
    expect([...(await pendingReminders(a.id)), ...(await pendingReminders(b.id))]).toEqual([]);
  });
});

describe('equipment a session borrows', () => {
  it("asks the lending site's staff and managers (staff.loan_request), not whoever scheduled it", async () => {
    const [projector] = await t.db.insert(schema.equipmentTypes).values({ orgId: w.org.id, key: `projector-${crypto.randomUUID().slice(0, 8)}`, nameZh: '投影仪', nameEn: 'Projector' }).returning();
    await t.db.insert(schema.equipmentHoldings).values({ orgId: w.org.id, siteId: w.other.id, typeId: projector!.id, inService: 2 });
    const lenderStaff = await createUser(t.db, { orgId: w.org.id, role: 'staff', siteIds: [w.other.id] });
    const lenderManager = await createUser(t.db, { orgId: w.org.id, role: 'site_manager', siteIds: [w.other.id] });
    const created = await api('POST', '/activities', { title: '电影夜', category: 'culture', places: 10 });
    const res = await api('POST', `/activities/${created.json().id}/sessions`, {
      spaceId: w.roomA.id,
      startAt: at('2027-03-20', '19:00'),
      endAt: at('2027-03-20', '21:00'),
      equipment: [{ typeId: projector!.id, quantity: 2 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const [loan] = await t.db.select().from(schema.equipmentLoans).where(eq(schema.equipmentLoans.sessionId, res.json().sessions[0].id));
    for (const user of [lenderStaff, lenderManager]) {
      expect(await notificationsOf(user.id, 'staff.loan_request')).toMatchObject([
        { facts: { loanId: loan!.id, equipmentName: '投影仪', quantity: 2, lenderSiteName: '城西白领驿站', borrowerSiteName: '滨江邻里中心', requesterName: w.admin.displayName } },
      ]);
    }
    expect(await notificationsOf(w.admin.id, 'staff.loan_request')).toEqual([]);
  });
});
