/**
 * Utilization math, defined once (docs/metrics.md): open time of a site laid out in its zone, bookings clipped to
 * it, occupied minutes of exclusive and shared-capacity spaces, buckets, hour-of-week cells and percentiles.
 * Plain values in, plain values out: the API aggregates bookings in SQL over the open pieces made here, and the
 * tests check both against the same hand-computed fixtures.
 */
import { DateTime } from 'luxon';
import type { BookingStatus } from './booking-rules.ts';
import { CONSUMING_STATUSES } from './claims.ts';
import { type ClosureDates, type WeeklyHours, isClosedOn, mergeRanges } from './opening-hours.ts';
import type { BookingMode } from './slots.ts';
import { type InstantRange, WEEKDAYS, ianaZoneOf, localDayRange, localTimeToInstant, parseClockTime, utcEpochMsOf, zoneOf } from './time.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bookings that took the space out of use: they held it (pending, confirmed, checked in), or did (completed), or
 * held it until released as a no-show. */
export const BOOKED_STATUSES = CONSUMING_STATUSES;
/** Bookings the resident actually came for. */
export const USED_STATUSES = ['checked_in', 'completed'] as const satisfies readonly BookingStatus[];

export function isBookedStatus(status: string): boolean {
  return (BOOKED_STATUSES as readonly string[]).includes(status);
}
export function isUsedStatus(status: string): boolean {
  return (USED_STATUSES as readonly string[]).includes(status);
}

// ---------------------------------------------------------------------------------------------------------------
// Periods and buckets: local calendar dates (yyyy-MM-dd), which need no zone.

/** Local dates [from, to], both inclusive, as the analytics API takes them; evaluated in each site's zone. */
export interface LocalPeriod {
  from: string;
  to: string;
}

/** Days since 1970-01-01 of a calendar date: the date's own number, independent of any zone. */
export function dayNumberOf(date: string): number {
  return utcEpochMsOf(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))) / DAY;
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumberOf(date) + days);
}

/** The same day `months` later, clamped to the month's end (2025-01-31 + 1 month = 2025-02-28). */
export function addMonths(date: string, months: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ months }).toISODate()!;
}

export function periodDays(period: LocalPeriod): number {
  return dayNumberOf(period.to) - dayNumberOf(period.from) + 1;
}

/** Whether [from, to] is longer than `months` calendar months (13 months from 2025-01-01 ends on 2026-01-31). */
export function isLongerThanMonths(period: LocalPeriod, months: number): boolean {
  return period.to >= addMonths(period.from, months);
}

/**
 * The period a change is measured against: the same number of whole calendar months before, when the period is
 * whole months (March against February); otherwise the same number of days immediately before.
 */
export function previousPeriod(period: LocalPeriod): LocalPeriod {
  const months = wholeMonthsIn(period);
  if (months !== null) return { from: addMonths(period.from, -months), to: addDays(period.from, -1) };
  const days = periodDays(period);
  return { from: addDays(period.from, -days), to: addDays(period.from, -1) };
}

function wholeMonthsIn(period: LocalPeriod): number | null {
  if (period.from.slice(8) !== '01' || addDays(period.to, 1).slice(8) !== '01') return null;
  const end = addDays(period.to, 1);
  return (Number(end.slice(0, 4)) - Number(period.from.slice(0, 4))) * 12 + Number(end.slice(5, 7)) - Number(period.from.slice(5, 7));
}

export const BUCKET_INTERVALS = ['day', 'week', 'month', 'total'] as const;
export type BucketInterval = (typeof BUCKET_INTERVALS)[number];

/** A bucket of local dates, clipped to the period: a week is Monday to Sunday, a month a calendar month. */
export interface Bucket {
  start: string;
  end: string;
}

/** The period's buckets in order; the first and last week or month may be partial. */
export function bucketsOf(period: LocalPeriod, interval: BucketInterval): Bucket[] {
  if (interval === 'total') return [{ start: period.from, end: period.to }];
  const buckets: Bucket[] = [];
  for (let start = period.from; start <= period.to; ) {
    const next = nextBucketStart(start, interval);
    const end = addDays(next, -1);
    buckets.push({ start, end: end < period.to ? end : period.to });
    start = next;
  }
  return buckets;
}

