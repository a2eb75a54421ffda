/**
 * Delivers what the outbox recorded. pg-boss hands out one job per (notification, channel) delivery; the
 * delivery row's status is the idempotency key, changed by one statement guarded by its current state, so a
 * retried job or a second worker never delivers twice to the inbox. Email can go twice only if a worker dies
 * after the SMTP server accepted the message and before the row says so; the second copy carries the same
 * Message-ID (docs/notifications.md, "Guarantees").
 *
 * Runs inside the API process (NOTIFICATIONS_WORKER=inline, the default) and as `npm run worker`
 * (apps/api/src/cli/worker.ts, PostgreSQL only), any number of each.
 */
import { hostname } from 'node:os';
import { type Database, databaseClientOf, newId } from '@linli/db';
import { type NotificationFacts, type NotificationKind, isLockedInApp, notificationLocaleOf, optOutKey, renderNotification } from '@linli/domain';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Job, JobResult, PgBoss } from 'pg-boss';
import type { Config } from '../../config.ts';
import { DEAD_DELIVERY_QUEUE, DELIVERY_QUEUE, type DeliveryJob, REMINDER_QUEUE, startJobQueue } from '../outbox/job-queue.ts';
import { type ReminderJob, attachJobProducer, recordNotifications } from '../outbox/outbox.ts';
import { requestIdScope, withRequestId } from '../outbox/request-id.ts';
import { DeliveryFailure, type NotificationChannel, shortErrorOf } from './channels.ts';
import { type DailyDigestRuntime, startDailyDigest } from './digest.ts';
import { emailChannel } from './email-channel.ts';
import { type PendingDelivery, findPendingDeliveries, finishAttempt, markDead, markInboxDelivered, markSkipped, startAttempt } from './notifications.repository.ts';
import { signUnsubscribeToken, unsubscribeUrlOf } from './unsubscribe-tokens.ts';

/** Deliveries fetched per round: inbox ones are settled in one statement, the others sent side by side. */
const DELIVERY_BATCH = 20;
const WORKER_NAME = `${hostname()}:${process.pid}`;

export interface NotificationRuntime {
  boss: PgBoss;
  stop(): Promise<void>;
}

export interface NotificationRuntimeOptions {
  db: Database;
  config: Config;
  log: FastifyBaseLogger;
  /** Work jobs here, or only add them (the worker runs in another process). */
  work: boolean;
  /** PostgreSQL: the URL pg-boss opens its own small pool on (for LISTEN); defaults to the app pool's. */
  connectionString?: string | undefined;
}

/** Starts the job queue on `db`; with `work`, also the handlers and the channels they send through. */
export async function startNotifications(options: NotificationRuntimeOptions): Promise<NotificationRuntime> {
  const { db, config, log } = options;
  const settings = {
    retryLimit: config.NOTIFICATION_RETRY_LIMIT,
    retryDelaySeconds: config.NOTIFICATION_RETRY_DELAY_SECONDS,
    jobTimeoutSeconds: config.NOTIFICATION_JOB_TIMEOUT_SECONDS,
  };
  const role = options.work
    ? { kind: 'worker' as const, connectionString: options.connectionString ?? connectionStringOf(db) }
    : { kind: 'producer' as const };
  const boss = await startJobQueue(db, role, settings, (error) => log.error({ err: error }, 'notification queue error'));
  const detach = attachJobProducer(boss);
  const channels = options.work ? [emailChannel({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS })] : [];
  let digest: DailyDigestRuntime | null = null;
  if (options.work) {
    const deliverer = new Deliverer(db, config, log, channels);
    // NOTIFY wakes workers for jobs ready now; jobs held until later (reminders, quiet hours) are found by polling.
    const polling = { pollingIntervalSeconds: config.NOTIFICATION_POLL_SECONDS, notifyPollingIntervalSeconds: config.NOTIFICATION_POLL_SECONDS };
    // A full batch fetches the next at once instead of waiting out the poll interval: without it a backlog drains
    // at one batch per interval (about 5 messages/s per channel, docs/performance.md).
    const burst = { burstWhenBatchFull: true };
    await boss.work<DeliveryJob>(DELIVERY_QUEUE, { ...polling, ...burst, batchSize: DELIVERY_BATCH, perJobResults: true }, (jobs) => deliverer.deliver(jobs));
    await boss.work<DeliveryJob>(DEAD_DELIVERY_QUEUE, { ...polling, ...burst, batchSize: DELIVERY_BATCH }, (jobs) => deliverer.bury(jobs));
    await boss.work<ReminderJob>(REMINDER_QUEUE, { ...polling, batchSize: 1 }, ([job]) => fireReminder(db, log, job!));
    digest = await startDailyDigest({ db, boss, log, pollingIntervalSeconds: config.NOTIFICATION_POLL_SECONDS });
    log.info({ worker: WORKER_NAME, emailChannel: channels[0]?.unavailableReason ?? 'ready' }, 'notification worker started');
  }
  return {
    boss,
    async stop() {
      detach();
      await digest?.stop();
      await boss.stop({ graceful: true, timeout: 5_000 });
      for (const channel of channels) channel.close();
    },
  };
}

