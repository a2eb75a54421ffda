/**
 * (notifications) The outbox and its worker (issue #13, point 7; docs/performance.md, "Notifications"), on the bench
 * database, before the API processes start (their inline workers would take the jobs):
 *
 * - write path: bookings created in transactions of their own by 1 and by 20 concurrent writers, each transaction
 *   one booking INSERT, with and without one recordNotifications call (one notification, inbox + email), in
 *   alternating 2-second rounds so both sides see the same machine. The job queue only adds jobs meanwhile: the
 *   figure is the transaction's own cost, what delivering costs is the dispatch part.
 * - dispatch: one worker as the API runs it inline (default settings, in this process) sending to an SMTP server
 *   in this process too (smtp-server + mailparser, testing/smtp-sink.ts). A steady stream of 20 notifications a
 *   second, then a burst of 2,000 recorded by 20 writers as fast as they commit, each phase waited on for at most
 *   two minutes. Each notification's commit is timed here; its inbox delivery by the delivery row's sent_at, its
 *   email by the sink's receive time.
 *
 * The booking rows are the bare kind the other scenarios write (one INSERT, as bare-server.ts and flash-crowd.ts),
 * 1,000+ days ahead where nothing else books, not the API's booking path: the number does not wait on the hook-in
 * into bookings. Everything written (bookings, residents and their notifications, the queue's jobs) is deleted at
 * the end (bookings refuse DELETE by trigger, so that transaction skips triggers, like the other cleanups).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { type Database, newId, schema } from '@linli/db';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { loadConfig } from '../../apps/api/src/config.ts';
import { arrayLiteral, queryRows } from '../../apps/api/src/lib/sql.ts';
import { startSmtpSink } from '../../apps/api/src/modules/notifications/testing/smtp-sink.ts';
import { type NotificationRuntime, startNotifications } from '../../apps/api/src/modules/notifications/worker.ts';
import { DEAD_DELIVERY_QUEUE, DELIVERY_QUEUE } from '../../apps/api/src/modules/outbox/job-queue.ts';
import { notify, recordNotifications } from '../../apps/api/src/modules/outbox/outbox.ts';
import { loggerOptions } from '../../apps/api/src/plugins/logging.ts';

const RECIPIENTS = 200;
const BURST = 2_000;
const WRITERS = 20;
const ROUND_MS = 2_000;
const STEADY_PER_SECOND = 20;
const DELIVERY_DEADLINE_MS = 120_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The write-path bookings start this far ahead: past the generated year and the (a) pair's 40-400 days. */
const BOOKINGS_FROM_DAYS = 1_000;

