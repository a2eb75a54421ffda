/**
 * The outbox: a notification is recorded in the transaction of its change and delivered only if that commits;
 * the worker delivers it to the inbox exactly once however often its job runs; reminders move and vanish with
 * what they remind of. Triggered by recording intents in a test transaction (the hook-ins into bookings and
 * activities come later).
 */
import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { tokenFor } from '../../test/factories.ts';
import { type SmtpSink, eventually, startSmtpSink } from '../notifications/testing/smtp-sink.ts';
import {
  type NotificationWorld,
  bookingConfirmed,
  bookingFacts,
  createNotificationWorld,
  createRecipient,
  deliveriesOf,
  jobsOf,
  recordInTransaction,
} from '../notifications/testing/fixtures.ts';
import { DELIVERY_QUEUE, REMINDER_QUEUE } from './job-queue.ts';
import { cancelReminder, enqueueDeliveries, moveReminder, notify, recordNotifications, scheduleReminder } from './outbox.ts';
import { withRequestId } from './request-id.ts';

let t: TestApp;
let sink: SmtpSink;
let world: NotificationWorld;

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startTestApp({
    env: { NOTIFICATIONS_WORKER: 'inline', NOTIFICATION_POLL_SECONDS: '0.5', SMTP_URL: sink.url, SMTP_TIMEOUT_MS: '2000', NOTIFICATION_JOB_TIMEOUT_SECONDS: '5' },
  });
  world = await createNotificationWorld(t.db);
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

const inboxOf = async (user: { id: string; orgId: string; role: string }) => {
  const res = await t.app.inject({ url: '/api/v1/me/notifications', headers: bearer(tokenFor(t.app, { ...user, siteIds: [] })) });
  expect(res.statusCode).toBe(200);
  return bodyOf<{ items: { id: string; subject: string; kind: string }[] }>(res).items;
};

