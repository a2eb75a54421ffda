/**
 * Unsubscribe links: a token naming the person, the category and the channel, signed with a key derived from
 * JWT_SECRET. A token that does not verify is refused; a used one is remembered by its hash
 * (notification_unsubscribes), so the second use answers "already".
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  DELIVERY_CHANNELS,
  type DeliveryChannel,
  NOTIFICATION_CATEGORIES,
  type NotificationCategory,
} from '@linli/domain';

export interface UnsubscribeClaim {
  orgId: string;
  userId: string;
  category: NotificationCategory;
  channel: DeliveryChannel;
  /** The message the link came in, so each message's link is its own. */
  notificationId: string;
}

const VERSION = 'u1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A key for unsubscribe links alone, so a token of one kind can never pass as another. */
function keyOf(secret: string): Buffer {
  return createHmac('sha256', secret).update('linli/unsubscribe-link/v1').digest();
}

function signatureOf(secret: string, payload: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${VERSION}.${payload}`).digest();
}

export function signUnsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(JSON.stringify([claim.orgId, claim.userId, claim.category, claim.channel, claim.notificationId])).toString('base64url');
  return `${VERSION}.${payload}.${signatureOf(secret, payload).toString('base64url')}`;
}

/** The claim of a token we signed, or null for anything else (forged, altered, truncated). */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | null {
  const [version, payload, signature, extra] = token.split('.');
  if (version !== VERSION || !payload || !signature || extra !== undefined) return null;
  const expected = signatureOf(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 5) return null;
  const [orgId, userId, category, channel, notificationId] = fields as string[];
  if (![orgId, userId, notificationId].every((id) => typeof id === 'string' && UUID.test(id))) return null;
  if (!NOTIFICATION_CATEGORIES.includes(category as NotificationCategory) || !DELIVERY_CHANNELS.includes(channel as DeliveryChannel)) return null;
  return { orgId: orgId!, userId: userId!, category: category as NotificationCategory, channel: channel as DeliveryChannel, notificationId: notificationId! };
}

/** Used tokens are stored by hash: the table never holds a working link. */
export function unsubscribeTokenHashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function unsubscribeUrlOf(appBaseUrl: string, token: string): string {
  return `${appBaseUrl}/api/v1/notifications/unsubscribe?token=${token}`;
}
