/**
 * What residents hear about their registrations, recorded in the transaction of the change: registered (with its
 * reminder scheduled the day before), waitlisted with their place in line, promoted (an offer to accept by its
 * expiry, or booked outright), asked for feedback after a session they attended. A change that rolls back writes
 * none of it; a cancelled place loses its reminder; a resident is not told of their own cancellation.
 */
import { schema } from '@linli/db';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { DELIVERY_QUEUE, REMINDER_QUEUE } from '../outbox/job-queue.ts';
import { deliveriesOf, jobsOf } from '../notifications/testing/fixtures.ts';
import { eventually } from '../notifications/testing/smtp-sink.ts';
import { createActivity, createSession } from './registrations.factories.ts';
import { runRegistrationSweep } from './registrations.service.ts';

const DAY = '2027-03-10';
const NOW = at('2027-03-01', '09:00');
let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let staffToken: string;

beforeAll(async () => {
  // The worker runs, so one registration can be followed into the inbox.
  t = await startTestApp({ now: NOW, env: { NOTIFICATIONS_WORKER: 'inline', NOTIFICATION_POLL_SECONDS: '0.5' } });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id, name: '滨江邻里中心', address: '滨江路 88 号' });
  staffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
});
afterAll(() => t?.close());

async function resident() {
  const user = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: site.id });
  return { user, token: tokenFor(t.app, user) };
}

/** A published activity with one session on DAY 10:00-12:00 in a room of its own. */
async function session(activityInput: Partial<Parameters<typeof createActivity>[1]> = {}, places = 1) {
  const space = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '多功能室 A' });
  const activity = await createActivity(t.db, { orgId: org.id, title: '亲子阅读会', cancelCutoffMinutes: 120, ...activityInput });
  const row = await createSession(t.db, { activity, siteId: site.id, spaceId: space.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00'), places });
  return { activity, session: row };
}

const post = (token: string, url: string, payload: object = {}) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), payload });
const register = (token: string, sessionId: string) => post(token, `/activity-sessions/${sessionId}/registrations`, { partySize: 1 });

async function notificationsOf(userId: string) {
  return t.db
    .select({ kind: schema.notifications.kind, facts: schema.notifications.facts, dedupeKey: schema.notifications.dedupeKey })
    .from(schema.notifications)
    .where(eq(schema.notifications.recipientId, userId))
    .orderBy(schema.notifications.createdAt);
}
const kindsOf = async (userId: string) => (await notificationsOf(userId)).map((n) => n.kind);
const pendingReminder = async (registrationId: string) =>
  (await jobsOf(t.db, REMINDER_QUEUE)).filter((job) => job.singletonKey === `registration:${registrationId}:reminder` && job.state === 'created');