function nextBucketStart(date: string, interval: Exclude<BucketInterval, 'total'>): string {
  if (interval === 'day') return addDays(date, 1);
  if (interval === 'week') return addDays(date, 7 - isoWeekdayIndex(date));
  return addMonths(`${date.slice(0, 7)}-01`, 1);
}

/** 0 for Monday ... 6 for Sunday, of a calendar date. */
export function isoWeekdayIndex(date: string): number {
  // 1970-01-01 was a Thursday (index 3).
  return (((dayNumberOf(date) + 3) % 7) + 7) % 7;
}

/** For each date of the period, the index of its bucket in `bucketsOf(period, interval)`. */
export function bucketIndexByDate(period: LocalPeriod, interval: BucketInterval): Map<string, number> {
  const index = new Map<string, number>();
  bucketsOf(period, interval).forEach((bucket, i) => {
    for (let date = bucket.start; date <= bucket.end; date = addDays(date, 1)) index.set(date, i);
  });
  return index;
}

// ---------------------------------------------------------------------------------------------------------------
// Open time in a site's zone.

/** One local day of a zone: its instants (23, 24 or 25 hours) and whether the UTC offset changes during it. */
export interface LocalDay {
  date: string;
  /** 0 = Monday ... 6 = Sunday. */
  weekday: number;
  start: number;
  end: number;
  offsetChanges: boolean;
}

/**
 * The local days of a period in a zone. luxon's calendar walk costs about half a millisecond a day, so the zone's
 * offset is sampled weekly instead: between two samples with the same offset every day is 24 hours of plain
 * arithmetic; only days near an offset change are worked out exactly (and a midnight inside a DST gap, which a
 * few zones have, is left to luxon).
 */
export function localDaysOf(period: LocalPeriod, zone: string): LocalDay[] {
  const tz = ianaZoneOf(zone);
  const offsetAt = (instant: number) => tz.offset(instant);
  const first = dayNumberOf(period.from);
  const last = dayNumberOf(period.to);
  // Offsets at wall-clock midnights every 7 days from the day before the period to two days after it.
  const sampleDays: number[] = [];
  for (let day = first - 1; ; day += 7) {
    sampleDays.push(day);
    if (day >= last + 2) break;
  }
  const sampleOffsets = sampleDays.map((day) => offsetAt(day * DAY));
  const steadyOffset = (day: number): number | null => {
    // Samples around [day - 1, day + 2] cover the day's instants in any zone (offsets are under 15 hours).
    const i = Math.floor((day - 1 - sampleDays[0]!) / 7);
    const j = Math.min(Math.ceil((day + 2 - sampleDays[0]!) / 7), sampleDays.length - 1);
    const offset = sampleOffsets[i]!;
    for (let k = i + 1; k <= j; k++) if (sampleOffsets[k] !== offset) return null;
    return offset;
  };
  const midnightOf = (day: number): number => {
    const wall = day * DAY;
    const guess = offsetAt(wall);
    const instant = wall - guess * MINUTE;
    const actual = offsetAt(instant);
    if (actual === guess) return instant;
    const retried = wall - actual * MINUTE;
    return offsetAt(retried) === actual ? retried : localDayRange(dateOfDayNumber(day), zone).start;
  };

  const days: LocalDay[] = [];
  for (let day = first; day <= last; day++) {
    const steady = steadyOffset(day);
    const start = steady === null ? midnightOf(day) : day * DAY - steady * MINUTE;
    const end = steady === null ? midnightOf(day + 1) : start + DAY;
    days.push({
      date: dateOfDayNumber(day),
      weekday: (((day + 3) % 7) + 7) % 7,
      start,
      end,
      offsetChanges: steady === null && (end - start !== DAY || offsetAt(start) !== offsetAt(end - 1)),
    });
  }
  return days;
}

/** The instants of a period in a zone: from the start of its first local day to the end of its last. */
export function periodRange(period: LocalPeriod, zone: string): InstantRange {
  return { start: localDayRange(period.from, zone).start, end: localDayRange(period.to, zone).end };
}

/** Open time inside one local day (and, when split by hour, inside one local hour of it). */
export interface OpenPiece {
  date: string;
  weekday: number;
  /** Local hour 0-23 when split by hour (an hour can occur twice on a fall-back day); null for whole days. */
  hour: number | null;
  start: number;
  end: number;
}