describe('the outbox writes in the transaction of the change', () => {
  it('a notification recorded in a transaction that rolls back is never delivered; one that commits is', async () => {
    const resident = await createRecipient(t.db, world);
    const rolledBack = bookingFacts(world, { spaceName: '回滚的房间' });
    await expect(
      t.db.transaction(async (tx) => {
        await recordNotifications(tx, [bookingConfirmed(world, resident, rolledBack)]);
        throw new Error('the booking failed after the notification was recorded');
      }),
    ).rejects.toThrow('the booking failed');
    // A committed one afterwards: once the worker delivered it, it has had every chance to deliver the other.
    await recordInTransaction(t.db, [bookingConfirmed(world, resident)]);
    const delivered = await eventually('the committed email', () => sink.accepted.find((m) => m.to && JSON.stringify(m.to).includes(resident.email!)));
    expect(delivered.subject).toContain(world.space.name);
    expect(sink.received.some((m) => m.subject?.includes('回滚的房间'))).toBe(false);
    const rows = await t.db.select().from(schema.notifications).where(eq(schema.notifications.recipientId, resident.id));
    expect(rows.map((r) => (r.facts as { spaceName: string }).spaceName)).toEqual([world.space.name]);
    const items = await eventually('the inbox item', async () => {
      const inbox = await inboxOf(resident);
      return inbox.length ? inbox : null;
    });
    expect(items.map((i) => i.subject)).toEqual([`预约已确认：${world.space.name}`]);
    // The jobs rolled back with the rows: every delivery job points at a delivery that exists.
    const deliveryIds = new Set((await t.db.select({ id: schema.notificationDeliveries.id }).from(schema.notificationDeliveries)).map((d) => d.id));
    expect((await jobsOf(t.db, DELIVERY_QUEUE)).filter((job) => !deliveryIds.has(job.data.deliveryId as string))).toEqual([]);
  });

  it('one that commits reaches the inbox exactly once, even when its job runs three times', async () => {
    const resident = await createRecipient(t.db, world, { email: null });
    await recordInTransaction(t.db, [bookingConfirmed(world, resident)]);
    const [inbox] = await eventually('the inbox delivery', async () => {
      const rows = await deliveriesOf(t.db, resident.id);
      return rows[0]?.status === 'sent' ? rows : null;
    });
    // A retry and a second worker, as pg-boss would hand the same delivery out again after a crash.
    await t.db.transaction((tx) => enqueueDeliveries(tx, [inbox!, inbox!]));
    await eventually('both extra jobs done', async () => {
      const jobs = (await jobsOf(t.db, DELIVERY_QUEUE)).filter((j) => j.data.deliveryId === inbox!.id);
      return jobs.length === 3 && jobs.every((j) => j.state === 'completed');
    });
    const [after] = await deliveriesOf(t.db, resident.id);
    expect(after).toMatchObject({ channel: 'inbox', status: 'sent', attempts: 1 });
    expect(await inboxOf(resident)).toHaveLength(1);
  });

  it('the same event recorded twice notifies the person once', async () => {
    const resident = await createRecipient(t.db, world, { email: null });
    const facts = bookingFacts(world);
    expect(await recordInTransaction(t.db, [bookingConfirmed(world, resident, facts)])).toBe(1);
    expect(await recordInTransaction(t.db, [bookingConfirmed(world, resident, facts), bookingConfirmed(world, resident, facts)])).toBe(0);
    expect(await deliveriesOf(t.db, resident.id)).toHaveLength(1);
  });

  it('records the id of the request that caused it', async () => {
    const resident = await createRecipient(t.db, world, { email: null });
    await withRequestId('req-of-the-booking', () => recordInTransaction(t.db, [bookingConfirmed(world, resident)]));
    const [row] = await t.db.select().from(schema.notifications).where(eq(schema.notifications.recipientId, resident.id));
    expect(row?.requestId).toBe('req-of-the-booking');
  });

  it('nobody outside the organization, and no disabled account, is notified', async () => {
    const resident = await createRecipient(t.db, world);
    const stranger = { id: resident.id };
    const wrongOrg = notify.bookingConfirmed({ orgId: '0190f1c2-0000-7000-8000-00000000beef', recipientId: stranger.id, facts: bookingFacts(world) });
    expect(await recordInTransaction(t.db, [wrongOrg])).toBe(0);
    await t.db.update(schema.users).set({ disabledAt: new Date() }).where(eq(schema.users.id, resident.id));
    expect(await recordInTransaction(t.db, [bookingConfirmed(world, resident)])).toBe(0);
  });
});

describe('quiet hours, judged when the notification is recorded', () => {
  it('at 23:30 in the person\'s zone the inbox gets it at once and the email is held until 08:00', async () => {
    const resident = await createRecipient(t.db, world, { quietHours: [22 * 60, 8 * 60] });
    const now = new Date('2031-03-01T15:30:00Z'); // 23:30 in Shanghai
    await recordInTransaction(t.db, [bookingConfirmed(world, resident)], { now });
    const byChannel = Object.fromEntries((await deliveriesOf(t.db, resident.id)).map((d) => [d.channel, d]));
    expect(byChannel.inbox!.notBefore.toISOString()).toBe(now.toISOString());
    expect(byChannel.email!.notBefore.toISOString()).toBe('2031-03-02T00:00:00.000Z');
    const job = (await jobsOf(t.db, DELIVERY_QUEUE)).find((j) => j.data.deliveryId === byChannel.email!.id);
    expect(new Date(job!.startAfter).toISOString()).toBe('2031-03-02T00:00:00.000Z');
    expect(job!.state).toBe('created');
  });

  it('a person without a preferences row has quiet hours 22:00-08:00', async () => {
    const resident = await createRecipient(t.db, world);
    await t.db.delete(schema.notificationPreferences).where(eq(schema.notificationPreferences.userId, resident.id));
    await recordInTransaction(t.db, [bookingConfirmed(world, resident)], { now: new Date('2031-03-01T16:00:00Z') });
    const email = (await deliveriesOf(t.db, resident.id)).find((d) => d.channel === 'email');
    expect(email?.notBefore.toISOString()).toBe('2031-03-02T00:00:00.000Z');
  });
});

