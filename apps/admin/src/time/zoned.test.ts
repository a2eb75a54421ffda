/**
 * zoned.ts reads zone offsets from Intl instead of importing @linli/domain (luxon stays off the resident's first
 * screen). These tables hold it to the domain's answers, where they are hardest: DST gaps and overlaps, half-hour
 * and 45-minute offsets, clocks that change at midnight, the end of a day written as 24:00.
 */
import * as domain from '@linli/domain';
import { describe, expect, it } from 'vitest';
import { addDaysToLocalDate, localDateOf, localTimeToInstant, weekdayOf } from './zoned.ts';

const ZONES = [
  'Asia/Shanghai',
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe', // DST of 30 minutes
  'America/Santiago', // clocks change at midnight
  'Asia/Beirut', // clocks change at midnight
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // -03:30
  'Asia/Kolkata',
] as const;

/** Dates around every 2024-2025 transition of the zones above, and a few ordinary ones. */
const DATES = [
  '2024-01-15', '2024-03-09', '2024-03-10', '2024-03-31', '2024-04-06', '2024-04-07', '2024-09-07', '2024-09-08',
  '2024-09-29', '2024-10-06', '2024-10-27', '2024-11-03', '2025-03-09', '2025-03-30', '2025-04-05', '2025-04-06',
  '2025-09-06', '2025-09-07', '2025-10-05', '2025-10-26', '2025-11-02', '2024-02-29', '2024-12-31',
];

describe('zone arithmetic without luxon agrees with @linli/domain', () => {
  it.each(ZONES)('local time -> instant, every 15 minutes of the transition days, in %s', (zone) => {
    const disagreements: string[] = [];
    for (const date of DATES) {
      for (let minutes = 0; minutes <= 24 * 60; minutes += 15) {
        const ours = localTimeToInstant(date, minutes, zone);
        const theirs = domain.localTimeToInstant(date, minutes, zone);
        if (ours !== theirs) disagreements.push(`${date} +${minutes}min: ${new Date(ours).toISOString()} vs ${new Date(theirs).toISOString()}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each(ZONES)('instant -> local date, every 20 minutes across the transition days, in %s', (zone) => {
    const disagreements: string[] = [];
    for (const date of DATES) {
      const from = Date.parse(`${date}T00:00:00Z`) - 86_400_000;
      for (let instant = from; instant < from + 3 * 86_400_000; instant += 20 * 60_000 + 1) {
        if (localDateOf(instant, zone) !== domain.localDateOf(instant, zone)) disagreements.push(new Date(instant).toISOString());
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('calendar days and weekdays', () => {
    for (const date of DATES) {
      expect(weekdayOf(date)).toBe(domain.weekdayOf(date));
      for (const days of [-400, -1, 0, 1, 31, 366]) expect(addDaysToLocalDate(date, days)).toBe(domain.addDaysToLocalDate(date, days));
    }
  });
});
