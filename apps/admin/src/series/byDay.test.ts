import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { byDayAfterMove, byDayOf } from './byDay.ts';

describe('the series form weekdays follow the first date', () => {
  it('names a date by its RRULE weekday, Monday first', () => {
    expect(byDayOf(dayjs('2026-11-23'))).toBe('MO');
    expect(byDayOf(dayjs('2026-11-29'))).toBe('SU');
  });

  it('moving the first date from a Monday to a Wednesday repeats on Wednesdays, not Mondays', () => {
    expect(byDayAfterMove(['MO'], dayjs('2026-11-23'), dayjs('2026-11-25'))).toEqual(['WE']);
  });

  it('keeps the other weekdays someone picked, in week order', () => {
    expect(byDayAfterMove(['MO', 'FR'], dayjs('2026-11-23'), dayjs('2026-11-24'))).toEqual(['TU', 'FR']);
  });

  it('adds the new weekday when nothing was picked yet', () => {
    expect(byDayAfterMove([], undefined, dayjs('2026-11-28'))).toEqual(['SA']);
  });
});