export interface Figures {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sent ones measured; `late`: still queued at the deadline; `failed`: dead or skipped (none should be). */
export type ChannelFigures = Figures & { late: number; failed: number };

export interface WritePathRow {
  writers: number;
  without: Figures;
  with: Figures;
}

export interface DispatchRow {
  phase: string;
  recorded: number;
  recordedPerSecond: number;
  inbox: ChannelFigures;
  email: ChannelFigures;
}

export interface NotificationsBenchResult {
  writePath: WritePathRow[];
  dispatch: DispatchRow[];
  load: { before: number; after: number };
}

interface BenchWorld {
  run: string;
  startedAt: Date;
  orgId: string;
  recipients: string[];
  spaces: { id: string; name: string; siteId: string; siteName: string; siteAddress: string | null; siteZone: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function figuresOf(latencies: number[], seconds: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, perSecond: sorted.length / seconds, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** Residents with an email and no quiet hours (else email would wait for the morning), half of them reading English. */
async function createWorld(db: Database, orgId: string): Promise<BenchWorld> {
  const run = randomBytes(4).toString('hex');
  const startedAt = new Date();
  const rows = Array.from({ length: RECIPIENTS }, (_, i) => ({
    orgId,
    role: 'resident',
    email: `notify-${run}-${i}@bench.invalid`,
    passwordHash: 'bench-notifications-no-login',
    displayName: `Notify ${i}`,
    locale: i % 2 ? 'en' : 'zh-CN',
  }));
  const recipients = (await db.insert(schema.users).values(rows).returning({ id: schema.users.id })).map((u) => u.id);
  await db.insert(schema.notificationPreferences).values(recipients.map((userId) => ({ userId, orgId, quietStartMinute: null, quietEndMinute: null })));
  const spaces = await db
    .select({ id: schema.spaces.id, name: schema.spaces.name, siteId: schema.sites.id, siteName: schema.sites.name, siteAddress: schema.sites.address, siteZone: schema.sites.timezone })
    .from(schema.spaces)
    .innerJoin(schema.sites, eq(schema.sites.id, schema.spaces.siteId))
    .where(and(eq(schema.spaces.orgId, orgId), eq(schema.spaces.bookingMode, 'exclusive')))
    .limit(50);
  if (!spaces.length) throw new Error('the bench organization has no exclusive space');
  return { run, startedAt, orgId, recipients, spaces };
}

/** The n-th booking of the run: its own (space, hour), so no two overlap and none meets the exclusion constraint. */
function bookingAt(world: BenchWorld, n: number, base: number) {
  const space = world.spaces[n % world.spaces.length]!;
  const start = base + Math.floor(n / world.spaces.length) * HOUR;
  return { space, startAt: new Date(start), endAt: new Date(start + HOUR) };
}

function confirmationOf(world: BenchWorld, n: number, booking: { id: string; space: BenchWorld['spaces'][number]; startAt: Date; endAt: Date }) {
  const { space } = booking;
  return notify.bookingConfirmed({
    orgId: world.orgId,
    recipientId: world.recipients[n % world.recipients.length]!,
    facts: {
      bookingId: booking.id,
      siteName: space.siteName,
      siteAddress: space.siteAddress,
      siteZone: space.siteZone,
      spaceName: space.name,
      startAt: booking.startAt.toISOString(),
      endAt: booking.endAt.toISOString(),
      cancelUntil: null,
    },
  });
}

/**
 * Booking creation with and without the outbox, `writers` at a time, in alternating rounds until each side has
 * had `seconds`; latency is from BEGIN to COMMIT returning.
 */
async function measureWritePath(db: Database, world: BenchWorld, writers: number, seconds: number, next: () => number): Promise<WritePathRow> {
  const base = Math.ceil((Date.now() + BOOKINGS_FROM_DAYS * DAY) / DAY) * DAY;
  const latencies = { without: [] as number[], with: [] as number[] };
  const elapsed = { without: 0, with: 0 };
  const createBooking = async (withNotification: boolean) => {
    const n = next();
    const slot = bookingAt(world, n, base);
    const started = performance.now();
    await db.transaction(async (tx) => {
      const [booking] = await tx
        .insert(schema.bookings)
        .values({ id: newId(), orgId: world.orgId, siteId: slot.space.siteId, spaceId: slot.space.id, exclusive: true, startAt: slot.startAt, endAt: slot.endAt, status: 'confirmed', source: 'staff' })
        .returning({ id: schema.bookings.id });
      if (withNotification) await recordNotifications(tx, [confirmationOf(world, n, { id: booking!.id, ...slot })]);
    });
    return performance.now() - started;
  };
  const rounds = Math.max(1, Math.round((seconds * 1000) / ROUND_MS));
  for (let round = 0; round < 2 * rounds; round++) {
    const side = round % 2 ? 'with' : 'without';
    const started = performance.now();
    const until = started + ROUND_MS;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (performance.now() < until) latencies[side].push(await createBooking(side === 'with'));
      }),
    );
    elapsed[side] += (performance.now() - started) / 1000;
  }
  return { writers, without: figuresOf(latencies.without, elapsed.without), with: figuresOf(latencies.with, elapsed.with) };
}

interface Recorded {
  bookingId: string;
  committedAt: number;
}

/** One notification in a transaction of its own, as a change path records it; returns when it committed. */
async function recordOne(db: Database, world: BenchWorld, n: number): Promise<Recorded> {
  const startAt = new Date(Date.now() + 30 * DAY);
  const booking = { id: newId(), space: world.spaces[n % world.spaces.length]!, startAt, endAt: new Date(startAt.getTime() + HOUR) };
  await db.transaction((tx) => recordNotifications(tx, [confirmationOf(world, n, booking)]));
  return { bookingId: booking.id, committedAt: Date.now() };
}

interface DeliveryRow {
  notificationId: string;
  bookingId: string;
  channel: string;
  status: string;
  sentMs: string | null;
}

/** The deliveries of notifications recorded since `since` for the bench's residents. */
function deliveriesSince(db: Database, world: BenchWorld, since: Date) {
  return queryRows<DeliveryRow>(
    db,
    sql`SELECT n.id AS "notificationId", n.facts->>'bookingId' AS "bookingId", d.channel, d.status,
               (extract(epoch FROM d.sent_at) * 1000)::text AS "sentMs"
        FROM notifications n JOIN notification_deliveries d ON d.notification_id = n.id
        WHERE n.recipient_id = ANY(${arrayLiteral(world.recipients)}::uuid[]) AND n.created_at >= ${since.toISOString()}`,
  );
}

/** Waits until every delivery of the phase is settled (sent, dead or skipped), or the deadline passes. */
async function settle(db: Database, world: BenchWorld, since: Date, expected: number): Promise<DeliveryRow[]> {
  const deadline = Date.now() + DELIVERY_DEADLINE_MS;
  for (;;) {
    const rows = await deliveriesSince(db, world, since);
    const open = rows.filter((row) => row.status === 'queued' || row.status === 'failed').length;
    if ((rows.length >= expected && !open) || Date.now() > deadline) return rows;
    await sleep(250);
  }
}

/** Per channel: delivered count, messages/s from the first commit to the last delivery, and commit-to-delivery times. */
function dispatchRow(phase: string, recorded: Recorded[], recordSeconds: number, rows: DeliveryRow[], arrivedAt: Map<string, number>): DispatchRow {
  const committed = new Map(recorded.map((r) => [r.bookingId, r.committedAt]));
  const firstCommit = Math.min(...recorded.map((r) => r.committedAt));
  const channel = (name: 'inbox' | 'email'): ChannelFigures => {
    const latencies: number[] = [];
    let last = firstCommit;
    let failed = 0;
    for (const row of rows.filter((r) => r.channel === name)) {
      if (row.status === 'dead' || row.status === 'skipped') failed += 1;
      const commit = committed.get(row.bookingId);
      const delivered = name === 'inbox' ? Number(row.sentMs) : arrivedAt.get(`<${row.notificationId}.email@linli>`);
      if (row.status !== 'sent' || commit === undefined || delivered === undefined) continue;
      latencies.push(delivered - commit);
      last = Math.max(last, delivered);
    }
    return { ...figuresOf(latencies, (last - firstCommit) / 1000), late: recorded.length - latencies.length - failed, failed };
  };
  return { phase, recorded: recorded.length, recordedPerSecond: recorded.length / recordSeconds, inbox: channel('inbox'), email: channel('email') };
}

async function measureBurst(db: Database, world: BenchWorld, arrivedAt: Map<string, number>, next: () => number): Promise<DispatchRow> {
  const since = new Date();
  const recorded: Recorded[] = [];
  const started = performance.now();
  let left = BURST;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (left-- > 0) recorded.push(await recordOne(db, world, next()));
    }),
  );
  const recordSeconds = (performance.now() - started) / 1000;
  const rows = await settle(db, world, since, 2 * recorded.length);
  return dispatchRow(`burst: ${BURST.toLocaleString()} by ${WRITERS} writers`, recorded, recordSeconds, rows, arrivedAt);
}

