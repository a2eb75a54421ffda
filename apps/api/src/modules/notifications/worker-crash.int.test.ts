/**
 * A worker killed between send and acknowledgement. `npm run worker` runs as a child process; the SMTP server in
 * this process SIGKILLs it the moment a message has arrived in full, before answering it, so the worker dies
 * with the mail delivered and its batch unacknowledged. A second worker then takes the batch over. Guarantee:
 * every inbox message exactly once; every email at least once, at most one extra copy, carrying the same
 * Message-ID. PostgreSQL only: the embedded database serves one process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { schema } from '@linli/db';
import { eq, inArray } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { bookingConfirmed, createNotificationWorld, createRecipient, deliveriesOf, recordInTransaction } from './testing/fixtures.ts';
import { type SmtpSink, eventually, startSmtpSink } from './testing/smtp-sink.ts';

const ROOT = fileURLToPath(new URL('../../../../..', import.meta.url));
const onPostgres = inject('databaseTemplate').kind === 'postgres';
const PEOPLE = 6;

let t: TestApp;
let sink: SmtpSink;
const workers: ChildProcess[] = [];
/** The same for the API (whose queue settings its jobs are created with) and the workers. */
const QUEUE_ENV = { SMTP_TIMEOUT_MS: '1000', NOTIFICATION_JOB_TIMEOUT_SECONDS: '3', NOTIFICATION_POLL_SECONDS: '0.5', NOTIFICATION_RETRY_DELAY_SECONDS: '1' };

/** `npm run worker` on this file's database, resolved once it works jobs. */
async function startWorker(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/cli/worker.ts'], {
    cwd: ROOT,
    env: {
      // eslint-disable-next-line no-restricted-properties -- the child inherits this process's environment (PATH), as a shell would pass it
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      SMTP_URL: sink.url,
      ...QUEUE_ENV,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('notification worker started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
  child.removeAllListeners('exit');
  return child;
}

const addressOf = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address ?? '';

describe.skipIf(!onPostgres)('a worker killed between send and acknowledgement', () => {
  beforeAll(async () => {
    sink = await startSmtpSink();
    // The API here only records (NOTIFICATIONS_WORKER is off in tests); the workers are child processes.
    t = await startTestApp({ env: QUEUE_ENV });
  });
  afterAll(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await t?.close();
    await sink?.close();
  });

  it('loses nothing, delivers to each inbox exactly once, and emails at most one extra copy with the same Message-ID', async () => {
    const url = (t.database as { url?: string }).url!;
    const world = await createNotificationWorld(t.db);
    const people = await Promise.all(Array.from({ length: PEOPLE }, () => createRecipient(t.db, world)));
    await recordInTransaction(t.db, people.map((person) => bookingConfirmed(world, person)));

    const first = await startWorker(url);
    let killed = false;
    sink.answerWith(() => {
      if (!killed) {
        // The message is in; the worker is gone before it hears "250 OK" or writes anything down.
        first.kill('SIGKILL');
        killed = true;
      }
      return 'accept';
    });
    await eventually('the first worker to die', () => first.exitCode !== null || first.signalCode !== null, 30_000);
    expect(first.signalCode).toBe('SIGKILL');

    await startWorker(url);
    const ids = people.map((p) => p.id);
    const deliveries = await eventually(
      'every delivery sent',
      async () => {
        const rows = await t.db.select().from(schema.notificationDeliveries).where(inArray(schema.notificationDeliveries.recipientId, ids));
        return rows.length === PEOPLE * 2 && rows.every((d) => d.status === 'sent') ? rows : null;
      },
      60_000,
    );

    // Inbox: exactly once each, although the killed worker's batch ran again.
    const inbox = deliveries.filter((d) => d.channel === 'inbox');
    expect(inbox).toHaveLength(PEOPLE);
    expect(inbox.every((d) => d.attempts === 1)).toBe(true);
    for (const person of people) {
      const res = await t.app.inject({ url: '/api/v1/me/notifications', headers: bearer(tokenFor(t.app, { ...person, siteIds: [] })) });
      expect(res.json().items).toHaveLength(1);
    }

    // Email: everyone has theirs; where the crash caught a send, a second copy with the same Message-ID.
    const emails = deliveries.filter((d) => d.channel === 'email');
    let duplicated = 0;
    for (const person of people) {
      const copies = sink.accepted.filter((mail) => addressOf(mail) === person.email);
      const delivery = emails.find((d) => d.recipientId === person.id)!;
      expect(copies.length, person.email!).toBeGreaterThanOrEqual(1);
      expect(copies.length, person.email!).toBeLessThanOrEqual(2);
      expect(new Set(copies.map((mail) => mail.messageId))).toEqual(new Set([delivery.messageId]));
      if (copies.length === 2) duplicated += 1;
    }
    expect(duplicated).toBeGreaterThanOrEqual(1);

    // One successful attempt per email; where the crash caught a send, that attempt is on record, unfinished.
    const sentAttempts = await t.db.select().from(schema.notificationAttempts).where(eq(schema.notificationAttempts.outcome, 'sent'));
    expect(sentAttempts).toHaveLength(PEOPLE);
    const twice = people.find((p) => sink.accepted.filter((m) => addressOf(m) === p.email).length === 2)!;
    const caught = (await deliveriesOf(t.db, twice.id)).find((d) => d.channel === 'email')!;
    const log = await t.db.select().from(schema.notificationAttempts).where(eq(schema.notificationAttempts.deliveryId, caught.id)).orderBy(schema.notificationAttempts.attempt);
    expect(log.map((a) => a.outcome)).toEqual([null, 'sent']);
  }, 120_000);
});
