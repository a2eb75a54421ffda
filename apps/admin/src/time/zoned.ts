/**
 * Time in a site's zone, for display and for turning what a person picked (a local date and a clock time) into
 * instants.
 *
 * Why this file does its own zone arithmetic instead of importing @linli/domain: the domain's time rules stand on
 * luxon (25 KB compressed with the domain code it drags in), and this module is on the resident's first screen,
 * whose script budget is 200 KB (tests/e2e/performance.e2e.test.ts). The browser's Intl already knows every zone's
 * offsets, so the four conversions below read them from Intl, with the domain's own algorithms; zoned.test.ts
 * checks them against @linli/domain across DST gaps and overlaps in several zones, so the two cannot drift apart.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** ISO weekday keys, Monday first, as used by opening hours (the domain's WEEKDAYS). */
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The weekday of a local date. */
export function weekdayOf(localDate: string): Weekday {
  // getUTCDay counts from Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(`${localDate}T00:00:00Z`).getUTCDay() + 6) % 7]!;
}

/** The local date `days` days after (or before) a local date, YYYY-MM-DD. */
export function addDaysToLocalDate(localDate: string, days: number): string {
  // A calendar date read as a UTC midnight: whole days of 86,400,000 ms, no zone to get in the way.
  return new Date(Date.parse(`${localDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The zone's UTC offset at an instant, in minutes (east positive), as Intl reports it. */
function offsetMinutesAt(zone: string, instant: number): number {
  const wholeSeconds = Math.floor(instant / 1000) * 1000;
  return Math.round((Date.parse(`${wallClockIn(wholeSeconds, zone)}Z`) - wholeSeconds) / MINUTE_MS);
}

/** The local calendar date of an instant in a zone. */
export function localDateOf(instant: number, zone: string): string {
  return wallClockIn(instant, zone).slice(0, 10);
}

/**
 * The instant at which a local date + minutes-after-midnight happens in a zone (@linli/domain's rule): an
 * ambiguous time (clocks going back) means its first occurrence, as RFC 5545 says; a time inside a DST gap is
 * pushed forward by the gap (02:30 on a spring-forward day becomes 03:30), so opening hours never vanish.
 */
export function localTimeToInstant(localDate: string, minutes: number, zone: string): number {
  if (minutes === 24 * 60) return localTimeToInstant(addDaysToLocalDate(localDate, 1), 0, zone);
  const wall = Date.parse(`${localDate}T00:00:00Z`) + minutes * MINUTE_MS;
  // The true instant lies within 14 hours of the wall time read as UTC; the offsets in force on either side of
  // that window include every offset that could apply (zones change offset at most once in a day).
  const offsets = [...new Set([-14, 0, 14].map((hours) => offsetMinutesAt(zone, wall + hours * HOUR_MS)))];
  const instants = offsets.map((offset) => wall - offset * MINUTE_MS).filter((instant, i) => offsetMinutesAt(zone, instant) === offsets[i]);
  if (instants.length > 0) return Math.min(...instants);
  // In a gap the wall time read with the smaller (earlier) offset lands after the jump, as far past it as the
  // wall time was.
  return wall - Math.min(...offsets) * MINUTE_MS;
}

/** Today's date in a zone, as YYYY-MM-DD. */
export function todayIn(zone: string): string {
  return localDateOf(Date.now(), zone);
}

/** "HH:mm" -> minutes after midnight. */
export function clockMinutes(clock: string): number {
  const [hours = '0', minutes = '0'] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

/** Minutes after midnight -> "HH:mm". */
export function clockText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The ISO instant of a local date and clock time in a zone. */
export function instantAt(localDate: string, clock: string, zone: string): string {
  return new Date(localTimeToInstant(localDate, clockMinutes(clock), zone)).toISOString();
}

/** The zone's UTC offset at an instant, as "+08:00" (what the calendar library takes for a time zone). */
export function utcOffsetOf(zone: string, at: Date = new Date()): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-]\d{2}:\d{2})/.exec(name ?? '');
  return match?.[1] ?? '+00:00';
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(language: string, zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language}|${zone}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(language, { timeZone: zone, hourCycle: 'h23', ...options });
    formatters.set(key, found);
  }
  return found;
}

export function formatTime(iso: string, zone: string, language: string): string {
  return formatter(language, zone, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDate(iso: string, zone: string, language: string): string {
  return formatter(language, zone, { month: 'short', day: 'numeric', weekday: 'short' }).format(new Date(iso));
}

/** A local date (YYYY-MM-DD) for people, e.g. "11月23日周一" / "Mon, Nov 23". */
export function formatLocalDate(localDate: string, language: string): string {
  return formatter(language, 'UTC', { month: 'short', day: 'numeric', weekday: 'short' }).format(new Date(`${localDate}T12:00:00Z`));
}

/** "Mon, Nov 23, 10:00–12:00" in the zone; the end shows its date too when it falls on another day. */
export function formatRange(startIso: string, endIso: string, zone: string, language: string): string {
  const sameDay = localDateOf(Date.parse(startIso), zone) === localDateOf(Date.parse(endIso) - 1, zone);
  const start = `${formatDate(startIso, zone, language)} ${formatTime(startIso, zone, language)}`;
  const end = sameDay ? formatTime(endIso, zone, language) : `${formatDate(endIso, zone, language)} ${formatTime(endIso, zone, language)}`;
  return `${start}–${end}`;
}

/** An instant as wall-clock time in a zone, "YYYY-MM-DDTHH:mm:ss" with no offset (a "floating" time). */
export function wallClockIn(iso: string | number, zone: string): string {
  const parts = Object.fromEntries(
    formatter('en-US', zone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}:${parts.second}`;
}

/** A Date whose local fields hold a wall-clock time of `zone` (as calendar widgets hand them out) -> ISO instant. */
export function instantOfWallClock(date: Date, zone: string): string {
  const { date: localDate } = wallClockPartsOf(date);
  return new Date(localTimeToInstant(localDate, date.getHours() * 60 + date.getMinutes(), zone)).toISOString();
}

/** The local date and "HH:mm" held in a Date's local fields. */
export function wallClockPartsOf(date: Date): { date: string; time: string } {
  const pad = (n: number) => String(n).padStart(2, '0');
  return { date: `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`, time: `${pad(date.getHours())}:${pad(date.getMinutes())}` };
}

/** The local date and "HH:mm" of an instant in a zone. */
export function localPartsOf(iso: string, zone: string): { date: string; time: string } {
  const wall = wallClockIn(iso, zone);
  return { date: wall.slice(0, 10), time: wall.slice(11, 16) };
}
