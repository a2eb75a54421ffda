/**
 * Booking series: a subset of RFC 5545 RRULE (FREQ DAILY/WEEKLY/MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL)
 * plus EXDATE, expanded in a site's zone so that "every Monday 19:00" stays 19:00 on the wall clock across DST.
 *
 * The calendar part (which local dates match) is plain civil-date arithmetic on epoch days, independent of any
 * zone; only turning "date + 19:00" into an instant consults the zone.
 */
import { type InstantRange, findInstantsAtLocalTime, isValidTimeZone, localTimeToInstant, utcEpochMsOf } from './time.ts';

export type RecurrenceFrequency = 'DAILY' | 'WEEKLY' | 'MONTHLY';

/** RFC 5545 weekday codes, Monday first (index = ISO weekday - 1). */
export const RECURRENCE_WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type RecurrenceWeekday = (typeof RECURRENCE_WEEKDAYS)[number];

/** A BYDAY entry: `MO`, or with an ordinal inside the month (MONTHLY only) such as `1MO` or `-1FR`. */
export interface RecurrenceByDay {
  weekday: RecurrenceWeekday;
  ordinal: number | null;
}

/**
 * How a series ends. A series must end: "no end" is not representable. `until_date` is inclusive of that local
 * date; `until_instant` (RFC 5545 UTC form) is inclusive of an occurrence starting exactly then.
 */
export type RecurrenceEnd =
  | { kind: 'count'; count: number }
  | { kind: 'until_date'; localDate: string }
  | { kind: 'until_instant'; epochMs: number };

export interface RecurrenceRule {
  freq: RecurrenceFrequency;
  interval: number;
  byDay: RecurrenceByDay[];
  byMonthDay: number[];
  end: RecurrenceEnd;
}

export interface RecurrenceProblem {
  /** The rule part at fault (`FREQ`, `BYDAY` ...), or `rule` for the rule as a whole. */
  path: string;
  message: string;
}

export type ParseRecurrenceResult =
  | { ok: true; rule: RecurrenceRule }
  | { ok: false; errors: RecurrenceProblem[] };

const SUPPORTED_PARTS = ['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL'] as const;
type SupportedPart = (typeof SUPPORTED_PARTS)[number];

/** Ordinals within one month: there are at most five of any weekday. */
const MAX_MONTHLY_ORDINAL = 5;
/** RFC 5545 years have four digits; scanning stops there, as rrule.js does, so a rule that never matches ends. */
const LAST_SCANNED_YEAR = 9999;
const LAST_SCANNED_DAY = toEpochDayFromCivil(LAST_SCANNED_YEAR, 12, 31);
const MS_PER_MINUTE = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** Parses `FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10` (optionally prefixed `RRULE:`), reporting every problem found. */
export function parseRecurrenceRule(text: string): ParseRecurrenceResult {
  // RFC 5545 names and enumerated values are case-insensitive; upper-casing once keeps every check simple.
  const body = text.trim().toUpperCase().replace(/^RRULE:/, '');
  const { parts, errors } = splitRuleParts(body);
  if (errors.length > 0) return { ok: false, errors };

  const freq = parseFrequency(parts.get('FREQ'), errors);
  const interval = parts.has('INTERVAL') ? parsePositiveInteger('INTERVAL', parts.get('INTERVAL')!, errors) : 1;
  const byDay = parts.has('BYDAY') ? parseByDay(parts.get('BYDAY')!, errors) : [];
  const byMonthDay = parts.has('BYMONTHDAY') ? parseByMonthDay(parts.get('BYMONTHDAY')!, errors) : [];
  const end = parseEnd(parts, errors);
  if (errors.length > 0 || freq === null || interval === null || end === null) return { ok: false, errors };

  const rule: RecurrenceRule = { freq, interval, byDay, byMonthDay, end };
  const problems = findRecurrenceRuleProblems(rule);
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, rule };
}

