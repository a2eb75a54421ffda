import { describe, expect, it } from 'vitest';
import { formatReceivedAt } from './receivedAt.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('formatReceivedAt', () => {
  it.each([
    ['a message a few seconds old', ago(5_000), 'en', 'now'],
    ['a message stamped slightly after the device clock (clock skew)', ago(-3_000), 'en', 'now'],
    ['59 seconds', ago(59_000), 'en', 'now'],
    ['one minute', ago(60_000), 'en', '1 minute ago'],
    ['59 minutes', ago(59 * 60_000), 'zh-CN', '59分钟前'],
    ['one hour', ago(3_600_000), 'en', '1 hour ago'],
    ['23 hours', ago(23 * 3_600_000), 'en', '23 hours ago'],
  ])('%s', (_, iso, language, expected) => {
    expect(formatReceivedAt(iso, language, NOW)).toBe(expected);
  });

  it('a message a day old or more shows its date and time', () => {
    const text = formatReceivedAt(ago(25 * 3_600_000), 'en', NOW);
    expect(text).toMatch(/^Mar (8|9|10), \d{2}:00$/); // the device's zone decides the day
  });
});