export interface OpenPiecesInput {
  hours: WeeklyHours;
  zone: string;
  days: LocalDay[];
  closures?: readonly ClosureDates[];
  split: 'day' | 'hour';
}

/**
 * When a site is open, cut at local midnights (and local hours): weekly hours laid onto each local day in the
 * site's zone, closed dates left out. Same rules as `openRanges` (a time inside a DST gap moves forward), but
 * plain arithmetic on days whose offset does not change, so a year of 200 sites costs milliseconds.
 */
export function openPieces({ hours, zone, days, closures = [], split }: OpenPiecesInput): OpenPiece[] {
  const minutesByWeekday = WEEKDAYS.map((day) =>
    (hours[day] ?? []).map((i) => ({ start: parseClockTime(i.start)!, end: parseClockTime(i.end)! })),
  );
  const pieces: OpenPiece[] = [];
  for (const day of days) {
    const intervals = minutesByWeekday[day.weekday]!;
    if (intervals.length === 0 || isClosedOn(day.date, closures)) continue;
    const open = openRangesOfDay(day, intervals, zone);
    if (split === 'day') {
      for (const r of open) pieces.push({ date: day.date, weekday: day.weekday, hour: null, start: r.start, end: r.end });
      continue;
    }
    const hourSpans = day.offsetChanges ? localHoursOf(day, zone) : null;
    for (const r of open) {
      if (hourSpans === null) {
        // A steady day: local hour h is [start + h hours, start + h + 1 hours).
        for (let start = r.start; start < r.end; ) {
          const hour = Math.floor((start - day.start) / HOUR);
          const end = Math.min(r.end, day.start + (hour + 1) * HOUR);
          pieces.push({ date: day.date, weekday: day.weekday, hour, start, end });
          start = end;
        }
        continue;
      }
      for (const h of hourSpans) {
        const start = Math.max(r.start, h.start);
        const end = Math.min(r.end, h.end);
        if (start < end) pieces.push({ date: day.date, weekday: day.weekday, hour: h.hour, start, end });
      }
    }
  }
  return pieces;
}

function openRangesOfDay(day: LocalDay, intervals: { start: number; end: number }[], zone: string): InstantRange[] {
  const at = (minutes: number) => {
    if (minutes >= 24 * 60) return day.end;
    return day.offsetChanges ? localTimeToInstant(day.date, minutes, zone) : day.start + minutes * MINUTE;
  };
  return mergeRanges(intervals.map((i) => ({ start: at(i.start), end: at(i.end) })).filter((r) => r.start < r.end));
}

/** The local hours of a day as instants: 24 of them, 23 on a spring-forward day, 25 on a fall-back day. */
export function localHoursOf(day: LocalDay, zone: string): { hour: number; start: number; end: number }[] {
  const spans: { hour: number; start: number; end: number }[] = [];
  if (!day.offsetChanges) {
    for (let start = day.start, hour = 0; start < day.end; start += HOUR, hour++) {
      spans.push({ hour, start, end: Math.min(start + HOUR, day.end) });
    }
    return spans;
  }
  for (let start = day.start; start < day.end; ) {
    const local = DateTime.fromMillis(start, { zone: zoneOf(zone) });
    // What is left of this wall-clock hour, as elapsed time; a shift inside it (30 minutes on Lord Howe Island)
    // shows up as the next span starting at :30.
    const left = ((60 - local.minute) * 60 - local.second) * 1000 - local.millisecond;
    const next = Math.min(start + left, day.end);
    spans.push({ hour: local.hour, start, end: next });
    start = next;
  }
  return spans;
}

export function totalMinutes(ranges: readonly InstantRange[]): number {
  return ranges.reduce((sum, r) => sum + (r.end - r.start), 0) / MINUTE;
}

// ---------------------------------------------------------------------------------------------------------------
// Occupancy of one space: the reference definition the SQL aggregation must agree with.

export interface BookingSpan {
  start: number;
  end: number;
  partySize: number;
  status: BookingStatus;
}

export interface SpaceShape {
  mode: BookingMode;
  capacity: number;
}

