/**
 * The one place that does calendar math. Everything outside packages/domain passes instants (Date / ISO strings)
 * and IANA zone names; "a day", "19:00" and "Monday" only mean something here, in a site's zone.
 */
import { DateTime, IANAZone } from 'luxon';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Hours remembered per zone before the memo starts over (about eleven years of distinct hours). */
const MAX_REMEMBERED_HOURS = 100_000;

/**
 * An IANA zone that remembers its UTC offsets. Luxon asks Intl for the offset on every conversion
 * (`formatToParts`, several microseconds each), and a search judging dozens of spaces converts thousands of
 * times: it was the largest item in the API's CPU profile. Offsets change only at transitions, never twice in
 * one hour, so an hour whose two ends share an offset has that offset throughout and is remembered; an hour
 * holding a transition is always asked afresh.
 */
class RememberingZone extends IANAZone {
  readonly #hourOffsets = new Map<number, number>();

  override offset(ts: number): number {
    if (!Number.isFinite(ts)) return super.offset(ts);
    const hour = Math.floor(ts / HOUR_MS);
    let offset = this.#hourOffsets.get(hour);
    if (offset === undefined) {
      const atStart = super.offset(hour * HOUR_MS);
      offset = atStart === super.offset(hour * HOUR_MS + HOUR_MS - 1) ? atStart : NaN;
      if (this.#hourOffsets.size >= MAX_REMEMBERED_HOURS) this.#hourOffsets.clear();
      this.#hourOffsets.set(hour, offset);
    }
    return Number.isNaN(offset) ? super.offset(ts) : offset;
  }
}

/**
 * Epoch ms of a UTC civil date and time (month 1-12). Date.UTC maps years 0-99 to 1900-1999, so a date in year
 * 0050 would silently become 1950; setting the full year does not.
 */
export function utcEpochMsOf(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** Names seen (valid or not); bounded because zone names can arrive from requests. */
const MAX_ZONE_NAMES = 1_000;
const zones = new Map<string, IANAZone | string>();

/**
 * The luxon zone for an IANA name; every conversion in this package goes through it. Names luxon treats
 * specially (UTC, fixed offsets) and invalid names are passed through for luxon to handle as before.
 */
export function zoneOf(name: string): IANAZone | string {
  let zone = zones.get(name);
  if (zone === undefined) {
    // Checked once per name: luxon's isValidZone builds an Intl formatter on every call.
    const lowered = name.toLowerCase();
    zone = lowered === 'utc' || lowered === 'gmt' || /^utc[+-]/.test(lowered) || !IANAZone.isValidZone(name) ? name : new RememberingZone(name);
    if (zones.size < MAX_ZONE_NAMES) zones.set(name, zone);
  }
  return zone;
}

/** The zone object itself, for reading offsets directly (names luxon cannot read give an invalid zone). */
export function ianaZoneOf(name: string): IANAZone {
  const zone = zoneOf(name);
  return typeof zone === 'string' ? IANAZone.create(name) : zone;
}

export function isValidTimeZone(zone: string): boolean {
  // IANAZone accepts fixed offsets like "UTC+8" too; a site needs a real region so DST rules apply.
  return IANAZone.isValidZone(zone) && (zone.includes('/') || zone === 'UTC');
}

/** "HH:mm" with 24:00 allowed as the end of a day; returns minutes since local midnight. */
export function parseClockTime(text: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : null;
}

/** A half-open interval of instants [start, end), as epoch milliseconds. */
export interface InstantRange {
  start: number;
  end: number;
}

/** ISO weekday keys, Monday first, as used by opening hours. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The local calendar dates (yyyy-MM-dd) a range of instants touches in a zone. */
export function localDatesBetween(range: InstantRange, zone: string): string[] {
  // Walk calendar dates, not instants: in zones whose clocks change at midnight a "start of day" can be 01:00.
  const first = localDateOf(range.start, zone);
  const last = localDateOf(range.end - 1, zone);
  const dates: string[] = [];
  for (let date = first; date <= last; date = addDaysToLocalDate(date, 1)) dates.push(date);
  return dates;
}

/** The weekday of a local date. */
export function weekdayOf(localDate: string): Weekday {
  // getUTCDay counts from Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(`${localDate}T00:00:00Z`).getUTCDay() + 6) % 7]!;
}

/**
 * The instant at which a local date + minutes-after-midnight happens in a zone. Minutes past a DST gap are
 * pushed forward by luxon (02:30 on a spring-forward day becomes 03:30), so opening hours never vanish.
 */
export function localTimeToInstant(localDate: string, minutes: number, zone: string): number {
  if (minutes === 24 * 60) return localTimeToInstant(addDaysToLocalDate(localDate, 1), 0, zone);
  // An ambiguous time (clocks going back) means its first occurrence, as RFC 5545 says.
  const [first] = findInstantsAtLocalTime(localDate, minutes, zone);
  if (first !== undefined) return first;
  return DateTime.fromISO(localDate, { zone: zoneOf(zone) }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}

/**
 * Every instant at which a zone's wall clock reads `localDate` + `minutes`, ascending: none inside a DST gap,
 * two inside a DST overlap (e.g. 01:30 on America/New_York's fall-back day), otherwise one. Unlike
 * `localTimeToInstant` in time.ts it never shifts a time silently, which recurrences and slot grids need.
 */
export function findInstantsAtLocalTime(localDate: string, minutes: number, zone: string): number[] {
  const ianaZone = ianaZoneOf(zone);
  const wall = Date.parse(`${localDate}T00:00:00Z`) + minutes * 60_000;
  // The true instant lies within 14 hours of the wall time read as UTC; the offsets in force on either side of
  // that window include every offset that could apply (zones change offset at most once in a day).
  const offsets = new Set([-14, 0, 14].map((hours) => ianaZone.offset(wall + hours * 3_600_000)));
  const instants: number[] = [];
  for (const offset of offsets) {
    const instant = wall - offset * 60_000;
    if (ianaZone.offset(instant) === offset && !instants.includes(instant)) instants.push(instant);
  }
  return instants.sort((a, b) => a - b);
}


/** Whether a local wall-clock time exists on that date in the zone (false inside a spring-forward gap). */
export function localTimeExists(localDate: string, minutes: number, zone: string): boolean {
  const local = DateTime.fromISO(localDate, { zone: zoneOf(zone) }).set({
    hour: Math.floor(minutes / 60),
    minute: minutes % 60,
  });
  return local.hour === Math.floor(minutes / 60) && local.minute === minutes % 60;
}

/** Start and end instants of a local date in a zone (23, 24 or 25 hours long). */
export function localDayRange(localDate: string, zone: string): InstantRange {
  // Each end on its own: where midnight falls in a DST gap (America/Santiago), the day starts at 01:00 but the
  // next one still starts at its own midnight.
  return { start: localTimeToInstant(localDate, 0, zone), end: localTimeToInstant(addDaysToLocalDate(localDate, 1), 0, zone) };
}

export function overlaps(a: InstantRange, b: InstantRange): boolean {
  return a.start < b.end && b.start < a.end;
}

export function intersect(a: InstantRange, b: InstantRange): InstantRange | null {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start < end ? { start, end } : null;
}

export function durationMinutes(range: InstantRange): number {
  return (range.end - range.start) / 60_000;
}

/** The local date `days` after `localDate` (negative goes back); calendar days, not 24-hour steps. */
export function addDaysToLocalDate(localDate: string, days: number): string {
  // A calendar date read as a UTC midnight: whole days of 86,400,000 ms, no zone to get in the way.
  return new Date(Date.parse(`${localDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The local calendar date of an instant in a zone. */
export function localDateOf(instant: number, zone: string): string {
  // The wall clock is the instant shifted by the zone's offset, read as UTC (offsets are remembered per hour).
  const offset = ianaZoneOf(zone).offset(instant);
  if (Number.isNaN(offset)) return DateTime.fromMillis(instant, { zone: zoneOf(zone) }).toISODate()!;
  return new Date(instant + offset * 60_000).toISOString().slice(0, 10);
}

/**
 * An instant as a zone-aware date object, for libraries that must print local wall-clock time (ical-generator
 * writes DTSTART;TZID=... from it; given a plain Date it would print UTC digits under the site's TZID).
 */
export function toZonedDateTime(instant: number | Date, zone: string): DateTime {
  return DateTime.fromMillis(typeof instant === 'number' ? instant : instant.getTime(), { zone: zoneOf(zone) });
}

/**
 * The longest a booking can last (policy caps maxDurationMinutes at a day). Queries for bookings overlapping a
 * range bound `start_at` from below by `range.start - MAX_BOOKING_MS`, so they use the (space|site, start_at)
 * indexes instead of scanning a space's whole history.
 */
export const MAX_BOOKING_MS = 24 * 60 * 60_000;
