/**
 * Delivery through a real SMTP server started in this process (smtp-server), what arrived read back with
 * mailparser: the person's language, the Message-ID, a working unsubscribe link; and the faults: a server that
 * refuses or never answers (retries, then dead, visible to admins, resendable), a person with no email.
 */
import { type DatabaseHandle, schema } from '@linli/db';
import { openIsolatedDatabase } from '@linli/db/testing';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { createUser, tokenFor } from '../../test/factories.ts';
import { bearer } from '../../test/harness.ts';
import { notify } from '../outbox/outbox.ts';
import { withRequestId } from '../outbox/request-id.ts';
import {
  type NotificationWorld,
  bookingConfirmed,
  bookingFacts,
  createNotificationWorld,
  createRecipient,
  deliveriesOf,
  recordInTransaction,
} from './testing/fixtures.ts';
import { type SinkAnswer, type SmtpSink, eventually, startSmtpSink } from './testing/smtp-sink.ts';

const RETRY_LIMIT = 2;
let app: FastifyInstance;
let database: DatabaseHandle;
let sink: SmtpSink;
let world: NotificationWorld;
let adminHeaders: { authorization: string };
const logLines: string[] = [];
/** How the SMTP server answers mail to each address; accepted unless listed. */
const answers = new Map<string, SinkAnswer>();

beforeAll(async () => {
  sink = await startSmtpSink();
  sink.answerWith((mail) => answers.get(addressOf(mail)) ?? 'accept');
  database = await openIsolatedDatabase(inject('databaseTemplate'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    NOTIFICATIONS_WORKER: 'inline',
    NOTIFICATION_POLL_SECONDS: '0.5',
    SMTP_URL: sink.url,
    MAIL_FROM: 'Linli <noreply@linli.test>',
    APP_BASE_URL: 'https://linli.example.org',
    SMTP_TIMEOUT_MS: '1000',
    NOTIFICATION_JOB_TIMEOUT_SECONDS: '3',
    NOTIFICATION_RETRY_LIMIT: String(RETRY_LIMIT),
    NOTIFICATION_RETRY_DELAY_SECONDS: '1',
  });
  app = await buildApp({ config, db: database.db, ping: database.ping, now: () => new Date() }, { logStream: { write: (line) => logLines.push(line) } });
  await app.ready();
  world = await createNotificationWorld(database.db);
  const admin = await createUser(database.db, { orgId: world.org.id, role: 'org_admin' });
  adminHeaders = bearer(tokenFor(app, { ...admin, siteIds: [] }));
});
afterAll(async () => {
  await app?.close();
  await database?.close();
  await sink?.close();
});

function addressOf(mail: ParsedMail): string {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address ?? '';
}
const mailTo = (email: string) => sink.accepted.filter((mail) => addressOf(mail) === email);
const emailDeliveryOf = async (userId: string) => (await deliveriesOf(database.db, userId)).find((d) => d.channel === 'email');
const settled = (userId: string, status: string) => eventually(`the email delivery ${status}`, async () => {
  const delivery = await emailDeliveryOf(userId);
  return delivery?.status === status ? delivery : null;
});
const unsubscribeLinkIn = (text: string) => /(https:\/\/linli\.example\.org\/api\/v1\/notifications\/unsubscribe\?token=[A-Za-z0-9_.-]+)/.exec(text)?.[1];

