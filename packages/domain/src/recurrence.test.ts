import fc from 'fast-check';
import { DateTime } from 'luxon';
import { type Options, RRule, type Weekday } from 'rrule';
import { describe, expect, it } from 'vitest';
import { findInstantsAtLocalTime } from './time.ts';
import {
  type ExpandRecurrenceInput,
  type RecurrenceExpansion,
  type RecurrenceRule,
  expandRecurrence,
  formatRecurrenceRule,
  parseRecurrenceRule,
} from './recurrence.ts';

function parseOrThrow(text: string): RecurrenceRule {
  const parsed = parseRecurrenceRule(text);
  if (!parsed.ok) throw new Error(`${text}: ${JSON.stringify(parsed.errors)}`);
  return parsed.rule;
}

function expand(text: string, overrides: Partial<ExpandRecurrenceInput> = {}): RecurrenceExpansion {
  return expandRecurrence({
    rule: parseOrThrow(text),
    startLocalDate: '2026-03-02',
    startMinutes: 19 * 60,
    durationMinutes: 90,
    zone: 'Asia/Shanghai',
    maxOccurrences: 500,
    ...overrides,
  });
}

function datesOf(expansion: RecurrenceExpansion): string[] {
  return expansion.occurrences.map((o) => o.localDate);
}