describe('registering', () => {
  it('a registration tells the resident where and when, with the cancel cut-off, and schedules a reminder the day before', async () => {
    const { session: s } = await session();
    const { user, token } = await resident();
    const res = await register(token, s.id);
    expect(res.statusCode).toBe(201);
    const registration = res.json().registration;
    const [notice] = await notificationsOf(user.id);
    expect(notice).toEqual({
      kind: 'activity.registered',
      dedupeKey: `activity.registered:${registration.id}`,
      facts: {
        registrationId: registration.id,
        sessionId: s.id,
        activityTitle: '亲子阅读会',
        siteName: '滨江邻里中心',
        siteAddress: '滨江路 88 号',
        siteZone: 'Asia/Shanghai',
        spaceName: '多功能室 A',
        startAt: at(DAY, '10:00'),
        endAt: at(DAY, '12:00'),
        partySize: 1,
        cancelUntil: at(DAY, '08:00'),
      },
    });
    expect((await deliveriesOf(t.db, user.id)).map((d) => d.channel)).toEqual(['email', 'inbox']);
    const [reminder] = await pendingReminder(registration.id);
    expect(new Date(reminder!.startAfter).toISOString()).toBe(at('2027-03-09', '10:00'));
    expect(reminder!.data).toMatchObject({ intent: { kind: 'activity.reminder', recipientId: user.id, facts: { registrationId: registration.id, startAt: at(DAY, '10:00') } } });

    const inbox = await eventually('the registration in the inbox', async () => {
      const items = bodyOf<{ items: { kind: string; subject: string }[] }>(await t.app.inject({ url: '/api/v1/me/notifications', headers: bearer(token) })).items;
      return items.length ? items : null;
    });
    expect(inbox).toMatchObject([{ kind: 'activity.registered', subject: '报名成功：亲子阅读会' }]);
  });

  it('a full session puts residents in line and tells each their place in it', async () => {
    const { session: s } = await session();
    await register((await resident()).token, s.id);
    const first = await resident();
    const second = await resident();
    const entries = [(await register(first.token, s.id)).json().waitlisted, (await register(second.token, s.id)).json().waitlisted];
    const [toFirst] = await notificationsOf(first.user.id);
    const [toSecond] = await notificationsOf(second.user.id);
    expect(toFirst).toMatchObject({ kind: 'activity.waitlisted', facts: { registrationId: entries[0].id, sessionId: s.id, position: 1, siteName: '滨江邻里中心' } });
    expect(toSecond).toMatchObject({ kind: 'activity.waitlisted', facts: { position: 2 } });
  });

  it('a registration whose transaction fails at commit leaves no notification, delivery or reminder behind', async () => {
    const { session: s } = await session();
    const { user, token } = await resident();
    // The registration, its notification and reminder are all written; then the commit is refused.
    await t.db.execute(sql.raw(`CREATE OR REPLACE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$`));
    await t.db.execute(
      sql.raw(`CREATE CONSTRAINT TRIGGER refuse_registration AFTER INSERT ON activity_registrations DEFERRABLE INITIALLY DEFERRED
               FOR EACH ROW WHEN (NEW.session_id = '${s.id}') EXECUTE FUNCTION refuse_commit()`),
    );
    try {
      expect((await register(token, s.id)).statusCode).toBe(500);
    } finally {
      await t.db.execute(sql.raw('DROP TRIGGER refuse_registration ON activity_registrations'));
    }
    expect(await t.db.select().from(schema.activityRegistrations).where(eq(schema.activityRegistrations.sessionId, s.id))).toEqual([]);
    expect(await notificationsOf(user.id)).toEqual([]);
    expect(await deliveriesOf(t.db, user.id)).toEqual([]);
    expect((await jobsOf(t.db, REMINDER_QUEUE)).filter((job) => JSON.stringify(job.data).includes(user.id))).toEqual([]);
    const deliveryIds = new Set((await t.db.select({ id: schema.notificationDeliveries.id }).from(schema.notificationDeliveries)).map((d) => d.id));
    expect((await jobsOf(t.db, DELIVERY_QUEUE)).filter((job) => !deliveryIds.has(job.data.deliveryId as string))).toEqual([]);
  });
});

