/** Weekly opening hours and closures, evaluated in a site's zone. */
import {
  type InstantRange,
  type Weekday,
  WEEKDAYS,
  intersect,
  localDatesBetween,
  localTimeToInstant,
  parseClockTime,
  weekdayOf,
} from './time.ts';

export interface ClockInterval {
  start: string;
  end: string;
}
export type WeeklyHours = Record<Weekday, ClockInterval[]>;

/** A closure as local dates, inclusive on both ends. */
export interface ClosureDates {
  startDate: string;
  endDate: string;
}

export interface WeeklyHoursProblem {
  path: (string | number)[];
  message: string;
}

/** Every reason a weekly schedule is unusable: bad clock text, an interval ending before it starts, overlaps. */
export function findWeeklyHoursProblems(hours: WeeklyHours): WeeklyHoursProblem[] {
  const problems: WeeklyHoursProblem[] = [];
  for (const day of WEEKDAYS) {
    const parsed: { start: number; end: number; index: number }[] = [];
    (hours[day] ?? []).forEach((interval, index) => {
      const start = parseClockTime(interval.start);
      const end = parseClockTime(interval.end);
      const startValid = start !== null && start < 24 * 60;
      if (!startValid) problems.push({ path: [day, index, 'start'], message: 'must be a time HH:mm from 00:00 to 23:59' });
      if (end === null) problems.push({ path: [day, index, 'end'], message: 'must be a time HH:mm up to 24:00' });
      if (!startValid || end === null) return;
      if (end <= start) {
        problems.push({ path: [day, index, 'end'], message: 'must be after start' });
        return;
      }
      parsed.push({ start, end, index });
    });
    parsed.sort((a, b) => a.start - b.start);
    for (let i = 1; i < parsed.length; i++) {
      if (parsed[i]!.start < parsed[i - 1]!.end) {
        problems.push({ path: [day, parsed[i]!.index], message: 'overlaps another interval on the same day' });
      }
    }
  }
  return problems;
}

export function isClosedOn(localDate: string, closures: readonly ClosureDates[]): boolean {
  return closures.some((c) => c.startDate <= localDate && localDate <= c.endDate);
}

/**
 * The instants a site is open inside `range`: weekly hours laid onto each local date in the site's zone, minus
 * closed dates, clipped to the range. Sorted and non-overlapping.
 */
export function openRanges(
  hours: WeeklyHours,
  zone: string,
  range: InstantRange,
  closures: readonly ClosureDates[] = [],
): InstantRange[] {
  const result: InstantRange[] = [];
  for (const localDate of localDatesBetween(range, zone)) {
    if (isClosedOn(localDate, closures)) continue;
    const intervals = [...(hours[weekdayOf(localDate)] ?? [])].sort((a, b) => a.start.localeCompare(b.start));
    for (const interval of intervals) {
      const open: InstantRange = {
        start: localTimeToInstant(localDate, parseClockTime(interval.start)!, zone),
        end: localTimeToInstant(localDate, parseClockTime(interval.end)!, zone),
      };
      const clipped = intersect(open, range);
      if (clipped) result.push(clipped);
    }
  }
  return mergeRanges(result);
}

/** Joins touching or overlapping ranges (e.g. 20:00-24:00 followed by 00:00-02:00). */
export function mergeRanges(ranges: InstantRange[]): InstantRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: InstantRange[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

/** Whether [start, end) lies wholly inside the open ranges. */
export function isWithinOpenRanges(target: InstantRange, open: InstantRange[]): boolean {
  return open.some((r) => r.start <= target.start && target.end <= r.end);
}