function wallClock(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

const utc = (iso: string): number => Date.parse(iso);

describe('parseRecurrenceRule accepts the supported subset', () => {
  it.each([
    ['FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10', { freq: 'WEEKLY', interval: 1, byDay: [{ weekday: 'MO', ordinal: null }, { weekday: 'WE', ordinal: null }], byMonthDay: [], end: { kind: 'count', count: 10 } }],
    ['RRULE:FREQ=DAILY;COUNT=1', { freq: 'DAILY', interval: 1, byDay: [], byMonthDay: [], end: { kind: 'count', count: 1 } }],
    ['rrule:freq=daily;interval=3;count=2', { freq: 'DAILY', interval: 3, byDay: [], byMonthDay: [], end: { kind: 'count', count: 2 } }],
    ['FREQ=MONTHLY;BYDAY=1MO,-1FR,+2TU;COUNT=4', { freq: 'MONTHLY', interval: 1, byDay: [{ weekday: 'MO', ordinal: 1 }, { weekday: 'FR', ordinal: -1 }, { weekday: 'TU', ordinal: 2 }], byMonthDay: [], end: { kind: 'count', count: 4 } }],
    ['FREQ=MONTHLY;BYMONTHDAY=-1,15;UNTIL=20261231', { freq: 'MONTHLY', interval: 1, byDay: [], byMonthDay: [-1, 15], end: { kind: 'until_date', localDate: '2026-12-31' } }],
    ['FREQ=DAILY;BYMONTHDAY=1;UNTIL=20260301T120000Z', { freq: 'DAILY', interval: 1, byDay: [], byMonthDay: [1], end: { kind: 'until_instant', epochMs: utc('2026-03-01T12:00:00Z') } }],
    // Year 0050 stays 0050: Date.UTC would have made it 1950.
    ['FREQ=DAILY;UNTIL=00500101T120000Z', { freq: 'DAILY', interval: 1, byDay: [], byMonthDay: [], end: { kind: 'until_instant', epochMs: utc('0050-01-01T12:00:00Z') } }],
    ['FREQ=DAILY;UNTIL=20280229', { freq: 'DAILY', interval: 1, byDay: [], byMonthDay: [], end: { kind: 'until_date', localDate: '2028-02-29' } }],
    ['  FREQ=DAILY;COUNT=5\n', { freq: 'DAILY', interval: 1, byDay: [], byMonthDay: [], end: { kind: 'count', count: 5 } }],
  ])('%j', (text, rule) => {
    expect(parseRecurrenceRule(text)).toEqual({ ok: true, rule });
  });
});

describe('parseRecurrenceRule refuses', () => {
  it.each([
    ['an empty rule', '', 'rule'],
    ['a rule with no end', 'FREQ=WEEKLY;BYDAY=MO', 'rule'],
    ['COUNT and UNTIL together', 'FREQ=DAILY;COUNT=3;UNTIL=20260101', 'rule'],
    ['a missing FREQ', 'COUNT=3', 'FREQ'],
    ['YEARLY', 'FREQ=YEARLY;COUNT=3', 'FREQ'],
    ['HOURLY', 'FREQ=HOURLY;COUNT=3', 'FREQ'],
    ['COUNT=0', 'FREQ=DAILY;COUNT=0', 'COUNT'],
    ['a negative COUNT', 'FREQ=DAILY;COUNT=-1', 'COUNT'],
    ['a fractional COUNT', 'FREQ=DAILY;COUNT=1.5', 'COUNT'],
    ['a leading-zero COUNT', 'FREQ=DAILY;COUNT=05', 'COUNT'],
    ['an unsafe COUNT', 'FREQ=DAILY;COUNT=99999999999999999999', 'COUNT'],
    ['an empty COUNT', 'FREQ=DAILY;COUNT=', 'COUNT'],
    ['INTERVAL=0', 'FREQ=DAILY;INTERVAL=0;COUNT=1', 'INTERVAL'],
    ['an unknown part', 'FREQ=DAILY;COUNT=3;BYSETPOS=1', 'BYSETPOS'],
    ['WKST (not in the subset)', 'FREQ=WEEKLY;COUNT=3;WKST=SU', 'WKST'],
    ['BYHOUR', 'FREQ=DAILY;COUNT=3;BYHOUR=9', 'BYHOUR'],
    ['a stray ";"', 'FREQ=DAILY;COUNT=3;', 'rule'],
    ['a part without "="', 'FREQ DAILY;COUNT=3', 'rule'],
    ['a repeated part', 'FREQ=DAILY;FREQ=WEEKLY;COUNT=1', 'FREQ'],
    ['an unknown weekday', 'FREQ=WEEKLY;BYDAY=XX;COUNT=1', 'BYDAY'],
    ['a repeated weekday', 'FREQ=WEEKLY;BYDAY=MO,MO;COUNT=1', 'BYDAY'],
    ['an ordinal weekday in WEEKLY', 'FREQ=WEEKLY;BYDAY=1MO;COUNT=1', 'BYDAY'],
    ['an ordinal weekday in DAILY', 'FREQ=DAILY;BYDAY=-1FR;COUNT=1', 'BYDAY'],
    ['ordinal 6 in a month', 'FREQ=MONTHLY;BYDAY=6MO;COUNT=1', 'BYDAY'],
    ['ordinal -6 in a month', 'FREQ=MONTHLY;BYDAY=-6MO;COUNT=1', 'BYDAY'],
    ['ordinal 0', 'FREQ=MONTHLY;BYDAY=0MO;COUNT=1', 'BYDAY'],
    ['BYMONTHDAY=0', 'FREQ=MONTHLY;BYMONTHDAY=0;COUNT=1', 'BYMONTHDAY'],
    ['BYMONTHDAY=32', 'FREQ=MONTHLY;BYMONTHDAY=32;COUNT=1', 'BYMONTHDAY'],
    ['BYMONTHDAY=-32', 'FREQ=MONTHLY;BYMONTHDAY=-32;COUNT=1', 'BYMONTHDAY'],
    ['a non-numeric BYMONTHDAY', 'FREQ=MONTHLY;BYMONTHDAY=last;COUNT=1', 'BYMONTHDAY'],
    ['BYMONTHDAY with WEEKLY (RFC 5545)', 'FREQ=WEEKLY;BYMONTHDAY=1;COUNT=1', 'BYMONTHDAY'],
    ['an impossible UNTIL date', 'FREQ=DAILY;UNTIL=20260230', 'UNTIL'],
    ['a floating UNTIL date-time', 'FREQ=DAILY;UNTIL=20260101T120000', 'UNTIL'],
    ['an ISO-formatted UNTIL', 'FREQ=DAILY;UNTIL=2026-01-01', 'UNTIL'],
    ['an UNTIL hour of 25', 'FREQ=DAILY;UNTIL=20260101T250000Z', 'UNTIL'],
    ['UNTIL=20270229 (not a leap year)', 'FREQ=DAILY;UNTIL=20270229', 'UNTIL'],
  ])('%s', (_name, text, path) => {
    const parsed = parseRecurrenceRule(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain(path);
  });

  it('reports every problem at once, not the first only', () => {
    const parsed = parseRecurrenceRule('FREQ=YEARLY;INTERVAL=0;BYDAY=XX;COUNT=0');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path).sort()).toEqual(['BYDAY', 'COUNT', 'FREQ', 'INTERVAL']);
  });
});

