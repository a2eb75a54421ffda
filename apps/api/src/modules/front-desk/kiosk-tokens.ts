/**
 * The kiosk's rotating check-in token: an HMAC over (site, minute) with a key derived from JWT_SECRET for this use
 * alone. The screen at the door shows a new one every minute; the one before it still works, so a code scanned just
 * before it changed is not refused, but a photo of it stops working within two minutes. Nothing is stored: every
 * API process can issue and verify it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const KIOSK_TOKEN_PERIOD_SECONDS = 60;
const PERIOD_MS = KIOSK_TOKEN_PERIOD_SECONDS * 1000;

/** A key for kiosk tokens alone, so no other signed value (an unsubscribe link, a session) can pass as one. */
function keyOf(secret: string): Buffer {
  return createHmac('sha256', secret).update('linli/kiosk-check-in/v1').digest();
}

function signatureOf(secret: string, siteId: string, period: number): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${siteId}.${period}`).digest();
}

const periodOf = (now: Date) => Math.floor(now.getTime() / PERIOD_MS);

export interface IssuedKioskToken {
  token: string;
  /** When it stops being accepted: the end of the period after the one it was issued in. */
  expiresAt: Date;
}

export function issueKioskToken(secret: string, siteId: string, now: Date): IssuedKioskToken {
  const period = periodOf(now);
  return {
    token: `${period}.${signatureOf(secret, siteId, period).toString('base64url')}`,
    expiresAt: new Date((period + 2) * PERIOD_MS),
  };
}

export type KioskTokenVerdict = 'valid' | 'expired' | 'invalid';

/**
 * Whether `token` was issued for this site in this period or the one before. The signature is compared in constant
 * time and judged first, so a forged token is `invalid` whatever period it names; only a genuine old one is `expired`.
 */
export function verifyKioskToken(secret: string, siteId: string, token: string, now: Date): KioskTokenVerdict {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return 'invalid';
  const period = Number(match[1]);
  const given = Buffer.from(match[2]!, 'base64url');
  const expected = signatureOf(secret, siteId, period);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  const current = periodOf(now);
  // A period ahead of this server's clock was not issued by a server sharing it.
  if (period > current) return 'invalid';
  return period >= current - 1 ? 'valid' : 'expired';
}

/** The page a resident's phone opens from the QR code: signed in, it checks in their booking at this site. */
export function kioskCheckInUrl(appBaseUrl: string, siteId: string, token: string): string {
  return `${appBaseUrl}/check-in/${siteId}?t=${encodeURIComponent(token)}`;
}