describe('reminders move and vanish with their booking', () => {
  const reminderFor = (resident: { id: string }, startAt: string) =>
    notify.bookingReminder({ orgId: world.org.id, recipientId: resident.id, facts: { ...bookingFacts(world, { startAt, endAt: new Date(Date.parse(startAt) + 3_600_000).toISOString() }), checkInFrom: null } });
  const pendingReminders = async (key: string) => (await jobsOf(t.db, REMINDER_QUEUE)).filter((j) => j.singletonKey === key && ['created', 'retry'].includes(j.state));

  it('a reminder is scheduled, moved when its booking moves, and fires once at the new time', async () => {
    const resident = await createRecipient(t.db, world, { email: null });
    const key = `booking:${crypto.randomUUID()}:reminder`;
    const inAnHour = new Date(Date.now() + 3_600_000);
    await t.db.transaction((tx) => scheduleReminder(tx, { key, at: inAnHour, intent: reminderFor(resident, new Date(Date.now() + 7_200_000).toISOString()) }));
    const [scheduled] = await pendingReminders(key);
    expect(new Date(scheduled!.startAfter).getTime()).toBe(inAnHour.getTime());

    const movedStart = new Date(Date.now() + 1_800_000).toISOString();
    await t.db.transaction((tx) => moveReminder(tx, { key, at: new Date(Date.now() + 500), intent: reminderFor(resident, movedStart) }));
    const pending = await pendingReminders(key);
    expect(pending.map((j) => j.id)).toEqual([scheduled!.id]);

    const items = await eventually('the reminder in the inbox', async () => {
      const inbox = await inboxOf(resident);
      return inbox.length ? inbox : null;
    });
    expect(items.map((i) => i.kind)).toEqual(['booking.reminder']);
    const [notification] = await t.db.select().from(schema.notifications).where(eq(schema.notifications.recipientId, resident.id));
    expect((notification!.facts as { startAt: string }).startAt).toBe(movedStart);
  });

  it("a cancelled booking's reminder vanishes, and a rolled-back schedule leaves none", async () => {
    const resident = await createRecipient(t.db, world);
    const key = `booking:${crypto.randomUUID()}:reminder`;
    const intent = reminderFor(resident, new Date(Date.now() + 7_200_000).toISOString());
    await expect(
      t.db.transaction(async (tx) => {
        await scheduleReminder(tx, { key, at: new Date(Date.now() + 3_600_000), intent });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await pendingReminders(key)).toEqual([]);
    await t.db.transaction((tx) => scheduleReminder(tx, { key, at: new Date(Date.now() + 3_600_000), intent }));
    expect(await pendingReminders(key)).toHaveLength(1);
    await t.db.transaction((tx) => cancelReminder(tx, key));
    expect(await pendingReminders(key)).toEqual([]);
  });

  it('a reminder due inside the person\'s quiet hours goes just before they begin', async () => {
    const resident = await createRecipient(t.db, world, { quietHours: [22 * 60, 8 * 60] });
    const key = `booking:${crypto.randomUUID()}:reminder`;
    const now = new Date('2031-03-01T02:00:00Z'); // 10:00 in Shanghai
    const fired = await t.db.transaction((tx) =>
      scheduleReminder(tx, { key, at: new Date('2031-03-01T15:30:00Z'), intent: reminderFor(resident, '2031-03-02T01:00:00.000Z') }, { now }),
    );
    expect(fired?.toISOString()).toBe('2031-03-01T13:59:00.000Z');
    const [job] = await pendingReminders(key);
    expect(new Date(job!.startAfter).toISOString()).toBe('2031-03-01T13:59:00.000Z');
  });
});