describe('email through a real SMTP server', () => {
  it('arrives in the person\'s language, with the facts, a deep link and a stable Message-ID', async () => {
    const resident = await createRecipient(database.db, world, { locale: 'en' });
    const facts = { ...bookingFacts(world), offerExpiresAt: '2027-02-28T12:00:00.000Z' };
    await recordInTransaction(database.db, [notify.bookingWaitlistOffer({ orgId: world.org.id, recipientId: resident.id, facts })]);
    const [mail] = await eventually('the offer email', () => (mailTo(resident.email!).length ? mailTo(resident.email!) : null));
    expect(mail!.subject).toBe(`A place for you: ${world.space.name}, accept by Sun 28 Feb 2027, 20:00`);
    expect(mail!.text).toContain(`Where: ${world.site.name}, ${world.site.address}`);
    expect(mail!.text).toContain('When: Mon 1 Mar 2027, 10:00–12:00');
    expect(mail!.text).toContain(`https://linli.example.org/my-bookings?offer=${facts.bookingId}`);
    expect(mail!.html).toContain(`href="https://linli.example.org/my-bookings?offer=${facts.bookingId}"`);
    expect(mail!.from?.value[0]).toMatchObject({ name: 'Linli', address: 'noreply@linli.test' });
    const delivery = await settled(resident.id, 'sent');
    expect(mail!.messageId).toBe(`<${delivery.notificationId}.email@linli>`);
    expect(delivery.messageId).toBe(mail!.messageId);
    const header = (name: string) => mail!.headerLines.find((h) => h.key === name)?.line.replace(/\r\n\s+/g, ' ');
    expect(header('list-unsubscribe')).toMatch(/^List-Unsubscribe: <https:\/\/linli\.example\.org\/api\/v1\/notifications\/unsubscribe\?token=[\w.-]+>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('a zh-CN reader gets it in Chinese', async () => {
    const resident = await createRecipient(database.db, world, { locale: 'zh-CN' });
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    const [mail] = await eventually('the email', () => (mailTo(resident.email!).length ? mailTo(resident.email!) : null));
    expect(mail!.subject).toBe(`预约已确认：${world.space.name}`);
    expect(mail!.text).toContain('时间：2027年3月1日（周一）10:00–12:00');
    expect(mail!.headers.get('content-language')).toBe('zh-CN');
  });

  it('the unsubscribe link works once; a second use says "already"; a forged or altered one is refused', async () => {
    const resident = await createRecipient(database.db, world, { locale: 'en' });
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    const [mail] = await eventually('the email', () => (mailTo(resident.email!).length ? mailTo(resident.email!) : null));
    const link = unsubscribeLinkIn(mail!.text!)!;
    const path = link.replace('https://linli.example.org', '');

    const page = await app.inject({ url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Unsubscribe from &quot;Booking updates&quot; emails');
    // Opening the page changes nothing: mail scanners open links.
    expect(await database.db.select().from(schema.notificationOptOuts).where(eq(schema.notificationOptOuts.userId, resident.id))).toEqual([]);

    const first = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ status: 'unsubscribed', category: 'booking', channel: 'email' });
    const again = await app.inject({ method: 'POST', url: path });
    expect(again.json()).toMatchObject({ status: 'already' });

    // From now on booking news reaches this person in the app only.
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    expect((await deliveriesOf(database.db, resident.id)).filter((d) => d.channel === 'email')).toHaveLength(1);

    const token = new URL(link).searchParams.get('token')!;
    const [version, payload, signature] = token.split('.');
    const otherUser = Buffer.from(JSON.stringify([world.org.id, crypto.randomUUID(), 'booking', 'email', crypto.randomUUID()])).toString('base64url');
    for (const forged of [`${version}.${otherUser}.${signature}`, `${version}.${payload}.${'A'.repeat(43)}`, `u1.${payload}`]) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/notifications/unsubscribe?token=${forged}` });
      expect(res.statusCode, forged).toBe(404);
      expect(res.json().code).toBe('INVALID_UNSUBSCRIBE_LINK');
    }
    expect((await app.inject({ url: `/api/v1/notifications/unsubscribe?token=${version}.${otherUser}.${signature}` })).statusCode).toBe(404);
  });

  it('a person with no email gets the inbox only', async () => {
    const resident = await createRecipient(database.db, world, { email: null });
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    const deliveries = await eventually('the inbox delivery', async () => {
      const rows = await deliveriesOf(database.db, resident.id);
      return rows.every((d) => d.status === 'sent') && rows.length ? rows : null;
    });
    expect(deliveries.map((d) => d.channel)).toEqual(['inbox']);
  });

  it('the worker logs each delivery with the id of the request that caused it', async () => {
    const resident = await createRecipient(database.db, world);
    await withRequestId('req-7f3a-booking', () => recordInTransaction(database.db, [bookingConfirmed(world, resident)]));
    await settled(resident.id, 'sent');
    const lines = logLines.map((line) => JSON.parse(line) as { msg: string; requestId?: string; channel?: string }).filter((l) => l.msg === 'notification delivered' && l.requestId === 'req-7f3a-booking');
    expect(lines.map((l) => l.channel).sort()).toEqual(['email', 'inbox']);
    // The log holds no address.
    expect(logLines.some((line) => line.includes(resident.email!))).toBe(false);
  });
});

describe('an SMTP server that refuses or never answers', () => {
  it('refusing with 451 each time: retried with backoff, then dead, visible to admins, resendable', async () => {
    const resident = await createRecipient(database.db, world);
    answers.set(resident.email!, { refuse: 451, message: 'mailbox busy, try later' });
    // The change path only writes rows; it never waits on the SMTP server.
    expect(await recordInTransaction(database.db, [bookingConfirmed(world, resident)])).toBe(2);
    const dead = await settled(resident.id, 'dead');
    expect(dead.attempts).toBe(RETRY_LIMIT + 1);
    expect(dead.lastError).toContain('SMTP 451');
    expect(sink.received.filter((m) => addressOf(m) === resident.email)).toHaveLength(RETRY_LIMIT + 1);
    // The inbox copy is unaffected.
    expect((await deliveriesOf(database.db, resident.id)).find((d) => d.channel === 'inbox')?.status).toBe('sent');

    const summary = (await app.inject({ url: '/api/v1/notification-deliveries/summary', headers: adminHeaders })).json();
    expect(summary.channels.find((c: { channel: string }) => c.channel === 'email').dead).toBeGreaterThanOrEqual(1);
    const listed = (await app.inject({ url: '/api/v1/notification-deliveries?status=dead&channel=email', headers: adminHeaders })).json();
    expect(listed.items.map((d: { id: string }) => d.id)).toContain(dead.id);
    const detail = (await app.inject({ url: `/api/v1/notification-deliveries/${dead.id}`, headers: adminHeaders })).json();
    expect(detail.attemptLog).toHaveLength(RETRY_LIMIT + 1);
    expect(detail.attemptLog.every((a: { outcome: string; error: string }) => a.outcome === 'failed' && a.error.includes('451'))).toBe(true);

    // The admin resends it once the server takes mail again.
    answers.delete(resident.email!);
    const resend = await app.inject({ method: 'POST', url: `/api/v1/notification-deliveries/${dead.id}/resend`, headers: adminHeaders });
    expect(resend.statusCode).toBe(200);
    const sent = await settled(resident.id, 'sent');
    expect(sent.attempts).toBe(RETRY_LIMIT + 2);
    expect(mailTo(resident.email!)).toHaveLength(1);
    const twice = await app.inject({ method: 'POST', url: `/api/v1/notification-deliveries/${dead.id}/resend`, headers: adminHeaders });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('DELIVERY_NOT_DEAD');
  });

  it('refusing with 550 each time: retried like a 4xx (a misconfigured relay answers 5xx for passing faults), then dead', async () => {
    const resident = await createRecipient(database.db, world);
    answers.set(resident.email!, { refuse: 550, message: 'no such mailbox' });
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    const dead = await settled(resident.id, 'dead');
    expect(dead.attempts).toBe(RETRY_LIMIT + 1);
    expect(dead.lastError).toContain('SMTP 550');
    expect(sink.received.filter((m) => addressOf(m) === resident.email)).toHaveLength(RETRY_LIMIT + 1);
  });

  it('a relay that answers 554 once and then accepts: the retry delivers it', async () => {
    const resident = await createRecipient(database.db, world);
    answers.set(resident.email!, { refuse: 554, message: 'transaction failed' });
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    await eventually('the first refusal', () => sink.received.some((m) => addressOf(m) === resident.email));
    answers.delete(resident.email!);
    const sent = await settled(resident.id, 'sent');
    expect(sent.attempts).toBe(2);
    expect(mailTo(resident.email!)).toHaveLength(1);
  });

  it('never answering: each attempt times out, then retries, then dead', async () => {
    const resident = await createRecipient(database.db, world);
    answers.set(resident.email!, 'hang');
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    const dead = await settled(resident.id, 'dead');
    expect(dead.attempts).toBe(RETRY_LIMIT + 1);
    expect(dead.lastError).toMatch(/timeout|timed out/i);
  });

  it('another organization\'s admin cannot see or resend these deliveries', async () => {
    const other = await createNotificationWorld(database.db);
    const otherAdmin = await createUser(database.db, { orgId: other.org.id, role: 'org_admin' });
    const headers = bearer(tokenFor(app, { ...otherAdmin, siteIds: [] }));
    const resident = await createRecipient(database.db, world, { email: null });
    await recordInTransaction(database.db, [bookingConfirmed(world, resident)]);
    const [delivery] = await deliveriesOf(database.db, resident.id);
    expect((await app.inject({ url: `/api/v1/notification-deliveries/${delivery!.id}`, headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/api/v1/notification-deliveries/${delivery!.id}/resend`, headers })).statusCode).toBe(404);
    const listed = (await app.inject({ url: '/api/v1/notification-deliveries', headers })).json();
    expect(listed.items).toEqual([]);
  });
});
