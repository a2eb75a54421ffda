/**
 * Test-only triggers for notifications: the hook-ins into bookings and activities come later, so tests record
 * intents straight through the outbox, inside a transaction of their own, as a change path will.
 */
import { type Database, schema } from '@linli/db';
import type { NotificationFacts } from '@linli/domain';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../../lib/sql.ts';
import { type NotificationIntent, type RecordOptions, notify, recordNotifications } from '../../outbox/outbox.ts';
import { createOrg, createSite, createSpace, createUser } from '../../../test/factories.ts';

export async function createNotificationWorld(db: Database) {
  const org = await createOrg(db);
  const site = await createSite(db, { orgId: org.id, name: '滨江邻里中心', address: '滨江路 88 号' });
  const space = await createSpace(db, { orgId: org.id, siteId: site.id, name: '多功能室 A' });
  return { org, site, space };
}
export type NotificationWorld = Awaited<ReturnType<typeof createNotificationWorld>>;

/** A resident with no quiet hours unless asked, so deliveries do not wait for the morning whenever the test runs. */
export async function createRecipient(db: Database, world: NotificationWorld, options: { locale?: string; email?: string | null; quietHours?: [number, number] | null } = {}) {
  const user = await createUser(db, { orgId: world.org.id, role: 'resident', homeSiteId: world.site.id, phone: `139${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}` });
  const email = options.email === undefined ? user.email : options.email;
  await db.update(schema.users).set({ locale: options.locale ?? 'zh-CN', email }).where(eq(schema.users.id, user.id));
  const quiet = options.quietHours === undefined ? null : options.quietHours;
  await db.insert(schema.notificationPreferences).values({ userId: user.id, orgId: world.org.id, quietStartMinute: quiet?.[0] ?? null, quietEndMinute: quiet?.[1] ?? null });
  return { ...user, email };
}

let bookingSeq = 0;
export function bookingFacts(world: NotificationWorld, overrides: Partial<NotificationFacts['booking.confirmed']> = {}): NotificationFacts['booking.confirmed'] {
  bookingSeq += 1;
  return {
    bookingId: `0190f1c2-0000-7000-8000-${String(bookingSeq).padStart(12, '0')}`,
    siteName: world.site.name,
    siteAddress: world.site.address,
    siteZone: world.site.timezone,
    spaceName: world.space.name,
    startAt: '2027-03-01T02:00:00.000Z',
    endAt: '2027-03-01T04:00:00.000Z',
    cancelUntil: '2027-03-01T00:00:00.000Z',
    ...overrides,
  };
}

export function bookingConfirmed(world: NotificationWorld, recipient: { id: string }, facts = bookingFacts(world)) {
  return notify.bookingConfirmed({ orgId: world.org.id, recipientId: recipient.id, facts });
}

/** Records intents in a transaction of their own, as a change path would in its own. */
export function recordInTransaction(db: Database, intents: NotificationIntent[], options: RecordOptions = {}) {
  return db.transaction((tx) => recordNotifications(tx, intents, options));
}

export interface DeliveryState {
  id: string;
  notificationId: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  notBefore: Date;
  readAt: Date | null;
}

export async function deliveriesOf(db: Database, recipientId: string): Promise<DeliveryState[]> {
  return db
    .select({
      id: schema.notificationDeliveries.id,
      notificationId: schema.notificationDeliveries.notificationId,
      channel: schema.notificationDeliveries.channel,
      status: schema.notificationDeliveries.status,
      attempts: schema.notificationDeliveries.attempts,
      lastError: schema.notificationDeliveries.lastError,
      messageId: schema.notificationDeliveries.messageId,
      notBefore: schema.notificationDeliveries.notBefore,
      readAt: schema.notificationDeliveries.readAt,
    })
    .from(schema.notificationDeliveries)
    .where(eq(schema.notificationDeliveries.recipientId, recipientId))
    .orderBy(schema.notificationDeliveries.channel);
}

/** pg-boss's jobs of a queue, as stored. */
export async function jobsOf(db: Database, queue: string) {
  return queryRows<{ id: string; state: string; data: Record<string, unknown>; singletonKey: string | null; startAfter: Date; retryCount: number }>(
    db,
    sql`SELECT id, state, data, singleton_key AS "singletonKey", start_after AS "startAfter", retry_count AS "retryCount" FROM pgboss.job WHERE name = ${queue} ORDER BY created_on`,
  );
}
