/**
 * Notification queries: what the worker reads and settles (each change of a delivery's state is one statement
 * guarded by its current state, which is what makes a second run of a job harmless), the inbox, preferences,
 * unsubscribes and what admins see.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import type { DeliveryChannel, NotificationCategory, NotificationKind } from '@linli/domain';
import { and, asc, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { arrayLiteral, queryRows } from '../../lib/sql.ts';
import { RECIPIENT_COLUMNS, RECIPIENT_JOINS, type RecipientRow } from '../outbox/outbox.repository.ts';

const { notificationDeliveries: deliveries, notifications, notificationAttempts: attempts, notificationPreferences, notificationOptOuts, notificationUnsubscribes } = schema;
type Db = Database | Transaction;

/** States a delivery can still be sent from; sent, dead and skipped are final. */
const OPEN = sql`('queued', 'failed')`;

// ---- the worker ---------------------------------------------------------------------------------------------------

export interface PendingDelivery {
  deliveryId: string;
  channel: DeliveryChannel;
  status: string;
  notificationId: string;
  kind: NotificationKind;
  category: NotificationCategory;
  facts: Record<string, unknown>;
  requestId: string | null;
  recipient: RecipientRow;
}

export async function findPendingDeliveries(db: Db, deliveryIds: readonly string[]): Promise<PendingDelivery[]> {
  if (!deliveryIds.length) return [];
  const rows = await queryRows<RecipientRow & Omit<PendingDelivery, 'recipient'>>(
    db,
    sql`SELECT d.id AS "deliveryId", d.channel AS "channel", d.status AS "status", n.id AS "notificationId", n.kind AS "kind",
               n.category AS "category", n.facts AS "facts", n.request_id AS "requestId", ${RECIPIENT_COLUMNS}
        FROM notification_deliveries d
        JOIN notifications n ON n.id = d.notification_id
        JOIN users u ON u.id = d.recipient_id
        ${RECIPIENT_JOINS}
        WHERE d.id = ANY(${arrayLiteral(deliveryIds)}::uuid[])`,
  );
  return rows.map(({ deliveryId, channel, status, notificationId, kind, category, facts, requestId, ...recipient }) => ({
    deliveryId,
    channel,
    status,
    notificationId,
    kind,
    category,
    facts,
    requestId,
    recipient,
  }));
}

/** The inbox delivery: marking it sent is the delivery. One statement, so it happens once however often it runs. */
export async function markInboxDelivered(db: Db, deliveryIds: readonly string[]): Promise<string[]> {
  if (!deliveryIds.length) return [];
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE notification_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), updated_at = now()
        WHERE id = ANY(${arrayLiteral(deliveryIds)}::uuid[]) AND channel = 'inbox' AND status IN ${OPEN}
        RETURNING id`,
  );
  return rows.map((row) => row.id);
}

/**
 * Counts an attempt and logs it as started, if the delivery is still open; null when another run already settled
 * it. Written before the send, so a worker that dies mid-send leaves an attempt that never finished.
 */
export async function startAttempt(db: Db, attempt: { id: string; deliveryId: string; worker: string }): Promise<{ attempt: number } | null> {
  const [row] = await queryRows<{ attempt: number }>(
    db,
    sql`WITH counted AS (
          UPDATE notification_deliveries SET attempts = attempts + 1, updated_at = now()
          WHERE id = ${attempt.deliveryId} AND status IN ${OPEN}
          RETURNING id, org_id, attempts
        )
        INSERT INTO notification_attempts (id, org_id, delivery_id, attempt, worker)
        SELECT ${attempt.id}, org_id, id, attempts, ${attempt.worker} FROM counted
        RETURNING attempt`,
  );
  return row ?? null;
}

export type AttemptOutcome = 'sent' | 'failed' | 'dead';

/** Settles an attempt and its delivery together: sent (with its Message-ID), failed (to be retried) or dead. */
export async function finishAttempt(db: Db, settle: { attemptId: string; deliveryId: string; outcome: AttemptOutcome; error: string | null; messageId: string | null }): Promise<void> {
  await db.execute(
    sql`WITH finished AS (
          UPDATE notification_attempts SET finished_at = clock_timestamp(), outcome = ${settle.outcome}, error = ${settle.error}
          WHERE id = ${settle.attemptId}
        )
        UPDATE notification_deliveries
        SET status = ${settle.outcome}, last_error = ${settle.error}, message_id = COALESCE(${settle.messageId}, message_id),
            sent_at = CASE WHEN ${settle.outcome} = 'sent' THEN now() ELSE sent_at END, updated_at = now()
        WHERE id = ${settle.deliveryId} AND status IN ${OPEN}`,
  );
}

/** Nothing to send on this channel (no address, no SMTP server, turned off since); `reason` says why. */
export async function markSkipped(db: Db, deliveryId: string, reason: string): Promise<void> {
  await db.execute(
    sql`UPDATE notification_deliveries SET status = 'skipped', last_error = ${reason}, updated_at = now()
        WHERE id = ${deliveryId} AND status IN ${OPEN}`,
  );
}

/** Retries ran out (or the last worker holding it died): dead, until an admin resends it. */
export async function markDead(db: Db, deliveryIds: readonly string[]): Promise<string[]> {
  if (!deliveryIds.length) return [];
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE notification_deliveries
        SET status = 'dead', last_error = COALESCE(last_error, 'gave up after ' || attempts || ' attempts'), updated_at = now()
        WHERE id = ANY(${arrayLiteral(deliveryIds)}::uuid[]) AND status IN ${OPEN}
        RETURNING id`,
  );
  return rows.map((row) => row.id);
}

