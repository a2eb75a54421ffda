/** A weekly series' weekdays (RRULE BYDAY) as the series form keeps them. */
import type { Dayjs } from 'dayjs';

export const BYDAY = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type ByDay = (typeof BYDAY)[number];

/** The BYDAY code of a picked date (dayjs counts from Sunday, RRULE lists from Monday). */
export function byDayOf(date: Dayjs): ByDay {
  return BYDAY[(date.day() + 6) % 7]!;
}

/**
 * The weekdays once the first date moved: the old date's weekday becomes the new one's, others picked stay. A
 * weekly series whose first date is a Tuesday but that repeats on Mondays started on a day it never repeats on.
 */
export function byDayAfterMove(byDay: readonly ByDay[], from: Dayjs | undefined, to: Dayjs): ByDay[] {
  const next = byDayOf(to);
  const kept = byDay.filter((day) => !from || day !== byDayOf(from));
  return BYDAY.filter((day) => day === next || kept.includes(day));
}

