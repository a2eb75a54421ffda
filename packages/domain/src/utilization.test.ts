import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type WeeklyHours, mergeRanges, openRanges } from './opening-hours.ts';
import { type InstantRange, localDayRange } from './time.ts';
import {
  type BookingSpan,
  addDays,
  addMonths,
  bucketsOf,
  distributionOf,
  isLongerThanMonths,
  localDaysOf,
  openMinutesBefore,
  openPieces,
  peakCells,
  percentile,
  periodDays,
  previousPeriod,
  rankDescending,
  totalMinutes,
  usageOfSpace,
  utilizationOf,
} from './utilization.ts';

const week = (day: Partial<WeeklyHours>): WeeklyHours => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...day });
const everyDay = (start: string, end: string) =>
  week(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]])));
const t = (iso: string) => Date.parse(iso);
const booking = (start: string, end: string, status: BookingSpan['status'] = 'confirmed', partySize = 1): BookingSpan => ({
  start: t(start),
  end: t(end),
  partySize,
  status,
});
const mergeOpenPieces = (pieces: InstantRange[]) => mergeRanges(pieces.map((p) => ({ start: p.start, end: p.end })));
const piecesOf = (hours: WeeklyHours, zone: string, from: string, to: string, closures: { startDate: string; endDate: string }[] = []) =>
  openPieces({ hours, zone, days: localDaysOf({ from, to }, zone), closures, split: 'day' });

describe('periods and buckets', () => {
  it('weeks run Monday to Sunday and months by the calendar, clipped to the period at both ends', () => {
    expect(bucketsOf({ from: '2025-03-01', to: '2025-03-18' }, 'week')).toEqual([
      { start: '2025-03-01', end: '2025-03-02' },
      { start: '2025-03-03', end: '2025-03-09' },
      { start: '2025-03-10', end: '2025-03-16' },
      { start: '2025-03-17', end: '2025-03-18' },
    ]);
    expect(bucketsOf({ from: '2024-01-15', to: '2024-03-10' }, 'month')).toEqual([
      { start: '2024-01-15', end: '2024-01-31' },
      { start: '2024-02-01', end: '2024-02-29' },
      { start: '2024-03-01', end: '2024-03-10' },
    ]);
    expect(bucketsOf({ from: '2025-12-30', to: '2026-01-02' }, 'day').map((b) => b.start)).toEqual([
      '2025-12-30',
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
    ]);
    expect(bucketsOf({ from: '2025-01-01', to: '2025-12-31' }, 'total')).toEqual([{ start: '2025-01-01', end: '2025-12-31' }]);
  });

  it.each([
    ['a calendar month against the month before', { from: '2025-03-01', to: '2025-03-31' }, { from: '2025-02-01', to: '2025-02-28' }],
    ['a quarter against the quarter before', { from: '2025-01-01', to: '2025-03-31' }, { from: '2024-10-01', to: '2024-12-31' }],
    ['ten days against the ten days before', { from: '2025-03-05', to: '2025-03-14' }, { from: '2025-02-23', to: '2025-03-04' }],
    ['one day against the day before', { from: '2025-03-01', to: '2025-03-01' }, { from: '2025-02-28', to: '2025-02-28' }],
  ])('the previous period of %s', (_label, period, expected) => {
    expect(previousPeriod(period)).toEqual(expected);
  });

  it('years 0-99 keep their year (Date.UTC would move 0050 to 1950 and a period across 0099/0100 to minus 1900 years)', () => {
    expect(addDays('0050-02-28', 1)).toBe('0050-03-01');
    expect(periodDays({ from: '0099-12-31', to: '0100-01-01' })).toBe(2);
    expect(previousPeriod({ from: '0001-03-01', to: '0001-03-31' })).toEqual({ from: '0001-02-01', to: '0001-02-28' });
  });

  it('13 months is the longest period: 2025-01-01..2026-01-31 fits, one more day does not', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(isLongerThanMonths({ from: '2025-01-01', to: '2026-01-31' }, 13)).toBe(false);
    expect(isLongerThanMonths({ from: '2025-01-01', to: '2026-02-01' }, 13)).toBe(true);
  });
});