// ---- the caller's inbox -----------------------------------------------------------------------------------------------

export interface InboxRow {
  id: string;
  kind: NotificationKind;
  category: NotificationCategory;
  facts: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
}

const inboxOf = (userId: string) => and(eq(deliveries.recipientId, userId), eq(deliveries.channel, 'inbox'), eq(deliveries.status, 'sent'));

export async function listInbox(db: Db, userId: string, page: { afterId?: string | undefined; limit: number; unreadOnly: boolean }): Promise<InboxRow[]> {
  return db
    .select({
      id: deliveries.id,
      kind: sql<NotificationKind>`${notifications.kind}`,
      category: sql<NotificationCategory>`${notifications.category}`,
      facts: notifications.facts,
      createdAt: notifications.createdAt,
      readAt: deliveries.readAt,
    })
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(and(inboxOf(userId), page.unreadOnly ? isNull(deliveries.readAt) : undefined, page.afterId ? lt(deliveries.id, page.afterId) : undefined))
    .orderBy(desc(deliveries.id))
    .limit(page.limit + 1);
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const [row] = await db.select({ unread: count() }).from(deliveries).where(and(inboxOf(userId), isNull(deliveries.readAt)));
  return row?.unread ?? 0;
}

/** Marks inbox items read: the given ones, or all when `ids` is null. Returns how many changed. */
export async function markRead(db: Db, userId: string, ids: readonly string[] | null, at: Date): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({ readAt: at })
    .where(and(inboxOf(userId), isNull(deliveries.readAt), ids ? inArray(deliveries.id, [...ids]) : undefined))
    .returning({ id: deliveries.id });
  return rows.length;
}

export async function isInboxItemOf(db: Db, userId: string, id: string): Promise<boolean> {
  const [row] = await db.select({ id: deliveries.id }).from(deliveries).where(and(eq(deliveries.id, id), inboxOf(userId))).limit(1);
  return Boolean(row);
}

// ---- preferences ------------------------------------------------------------------------------------------------------

export type PreferencesRow = typeof notificationPreferences.$inferSelect;

export async function findPreferenceSettings(db: Db, userId: string): Promise<{ preferences: PreferencesRow | null; optOuts: { category: string; channel: string }[] }> {
  const [preferences] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  const optOuts = await db
    .select({ category: notificationOptOuts.category, channel: notificationOptOuts.channel })
    .from(notificationOptOuts)
    .where(eq(notificationOptOuts.userId, userId))
    .orderBy(asc(notificationOptOuts.category), asc(notificationOptOuts.channel));
  return { preferences: preferences ?? null, optOuts };
}

export async function replacePreferenceSettings(
  tx: Transaction,
  settings: Omit<typeof notificationPreferences.$inferInsert, 'updatedAt'>,
  optOuts: readonly { category: string; channel: string }[],
): Promise<void> {
  const { userId, orgId, ...values } = settings;
  await tx
    .insert(notificationPreferences)
    .values({ ...settings, updatedAt: new Date() })
    .onConflictDoUpdate({ target: notificationPreferences.userId, set: { ...values, updatedAt: new Date() } });
  await tx.delete(notificationOptOuts).where(eq(notificationOptOuts.userId, userId));
  if (optOuts.length) await tx.insert(notificationOptOuts).values(optOuts.map((o) => ({ userId, orgId, category: o.category, channel: o.channel })));
}