/** An open-loop stream: a notification every 1/rate s whether or not the last one committed. */
async function measureSteady(db: Database, world: BenchWorld, arrivedAt: Map<string, number>, next: () => number, seconds: number): Promise<DispatchRow> {
  const rate = STEADY_PER_SECOND;
  const since = new Date();
  const total = Math.max(1, Math.round(rate * seconds));
  const pending: Promise<Recorded>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(recordOne(db, world, next()));
  }
  const recorded = await Promise.all(pending);
  const recordSeconds = (performance.now() - started) / 1000;
  const rows = await settle(db, world, since, 2 * recorded.length);
  return dispatchRow(`steady: ${rate}/s for ${seconds} s`, recorded, recordSeconds, rows, arrivedAt);
}

/** The queue's jobs and the notifications of the bench's residents, gone; the residents themselves with `all`. */
async function removeWritten(db: Database, world: BenchWorld, all: boolean) {
  const recipients = sql`${arrayLiteral(world.recipients)}::uuid[]`;
  await db.execute(
    sql`DELETE FROM pgboss.job WHERE name IN (${DELIVERY_QUEUE}, ${DEAD_DELIVERY_QUEUE})
        AND data->>'deliveryId' IN (SELECT id::text FROM notification_deliveries WHERE recipient_id = ANY(${recipients}))`,
  );
  await db.execute(sql`DELETE FROM notifications WHERE recipient_id = ANY(${recipients})`);
  if (!all) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    const from = new Date(world.startedAt.getTime() + BOOKINGS_FROM_DAYS * DAY - DAY);
    await tx.delete(schema.bookings).where(and(eq(schema.bookings.orgId, world.orgId), gte(schema.bookings.startAt, from), gte(schema.bookings.createdAt, world.startedAt)));
  });
  await db.delete(schema.users).where(and(eq(schema.users.orgId, world.orgId), inArray(schema.users.id, world.recipients)));
}

