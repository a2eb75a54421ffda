import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDaysToLocalDate, ianaZoneOf, localDateOf, localDatesBetween, weekdayOf, zoneOf } from './time.ts';

// Zones with DST, half-hour DST (Lord Howe), odd offsets (Chatham +12:45), past midnight transitions
// (Sao Paulo until 2019), none at all (Shanghai), and a zone that skipped a whole day (Apia, end of 2011).
const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo', 'Asia/Shanghai', 'Pacific/Apia'];
const FROM = Date.UTC(2010, 0, 1);
const TO = Date.UTC(2030, 0, 1);

describe('remembered zone offsets', () => {
  it('agree with luxon asking Intl afresh, at any instant, in either order of asking', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.array(fc.integer({ min: FROM, max: TO }), { minLength: 1, maxLength: 40 }), (zone, instants) => {
        const plain = new IANAZone(zone);
        for (const ts of instants) expect(ianaZoneOf(zone).offset(ts)).toBe(plain.offset(ts));
      }),
      { numRuns: 300 },
    );
  });

  it('agree minute by minute through every transition hour of a year', () => {
    for (const zone of ZONES) {
      const plain = new IANAZone(zone);
      const remembering = ianaZoneOf(zone);
      for (let hour = Date.UTC(2026, 0, 1); hour < Date.UTC(2027, 0, 1); hour += 3_600_000) {
        if (plain.offset(hour) === plain.offset(hour + 3_599_999)) continue;
        for (let ts = hour - 3_600_000; ts < hour + 7_200_000; ts += 60_000) expect(remembering.offset(ts)).toBe(plain.offset(ts));
      }
    }
  });

  it('give the same local times as a zone name would, and pass UTC and unknown names through', () => {
    const instant = Date.UTC(2026, 2, 8, 7, 30);
    expect(DateTime.fromMillis(instant, { zone: zoneOf('America/New_York') }).toISO()).toBe(DateTime.fromMillis(instant, { zone: 'America/New_York' }).toISO());
    expect(DateTime.fromMillis(instant, { zone: zoneOf('America/New_York') }).zoneName).toBe('America/New_York');
    expect(zoneOf('UTC')).toBe('UTC');
    expect(DateTime.fromMillis(instant, { zone: zoneOf('Mars/Olympus') }).isValid).toBe(false);
  });

  it('local dates, weekdays and date arithmetic read as luxon reads them', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: FROM, max: TO }), fc.integer({ min: -800, max: 800 }), (zone, instant, days) => {
        const local = DateTime.fromMillis(instant, { zone });
        expect(localDateOf(instant, zone)).toBe(local.toISODate());
        expect(weekdayOf(local.toISODate()!)).toBe(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][local.weekday - 1]);
        expect(addDaysToLocalDate(local.toISODate()!, days)).toBe(DateTime.fromISO(local.toISODate()!, { zone: 'UTC' }).plus({ days }).toISODate());
        const end = instant + days * 3_600_000;
        if (end > instant) {
          const dates = localDatesBetween({ start: instant, end }, zone);
          expect(dates[0]).toBe(local.toISODate());
          expect(dates.at(-1)).toBe(DateTime.fromMillis(end - 1, { zone }).toISODate());
        }
      }),
      { numRuns: 500 },
    );
  });
});