export async function findUserLanguage(db: Db, userId: string): Promise<{ orgId: string; locale: string; zone: string } | null> {
  const [row] = await queryRows<{ orgId: string; locale: string; zone: string }>(
    db,
    sql`SELECT u.org_id AS "orgId", u.locale AS "locale", COALESCE(p.timezone, home.timezone, o.timezone) AS "zone"
        FROM users u ${RECIPIENT_JOINS} WHERE u.id = ${userId}`,
  );
  return row ?? null;
}

/**
 * Uses an unsubscribe link once: records its hash and turns the pair off. False when the link was used before
 * (nothing changes, so a person who turned the category back on stays subscribed).
 */
export async function useUnsubscribeLink(tx: Transaction, link: { tokenHash: string; orgId: string; userId: string; category: string; channel: string }): Promise<boolean> {
  const used = await tx.insert(notificationUnsubscribes).values(link).onConflictDoNothing().returning({ tokenHash: notificationUnsubscribes.tokenHash });
  if (!used.length) return false;
  await tx.insert(notificationOptOuts).values({ userId: link.userId, orgId: link.orgId, category: link.category, channel: link.channel }).onConflictDoNothing();
  return true;
}

export async function userExistsInOrg(db: Db, orgId: string, userId: string): Promise<boolean> {
  const [row] = await db.select({ id: schema.users.id }).from(schema.users).where(and(eq(schema.users.id, userId), eq(schema.users.orgId, orgId)));
  return Boolean(row);
}

// ---- what admins see --------------------------------------------------------------------------------------------------

export async function countDeliveriesByChannel(db: Db, orgId: string): Promise<{ channel: string; status: string; n: number }[]> {
  return db
    .select({ channel: deliveries.channel, status: deliveries.status, n: count() })
    .from(deliveries)
    .where(eq(deliveries.orgId, orgId))
    .groupBy(deliveries.channel, deliveries.status);
}

const deliveryColumns = {
  id: deliveries.id,
  notificationId: deliveries.notificationId,
  kind: notifications.kind,
  category: notifications.category,
  recipientId: deliveries.recipientId,
  channel: deliveries.channel,
  status: deliveries.status,
  attempts: deliveries.attempts,
  lastError: deliveries.lastError,
  messageId: deliveries.messageId,
  requestId: notifications.requestId,
  notBefore: deliveries.notBefore,
  sentAt: deliveries.sentAt,
  createdAt: deliveries.createdAt,
  updatedAt: deliveries.updatedAt,
};
export type DeliveryRow = { [K in keyof typeof deliveryColumns]: (typeof deliveryColumns)[K]['_']['data'] | ((typeof deliveryColumns)[K]['_']['notNull'] extends true ? never : null) };

export async function listDeliveries(db: Db, orgId: string, filter: { status?: string | undefined; channel?: string | undefined; afterId?: string | undefined; limit: number }): Promise<DeliveryRow[]> {
  return db
    .select(deliveryColumns)
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(
      and(
        eq(deliveries.orgId, orgId),
        filter.status ? eq(deliveries.status, filter.status) : undefined,
        filter.channel ? eq(deliveries.channel, filter.channel) : undefined,
        filter.afterId ? lt(deliveries.id, filter.afterId) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(filter.limit + 1);
}

export async function findDelivery(db: Db, orgId: string, id: string): Promise<DeliveryRow | null> {
  const [row] = await db
    .select(deliveryColumns)
    .from(deliveries)
    .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
    .where(and(eq(deliveries.id, id), eq(deliveries.orgId, orgId)));
  return row ?? null;
}

export async function listAttempts(db: Db, deliveryId: string) {
  return db.select().from(attempts).where(eq(attempts.deliveryId, deliveryId)).orderBy(asc(attempts.attempt), asc(attempts.startedAt)).limit(200);
}

/** A dead delivery back to queued for an admin's resend; null when it is not dead (someone resent it first). */
export async function reopenDeadDelivery(tx: Transaction, orgId: string, id: string): Promise<{ id: string; notBefore: Date } | null> {
  const [row] = await tx
    .update(deliveries)
    .set({ status: 'queued', lastError: null, notBefore: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(deliveries.id, id), eq(deliveries.orgId, orgId), eq(deliveries.status, 'dead')))
    .returning({ id: deliveries.id, notBefore: deliveries.notBefore });
  return row ?? null;
}