function splitRuleParts(body: string): { parts: Map<SupportedPart, string>; errors: RecurrenceProblem[] } {
  const parts = new Map<SupportedPart, string>();
  const errors: RecurrenceProblem[] = [];
  if (body === '') return { parts, errors: [{ path: 'rule', message: 'is empty' }] };
  for (const part of body.split(';')) {
    const match = /^([A-Z-]+)=(.*)$/.exec(part);
    if (!match) {
      errors.push({ path: 'rule', message: `"${part}" is not NAME=value (check for a stray ";")` });
      continue;
    }
    const name = match[1]!;
    const value = match[2]!;
    if (!isSupportedPart(name)) {
      errors.push({ path: name, message: `is not supported; use only ${SUPPORTED_PARTS.join(', ')}` });
    } else if (parts.has(name)) {
      errors.push({ path: name, message: 'appears more than once' });
    } else if (value === '') {
      errors.push({ path: name, message: 'has no value' });
    } else {
      parts.set(name, value);
    }
  }
  return { parts, errors };
}

function isSupportedPart(name: string): name is SupportedPart {
  return (SUPPORTED_PARTS as readonly string[]).includes(name);
}

function parseFrequency(value: string | undefined, errors: RecurrenceProblem[]): RecurrenceFrequency | null {
  if (value === undefined) {
    errors.push({ path: 'FREQ', message: 'is required' });
    return null;
  }
  if (value === 'DAILY' || value === 'WEEKLY' || value === 'MONTHLY') return value;
  errors.push({ path: 'FREQ', message: 'must be DAILY, WEEKLY or MONTHLY' });
  return null;
}

function parsePositiveInteger(path: string, value: string, errors: RecurrenceProblem[]): number | null {
  const n = Number(value);
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(n)) {
    errors.push({ path, message: 'must be a positive whole number' });
    return null;
  }
  return n;
}