describe('localDaysOf', () => {
  it('days last 23 and 25 hours on the DST days of New York and Berlin, 24 in Shanghai', () => {
    const hours = (zone: string, date: string) => {
      const [day] = localDaysOf({ from: date, to: date }, zone);
      return (day!.end - day!.start) / 3_600_000;
    };
    expect(hours('America/New_York', '2026-03-08')).toBe(23);
    expect(hours('America/New_York', '2026-11-01')).toBe(25);
    expect(hours('Europe/Berlin', '2026-03-29')).toBe(23);
    expect(hours('Europe/Berlin', '2026-10-25')).toBe(25);
    expect(hours('Asia/Shanghai', '2026-03-08')).toBe(24);
  });

  it.each([
    'Asia/Shanghai',
    'America/New_York',
    'Europe/Berlin',
    'Australia/Lord_Howe', // a 30-minute DST shift
    'America/Santiago', // changes at midnight: some local days start at 01:00
    'Asia/Beirut', // also changes at midnight
    'Asia/Kolkata', // +05:30
    'America/St_Johns', // -03:30 with DST
    'Pacific/Chatham', // +12:45 / +13:45
  ])('agrees with luxon on the start of every day of 2024-2026 in %s, and each day ends where the next begins', (zone) => {
    const days = localDaysOf({ from: '2024-01-01', to: '2027-01-01' }, zone);
    expect(days).toHaveLength(1097);
    days.slice(0, -1).forEach((day, i) => {
      expect({ date: day.date, start: localDayRange(day.date, zone).start }).toEqual({ date: day.date, start: day.start });
      expect(day.end).toBe(days[i + 1]!.start);
    });
  });
});