/** Minutes of one space or a group of spaces; "space-minutes" for a group (a space open 1 hour = 60). */
export interface UsageTotals {
  openMinutes: number;
  /** Occupied space-minutes by booked statuses: exclusive = minutes taken; shared = person-minutes / capacity. */
  bookedMinutes: number;
  /** The same for checked-in and completed bookings only. */
  usedMinutes: number;
  /** Of bookedMinutes, the part held by activity sessions (bookings of source 'activity'); 0 when not reported. */
  activityMinutes?: number;
}

/**
 * A space's usage in its open time: every booking clipped to the open ranges; an exclusive space counts the
 * union of its bookings (a no-show's released time booked again is not counted twice); a shared space counts
 * person-minutes over its capacity.
 */
export function usageOfSpace(space: SpaceShape, open: readonly InstantRange[], bookings: readonly BookingSpan[]): UsageTotals {
  const clipped = (statuses: (s: string) => boolean) =>
    bookings
      .filter((b) => statuses(b.status))
      .flatMap((b) =>
        open
          .map((o) => ({ start: Math.max(o.start, b.start), end: Math.min(o.end, b.end), partySize: b.partySize }))
          .filter((r) => r.start < r.end),
      );
  const occupied = (parts: { start: number; end: number; partySize: number }[]) =>
    space.mode === 'exclusive'
      ? totalMinutes(unionOf(parts))
      : parts.reduce((sum, p) => sum + ((p.end - p.start) / MINUTE) * p.partySize, 0) / space.capacity;
  return {
    openMinutes: totalMinutes(open),
    bookedMinutes: occupied(clipped(isBookedStatus)),
    usedMinutes: occupied(clipped(isUsedStatus)),
  };
}

function unionOf(ranges: readonly InstantRange[]): InstantRange[] {
  const merged: InstantRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ start: r.start, end: r.end });
  }
  return merged;
}

export interface UtilizationFigures {
  /** bookedMinutes / openMinutes; null when nothing was open (not 0%: there was nothing to use). */
  utilization: number | null;
  /** usedMinutes / openMinutes. */
  usedUtilization: number | null;
  noOpenHours: boolean;
}

/** A group's utilization is its occupied space-minutes over its open space-minutes (spaces weighted by open time). */
export function utilizationOf(totals: UsageTotals): UtilizationFigures {
  if (totals.openMinutes <= 0) return { utilization: null, usedUtilization: null, noOpenHours: true };
  return {
    utilization: totals.bookedMinutes / totals.openMinutes,
    usedUtilization: totals.usedMinutes / totals.openMinutes,
    noOpenHours: false,
  };
}

/** A space's open time ends when it (or its site) is archived. */
export function openMinutesBefore(pieces: readonly { start: number; end: number }[], until: number | null): number {
  let ms = 0;
  for (const p of pieces) {
    const end = until === null ? p.end : Math.min(p.end, until);
    if (end > p.start) ms += end - p.start;
  }
  return ms / MINUTE;
}

// ---------------------------------------------------------------------------------------------------------------
// Hour of week and distributions.

export const HOURS_PER_WEEK = 7 * 24;

/** Cell of the 7 x 24 heatmap: weekday (0 = Monday) x local hour. */
export function hourOfWeekCell(weekday: number, hour: number): number {
  return weekday * 24 + hour;
}

/** Linear interpolation between closest ranks (as PostgreSQL's percentile_cont); null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

export interface Distribution {
  count: number;
  p25: number | null;
  median: number | null;
  p75: number | null;
  p90: number | null;
}

export function distributionOf(values: readonly number[]): Distribution {
  return {
    count: values.length,
    p25: percentile(values, 0.25),
    median: percentile(values, 0.5),
    p75: percentile(values, 0.75),
    p90: percentile(values, 0.9),
  };
}

/** Competition ranks, highest first (0.9, 0.7, 0.7, 0.5 rank 1, 2, 2, 4); null values get no rank. */
export function rankDescending(values: readonly (number | null)[]): (number | null)[] {
  const ranked = values.filter((v): v is number => v !== null).sort((a, b) => b - a);
  return values.map((v) => (v === null ? null : ranked.indexOf(v) + 1));
}

/** Hours whose utilization is highest, best first; ties keep the earlier hour of the week. */
export function peakCells<T extends { utilization: number | null }>(cells: readonly T[], count: number): T[] {
  return cells
    .filter((c) => c.utilization !== null && c.utilization > 0)
    .sort((a, b) => b.utilization! - a.utilization!)
    .slice(0, count);
}
