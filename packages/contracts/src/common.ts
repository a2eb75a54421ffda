import { z } from 'zod';

export const Uuid = z.uuid();
export const IdParams = z.strictObject({ id: z.uuid() });
export type IdParams = z.infer<typeof IdParams>;

/**
 * The plausible calendar: every instant or date a client sends lies in [2000-01-01, 2100-01-01). Work that grows
 * with a span (slots, days, occurrences) is bounded by it before it starts, and PostgreSQL never sees a year it
 * cannot store (0000) or JavaScript cannot map (Date.UTC sends years 0-99 to 1900-1999).
 */
export const EARLIEST_YEAR = 2000;
export const LATEST_YEAR = 2099;
export const EARLIEST_INSTANT = `${EARLIEST_YEAR}-01-01T00:00:00Z`;
export const LATEST_INSTANT = `${LATEST_YEAR + 1}-01-01T00:00:00Z`;
const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const LATEST_MS = Date.parse(LATEST_INSTANT);
const OUT_OF_RANGE = `must lie between ${EARLIEST_YEAR}-01-01 and ${LATEST_YEAR}-12-31`;

/** An ISO 8601 instant with an offset, inside the plausible calendar. */
export const IsoInstant = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const ms = Date.parse(value);
    return ms >= EARLIEST_MS && ms < LATEST_MS;
  }, OUT_OF_RANGE);
/** A calendar date (YYYY-MM-DD), inside the plausible calendar. */
export const LocalDate = z.iso.date().refine((value) => {
  const year = Number(value.slice(0, 4));
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR;
}, OUT_OF_RANGE);

/** Milliseconds from `start` to `end` of two ISO instants (negative when reversed). */
export function spanMs(start: string, end: string): number {
  return Date.parse(end) - Date.parse(start);
}
/** Days from `from` to `to` of two local dates, inclusive of both (0 or less when reversed). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** A filter over stored rows (bookings, closures) spans at most a year: an annual report, never a century. */
export const MAX_FILTER_DAYS = 366;
const DAY_MS = 86_400_000;

type SpanFields<K extends string> = Partial<Record<K, string | undefined>>;

/**
 * An object-level refinement bounding the instant span [start, end) of two fields, so a century is refused at
 * validation (400) before any work that grows with it. `refuseReversed: false` leaves an empty or reversed span
 * to the caller (bookings answer it as INVALID_INTERVAL). Checked only when both fields are present.
 */
export function boundInstantSpan<K extends string>(
  [startKey, endKey]: [K, K],
  options: { maxMs: number; refuseReversed: boolean },
) {
  return (value: SpanFields<K>, ctx: z.RefinementCtx) => {
    const start = value[startKey];
    const end = value[endKey];
    if (start === undefined || end === undefined) return;
    const ms = spanMs(start, end);
    if (options.refuseReversed && !(ms > 0)) ctx.addIssue({ code: 'custom', path: [endKey], message: `must be after ${startKey}` });
    else if (ms > options.maxMs) ctx.addIssue({ code: 'custom', path: [endKey], message: `must be at most ${describeMs(options.maxMs)} after ${startKey}` });
  };
}

/** The same for local dates [from, to], both inclusive: reversed is refused, and more than `maxDays` days. */
export function boundDateSpan<K extends string>([fromKey, toKey]: [K, K], maxDays: number) {
  return (value: SpanFields<K>, ctx: z.RefinementCtx) => {
    const from = value[fromKey];
    const to = value[toKey];
    if (from === undefined || to === undefined) return;
    const days = daysInclusive(from, to);
    if (days < 1) ctx.addIssue({ code: 'custom', path: [toKey], message: `must not be before ${fromKey}` });
    else if (days > maxDays) ctx.addIssue({ code: 'custom', path: [toKey], message: `must be at most ${maxDays} days from ${fromKey}, both included` });
  };
}

function describeMs(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS} day(s)` : `${ms / 3_600_000} hours`;
}

// Control characters break logs, feeds and PostgreSQL (NUL); tab and newline are the only ones people type.
// C1 controls and the Unicode line/paragraph separators are refused too: they end lines in some readers.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_EXCEPT_TAB_NEWLINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

/**
 * The one string type for free text a client sends (reasons, descriptions, comments): trimmed (unless
 * `trim: false`, for secrets), length-bounded, no control characters except tab and newline.
 */
export function Text(options: { min?: number; max: number; trim?: boolean }) {
  const text = options.trim === false ? z.string() : z.string().trim();
  return text
    .min(options.min ?? 0)
    .max(options.max)
    .refine((value) => !CONTROL_EXCEPT_TAB_NEWLINE.test(value), 'must not contain control characters');
}

/**
 * The one string type for single-line text a client sends (names, titles, logins, addresses, codes): like
 * `Text`, and also no line breaks or tabs, since these values become headers, feed lines and CSV cells.
 */
export function Line(options: { min?: number; max: number; trim?: boolean }) {
  const text = options.trim === false ? z.string() : z.string().trim();
  return text
    .min(options.min ?? 0)
    .max(options.max)
    .refine((value) => !ANY_CONTROL.test(value), 'must be one line without control characters');
}

export const MAX_PAGE_SIZE = 200;
export const PageQuery = z.object({
  cursor: Line({ max: 200 }).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** A page of a list endpoint; `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** RFC 9457 problem details, with a stable `code` and the request id for support. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const OkResponse = z.object({ ok: z.literal(true) });