describe('places freed', () => {
  it('a resident cancelling hears nothing of it and loses the reminder; the next in line is offered the place, and accepting registers them', async () => {
    const { session: s } = await session({ waitlistMode: 'offer', offerHoldMinutes: 120 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const next = await resident();
    await register(next.token, s.id);
    expect(await pendingReminder(held.id)).toHaveLength(1);

    expect((await post(holder.token, `/registrations/${held.id}/cancel`)).statusCode).toBe(200);
    expect(await kindsOf(holder.user.id)).toEqual(['activity.registered']);
    expect(await pendingReminder(held.id)).toEqual([]);

    const [offered] = await t.db.select().from(schema.activityRegistrations).where(and(eq(schema.activityRegistrations.sessionId, s.id), eq(schema.activityRegistrations.userId, next.user.id)));
    const promoted = (await notificationsOf(next.user.id)).at(-1)!;
    expect(promoted).toMatchObject({
      kind: 'activity.promoted',
      dedupeKey: `activity.promoted:${offered!.id}`,
      facts: { registrationId: offered!.id, offerExpiresAt: at('2027-03-01', '11:00'), activityTitle: '亲子阅读会', spaceName: '多功能室 A' },
    });
    // The offer holds no reminder until it is accepted.
    expect(await pendingReminder(offered!.id)).toEqual([]);
    expect((await post(next.token, `/registrations/${offered!.id}/accept-offer`)).statusCode).toBe(200);
    expect(await kindsOf(next.user.id)).toEqual(['activity.waitlisted', 'activity.promoted', 'activity.registered']);
    expect(await pendingReminder(offered!.id)).toHaveLength(1);
  });

  it('with auto_book the next in line is registered outright, told so (no expiry), and reminded', async () => {
    const { session: s } = await session({ waitlistMode: 'auto_book' });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const next = await resident();
    await register(next.token, s.id);
    expect((await post(staffToken, `/activity-sessions/${s.id}/registrations/${held.id}/remove`, { reason: '重复报名' })).statusCode).toBe(200);
    const [booked] = await t.db.select().from(schema.activityRegistrations).where(and(eq(schema.activityRegistrations.sessionId, s.id), eq(schema.activityRegistrations.userId, next.user.id)));
    expect(booked!.status).toBe('confirmed');
    expect((await notificationsOf(next.user.id)).at(-1)).toMatchObject({ kind: 'activity.promoted', facts: { registrationId: booked!.id, offerExpiresAt: null } });
    expect(await pendingReminder(booked!.id)).toHaveLength(1);
    expect(await pendingReminder(held.id)).toEqual([]);
  });

  it('an offer that lapses passes the place on: the sweep offers it to the next in line', async () => {
    const { session: s } = await session({ waitlistMode: 'offer', offerHoldMinutes: 60 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const [second, third] = [await resident(), await resident()];
    await register(second.token, s.id);
    await register(third.token, s.id);
    await post(holder.token, `/registrations/${held.id}/cancel`);
    expect((await notificationsOf(second.user.id)).at(-1)!.kind).toBe('activity.promoted');

    expect((await runRegistrationSweep(t.db, new Date(at('2027-03-01', '10:01')))).offersExpired).toBeGreaterThanOrEqual(1);
    const [offer] = await t.db.select().from(schema.activityRegistrations).where(and(eq(schema.activityRegistrations.sessionId, s.id), eq(schema.activityRegistrations.userId, third.user.id)));
    expect((await notificationsOf(third.user.id)).at(-1)).toMatchObject({ kind: 'activity.promoted', facts: { registrationId: offer!.id, offerExpiresAt: at('2027-03-01', '11:01') } });
  });
});

describe('after the session', () => {
  it('the sweep asks those who came for feedback, once; a no-show is not asked', async () => {
    const { session: s } = await session({}, 5);
    const came = await resident();
    const absent = await resident();
    const attended = (await register(came.token, s.id)).json().registration;
    await register(absent.token, s.id);
    t.setNow(at(DAY, '09:45'));
    try {
      expect((await post(staffToken, `/registrations/${attended.id}/check-in`)).statusCode).toBe(200);
    } finally {
      t.setNow(NOW);
    }
    expect((await runRegistrationSweep(t.db, new Date(at(DAY, '12:00')))).completed).toBeGreaterThanOrEqual(1);
    await runRegistrationSweep(t.db, new Date(at(DAY, '12:05')));
    const asked = (await notificationsOf(came.user.id)).filter((n) => n.kind === 'activity.feedback_request');
    expect(asked).toEqual([
      {
        kind: 'activity.feedback_request',
        dedupeKey: `activity.feedback_request:${attended.id}`,
        facts: expect.objectContaining({ registrationId: attended.id, sessionId: s.id, activityTitle: '亲子阅读会', siteAddress: '滨江路 88 号', endAt: at(DAY, '12:00') }),
      },
    ]);
    expect(await kindsOf(absent.user.id)).toEqual(['activity.registered']);
  });
});