describe('openPieces', () => {
  it('a day open 00:00-24:00 gives 23 hours on a spring-forward day and 25 on a fall-back day', () => {
    const allDay = everyDay('00:00', '24:00');
    expect(totalMinutes(piecesOf(allDay, 'America/New_York', '2026-03-08', '2026-03-08'))).toBe(23 * 60);
    expect(totalMinutes(piecesOf(allDay, 'America/New_York', '2026-11-01', '2026-11-01'))).toBe(25 * 60);
  });

  it('opening hours across a spring-forward gap last two real hours, not three (01:00-04:00 in Berlin)', () => {
    const pieces = piecesOf(week({ sun: [{ start: '01:00', end: '04:00' }] }), 'Europe/Berlin', '2026-03-29', '2026-03-29');
    expect(pieces.map((p) => [new Date(p.start).toISOString(), new Date(p.end).toISOString()])).toEqual([
      ['2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z'],
    ]);
  });

  it('split by hour: on a fall-back day 01:00 happens twice, on a spring-forward day 02:00 never', () => {
    const allDay = everyDay('00:00', '24:00');
    const days = (date: string) => localDaysOf({ from: date, to: date }, 'America/New_York');
    const fallBack = openPieces({ hours: allDay, zone: 'America/New_York', days: days('2026-11-01'), split: 'hour' });
    expect(fallBack).toHaveLength(25);
    expect(fallBack.filter((p) => p.hour === 1)).toHaveLength(2);
    expect(fallBack.every((p) => p.end - p.start === 3_600_000 && p.weekday === 6)).toBe(true);
    const springForward = openPieces({ hours: allDay, zone: 'America/New_York', days: days('2026-03-08'), split: 'hour' });
    expect(springForward.map((p) => p.hour)).toEqual([0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)]);
  });

  it('split by hour on Lord Howe Island, whose clocks go back 30 minutes: 01:00-02:00 lasts 90 minutes', () => {
    const zone = 'Australia/Lord_Howe';
    const days = localDaysOf({ from: '2026-04-05', to: '2026-04-05' }, zone);
    expect((days[0]!.end - days[0]!.start) / 60_000).toBe(24.5 * 60);
    const pieces = openPieces({ hours: everyDay('00:00', '24:00'), zone, days, split: 'hour' });
    const minutesAt = (hour: number) => pieces.filter((p) => p.hour === hour).reduce((m, p) => m + (p.end - p.start) / 60_000, 0);
    expect([minutesAt(0), minutesAt(1), minutesAt(2)]).toEqual([60, 90, 60]);
  });

  it('split by hour cuts 11:30-13:30 into half an hour at 11, a whole hour at 12 and half an hour at 13', () => {
    const days = localDaysOf({ from: '2026-06-01', to: '2026-06-01' }, 'Asia/Shanghai');
    const pieces = openPieces({ hours: everyDay('11:30', '13:30'), zone: 'Asia/Shanghai', days, split: 'hour' });
    expect(pieces.map((p) => [p.weekday, p.hour, (p.end - p.start) / 60_000])).toEqual([
      [0, 11, 30],
      [0, 12, 60],
      [0, 13, 30],
    ]);
  });

  it('closed dates and days without hours give nothing', () => {
    const pieces = piecesOf(week({ mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] }), 'Asia/Shanghai', '2026-06-01', '2026-06-07', [
      { startDate: '2026-06-02', endDate: '2026-06-02' },
    ]);
    expect(pieces.map((p) => p.date)).toEqual(['2026-06-01']);
    expect(piecesOf(week({}), 'Asia/Shanghai', '2026-06-01', '2026-06-30')).toEqual([]);
  });

  it('agrees with openRanges for any weekly hours, zone, period and closures', () => {
    const clock = fc.integer({ min: 0, max: 48 }).map((half) => `${String(Math.floor(half / 2)).padStart(2, '0')}:${half % 2 ? '30' : '00'}`);
    const interval = fc.tuple(clock, clock).filter(([a, b]) => a < b).map(([start, end]) => ({ start, end }));
    const dayHours = fc.array(interval, { maxLength: 2 }).map((list) => {
      const sorted = [...list].sort((a, b) => a.start.localeCompare(b.start));
      return sorted.length === 2 && sorted[1]!.start < sorted[0]!.end ? [sorted[0]!] : sorted;
    });
    const hoursArb = fc.record({ mon: dayHours, tue: dayHours, wed: dayHours, thu: dayHours, fri: dayHours, sat: dayHours, sun: dayHours });
    // Not Santiago or Beirut: openRanges (time.ts) walks days with luxon, which loses a date after a DST change at midnight.
    const zone = fc.constantFrom('Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata');
    const start = fc.integer({ min: 0, max: 720 }).map((d) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(hoursArb, zone, start, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (hours, z, from, length, closedAt) => {
        const to = new Date(Date.parse(from) + length * 86_400_000).toISOString().slice(0, 10);
        const closed = new Date(Date.parse(from) + closedAt * 86_400_000).toISOString().slice(0, 10);
        const closures = [{ startDate: closed, endDate: closed }];
        const days = localDaysOf({ from, to }, z);
        const range: InstantRange = { start: days[0]!.start, end: days[days.length - 1]!.end };
        const expected = openRanges(hours as WeeklyHours, z, range, closures);
        const byDay = openPieces({ hours: hours as WeeklyHours, zone: z, days, closures, split: 'day' });
        const byHour = openPieces({ hours: hours as WeeklyHours, zone: z, days, closures, split: 'hour' });
        expect(mergeOpenPieces(byDay)).toEqual(expected);
        expect(mergeOpenPieces(byHour)).toEqual(expected);
        // Every hour piece lies inside the local hour it is labelled with.
        for (const piece of byHour) {
          expect([DateTime.fromMillis(piece.start, { zone: z }).hour, DateTime.fromMillis(piece.end - 1, { zone: z }).hour]).toEqual([piece.hour, piece.hour]);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('usageOfSpace: hand-computed fixtures', () => {
  it('a DST day in Berlin: open 00:00-06:00 on 29 March 2026 is 5 hours; a booking 01:00-04:00 is 2 of them (40%)', () => {
    const open = piecesOf(week({ sun: [{ start: '00:00', end: '06:00' }] }), 'Europe/Berlin', '2026-03-29', '2026-03-29');
    const usage = usageOfSpace({ mode: 'exclusive', capacity: 8 }, open, [
      booking('2026-03-29T01:00:00+01:00', '2026-03-29T04:00:00+02:00', 'completed'),
    ]);
    expect(usage).toEqual({ openMinutes: 300, bookedMinutes: 120, usedMinutes: 120 });
    expect(utilizationOf(usage).utilization).toBeCloseTo(0.4, 10);
  });

  it('a closure in the middle of a booking: a Friday-to-Sunday booking counts only Friday and Sunday (24 of 48 open hours)', () => {
    // Open around the clock; Saturday 2026-06-06 closed; booked Fri 10:00 to Sun 10:00.
    const open = piecesOf(everyDay('00:00', '24:00'), 'Asia/Shanghai', '2026-06-05', '2026-06-07', [
      { startDate: '2026-06-06', endDate: '2026-06-06' },
    ]);
    const usage = usageOfSpace({ mode: 'exclusive', capacity: 40 }, open, [
      booking('2026-06-05T10:00:00+08:00', '2026-06-07T10:00:00+08:00', 'checked_in'),
    ]);
    expect(usage).toEqual({ openMinutes: 48 * 60, bookedMinutes: 24 * 60, usedMinutes: 24 * 60 });
    expect(utilizationOf(usage).utilization).toBe(0.5);
  });

  it('a shared study area with overlapping parties: (4x120 + 3x180 + 5x60) person-minutes / (10 seats x 240 minutes) = 55%', () => {
    const open = piecesOf(everyDay('08:00', '12:00'), 'Asia/Shanghai', '2026-06-01', '2026-06-01');
    const usage = usageOfSpace({ mode: 'shared_capacity', capacity: 10 }, open, [
      booking('2026-06-01T08:00:00+08:00', '2026-06-01T10:00:00+08:00', 'completed', 4),
      booking('2026-06-01T09:00:00+08:00', '2026-06-01T12:00:00+08:00', 'no_show', 3),
      booking('2026-06-01T09:30:00+08:00', '2026-06-01T10:30:00+08:00', 'checked_in', 5),
      booking('2026-06-01T08:00:00+08:00', '2026-06-01T12:00:00+08:00', 'cancelled', 6),
    ]);
    expect(usage).toEqual({ openMinutes: 240, bookedMinutes: 132, usedMinutes: 78 });
    expect(utilizationOf(usage)).toEqual({ utilization: 0.55, usedUtilization: 0.325, noOpenHours: false });
  });

  it('a no-show is booked but not used; the released time booked again is not counted twice', () => {
    const open = piecesOf(everyDay('09:00', '17:00'), 'Asia/Shanghai', '2026-06-01', '2026-06-01');
    const usage = usageOfSpace({ mode: 'exclusive', capacity: 12 }, open, [
      booking('2026-06-01T10:00:00+08:00', '2026-06-01T12:00:00+08:00', 'no_show'),
      booking('2026-06-01T10:30:00+08:00', '2026-06-01T12:00:00+08:00', 'completed'),
      booking('2026-06-01T14:00:00+08:00', '2026-06-01T15:00:00+08:00', 'rejected'),
      booking('2026-06-01T15:00:00+08:00', '2026-06-01T16:00:00+08:00', 'expired'),
    ]);
    expect(usage).toEqual({ openMinutes: 480, bookedMinutes: 120, usedMinutes: 90 });
    expect(utilizationOf(usage)).toEqual({ utilization: 0.25, usedUtilization: 0.1875, noOpenHours: false });
  });

  it('bookings are clipped to opening hours and to the period', () => {
    const open = piecesOf(everyDay('09:00', '12:00'), 'Asia/Shanghai', '2026-06-02', '2026-06-02');
    const usage = usageOfSpace({ mode: 'exclusive', capacity: 12 }, open, [
      booking('2026-06-02T08:00:00+08:00', '2026-06-02T10:00:00+08:00'),
      booking('2026-06-01T10:00:00+08:00', '2026-06-01T11:00:00+08:00'),
    ]);
    expect(usage.bookedMinutes).toBe(60);
  });

  it('a site with no opening hours has no utilization (null, not 0%)', () => {
    const open = piecesOf(week({}), 'Asia/Shanghai', '2026-06-01', '2026-06-30');
    const usage = usageOfSpace({ mode: 'exclusive', capacity: 12 }, open, [booking('2026-06-02T10:00:00+08:00', '2026-06-02T11:00:00+08:00')]);
    expect(usage).toEqual({ openMinutes: 0, bookedMinutes: 0, usedMinutes: 0 });
    expect(utilizationOf(usage)).toEqual({ utilization: null, usedUtilization: null, noOpenHours: true });
  });

  it('an archived space is open only until it was archived', () => {
    const open = piecesOf(everyDay('09:00', '17:00'), 'Asia/Shanghai', '2026-06-01', '2026-06-02');
    expect(openMinutesBefore(open, t('2026-06-01T13:00:00+08:00'))).toBe(240);
    expect(openMinutesBefore(open, null)).toBe(960);
  });
});

describe('distributions and ranks', () => {
  it('percentiles interpolate between closest ranks, like percentile_cont', () => {
    const d = distributionOf([4, 1, 3, 2]);
    expect([d.count, d.p25, d.median, d.p75]).toEqual([4, 1.75, 2.5, 3.25]);
    expect(d.p90).toBeCloseTo(3.7, 12);
    expect(percentile([0.7], 0.9)).toBe(0.7);
    expect(distributionOf([])).toEqual({ count: 0, p25: null, median: null, p75: null, p90: null });
  });

  it('ranks are competition ranks, highest first; sites without utilization get none', () => {
    expect(rankDescending([0.5, 0.9, null, 0.9, 0.1])).toEqual([3, 1, null, 1, 4]);
  });

  it('peaks are the busiest cells, earlier hour first on a tie, ignoring empty and closed ones', () => {
    const cells = [
      { cell: 0, utilization: null },
      { cell: 1, utilization: 0.5 },
      { cell: 2, utilization: 0 },
      { cell: 3, utilization: 0.8 },
      { cell: 4, utilization: 0.5 },
    ];
    expect(peakCells(cells, 3).map((c) => c.cell)).toEqual([3, 1, 4]);
  });
});
