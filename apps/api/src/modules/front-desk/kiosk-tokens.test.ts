import { describe, expect, it } from 'vitest';
import { issueKioskToken, kioskCheckInUrl, verifyKioskToken } from './kiosk-tokens.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const SITE = '00000000-0000-4000-8000-000000000001';
const OTHER_SITE = '00000000-0000-4000-8000-000000000002';
const T0 = new Date('2027-03-01T02:00:10Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('kiosk tokens rotate every minute; the previous one is still accepted', () => {
  const { token, expiresAt } = issueKioskToken(SECRET, SITE, T0);

  it.each([
    ['the same minute', 0, 'valid'],
    ['the next minute', 55, 'valid'],
    ['two minutes on', 115, 'expired'],
    ['an hour on', 3600, 'expired'],
    ['a minute before it was issued', -60, 'invalid'],
  ])('%s: %s', (_label, seconds, verdict) => {
    expect(verifyKioskToken(SECRET, SITE, token, later(seconds as number))).toBe(verdict);
  });

  it('stops being accepted exactly at expiresAt', () => {
    expect(expiresAt.toISOString()).toBe('2027-03-01T02:02:00.000Z');
    expect(verifyKioskToken(SECRET, SITE, token, new Date(expiresAt.getTime() - 1))).toBe('valid');
    expect(verifyKioskToken(SECRET, SITE, token, expiresAt)).toBe('expired');
  });

  it("another site's token, another key's, an altered or malformed one is invalid", () => {
    expect(verifyKioskToken(SECRET, OTHER_SITE, token, T0)).toBe('invalid');
    expect(verifyKioskToken(`${SECRET}x`, SITE, token, T0)).toBe('invalid');
    const [period, signature] = token.split('.');
    expect(verifyKioskToken(SECRET, SITE, `${Number(period) - 5}.${signature}`, T0)).toBe('invalid');
    expect(verifyKioskToken(SECRET, SITE, `${period}.${signature!.slice(0, -1)}A`, T0)).not.toBe('valid');
    for (const junk of ['', '.', `${period}.`, `${period}.${signature}.x`, `-1.${signature}`, `${period}.${'ä'.repeat(43)}`]) {
      expect(verifyKioskToken(SECRET, SITE, junk, T0)).toBe('invalid');
    }
  });

  it('the URL names the site and carries the token', () => {
    expect(kioskCheckInUrl('https://linli.example', SITE, token)).toBe(`https://linli.example/check-in/${SITE}?t=${token}`);
  });
});