function parseByDay(value: string, errors: RecurrenceProblem[]): RecurrenceByDay[] {
  const entries: RecurrenceByDay[] = [];
  for (const item of value.split(',')) {
    const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    if (!match) {
      errors.push({ path: 'BYDAY', message: `"${item}" is not a weekday (MO..SU, optionally with an ordinal like 1MO or -1FR)` });
      continue;
    }
    const ordinal = match[1] === undefined ? null : Number(match[1]);
    const entry: RecurrenceByDay = { weekday: match[2] as RecurrenceWeekday, ordinal };
    if (entries.some((e) => e.weekday === entry.weekday && e.ordinal === entry.ordinal)) {
      errors.push({ path: 'BYDAY', message: `"${item}" is listed twice` });
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

function parseByMonthDay(value: string, errors: RecurrenceProblem[]): number[] {
  const days: number[] = [];
  for (const item of value.split(',')) {
    if (!/^[+-]?\d{1,2}$/.test(item)) {
      errors.push({ path: 'BYMONTHDAY', message: `"${item}" is not a day of the month (1..31 or -31..-1)` });
      continue;
    }
    const day = Number(item);
    if (days.includes(day)) {
      errors.push({ path: 'BYMONTHDAY', message: `"${item}" is listed twice` });
      continue;
    }
    days.push(day);
  }
  return days;
}

function parseEnd(parts: Map<SupportedPart, string>, errors: RecurrenceProblem[]): RecurrenceEnd | null {
  const countText = parts.get('COUNT');
  const untilText = parts.get('UNTIL');
  if (countText !== undefined && untilText !== undefined) {
    errors.push({ path: 'rule', message: 'COUNT and UNTIL must not both be given (RFC 5545)' });
    return null;
  }
  if (countText !== undefined) {
    const count = parsePositiveInteger('COUNT', countText, errors);
    return count === null ? null : { kind: 'count', count };
  }
  if (untilText !== undefined) return parseUntil(untilText, errors);
  errors.push({ path: 'rule', message: 'must end: give COUNT or UNTIL (a recurrence with no end is refused)' });
  return null;
}

/** UNTIL as a local date `YYYYMMDD` or a UTC date-time `YYYYMMDDTHHMMSSZ` (a floating date-time is ambiguous). */
function parseUntil(value: string, errors: RecurrenceProblem[]): RecurrenceEnd | null {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(value);
  const message = 'must be a date YYYYMMDD or a UTC date-time YYYYMMDDTHHMMSSZ';
  if (!match) {
    errors.push({ path: 'UNTIL', message });
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!isValidCivilDate(year, month, day)) {
    errors.push({ path: 'UNTIL', message: `${message}; ${value.slice(0, 8)} is not a calendar date` });
    return null;
  }
  const localDate = formatCivilDate(year, month, day);
  if (match[4] === undefined) return { kind: 'until_date', localDate };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (hour > 23 || minute > 59 || second > 59) {
    errors.push({ path: 'UNTIL', message: `${message}; the time is out of range` });
    return null;
  }
  return { kind: 'until_instant', epochMs: utcEpochMsOf(year, month, day, hour, minute, second) };
}

/**
 * Rule-level contradictions, for rules parsed here or built in code: RFC 5545 forbids ordinal BYDAY outside
 * MONTHLY/YEARLY and BYMONTHDAY with WEEKLY.
 */
export function findRecurrenceRuleProblems(rule: RecurrenceRule): RecurrenceProblem[] {
  const problems: RecurrenceProblem[] = [];
  if (!Number.isSafeInteger(rule.interval) || rule.interval < 1) {
    problems.push({ path: 'INTERVAL', message: 'must be a positive whole number' });
  }
  for (const entry of rule.byDay) {
    if (entry.ordinal === null) continue;
    if (rule.freq !== 'MONTHLY') {
      problems.push({ path: 'BYDAY', message: `an ordinal like ${formatByDay(entry)} is only allowed with FREQ=MONTHLY` });
    } else if (!Number.isInteger(entry.ordinal) || entry.ordinal === 0 || Math.abs(entry.ordinal) > MAX_MONTHLY_ORDINAL) {
      problems.push({ path: 'BYDAY', message: `ordinal in ${formatByDay(entry)} must be 1..5 or -5..-1` });
    }
  }
  if (rule.byMonthDay.length > 0 && rule.freq === 'WEEKLY') {
    problems.push({ path: 'BYMONTHDAY', message: 'is not allowed with FREQ=WEEKLY (RFC 5545)' });
  }
  for (const day of rule.byMonthDay) {
    if (!Number.isInteger(day) || day === 0 || Math.abs(day) > 31) {
      problems.push({ path: 'BYMONTHDAY', message: `${day} must be 1..31 or -31..-1` });
    }
  }
  if (rule.end.kind === 'count' && (!Number.isSafeInteger(rule.end.count) || rule.end.count < 1)) {
    problems.push({ path: 'COUNT', message: 'must be a positive whole number' });
  }
  return problems;
}

/** The canonical text of a rule, e.g. for storage; `parseRecurrenceRule(formatRecurrenceRule(r))` gives `r` back. */
export function formatRecurrenceRule(rule: RecurrenceRule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byDay.length > 0) parts.push(`BYDAY=${rule.byDay.map(formatByDay).join(',')}`);
  if (rule.byMonthDay.length > 0) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  parts.push(formatEnd(rule.end));
  return parts.join(';');
}

function formatByDay(entry: RecurrenceByDay): string {
  return `${entry.ordinal ?? ''}${entry.weekday}`;
}

function formatEnd(end: RecurrenceEnd): string {
  if (end.kind === 'count') return `COUNT=${end.count}`;
  if (end.kind === 'until_date') return `UNTIL=${end.localDate.replaceAll('-', '')}`;
  return `UNTIL=${new Date(end.epochMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Expansion

export interface ExpandRecurrenceInput {
  rule: RecurrenceRule;
  /** DTSTART's local date in `zone`; it is the first occurrence only if it matches the rule (RFC 5545). */
  startLocalDate: string;
  /** DTSTART's wall-clock time, minutes after local midnight; every occurrence starts at this wall-clock time. */
  startMinutes: number;
  /** Elapsed minutes, so a 2-hour booking lasts 2 real hours even when it spans a DST change. */
  durationMinutes: number;
  zone: string;
  /** Local dates to leave out. An excluded date still counts toward COUNT, as in RFC 5545. */
  exdates?: string[];
  /** The most occurrences the caller will accept; more makes the result truncated with TOO_MANY_OCCURRENCES. */
  maxOccurrences: number;
  /** Occurrences must end by this instant; a rule that continues past it is truncated with BEYOND_HORIZON. */
  horizonEnd?: number;
}

export interface RecurrenceOccurrence {
  localDate: string;
  range: InstantRange;
}

export type RecurrenceSkipReason = 'NONEXISTENT_LOCAL_TIME' | 'EXDATE';

export interface SkippedOccurrence {
  localDate: string;
  reason: RecurrenceSkipReason;
}

export type RecurrenceExpansionErrorCode = 'INVALID_INPUT' | 'TOO_MANY_OCCURRENCES' | 'BEYOND_HORIZON';

export interface RecurrenceExpansionError {
  code: RecurrenceExpansionErrorCode;
  path: string;
  message: string;
}

export interface RecurrenceExpansion {
  occurrences: RecurrenceOccurrence[];
  /** Matching dates that produce no booking, in date order, each with why. */
  skipped: SkippedOccurrence[];
  /** True when the rule has more occurrences than were returned; `errors` says why. */
  truncated: boolean;
  errors: RecurrenceExpansionError[];
}

/**
 * The occurrences of a series, in order. Follows RFC 5545: DTSTART is the first instance only if it matches the
 * rule; UNTIL is inclusive; an instance whose local time does not exist (DST gap) is not an instance and does not
 * count toward COUNT (RFC 5545 3.3.10) — it is reported in `skipped` rather than moved; an ambiguous local time
 * (DST overlap) means its first occurrence (RFC 5545 3.3.5).
 */
export function expandRecurrence(input: ExpandRecurrenceInput): RecurrenceExpansion {
  const inputErrors = findExpansionInputProblems(input);
  if (inputErrors.length > 0) return { occurrences: [], skipped: [], truncated: false, errors: inputErrors };

  const { rule, startMinutes, zone } = input;
  const exdates = new Set(input.exdates ?? []);
  const result: RecurrenceExpansion = { occurrences: [], skipped: [], truncated: false, errors: [] };
  let instancesCounted = 0;

  for (const day of matchingDays(rule, toEpochDay(input.startLocalDate))) {
    const localDate = formatEpochDay(day);
    const start = findInstantsAtLocalTime(localDate, startMinutes, zone)[0];
    // A gap date is placed where the gap ends, only to compare it with UNTIL and the horizon.
    const placedAt = start ?? localTimeToInstant(localDate, startMinutes, zone);
    if (isPastUntil(rule.end, localDate, placedAt)) break;
    // Dates past the horizon are not reported as skipped: the caller asked about the horizon only.
    const beyondHorizon = input.horizonEnd !== undefined && placedAt + input.durationMinutes * MS_PER_MINUTE > input.horizonEnd;

    if (start === undefined) {
      if (!beyondHorizon) result.skipped.push({ localDate, reason: 'NONEXISTENT_LOCAL_TIME' });
      continue;
    }
    instancesCounted++;
    if (exdates.has(localDate)) {
      if (!beyondHorizon) result.skipped.push({ localDate, reason: 'EXDATE' });
    } else {
      const stop = findTruncation(beyondHorizon, result.occurrences.length, input.maxOccurrences, localDate);
      if (stop) {
        result.truncated = true;
        result.errors.push(stop);
        break;
      }
      result.occurrences.push({ localDate, range: { start, end: start + input.durationMinutes * MS_PER_MINUTE } });
    }
    if (rule.end.kind === 'count' && instancesCounted >= rule.end.count) break;
  }
  return result;
}

function isPastUntil(end: RecurrenceEnd, localDate: string, start: number): boolean {
  if (end.kind === 'until_date') return localDate > end.localDate;
  if (end.kind === 'until_instant') return start > end.epochMs;
  return false;
}

function findExpansionInputProblems(input: ExpandRecurrenceInput): RecurrenceExpansionError[] {
  const invalid = (path: string, message: string): RecurrenceExpansionError => ({ code: 'INVALID_INPUT', path, message });
  const errors = findRecurrenceRuleProblems(input.rule).map((p) => invalid(`rule.${p.path}`, p.message));
  if (!isValidTimeZone(input.zone)) errors.push(invalid('zone', 'must be an IANA time zone such as Asia/Shanghai'));
  if (!isLocalDate(input.startLocalDate)) errors.push(invalid('startLocalDate', 'must be a date yyyy-MM-dd'));
  if (!Number.isInteger(input.startMinutes) || input.startMinutes < 0 || input.startMinutes >= 24 * 60) {
    errors.push(invalid('startMinutes', 'must be whole minutes from 0 to 1439'));
  }
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes <= 0) {
    errors.push(invalid('durationMinutes', 'must be a positive whole number of minutes'));
  }
  if (!Number.isInteger(input.maxOccurrences) || input.maxOccurrences < 1) {
    errors.push(invalid('maxOccurrences', 'must be a positive whole number'));
  }
  (input.exdates ?? []).forEach((date, i) => {
    if (!isLocalDate(date)) errors.push(invalid(`exdates.${i}`, 'must be a date yyyy-MM-dd'));
  });
  return errors;
}

/** Why the expansion must stop before adding this occurrence, or null to keep going. */
function findTruncation(
  beyondHorizon: boolean,
  occurrencesSoFar: number,
  maxOccurrences: number,
  localDate: string,
): RecurrenceExpansionError | null {
  if (beyondHorizon) {
    return { code: 'BEYOND_HORIZON', path: 'horizonEnd', message: `the series continues past the horizon (from ${localDate})` };
  }
  if (occurrencesSoFar >= maxOccurrences) {
    return { code: 'TOO_MANY_OCCURRENCES', path: 'maxOccurrences', message: `the series has more than ${maxOccurrences} occurrences` };
  }
  return null;
}

/** Epoch days (days since 1970-01-01) matching the rule, ascending, from the start day on. */
function* matchingDays(rule: RecurrenceRule, startDay: number): Generator<number> {
  if (rule.freq === 'DAILY') yield* matchingDaysDaily(rule, startDay);
  else if (rule.freq === 'WEEKLY') yield* matchingDaysWeekly(rule, startDay);
  else yield* matchingDaysMonthly(rule, startDay);
}

/** DAILY: every INTERVAL-th day; BYDAY and BYMONTHDAY only filter. */
function* matchingDaysDaily(rule: RecurrenceRule, startDay: number): Generator<number> {
  for (let day = startDay; day <= LAST_SCANNED_DAY; day += rule.interval) {
    if (matchesWeekdayFilter(rule, day) && matchesMonthDayFilter(rule, day)) yield day;
  }
}

/** WEEKLY: weeks start on Monday (RFC 5545 default WKST); BYDAY expands within the week, else DTSTART's weekday. */
function* matchingDaysWeekly(rule: RecurrenceRule, startDay: number): Generator<number> {
  const weekdays = rule.byDay.length > 0 ? rule.byDay.map((d) => weekdayIndex(d.weekday)) : [isoWeekdayIndex(startDay)];
  const sorted = [...new Set(weekdays)].sort((a, b) => a - b);
  for (let monday = startDay - isoWeekdayIndex(startDay); monday <= LAST_SCANNED_DAY; monday += 7 * rule.interval) {
    for (const offset of sorted) {
      if (monday + offset >= startDay) yield monday + offset;
    }
  }
}

/**
 * MONTHLY: BYMONTHDAY expands (and BYDAY then filters); otherwise BYDAY expands (all such weekdays, or the n-th);
 * otherwise DTSTART's day of the month, skipping months too short to have it.
 */
function* matchingDaysMonthly(rule: RecurrenceRule, startDay: number): Generator<number> {
  const start = civilFromEpochDay(startDay);
  // Months counted from year 0, so INTERVAL steps across year ends without special cases.
  for (let monthIndex = start.year * 12 + start.month - 1; monthIndex < (LAST_SCANNED_YEAR + 1) * 12; monthIndex += rule.interval) {
    const year = Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    for (const dayOfMonth of daysOfMonthMatching(rule, year, month, start.day)) {
      const day = toEpochDayFromCivil(year, month, dayOfMonth);
      if (day >= startDay) yield day;
    }
  }
}

/** Days of one month matching the rule, ascending; weekdays by arithmetic from the 1st, as this runs per month. */
function daysOfMonthMatching(rule: RecurrenceRule, year: number, month: number, startDayOfMonth: number): number[] {
  const length = daysInMonth(year, month);
  const firstWeekday = isoWeekdayIndex(toEpochDayFromCivil(year, month, 1));
  let days: number[];
  if (rule.byMonthDay.length > 0) {
    days = rule.byMonthDay.map((b) => resolveMonthDay(b, length)).filter((d): d is number => d !== null);
    if (rule.byDay.length > 0) days = days.filter((d) => matchesByDayInMonth(rule.byDay, firstWeekday, length, d));
  } else if (rule.byDay.length > 0) {
    days = rule.byDay.flatMap((entry) => daysOfWeekdayInMonth(entry, firstWeekday, length));
  } else {
    days = startDayOfMonth <= length ? [startDayOfMonth] : [];
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

/** -1 is the last day of the month; a day the month does not have resolves to nothing (RFC 5545). */
function resolveMonthDay(byMonthDay: number, monthLength: number): number | null {
  const day = byMonthDay > 0 ? byMonthDay : monthLength + byMonthDay + 1;
  return day >= 1 && day <= monthLength ? day : null;
}

/** All days of the month on that weekday, or only the n-th (from the end for negative ordinals). */
function daysOfWeekdayInMonth(entry: RecurrenceByDay, firstWeekday: number, length: number): number[] {
  const first = 1 + ((weekdayIndex(entry.weekday) - firstWeekday + 7) % 7);
  const all: number[] = [];
  for (let day = first; day <= length; day += 7) all.push(day);
  if (entry.ordinal === null) return all;
  const nth = entry.ordinal > 0 ? all[entry.ordinal - 1] : all[all.length + entry.ordinal];
  return nth === undefined ? [] : [nth];
}

function matchesByDayInMonth(byDay: RecurrenceByDay[], firstWeekday: number, length: number, dayOfMonth: number): boolean {
  const weekday = (firstWeekday + dayOfMonth - 1) % 7;
  return byDay.some((entry) => {
    if (weekdayIndex(entry.weekday) !== weekday) return false;
    if (entry.ordinal === null) return true;
    // The n-th such weekday counted from the start of the month, or from its end for negative ordinals.
    const nth = entry.ordinal > 0 ? Math.ceil(dayOfMonth / 7) : -(Math.floor((length - dayOfMonth) / 7) + 1);
    return nth === entry.ordinal;
  });
}

function matchesWeekdayFilter(rule: RecurrenceRule, day: number): boolean {
  return rule.byDay.length === 0 || rule.byDay.some((d) => weekdayIndex(d.weekday) === isoWeekdayIndex(day));
}

function matchesMonthDayFilter(rule: RecurrenceRule, day: number): boolean {
  if (rule.byMonthDay.length === 0) return true;
  const { year, month, day: dayOfMonth } = civilFromEpochDay(day);
  const length = daysInMonth(year, month);
  return rule.byMonthDay.some((b) => resolveMonthDay(b, length) === dayOfMonth);
}

// ---------------------------------------------------------------------------------------------------------------
// Local wall-clock time -> instants


// ---------------------------------------------------------------------------------------------------------------
// Civil dates as epoch days (UTC arithmetic, so the process TZ never matters)

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

function isLocalDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match !== null && isValidCivilDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

function isValidCivilDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && isLeapYear ? 29 : MONTH_LENGTHS[month - 1]!;
}

function toEpochDay(localDate: string): number {
  const [year, month, day] = localDate.split('-').map(Number) as [number, number, number];
  return toEpochDayFromCivil(year, month, day);
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil), no Date involved. */
function toEpochDayFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The inverse of `toEpochDayFromCivil` (H. Hinnant's civil_from_days). */
function civilFromEpochDay(epochDay: number): CivilDate {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function formatEpochDay(day: number): string {
  const { year, month, day: dayOfMonth } = civilFromEpochDay(day);
  return formatCivilDate(year, month, dayOfMonth);
}

function formatCivilDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Monday ... 6 = Sunday; 1970-01-01 (epoch day 0) was a Thursday. */
function isoWeekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

function weekdayIndex(weekday: RecurrenceWeekday): number {
  return RECURRENCE_WEEKDAYS.indexOf(weekday);
}
