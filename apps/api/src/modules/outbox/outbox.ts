/**
 * The outbox: a change that someone must hear about records its notification in the SAME transaction as the
 * change, with the pg-boss jobs that will deliver it. If the transaction rolls back, nothing is sent; once it
 * commits, the jobs are in the database and survive any process dying. A core: features call down into it, it
 * imports no feature.
 *
 * A hook-in is one line inside the change's transaction:
 *   await recordNotifications(tx, [notify.bookingConfirmed({ orgId, recipientId, facts })]);
 */
import { type Transaction, newId } from '@linli/db';
import {
  type DeliveryChannel,
  NOTIFICATION_KINDS,
  type NotificationFacts,
  type NotificationKind,
  categoryOf,
  notificationLinkOf,
  planDeliveries,
  reminderTime,
} from '@linli/domain';
import { sql } from 'drizzle-orm';
import { type DrizzleTransactionLike, type PgBoss, fromDrizzle } from 'pg-boss';
import { DELIVERY_QUEUE, type DeliveryJob, REMINDER_QUEUE } from './job-queue.ts';
import { type DeliveryInsert, type NotificationInsert, type RecipientRow, choicesOf, findRecipients, insertNotifications } from './outbox.repository.ts';
import { currentRequestId } from './request-id.ts';

/**
 * Channels messages are planned for. An SMS or WeChat provider adapter adds its channel here and to the worker's
 * channel list (docs/notifications.md); until then nothing is recorded for them.
 */
export const ACTIVE_CHANNELS: readonly DeliveryChannel[] = ['inbox', 'email'];

/** One message to one person about one event. */
export interface NotificationIntent<K extends NotificationKind = NotificationKind> {
  kind: K;
  orgId: string;
  recipientId: string;
  facts: NotificationFacts[K];
  /** The event's own key; with the recipient it is unique, so recording the same event twice notifies once. */
  eventKey: string;
  /** After this instant the message is worth nothing (an offer's expiry, the start of what it reminds of). */
  useBy: string | null;
  /** The request that caused it; defaults to the one being served. */
  requestId?: string | null;
}

export interface IntentArgs<K extends NotificationKind> {
  orgId: string;
  recipientId: string;
  facts: NotificationFacts[K];
  /** Overrides the event key derived from the facts (see EVENT_KEYS), for an event that can recur. */
  eventKey?: string;
}

type Facts = NotificationFacts;
/** What identifies each kind's event, and until when its message is useful. */
const EVENT_KEYS: { [K in NotificationKind]: (facts: Facts[K]) => { key: string; useBy?: string | null } } = {
  'booking.confirmed': (f) => ({ key: f.bookingId }),
  'booking.approved': (f) => ({ key: f.bookingId }),
  'booking.rejected': (f) => ({ key: f.bookingId }),
  'booking.cancelled_by_staff': (f) => ({ key: f.bookingId }),
  // A booking can be moved more than once: each new time is its own event.
  'booking.moved': (f) => ({ key: `${f.bookingId}:${f.startAt}:${f.spaceName}` }),
  'booking.waitlist_offer': (f) => ({ key: f.bookingId, useBy: f.offerExpiresAt }),
  'booking.promoted': (f) => ({ key: f.bookingId }),
  'booking.no_show': (f) => ({ key: f.bookingId }),
  'booking.check_in_open': (f) => ({ key: `${f.bookingId}:${f.startAt}`, useBy: f.checkInUntil }),
  'booking.reminder': (f) => ({ key: `${f.bookingId}:${f.startAt}`, useBy: f.startAt }),
  'activity.registered': (f) => ({ key: f.registrationId }),
  'activity.waitlisted': (f) => ({ key: f.registrationId }),
  'activity.promoted': (f) => ({ key: f.registrationId, useBy: f.offerExpiresAt }),
  'activity.session_changed': (f) => ({ key: `${f.registrationId}:${f.startAt}` }),
  'activity.session_cancelled': (f) => ({ key: f.registrationId }),
  'activity.reminder': (f) => ({ key: `${f.registrationId}:${f.startAt}`, useBy: f.startAt }),
  'activity.feedback_request': (f) => ({ key: f.registrationId }),
  'loan.requested': (f) => ({ key: f.loanId }),
  'loan.approved': (f) => ({ key: f.loanId }),
  'loan.dispatched': (f) => ({ key: f.loanId }),
  'loan.overdue': (f) => ({ key: f.loanId }),
  'staff.approval_request': (f) => ({ key: f.bookingId }),
  'staff.loan_request': (f) => ({ key: f.loanId }),
  'staff.daily_digest': (f) => ({ key: f.date }),
};

