import { describe, expect, it } from 'vitest';
import { type WeeklyHours, findWeeklyHoursProblems, isWithinOpenRanges, openRanges } from './opening-hours.ts';

const week = (day: Partial<WeeklyHours>): WeeklyHours => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...day });
const everyDay = (start: string, end: string) =>
  week(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]])));
const utc = (iso: string) => Date.parse(iso);
const hours = (ranges: { start: number; end: number }[]) => ranges.reduce((sum, r) => sum + (r.end - r.start) / 3_600_000, 0);

describe('findWeeklyHoursProblems', () => {
  it.each([
    ['two intervals with a lunch break', week({ mon: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '21:00' }] }), []],
    ['touching intervals', week({ mon: [{ start: '08:00', end: '12:00' }, { start: '12:00', end: '13:00' }] }), []],
    ['open until midnight', week({ fri: [{ start: '18:00', end: '24:00' }] }), []],
    ['overlapping intervals', week({ mon: [{ start: '08:00', end: '12:00' }, { start: '11:59', end: '13:00' }] }), ['mon.1']],
    ['an end before the start', week({ tue: [{ start: '18:00', end: '09:00' }] }), ['tue.0.end']],
    ['a zero-length interval', week({ tue: [{ start: '09:00', end: '09:00' }] }), ['tue.0.end']],
    ['a start at 24:00', week({ wed: [{ start: '24:00', end: '24:00' }] }), ['wed.0.start']],
    ['an hour of 25', week({ wed: [{ start: '08:00', end: '25:00' }] }), ['wed.0.end']],
  ])('%s', (_label, input, paths) => {
    expect(findWeeklyHoursProblems(input).map((p) => p.path.join('.'))).toEqual(paths);
  });
});

describe('openRanges', () => {
  it('lays weekly hours onto Shanghai local days (UTC+8, no DST)', () => {
    const ranges = openRanges(week({ mon: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '21:00' }] }), 'Asia/Shanghai', {
      start: utc('2026-11-23T00:00:00+08:00'),
      end: utc('2026-11-24T00:00:00+08:00'),
    });
    expect(ranges).toEqual([
      { start: utc('2026-11-23T00:00:00Z'), end: utc('2026-11-23T04:00:00Z') },
      { start: utc('2026-11-23T05:00:00Z'), end: utc('2026-11-23T13:00:00Z') },
    ]);
  });

  it('a day open 00:00-24:00 lasts 23 hours on a spring-forward day and 25 on a fall-back day', () => {
    const zone = 'America/New_York';
    const allDay = everyDay('00:00', '24:00');
    expect(hours(openRanges(allDay, zone, { start: utc('2026-03-08T00:00:00-05:00'), end: utc('2026-03-09T00:00:00-04:00') }))).toBe(23);
    expect(hours(openRanges(allDay, zone, { start: utc('2026-11-01T00:00:00-04:00'), end: utc('2026-11-02T00:00:00-05:00') }))).toBe(25);
  });

  it('09:00 local stays 09:00 local across a DST change (the UTC instant moves)', () => {
    const ranges = openRanges(everyDay('09:00', '17:00'), 'America/New_York', {
      start: utc('2026-03-07T00:00:00Z'),
      end: utc('2026-03-10T00:00:00Z'),
    });
    expect(ranges.map((r) => new Date(r.start).toISOString())).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('closed dates drop out, and ranges are clipped to the period asked for', () => {
    const ranges = openRanges(everyDay('08:00', '20:00'), 'Asia/Shanghai', { start: utc('2027-01-01T10:00:00+08:00'), end: utc('2027-01-03T09:00:00+08:00') }, [
      { startDate: '2027-01-01', endDate: '2027-01-01' },
    ]);
    expect(ranges).toEqual([
      { start: utc('2027-01-02T08:00:00+08:00'), end: utc('2027-01-02T20:00:00+08:00') },
      { start: utc('2027-01-03T08:00:00+08:00'), end: utc('2027-01-03T09:00:00+08:00') },
    ]);
  });

  it('a late-night interval joins the next morning into one range', () => {
    const ranges = openRanges(week({ fri: [{ start: '20:00', end: '24:00' }], sat: [{ start: '00:00', end: '02:00' }] }), 'Asia/Shanghai', {
      start: utc('2026-11-27T00:00:00+08:00'),
      end: utc('2026-11-29T00:00:00+08:00'),
    });
    expect(ranges).toEqual([{ start: utc('2026-11-27T20:00:00+08:00'), end: utc('2026-11-28T02:00:00+08:00') }]);
    expect(isWithinOpenRanges({ start: utc('2026-11-27T23:00:00+08:00'), end: utc('2026-11-28T01:00:00+08:00') }, ranges)).toBe(true);
    expect(isWithinOpenRanges({ start: utc('2026-11-28T01:00:00+08:00'), end: utc('2026-11-28T02:30:00+08:00') }, ranges)).toBe(false);
  });
});

describe('local days at the edges of DST', () => {
  it('a day whose midnight falls in a DST gap (Santiago) ends at the next midnight, not 25 hours later', async () => {
    const { localDayRange, localTimeToInstant } = await import('./time.ts');
    const day = localDayRange('2026-09-06', 'America/Santiago');
    expect(new Date(day.start).toISOString()).toBe('2026-09-06T04:00:00.000Z'); // 01:00 -03, the first instant
    expect(new Date(day.end).toISOString()).toBe('2026-09-07T03:00:00.000Z'); // 00:00 -03
    // 01:30 on the night clocks go back in New York happens twice; the first is meant.
    expect(new Date(localTimeToInstant('2026-11-01', 90, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('local dates in zones whose clocks change at midnight', () => {
  it('lists every date a range touches in America/Santiago around the September change', async () => {
    const { localDatesBetween, localDayRange } = await import('./time.ts');
    const range = { start: localDayRange('2026-09-05', 'America/Santiago').start, end: localDayRange('2026-09-07', 'America/Santiago').end };
    expect(localDatesBetween(range, 'America/Santiago')).toEqual(['2026-09-05', '2026-09-06', '2026-09-07']);
  });
});
