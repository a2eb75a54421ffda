/**
 * The outbox's queries: the people a notification is for, with their choices, and the one statement that records
 * notifications and their deliveries together.
 */
import type { Database, Transaction } from '@linli/db';
import { DEFAULT_QUIET_HOURS, type DeliveryChannel, type RecipientChoices } from '@linli/domain';
import { type SQL, sql } from 'drizzle-orm';
import { arrayLiteral, queryRows } from '../../lib/sql.ts';

type Db = Database | Transaction;

/** A person as the outbox and the worker see them. */
export interface RecipientRow {
  id: string;
  orgId: string;
  email: string | null;
  phone: string | null;
  locale: string;
  /** The zone quiet hours and times are read in: their own choice, else their home site's, else the organization's. */
  zone: string;
  disabled: boolean;
  hasPreferences: boolean;
  quietStartMinute: number | null;
  quietEndMinute: number | null;
  nightOffersByEmail: boolean;
  staffDigest: boolean;
  /** `${category}:${channel}` */
  optOuts: string[];
}

/** The recipient columns, for a query whose users are `u` (also used by the worker's delivery query). */
export const RECIPIENT_COLUMNS: SQL = sql`
  u.id AS "id", u.org_id AS "orgId", u.email AS "email", u.phone AS "phone", u.locale AS "locale",
  COALESCE(p.timezone, home.timezone, o.timezone) AS "zone",
  u.disabled_at IS NOT NULL AS "disabled",
  p.user_id IS NOT NULL AS "hasPreferences",
  p.quiet_start_minute AS "quietStartMinute", p.quiet_end_minute AS "quietEndMinute",
  COALESCE(p.night_offers_by_email, false) AS "nightOffersByEmail",
  COALESCE(p.staff_digest, false) AS "staffDigest",
  ARRAY(SELECT x.category || ':' || x.channel FROM notification_opt_outs x WHERE x.user_id = u.id) AS "optOuts"`;

/** The joins RECIPIENT_COLUMNS reads from. */
export const RECIPIENT_JOINS: SQL = sql`
  JOIN organizations o ON o.id = u.org_id
  LEFT JOIN sites home ON home.id = u.home_site_id
  LEFT JOIN notification_preferences p ON p.user_id = u.id`;

export async function findRecipients(db: Db, userIds: readonly string[]): Promise<Map<string, RecipientRow>> {
  if (!userIds.length) return new Map();
  const rows = await queryRows<RecipientRow>(db, sql`SELECT ${RECIPIENT_COLUMNS} FROM users u ${RECIPIENT_JOINS} WHERE u.id = ANY(${arrayLiteral(userIds)}::uuid[])`);
  return new Map(rows.map((row) => [row.id, row]));
}

/** The planner's view of a recipient; no preferences row means the defaults (quiet hours 22:00-08:00). */
export function choicesOf(recipient: RecipientRow): RecipientChoices {
  const reachableOn = new Set<DeliveryChannel>(['inbox']);
  if (recipient.email) reachableOn.add('email');
  const quietHours =
    recipient.hasPreferences
      ? recipient.quietStartMinute !== null && recipient.quietEndMinute !== null
        ? { startMinute: recipient.quietStartMinute, endMinute: recipient.quietEndMinute }
        : null
      : DEFAULT_QUIET_HOURS;
  return {
    reachableOn,
    optOuts: new Set(recipient.optOuts),
    quietHours,
    zone: recipient.zone,
    nightOffersByEmail: recipient.nightOffersByEmail,
    staffDigest: recipient.staffDigest,
  };
}

export interface NotificationInsert {
  id: string;
  org_id: string;
  recipient_id: string;
  kind: string;
  category: string;
  facts: unknown;
  link_path: string;
  dedupe_key: string;
  request_id: string | null;
}
export interface DeliveryInsert {
  id: string;
  org_id: string;
  notification_id: string;
  recipient_id: string;
  channel: DeliveryChannel;
  not_before: string;
}

/**
 * Inserts notifications and their deliveries in one statement. A notification whose (recipient, dedupe key) is
 * already recorded is skipped with its deliveries, so the same event never notifies the same person twice;
 * returns the deliveries actually written.
 */
export async function insertNotifications(tx: Transaction, notifications: NotificationInsert[], deliveries: DeliveryInsert[]): Promise<{ id: string; notBefore: Date }[]> {
  const rows = await queryRows<{ id: string; notBefore: Date | string }>(
    tx,
    sql`WITH recorded AS (
          INSERT INTO notifications (id, org_id, recipient_id, kind, category, facts, link_path, dedupe_key, request_id)
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(notifications)}::jsonb)
            AS n(id uuid, org_id uuid, recipient_id uuid, kind text, category text, facts jsonb, link_path text, dedupe_key text, request_id text)
          ON CONFLICT (recipient_id, dedupe_key) DO NOTHING
          RETURNING id
        )
        INSERT INTO notification_deliveries (id, org_id, notification_id, recipient_id, channel, not_before)
        SELECT d.id, d.org_id, d.notification_id, d.recipient_id, d.channel, d.not_before
        FROM jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb)
          AS d(id uuid, org_id uuid, notification_id uuid, recipient_id uuid, channel text, not_before timestamptz)
        JOIN recorded ON recorded.id = d.notification_id
        RETURNING id, not_before AS "notBefore"`,
  );
  return rows.map((row) => ({ id: row.id, notBefore: new Date(row.notBefore) }));
}