export function intentOf<K extends NotificationKind>(kind: K, args: IntentArgs<K>): NotificationIntent<K> {
  const event = (EVENT_KEYS[kind] as (facts: Facts[K]) => { key: string; useBy?: string | null })(args.facts);
  return { kind, orgId: args.orgId, recipientId: args.recipientId, facts: args.facts, eventKey: args.eventKey ?? `${kind}:${event.key}`, useBy: event.useBy ?? null };
}

type CamelTail<S extends string> = S extends `${infer Head}_${infer Rest}` ? `${Capitalize<Head>}${CamelTail<Rest>}` : Capitalize<S>;
/** booking.cancelled_by_staff -> bookingCancelledByStaff */
type BuilderName<K extends string> = K extends `${infer Area}.${infer Event}` ? `${Area}${CamelTail<Event>}` : never;
type IntentBuilders = { [K in NotificationKind as BuilderName<K>]: (args: IntentArgs<K>) => NotificationIntent<K> };

const builderNameOf = (kind: string) => kind.replace(/[._]([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** A typed intent builder per kind: `notify.bookingWaitlistOffer({ orgId, recipientId, facts })`. */
export const notify = Object.fromEntries(
  (Object.keys(NOTIFICATION_KINDS) as NotificationKind[]).map((kind) => [builderNameOf(kind), (args: IntentArgs<typeof kind>) => intentOf(kind, args)]),
) as IntentBuilders;

// ---- the pg-boss instance that adds jobs ------------------------------------------------------------------------

/**
 * pg-boss adds a job through the caller's transaction (fromDrizzle), but only a started instance knows its queue
 * catalogue (table, policy, notify flag), which is the same in every database /migrations built. So the outbox
 * needs one started instance in the process, attached by the app or the worker when it starts.
 */
const producers: PgBoss[] = [];

export function attachJobProducer(boss: PgBoss): () => void {
  producers.push(boss);
  return () => {
    const index = producers.indexOf(boss);
    if (index >= 0) producers.splice(index, 1);
  };
}

function producer(): PgBoss {
  const boss = producers.at(-1);
  if (!boss) throw new Error('The notification queue is not started in this process (see modules/notifications/worker.ts).');
  return boss;
}

// Our Transaction's execute is typed as returning `unknown` rows; both drivers answer with `rows`, which is what
// the adapter reads.
const inTransaction = (tx: Transaction) => ({ db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql) });

// ---- recording -----------------------------------------------------------------------------------------------------

export interface RecordOptions {
  /** Defaults to the current time; quiet hours are judged against it. */
  now?: Date;
}

/**
 * Recipients (their channels, choices and zone) read once per transaction: a new booking's reminders and its receipt
 * are for the same person, and each read is a round trip on the booking's path (docs/performance.md). Nothing in a
 * transaction that records notifications changes the recipients' choices, so the first read stands for its length.
 */
const recipientsByTransaction = new WeakMap<Transaction, Map<string, RecipientRow | null>>();

async function recipientsIn(tx: Transaction, userIds: readonly string[]): Promise<Map<string, RecipientRow>> {
  let known = recipientsByTransaction.get(tx);
  if (!known) {
    known = new Map();
    recipientsByTransaction.set(tx, known);
  }
  const missing = userIds.filter((id) => !known.has(id));
  if (missing.length) {
    const read = await findRecipients(tx, missing);
    for (const id of missing) known.set(id, read.get(id) ?? null);
  }
  const recipients = new Map<string, RecipientRow>();
  for (const id of userIds) {
    const recipient = known.get(id);
    if (recipient) recipients.set(id, recipient);
  }
  return recipients;
}

/**
 * Records notifications and enqueues their deliveries in `tx`: one notification per intent (skipped if its event
 * already notified that person), one delivery per channel the person's choices allow, one job per delivery.
 * Intents for people who do not exist in the intent's organization, or whose account is disabled, are dropped.
 * Returns how many deliveries were enqueued.
 */
export async function recordNotifications(tx: Transaction, intents: readonly NotificationIntent[], options: RecordOptions = {}): Promise<number> {
  if (!intents.length) return 0;
  const now = (options.now ?? new Date()).getTime();
  const recipients = await recipientsIn(tx, [...new Set(intents.map((intent) => intent.recipientId))]);
  const notifications: NotificationInsert[] = [];
  const deliveries: DeliveryInsert[] = [];
  for (const intent of intents) {
    const recipient = recipients.get(intent.recipientId);
    if (!recipient || recipient.orgId !== intent.orgId || recipient.disabled) continue;
    const useBy = intent.useBy ? Date.parse(intent.useBy) : null;
    const plan = planDeliveries({ kind: intent.kind, now, useBy }, choicesOf(recipient), ACTIVE_CHANNELS);
    if (!plan.length) continue;
    const notificationId = newId();
    notifications.push({
      id: notificationId,
      org_id: intent.orgId,
      recipient_id: intent.recipientId,
      kind: intent.kind,
      category: categoryOf(intent.kind),
      facts: intent.facts,
      link_path: notificationLinkOf(intent.kind, intent.facts),
      dedupe_key: intent.eventKey,
      request_id: intent.requestId === undefined ? currentRequestId() : intent.requestId,
    });
    for (const planned of plan) {
      deliveries.push({
        id: newId(),
        org_id: intent.orgId,
        notification_id: notificationId,
        recipient_id: intent.recipientId,
        channel: planned.channel,
        not_before: new Date(planned.notBefore).toISOString(),
      });
    }
  }
  if (!notifications.length) return 0;
  const written = await insertNotifications(tx, notifications, deliveries);
  await enqueueDeliveries(tx, written, now);
  return written.length;
}

/** Adds one job per delivery in `tx`, held until the delivery's not-before (quiet hours). */
export async function enqueueDeliveries(tx: Transaction, deliveries: readonly { id: string; notBefore: Date }[], now = Date.now()): Promise<void> {
  if (!deliveries.length) return;
  const jobs = deliveries.map((delivery) => ({
    data: { deliveryId: delivery.id } satisfies DeliveryJob,
    ...(delivery.notBefore.getTime() > now ? { startAfter: delivery.notBefore } : {}),
  }));
  await producer().insert(DELIVERY_QUEUE, jobs, inTransaction(tx));
}

// ---- reminders -----------------------------------------------------------------------------------------------------

/** What a reminder job carries: the intent it records when it fires. */
export interface ReminderJob {
  intent: NotificationIntent;
}

/**
 * Schedules the reminder `key` (e.g. `booking:<id>:reminder`) to record `intent` at `at`, moved earlier out of
 * the recipient's quiet hours, in `tx`. Scheduling a key again replaces its pending reminder, so a booking that
 * moves calls this again with the new time. Returns when it will fire, or null when there is no sensible time.
 */
export async function scheduleReminder(tx: Transaction, reminder: { key: string; at: Date; intent: NotificationIntent }, options: RecordOptions = {}): Promise<Date | null> {
  const { key, at, intent } = reminder;
  const recipient = (await recipientsIn(tx, [intent.recipientId])).get(intent.recipientId);
  const now = (options.now ?? new Date()).getTime();
  const when = recipient && recipient.orgId === intent.orgId ? reminderTime(at.getTime(), now, choicesOf(recipient), intent.useBy ? Date.parse(intent.useBy) : null) : null;
  if (when === null) {
    await cancelReminder(tx, key);
    return null;
  }
  const job: ReminderJob = { intent: { ...intent, requestId: intent.requestId === undefined ? currentRequestId() : intent.requestId } };
  await producer().upsert(REMINDER_QUEUE, job, { singletonKey: key, startAfter: new Date(when), ...inTransaction(tx) });
  return new Date(when);
}

/**
 * Schedules the reminders of claims made in `tx`, whose keys have no pending job yet: one recipient read and one
 * insert for all of them, where `scheduleReminder` reads and upserts one at a time (a new booking has two, a series
 * hundreds). Moving or cancelling them later works by key as for any reminder. Returns how many were scheduled.
 */
export async function scheduleNewReminders(tx: Transaction, reminders: readonly { key: string; at: Date; intent: NotificationIntent }[], options: RecordOptions = {}): Promise<number> {
  if (!reminders.length) return 0;
  const recipients = await recipientsIn(tx, [...new Set(reminders.map((reminder) => reminder.intent.recipientId))]);
  const now = (options.now ?? new Date()).getTime();
  const jobs = reminders.flatMap(({ key, at, intent }) => {
    const recipient = recipients.get(intent.recipientId);
    const when = recipient && recipient.orgId === intent.orgId ? reminderTime(at.getTime(), now, choicesOf(recipient), intent.useBy ? Date.parse(intent.useBy) : null) : null;
    if (when === null) return [];
    const job: ReminderJob = { intent: { ...intent, requestId: intent.requestId === undefined ? currentRequestId() : intent.requestId } };
    return [{ data: job, singletonKey: key, startAfter: new Date(when) }];
  });
  if (jobs.length) await producer().insert(REMINDER_QUEUE, jobs, inTransaction(tx));
  return jobs.length;
}

/** A booking or session moved: its reminder goes with it (the same as scheduling the key again). */
export const moveReminder = scheduleReminder;

/** A booking or session was cancelled: its pending reminder vanishes, in `tx`. */
export async function cancelReminder(tx: Transaction, key: string): Promise<void> {
  const boss = producer();
  const pending = await boss.findJobs(REMINDER_QUEUE, { key, queued: true, ...inTransaction(tx) });
  if (pending.length) await boss.deleteJob(REMINDER_QUEUE, pending.map((job) => job.id), inTransaction(tx));
}
