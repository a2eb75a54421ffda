/**
 * The job queue under the outbox: pg-boss, on the same database as everything else (its schema is installed by
 * packages/db migrateDatabase). Three queues: one job per (notification, channel) delivery, the dead letters of
 * those, and reminders scheduled ahead that become notifications when they fire.
 */
import { type Database, jobQueueConnectionOf } from '@linli/db';
import { type ConstructorOptions, PgBoss, type Queue } from 'pg-boss';

export const DELIVERY_QUEUE = 'notification-delivery';
export const DEAD_DELIVERY_QUEUE = 'notification-dead';
export const REMINDER_QUEUE = 'notification-reminder';

/** What one delivery job carries: the delivery row is the state, the job only points at it. */
export interface DeliveryJob {
  deliveryId: string;
}

export interface JobQueueSettings {
  retryLimit: number;
  retryDelaySeconds: number;
  /** A job running longer is taken as lost (its worker died) and retried. */
  jobTimeoutSeconds: number;
}

const RETRY_DELAY_MAX_SECONDS = 3600;

/** Queue options, applied on every start so a changed setting reaches jobs created from then on. */
function queueDefinitions(settings: JobQueueSettings): Record<string, Omit<Queue, 'name'>> {
  return {
    [DEAD_DELIVERY_QUEUE]: { retryLimit: 10, retryDelay: 5, retryBackoff: true, notify: true },
    [DELIVERY_QUEUE]: {
      retryLimit: settings.retryLimit,
      retryDelay: settings.retryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: RETRY_DELAY_MAX_SECONDS,
      expireInSeconds: settings.jobTimeoutSeconds,
      deadLetter: DEAD_DELIVERY_QUEUE,
      notify: true,
    },
    [REMINDER_QUEUE]: { retryLimit: 10, retryDelay: 30, retryBackoff: true, retryDelayMax: RETRY_DELAY_MAX_SECONDS, expireInSeconds: 60, notify: true },
  };
}

export type JobQueueRole =
  /** Only adds jobs (an API process whose worker runs elsewhere): runs on the app's own connections. */
  | { kind: 'producer' }
  /** Also works jobs: on PostgreSQL with a small pool of its own, so LISTEN can hold a connection. */
  | { kind: 'worker'; connectionString?: string | undefined };

/**
 * Starts pg-boss on `db` and brings the notification queues to `settings`. A worker supervises (expires jobs of
 * dead workers, moves exhausted ones to the dead letters) and listens for new jobs; a producer does neither.
 */
export async function startJobQueue(db: Database, role: JobQueueRole, settings: JobQueueSettings, onError: (error: Error) => void): Promise<PgBoss> {
  const connection = jobQueueConnectionOf(db);
  const shared: ConstructorOptions = {
    migrate: false,
    // A worker keeps pg-boss's clock (cron schedules such as the staff digest; one instance at a time does so).
    schedule: role.kind === 'worker',
    openTelemetry: { enabled: false },
  };
  const options: ConstructorOptions =
    role.kind === 'producer'
      ? { ...connection, ...shared, supervise: false, registerInstance: false }
      : {
          ...(connection.backend === 'pglite' || !role.connectionString ? connection : { connectionString: role.connectionString, schema: connection.schema, max: 3 }),
          ...shared,
          supervise: true,
          // Lost jobs (a killed worker) are found about as soon as they expire.
          superviseIntervalSeconds: Math.max(1, Math.min(60, settings.jobTimeoutSeconds)),
          useListenNotify: true,
          instanceName: 'linli-notifications',
        };
  const boss = new PgBoss(options);
  boss.on('error', onError);
  await boss.start();
  await applyQueueDefinitions(boss, settings);
  return boss;
}

async function applyQueueDefinitions(boss: PgBoss, settings: JobQueueSettings): Promise<void> {
  for (const [name, options] of Object.entries(queueDefinitions(settings))) {
    const existing = await boss.getQueue(name);
    if (!existing) {
      await boss.createQueue(name, options).catch(async (error: unknown) => {
        // Another process created it between the read and here.
        if (!(await boss.getQueue(name))) throw error;
      });
    } else if (Object.entries(options).some(([key, value]) => existing[key as keyof Queue] !== value)) {
      await boss.updateQueue(name, options);
    }
  }
}