describe('formatRecurrenceRule', () => {
  it.each([
    'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10',
    'FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO,-1FR;COUNT=4',
    'FREQ=MONTHLY;BYMONTHDAY=-1,15;UNTIL=20261231',
    'FREQ=DAILY;UNTIL=20260301T120000Z',
  ])('round-trips %s', (text) => {
    expect(formatRecurrenceRule(parseOrThrow(text))).toBe(text);
  });
});

describe('expandRecurrence follows RFC 5545', () => {
  it.each([
    ['DTSTART counts as the first instance when it matches', 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3', '2026-03-02', ['2026-03-02', '2026-03-04', '2026-03-09']],
    ['DTSTART is not an instance when it does not match', 'FREQ=WEEKLY;BYDAY=TU;COUNT=3', '2026-03-02', ['2026-03-03', '2026-03-10', '2026-03-17']],
    ['WEEKLY without BYDAY repeats DTSTART\'s weekday', 'FREQ=WEEKLY;INTERVAL=2;COUNT=3', '2026-12-23', ['2026-12-23', '2027-01-06', '2027-01-20']],
    // Weeks start on Monday: DTSTART on a Sunday is the end of its week, so the next period begins 8 days later.
    ['INTERVAL=2 counts Monday-start weeks from DTSTART\'s week', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;COUNT=4', '2026-03-08', ['2026-03-08', '2026-03-16', '2026-03-22', '2026-03-30']],
    ['DAILY with INTERVAL', 'FREQ=DAILY;INTERVAL=10;COUNT=3', '2026-02-25', ['2026-02-25', '2026-03-07', '2026-03-17']],
    ['DAILY with BYDAY filters weekdays', 'FREQ=DAILY;BYDAY=SA,SU;COUNT=3', '2026-03-02', ['2026-03-07', '2026-03-08', '2026-03-14']],
    ['MONTHLY BYMONTHDAY=31 skips months without a 31st', 'FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4', '2026-01-31', ['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31']],
    ['MONTHLY from the 31st without BYMONTHDAY skips the same way', 'FREQ=MONTHLY;COUNT=3', '2026-01-31', ['2026-01-31', '2026-03-31', '2026-05-31']],
    ['BYMONTHDAY=-1 is the last day, leap years included', 'FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3', '2028-01-15', ['2028-01-31', '2028-02-29', '2028-03-31']],
    ['BYMONTHDAY=30 skips February', 'FREQ=MONTHLY;BYMONTHDAY=30;COUNT=2', '2026-01-30', ['2026-01-30', '2026-03-30']],
    ['first Monday and last Friday', 'FREQ=MONTHLY;BYDAY=1MO,-1FR;COUNT=4', '2026-03-01', ['2026-03-02', '2026-03-27', '2026-04-06', '2026-04-24']],
    ['the 5th Sunday exists only in some months', 'FREQ=MONTHLY;BYDAY=5SU;COUNT=2', '2026-01-01', ['2026-03-29', '2026-05-31']],
    ['the last Friday before DTSTART in its month is not an instance', 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=2', '2026-03-28', ['2026-04-24', '2026-05-29']],
    // RFC 5545 expands each BYDAY value; rrule.js instead intersects plain and ordinal values (jkbrzt/rrule#71).
    ['plain and ordinal BYDAY together: every Wednesday plus the first Monday', 'FREQ=MONTHLY;BYDAY=1MO,WE;COUNT=6', '2026-03-01', ['2026-03-02', '2026-03-04', '2026-03-11', '2026-03-18', '2026-03-25', '2026-04-01']],
    ['BYMONTHDAY with BYDAY: the 13th only when it is a Friday', 'FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR;COUNT=2', '2026-01-01', ['2026-02-13', '2026-03-13']],
    ['MONTHLY INTERVAL=5 crosses years', 'FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=1;COUNT=3', '2026-10-01', ['2026-10-01', '2027-03-01', '2027-08-01']],
    ['UNTIL as a date is inclusive', 'FREQ=DAILY;UNTIL=20260304', '2026-03-02', ['2026-03-02', '2026-03-03', '2026-03-04']],
    ['UNTIL before DTSTART gives nothing', 'FREQ=DAILY;UNTIL=20260301', '2026-03-02', []],
    ['COUNT=1 is DTSTART alone', 'FREQ=DAILY;COUNT=1', '2026-03-02', ['2026-03-02']],
  ])('%s', (_name, text, startLocalDate, dates) => {
    expect(datesOf(expand(text, { startLocalDate }))).toEqual(dates);
  });

  // 19:00 Shanghai is 11:00Z; UNTIL in UTC includes an occurrence starting exactly then.
  it.each([
    ['20260304T110000Z', ['2026-03-02', '2026-03-03', '2026-03-04']],
    ['20260304T105900Z', ['2026-03-02', '2026-03-03']],
    ['20260304T110100Z', ['2026-03-02', '2026-03-03', '2026-03-04']],
  ])('UNTIL=%s is compared with the occurrence start instant', (until, dates) => {
    expect(datesOf(expand(`FREQ=DAILY;UNTIL=${until}`))).toEqual(dates);
  });

  it('an EXDATE is skipped, reported, and still counts toward COUNT', () => {
    const result = expand('FREQ=WEEKLY;BYDAY=MO;COUNT=3', { exdates: ['2026-03-09', '2026-03-10'] });
    expect(datesOf(result)).toEqual(['2026-03-02', '2026-03-16']);
    expect(result.skipped).toEqual([{ localDate: '2026-03-09', reason: 'EXDATE' }]);
  });

  it('occurrences last durationMinutes and start at the local time', () => {
    const [first] = expand('FREQ=DAILY;COUNT=1').occurrences;
    expect(first!.range).toEqual({ start: utc('2026-03-02T11:00:00Z'), end: utc('2026-03-02T12:30:00Z') });
  });
});

describe('expandRecurrence refuses more than it may return', () => {
  it.each([
    [4, 4, false],
    [5, 4, false],
    [3, 3, true],
    [1, 1, true],
  ])('maxOccurrences %i with COUNT=4 returns %i (truncated: %s)', (maxOccurrences, returned, truncated) => {
    const result = expand('FREQ=DAILY;COUNT=4', { maxOccurrences });
    expect(result.occurrences).toHaveLength(returned);
    expect(result.truncated).toBe(truncated);
    expect(result.errors.map((e) => e.code)).toEqual(truncated ? ['TOO_MANY_OCCURRENCES'] : []);
  });

  it('a long UNTIL rule past maxOccurrences is truncated, not silently cut', () => {
    const result = expand('FREQ=DAILY;UNTIL=20991231', { maxOccurrences: 100 });
    expect(result.occurrences).toHaveLength(100);
    expect(result.truncated).toBe(true);
    expect(result.errors[0]!.code).toBe('TOO_MANY_OCCURRENCES');
  });

  // Occurrences are 19:00-20:30 Shanghai = 11:00-12:30Z.
  it.each([
    ['2026-03-04T12:30:00Z', 3, false],
    ['2026-03-04T12:29:00Z', 2, true],
    ['2026-03-05T11:00:00Z', 3, false],
  ])('horizonEnd %s: an occurrence must end by it', (horizon, returned, truncated) => {
    const result = expand('FREQ=DAILY;COUNT=3', { horizonEnd: utc(horizon) });
    expect(result.occurrences).toHaveLength(returned);
    expect(result.truncated).toBe(truncated);
    expect(result.errors.map((e) => e.code)).toEqual(truncated ? ['BEYOND_HORIZON'] : []);
  });

  it.each([
    ['zone', { zone: 'Mars/Olympus' }],
    ['zone', { zone: 'UTC+8' }],
    ['startLocalDate', { startLocalDate: '2026-02-30' }],
    ['startMinutes', { startMinutes: 24 * 60 }],
    ['startMinutes', { startMinutes: -1 }],
    ['durationMinutes', { durationMinutes: 0 }],
    ['maxOccurrences', { maxOccurrences: 0 }],
    ['exdates.0', { exdates: ['20260309'] }],
  ] as [string, Partial<ExpandRecurrenceInput>][])('invalid %s is an INVALID_INPUT error', (path, overrides) => {
    const result = expand('FREQ=DAILY;COUNT=3', overrides);
    expect(result.occurrences).toEqual([]);
    expect(result.errors).toContainEqual(expect.objectContaining({ code: 'INVALID_INPUT', path }));
  });

  it('a rule built in code with an ordinal outside MONTHLY is refused', () => {
    const rule: RecurrenceRule = { ...parseOrThrow('FREQ=WEEKLY;COUNT=2'), byDay: [{ weekday: 'MO', ordinal: 1 }] };
    const result = expandRecurrence({ rule, startLocalDate: '2026-03-02', startMinutes: 0, durationMinutes: 30, zone: 'UTC', maxOccurrences: 5 });
    expect(result.errors).toContainEqual(expect.objectContaining({ code: 'INVALID_INPUT', path: 'rule.BYDAY' }));
  });

  it('a rule that can never match ends instead of looping', () => {
    // The 20th is never the first Monday of a month.
    expect(datesOf(expand('FREQ=MONTHLY;BYMONTHDAY=20;BYDAY=1MO;COUNT=3'))).toEqual([]);
  });
});

describe('expandRecurrence keeps the local wall-clock time across DST', () => {
  it('America/New_York: 19:00 stays 19:00 across 2026-03-08 (offset -05:00 -> -04:00)', () => {
    const zone = 'America/New_York';
    const result = expand('FREQ=WEEKLY;BYDAY=SU;COUNT=3', { zone, startLocalDate: '2026-03-01' });
    expect(result.occurrences.map((o) => o.range.start)).toEqual([
      utc('2026-03-02T00:00:00Z'),
      utc('2026-03-08T23:00:00Z'),
      utc('2026-03-15T23:00:00Z'),
    ]);
    expect(result.occurrences.map((o) => wallClock(o.range.start, zone))).toEqual([
      '2026-03-01 19:00',
      '2026-03-08 19:00',
      '2026-03-15 19:00',
    ]);
  });

  it.each([
    ['spring forward 2026-03-29', '2026-03-28', ['2026-03-28T18:00:00Z', '2026-03-29T17:00:00Z', '2026-03-30T17:00:00Z']],
    ['fall back 2026-10-25', '2026-10-24', ['2026-10-24T17:00:00Z', '2026-10-25T18:00:00Z', '2026-10-26T18:00:00Z']],
  ])('Europe/Berlin %s: daily 19:00 local', (_name, startLocalDate, starts) => {
    const result = expand('FREQ=DAILY;COUNT=3', { zone: 'Europe/Berlin', startLocalDate });
    expect(result.occurrences.map((o) => o.range.start)).toEqual(starts.map(utc));
    expect(result.occurrences.every((o) => wallClock(o.range.start, 'Europe/Berlin').endsWith('19:00'))).toBe(true);
  });

  it('Asia/Shanghai has no DST: 19:00 is 11:00Z all year', () => {
    const result = expand('FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12', { zone: 'Asia/Shanghai', startLocalDate: '2026-01-01' });
    expect(result.occurrences).toHaveLength(12);
    expect(result.occurrences.every((o) => new Date(o.range.start).toISOString().endsWith('T11:00:00.000Z'))).toBe(true);
  });

  it.each([
    ['America/New_York', '2026-03-07', '2026-03-08', ['2026-03-07', '2026-03-09', '2026-03-10']],
    ['Europe/Berlin', '2026-03-28', '2026-03-29', ['2026-03-28', '2026-03-30', '2026-03-31']],
  ])('%s: 02:30 on the spring-forward day does not exist; it is reported and not counted', (zone, startLocalDate, gapDate, dates) => {
    const result = expand('FREQ=DAILY;COUNT=3', { zone, startLocalDate, startMinutes: 150 });
    expect(datesOf(result)).toEqual(dates);
    expect(result.skipped).toEqual([{ localDate: gapDate, reason: 'NONEXISTENT_LOCAL_TIME' }]);
    expect(result.occurrences.every((o) => wallClock(o.range.start, zone).endsWith('02:30'))).toBe(true);
  });

  it('America/New_York: 01:30 on the fall-back day happens twice; the first (EDT) is meant', () => {
    const [occurrence] = expand('FREQ=DAILY;COUNT=1', { zone: 'America/New_York', startLocalDate: '2026-11-01', startMinutes: 90 }).occurrences;
    expect(occurrence!.range.start).toBe(utc('2026-11-01T05:30:00Z'));
  });

  it('a duration spanning the spring-forward change is elapsed time: 01:00 + 2 h ends at 04:00 EDT', () => {
    const [occurrence] = expand('FREQ=DAILY;COUNT=1', { zone: 'America/New_York', startLocalDate: '2026-03-08', startMinutes: 60, durationMinutes: 120 }).occurrences;
    expect(wallClock(occurrence!.range.end, 'America/New_York')).toBe('2026-03-08 04:00');
  });
});

describe('findInstantsAtLocalTime', () => {
  it.each([
    ['America/New_York', '2026-03-08', 150, []],
    ['America/New_York', '2026-03-08', 180, ['2026-03-08T07:00:00Z']],
    ['America/New_York', '2026-11-01', 90, ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z']],
    ['Europe/Berlin', '2026-10-25', 150, ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']],
    ['Asia/Kathmandu', '2026-05-01', 9 * 60, ['2026-05-01T03:15:00Z']],
    ['America/Santiago', '2026-09-06', 0, []],
    ['Asia/Shanghai', '2026-03-08', 150, ['2026-03-07T18:30:00Z']],
  ])('%s %s at minute %i', (zone, localDate, minutes, instants) => {
    expect(findInstantsAtLocalTime(localDate, minutes, zone)).toEqual(instants.map(utc));
  });
});

// ------------------------------------------------------------------------------------------------------------
// Cross-check against rrule.js. rrule.js is run "floating": DTSTART is Date.UTC(local wall-clock fields) with no
// tzid, so its outputs' UTC dates are the local dates a correct expansion must produce.

interface GeneratedCase {
  text: string;
  startLocalDate: string;
  startMinutes: number;
  zone: string;
  options: Partial<Options>;
}

const RRULE_WEEKDAYS = [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA, RRule.SU];
const CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
// Start times from 04:00 avoid DST gaps (02:00-03:00 here), which RFC 5545 drops and floating rrule.js cannot know.
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
const FIRST_DAY = Date.UTC(2025, 0, 1) / 86_400_000;
const LAST_DAY = Date.UTC(2028, 11, 31) / 86_400_000;

const plainWeekdaysArb = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }).map((days) => days.map((d) => ({ day: d, nth: 0 })));
// Plain and ordinal weekdays are not mixed here: rrule.js intersects them (BYDAY=MO,-1WE gives nothing, its open bug
// jkbrzt/rrule#71) where RFC 5545 takes their union; that case has its own known-answer test.
const monthlyWeekdaysArb = fc.oneof(
  plainWeekdaysArb,
  fc.uniqueArray(fc.record({ day: fc.integer({ min: 0, max: 6 }), nth: fc.constantFrom(1, 2, 3, 4, 5, -1, -2, -5) }), {
    maxLength: 3,
    selector: (d) => `${d.nth}${d.day}`,
  }),
);
const monthDaysArb = fc.uniqueArray(fc.integer({ min: -31, max: 31 }).filter((d) => d !== 0), { maxLength: 3 });

const caseArb: fc.Arbitrary<GeneratedCase> = fc
  .record({
    freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY') as fc.Arbitrary<'DAILY' | 'WEEKLY' | 'MONTHLY'>,
    interval: fc.integer({ min: 1, max: 4 }),
    startDay: fc.integer({ min: FIRST_DAY, max: LAST_DAY }),
    startMinutes: fc.integer({ min: 4 * 60, max: 24 * 60 - 1 }),
    zone: fc.constantFrom(...ZONES),
    end: fc.oneof(fc.record({ count: fc.integer({ min: 1, max: 25 }) }), fc.record({ untilAfterDays: fc.integer({ min: -3, max: 400 }) })),
  })
  .chain((base) =>
    fc.record({ base: fc.constant(base), byMonthDay: base.freq === 'WEEKLY' ? fc.constant<number[]>([]) : monthDaysArb }),
  )
  // BYMONTHDAY with an ordinal BYDAY can never match (the 20th is never a first Monday), which makes rrule.js scan
  // to year 9999 for up to a second; those combinations are cross-checked on fixed cases below instead.
  .chain(({ base, byMonthDay }) =>
    fc.record({
      base: fc.constant(base),
      byMonthDay: fc.constant(byMonthDay),
      byDay: base.freq === 'MONTHLY' && byMonthDay.length === 0 ? monthlyWeekdaysArb : plainWeekdaysArb,
    }),
  )
  .map(({ base, byDay, byMonthDay }) => {
    const start = new Date(base.startDay * 86_400_000);
    const startLocalDate = start.toISOString().slice(0, 10);
    const parts = [`FREQ=${base.freq}`, `INTERVAL=${base.interval}`];
    const options: Partial<Options> = {
      freq: { DAILY: RRule.DAILY, WEEKLY: RRule.WEEKLY, MONTHLY: RRule.MONTHLY }[base.freq],
      interval: base.interval,
      dtstart: new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), Math.floor(base.startMinutes / 60), base.startMinutes % 60)),
    };
    if (byDay.length > 0) {
      parts.push(`BYDAY=${byDay.map((d) => `${d.nth || ''}${CODES[d.day]}`).join(',')}`);
      options.byweekday = byDay.map((d): Weekday => (d.nth ? RRULE_WEEKDAYS[d.day]!.nth(d.nth) : RRULE_WEEKDAYS[d.day]!));
    }
    if (byMonthDay.length > 0) {
      parts.push(`BYMONTHDAY=${byMonthDay.join(',')}`);
      options.bymonthday = byMonthDay;
    }
    if ('count' in base.end) {
      parts.push(`COUNT=${base.end.count}`);
      options.count = base.end.count;
    } else {
      const until = new Date((base.startDay + base.end.untilAfterDays) * 86_400_000);
      parts.push(`UNTIL=${until.toISOString().slice(0, 10).replaceAll('-', '')}`);
      // The last second of the UNTIL date, floating: UNTIL as a local date includes that whole day.
      options.until = new Date(until.getTime() + 86_400_000 - 1000);
    }
    return { text: parts.join(';'), startLocalDate, startMinutes: base.startMinutes, zone: base.zone, options };
  });