function connectionStringOf(db: Database): string | undefined {
  const client = databaseClientOf(db);
  return client.kind === 'postgres' ? (client.pool.options as { connectionString?: string }).connectionString : undefined;
}

/** A reminder fires: it becomes a notification now, under the request id that scheduled it. */
async function fireReminder(db: Database, log: FastifyBaseLogger, job: Job<ReminderJob>): Promise<void> {
  const { intent } = job.data;
  await withRequestId(intent.requestId ?? null, () => db.transaction((tx) => recordNotifications(tx, [intent])));
  log.info({ requestId: intent.requestId ?? null, kind: intent.kind }, 'reminder recorded');
}

class Deliverer {
  readonly #channels: Map<string, NotificationChannel>;

  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    channels: NotificationChannel[],
  ) {
    this.#channels = new Map(channels.map((channel) => [channel.channel, channel]));
  }

  /** One round of delivery jobs; each job's result says whether pg-boss should retry it. */
  async deliver(jobs: Job<DeliveryJob>[]): Promise<JobResult[]> {
    const pending = new Map((await findPendingDeliveries(this.db, jobs.map((job) => job.data.deliveryId))).map((d) => [d.deliveryId, d]));
    const inbox = jobs.flatMap((job) => (pending.get(job.data.deliveryId)?.channel === 'inbox' ? [job.data.deliveryId] : []));
    const delivered = new Set(await markInboxDelivered(this.db, inbox));
    for (const id of delivered) {
      const row = pending.get(id)!;
      this.log.info({ requestId: row.requestId, deliveryId: id, channel: 'inbox', kind: row.kind }, 'notification delivered');
    }
    return Promise.all(
      jobs.map(async (job): Promise<JobResult> => {
        const row = pending.get(job.data.deliveryId);
        // Gone (its organization was emptied), already delivered, or inbox (settled above): nothing left to do.
        if (!row || row.channel === 'inbox' || !['queued', 'failed'].includes(row.status)) return { id: job.id, status: 'completed' };
        return { id: job.id, status: await this.send(row, job) };
      }),
    );
  }

  private async send(row: PendingDelivery, job: Job<DeliveryJob>): Promise<'completed' | 'failed'> {
    const log = this.log.child({ requestId: row.requestId, deliveryId: row.deliveryId, channel: row.channel, kind: row.kind });
    const channel = this.#channels.get(row.channel);
    const address = channel?.addressOf(row.recipient) ?? null;
    const skipReason = !channel
      ? `no ${row.channel} adapter is installed`
      : channel.unavailableReason ??
        (row.recipient.optOuts.includes(optOutKey(row.category, row.channel)) && !isLockedInApp(row.category, row.channel)
          ? 'turned off by the person'
          : row.recipient.disabled
            ? 'the account is disabled'
            : address
              ? null
              : `no ${row.channel} address`);
    if (skipReason || !channel || !address) {
      await markSkipped(this.db, row.deliveryId, skipReason ?? 'no address');
      log.info({ reason: skipReason }, 'notification skipped');
      return 'completed';
    }
    const attemptId = newId();
    let message;
    try {
      message = this.compose(row, address);
    } catch (error) {
      // A template that cannot render these facts will not render them on a retry either.
      const started = await startAttempt(this.db, { id: attemptId, deliveryId: row.deliveryId, worker: WORKER_NAME });
      if (started) await finishAttempt(this.db, { attemptId, deliveryId: row.deliveryId, outcome: 'dead', error: shortErrorOf(error), messageId: null });
      log.error({ err: error }, 'notification could not be rendered');
      return 'completed';
    }
    const started = await startAttempt(this.db, { id: attemptId, deliveryId: row.deliveryId, worker: WORKER_NAME });
    if (!started) return 'completed';
    try {
      await channel.send(message, job.signal);
    } catch (error) {
      const failure = error instanceof DeliveryFailure ? error : new DeliveryFailure(shortErrorOf(error), false);
      const outcome = failure.permanent ? 'dead' : 'failed';
      await finishAttempt(this.db, { attemptId, deliveryId: row.deliveryId, outcome, error: failure.message, messageId: null });
      log.warn({ attempt: started.attempt, error: failure.message, permanent: failure.permanent }, 'notification send failed');
      return failure.permanent ? 'completed' : 'failed';
    }
    await finishAttempt(this.db, { attemptId, deliveryId: row.deliveryId, outcome: 'sent', error: null, messageId: message.messageId });
    log.info({ attempt: started.attempt }, 'notification delivered');
    return 'completed';
  }

  private compose(row: PendingDelivery, address: string) {
    const locale = notificationLocaleOf(row.recipient.locale);
    const token = signUnsubscribeToken(this.config.JWT_SECRET, {
      orgId: row.recipient.orgId,
      userId: row.recipient.id,
      category: row.category,
      channel: row.channel,
      notificationId: row.notificationId,
    });
    const unsubscribeUrl = unsubscribeUrlOf(this.config.APP_BASE_URL, token);
    const rendered = renderNotification(row.kind, row.facts as unknown as NotificationFacts[NotificationKind], {
      locale,
      readerZone: row.recipient.zone,
      appBaseUrl: this.config.APP_BASE_URL,
      unsubscribeUrl,
    });
    return {
      to: address,
      locale,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: `<${row.notificationId}.${row.channel}@linli>`,
      unsubscribeUrl,
    };
  }

  /** Jobs whose retries ran out (or whose last worker died) arrive here: their deliveries are dead. */
  async bury(jobs: Job<DeliveryJob>[]): Promise<void> {
    const dead = await markDead(this.db, jobs.map((job) => job.data.deliveryId));
    if (dead.length) this.log.warn({ deliveryIds: dead }, 'notification deliveries dead after their retries');
  }
}

/**
 * The notifications of an API process: the request id in scope for every route, and the queue started when the
 * app is ready and stopped when it closes (as a worker unless NOTIFICATIONS_WORKER=off).
 */
export const notificationRuntime = fp(async (app: FastifyInstance) => {
  await app.register(requestIdScope);
  let runtime: NotificationRuntime | null = null;
  app.addHook('onReady', async () => {
    const { db, config } = app.deps;
    // The OpenAPI document is built on a database handle that is never queried.
    if (!hasDatabaseClient(db)) return;
    runtime = await startNotifications({ db, config, log: app.log, work: config.NOTIFICATIONS_WORKER === 'inline', connectionString: config.DATABASE_URL });
  });
  app.addHook('onClose', async () => {
    await runtime?.stop();
    runtime = null;
  });
});

function hasDatabaseClient(db: Database): boolean {
  try {
    databaseClientOf(db);
    return true;
  } catch {
    return false;
  }
}