export async function benchNotifications(opts: { db: Database; orgId: string; databaseUrl: string; seconds: number }): Promise<NotificationsBenchResult> {
  const { db } = opts;
  const sink = await startSmtpSink();
  const arrivedAt = new Map<string, number>();
  sink.answerWith((mail) => {
    if (mail.messageId) arrivedAt.set(mail.messageId, Date.now());
    return 'accept';
  });
  const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: opts.databaseUrl, SEED_DEMO: 'false', LOG_LEVEL: 'info', SMTP_URL: sink.url, MAIL_FROM: 'Linli <noreply@bench.invalid>' });
  // The API's logger at its default level, written nowhere: the worker pays for its log lines as it would in the API.
  const log = Fastify({ logger: loggerOptions(config.LOG_LEVEL, { write: () => {} }) }).log;
  let world: BenchWorld | null = null;
  let runtime: NotificationRuntime | null = null;
  let n = 0;
  const next = () => n++;
  try {
    world = await createWorld(db, opts.orgId);
    const before = loadavg()[0]!;

    console.log('\n(notifications) write path: a booking INSERT per transaction, with and without recordNotifications');
    runtime = await startNotifications({ db, config, log, work: false });
    const writePath: WritePathRow[] = [];
    for (const writers of [1, WRITERS]) writePath.push(await measureWritePath(db, world, writers, opts.seconds, next));
    await runtime.stop();
    runtime = null;
    await removeWritten(db, world, false);

    console.log(`(notifications) dispatch: ${STEADY_PER_SECOND} a second, then ${BURST.toLocaleString()} at once, inbox + email through one inline worker`);
    runtime = await startNotifications({ db, config, log, work: true, connectionString: opts.databaseUrl });
    const steady = await measureSteady(db, world, arrivedAt, next, opts.seconds);
    const burst = await measureBurst(db, world, arrivedAt, next);
    return { writePath, dispatch: [steady, burst], load: { before, after: loadavg()[0]! } };
  } finally {
    await runtime?.stop();
    await sink.close();
    if (world) await removeWritten(db, world, true);
  }
}

export function printNotifications(r: NotificationsBenchResult): void {
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
  console.log(`\n(notifications) load average ${r.load.before.toFixed(1)} before, ${r.load.after.toFixed(1)} after`);
  console.log('| writers | without: tx/s | p50 / p99 ms | with recordNotifications: tx/s | p50 / p99 ms | throughput with / without | p50 added ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const w of r.writePath) {
    console.log(
      `| ${w.writers} | ${w.without.perSecond.toFixed(0)} | ${ms(w.without.p50)} / ${ms(w.without.p99)} | ${w.with.perSecond.toFixed(0)} | ${ms(w.with.p50)} / ${ms(w.with.p99)} | ${((w.with.perSecond / w.without.perSecond) * 100).toFixed(0)}% | ${ms(w.with.p50 - w.without.p50)} |`,
    );
  }
  console.log(`\n| phase | recorded/s | channel | delivered | still queued after ${DELIVERY_DEADLINE_MS / 1000} s | dead or skipped | messages/s | commit to delivery p50 / p99 / max ms |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const d of r.dispatch) {
    for (const [name, c] of [['inbox', d.inbox], ['email', d.email]] as const) {
      console.log(`| ${d.phase} | ${d.recordedPerSecond.toFixed(0)} | ${name} | ${c.count} | ${c.late} | ${c.failed} | ${c.perSecond.toFixed(0)} | ${ms(c.p50)} / ${ms(c.p99)} / ${ms(c.max)} |`);
    }
  }
  // The sink accepts everything: a dead or skipped delivery is a fault, a late one only slow.
  if (r.dispatch.some((d) => d.inbox.failed || d.email.failed)) process.exitCode = 1;
}