type Expander = (input: ExpandRecurrenceInput) => RecurrenceExpansion;

/** Fails (throws) when the expander's local dates or wall-clock times differ from rrule.js's. */
function assertAgreesWithRRule(expander: Expander, generated: GeneratedCase): void {
  const expected = new RRule(generated.options).all().map((d) => d.toISOString().slice(0, 10));
  const result = expander({
    rule: parseOrThrow(generated.text),
    startLocalDate: generated.startLocalDate,
    startMinutes: generated.startMinutes,
    durationMinutes: 60,
    zone: generated.zone,
    maxOccurrences: 10_000,
  });
  expect(result.errors).toEqual([]);
  expect(result.skipped).toEqual([]);
  expect(result.occurrences.map((o) => o.localDate)).toEqual(expected);
  const hhmm = `${String(Math.floor(generated.startMinutes / 60)).padStart(2, '0')}:${String(generated.startMinutes % 60).padStart(2, '0')}`;
  for (const o of result.occurrences) expect(wallClock(o.range.start, generated.zone)).toBe(`${o.localDate} ${hhmm}`);
}

describe('expandRecurrence agrees with rrule.js', () => {
  it('on random DAILY/WEEKLY/MONTHLY rules with INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL, 2025-2028', () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(caseArb, (generated) => {
        assertAgreesWithRRule(expandRecurrence, generated);
        if (new RRule(generated.options).all().length > 0) nonEmpty++;
      }),
      { numRuns: 600 },
    );
    // The comparison means little if most generated rules have no occurrences at all.
    expect(nonEmpty).toBeGreaterThan(400);
  });

  it.each([
    'FREQ=MONTHLY;BYMONTHDAY=1,2,3;BYDAY=1MO;COUNT=5',
    'FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1;BYDAY=-1FR;COUNT=6',
    'FREQ=MONTHLY;BYMONTHDAY=8,9,10,11,12,13,14;BYDAY=2TU,2TH;COUNT=12',
    'FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYDAY=5SA;COUNT=4',
  ])('on BYMONTHDAY with ordinal BYDAY: %s', (text) => {
    const options: Partial<Options> = { ...RRule.parseString(text), dtstart: new Date(Date.UTC(2026, 0, 10, 18, 30)) };
    expect(new RRule(options).all().length).toBeGreaterThan(3);
    assertAgreesWithRRule(expandRecurrence, { text, startLocalDate: '2026-01-10', startMinutes: 18 * 60 + 30, zone: 'Europe/Berlin', options });
  });

  // The cross-check must be able to fail: a classic mistake (always treating DTSTART as the first instance, as
  // some libraries do) is caught by it.
  it('catches an expander that always counts DTSTART as the first instance', () => {
    const alwaysIncludesStart: Expander = (input) => {
      const result = expandRecurrence(input);
      if (result.occurrences[0]?.localDate === input.startLocalDate) return result;
      const [start] = findInstantsAtLocalTime(input.startLocalDate, input.startMinutes, input.zone);
      const first = { localDate: input.startLocalDate, range: { start: start!, end: start! + 3_600_000 } };
      return { ...result, occurrences: [first, ...result.occurrences] };
    };
    const details = fc.check(fc.property(caseArb, (generated) => assertAgreesWithRRule(alwaysIncludesStart, generated)), { numRuns: 600 });
    expect(details.counterexample).not.toBeNull();
  });

  it('catches an expander that clamps BYMONTHDAY=31 to the month end instead of skipping', () => {
    const clamps: Expander = (input) => {
      if (input.rule.freq !== 'MONTHLY' || !input.rule.byMonthDay.includes(31) || input.rule.byDay.length > 0) return expandRecurrence(input);
      return expandRecurrence({ ...input, rule: { ...input.rule, byMonthDay: input.rule.byMonthDay.map((d) => (d === 31 ? -1 : d)) } });
    };
    const monthly31 = fc
      .record({ startDay: fc.integer({ min: FIRST_DAY, max: LAST_DAY }), count: fc.integer({ min: 2, max: 12 }) })
      .map(({ startDay, count }): GeneratedCase => {
        const start = new Date(startDay * 86_400_000);
        return {
          text: `FREQ=MONTHLY;BYMONTHDAY=31;COUNT=${count}`,
          startLocalDate: start.toISOString().slice(0, 10),
          startMinutes: 10 * 60,
          zone: 'Asia/Shanghai',
          options: { freq: RRule.MONTHLY, bymonthday: [31], count, dtstart: new Date(start.getTime() + 10 * 3_600_000) },
        };
      });
    const details = fc.check(fc.property(monthly31, (generated) => assertAgreesWithRRule(clamps, generated)), { numRuns: 100 });
    expect(details.counterexample).not.toBeNull();
    expect(details.failed).toBe(true);
  });
});
