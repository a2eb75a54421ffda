import { parseRecurrenceRule } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, LocalDate, Line, Text, daysInclusive } from './common.ts';
import { Booking } from './bookings.ts';

export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');

/** A series reaches at most two years from its start date (UNTIL), and COUNT at most a daily series that long. */
export const MAX_SERIES_DAYS = 731;
export const MAX_SERIES_COUNT = MAX_SERIES_DAYS;

/** Refuses a rule ending further away than the bounds; a malformed rule is left to the service (INVALID_RECURRENCE). */
export function boundSeriesEnd(body: { startDate: string; rule: string }, ctx: z.RefinementCtx) {
  const parsed = parseRecurrenceRule(body.rule);
  if (!parsed.ok) return;
  const { end } = parsed.rule;
  if (end.kind === 'count' && end.count > MAX_SERIES_COUNT) {
    ctx.addIssue({ code: 'custom', path: ['rule'], message: `COUNT must be at most ${MAX_SERIES_COUNT}` });
  }
  const lastDate = end.kind === 'until_date' ? end.localDate : end.kind === 'until_instant' ? new Date(end.epochMs).toISOString().slice(0, 10) : null;
  const days = lastDate === null ? null : daysInclusive(body.startDate, lastDate);
  if (days !== null && days < 1) ctx.addIssue({ code: 'custom', path: ['rule'], message: 'UNTIL must not be before startDate' });
  if (days !== null && days > MAX_SERIES_DAYS) {
    ctx.addIssue({ code: 'custom', path: ['rule'], message: `UNTIL must be at most ${MAX_SERIES_DAYS} days from startDate` });
  }
}

/**
 * A recurring booking anchored in the site's zone: 19:00 stays 19:00 across DST changes.
 * `rule` is an RRULE subset: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL.
 */
export const CreateSeriesBody = z.strictObject({
  spaceId: z.uuid(),
  startDate: LocalDate,
  startTime: ClockTime,
  durationMinutes: z.number().int().min(5).max(24 * 60),
  rule: Line({ min: 6, max: 500 }),
  exdates: z.array(LocalDate).max(400).default([]),
  partySize: z.number().int().min(1).max(10_000).default(1),
  purpose: Line({ max: 200 }).optional(),
  bookerId: z.uuid().optional(),
  /** 'skip': book what fits and report the rest; 'fail': book nothing if any occurrence cannot be booked. */
  onConflict: z.enum(['skip', 'fail']).default('fail'),
  /** Preview only: report every occurrence and whether it can be booked, write nothing. */
  dryRun: z.boolean().default(false),
}).superRefine(boundSeriesEnd);
export type CreateSeriesBody = z.infer<typeof CreateSeriesBody>;

export const SeriesOccurrence = z.object({
  localDate: LocalDate,
  startAt: IsoInstant.nullable(),
  endAt: IsoInstant.nullable(),
  /** 'ok' (bookable, or booked), or the reason code it cannot be booked (SLOT_TAKEN, SITE_CLOSED, NONEXISTENT_LOCAL_TIME ...). */
  status: z.string(),
  bookingId: z.uuid().nullable(),
});
export type SeriesOccurrence = z.infer<typeof SeriesOccurrence>;

export const SeriesResult = z.object({
  seriesId: z.uuid().nullable(),
  dryRun: z.boolean(),
  occurrences: z.array(SeriesOccurrence),
  booked: z.number().int(),
  skipped: z.number().int(),
});
export type SeriesResult = z.infer<typeof SeriesResult>;

/** Edit or cancel one occurrence, this and the following ones, or all (upcoming) occurrences. */
export const SeriesScope = z.enum(['one', 'following', 'all']);
export const CancelSeriesBody = z.strictObject({
  scope: SeriesScope,
  /** The occurrence the scope starts from (required for 'one' and 'following'). */
  bookingId: z.uuid().optional(),
  reason: Text({ max: 500 }).optional(),
});
export type CancelSeriesBody = z.infer<typeof CancelSeriesBody>;

/** Shift the time or length of the chosen occurrences (same local time on every date). */
export const UpdateSeriesBody = z.strictObject({
  scope: SeriesScope,
  bookingId: z.uuid().optional(),
  startTime: ClockTime.optional(),
  durationMinutes: z.number().int().min(5).max(24 * 60).optional(),
  partySize: z.number().int().min(1).max(10_000).optional(),
  purpose: Line({ max: 200 }).optional(),
});
export type UpdateSeriesBody = z.infer<typeof UpdateSeriesBody>;

export const SeriesChangeResult = z.object({
  changed: z.array(Booking),
  /** Occurrences that could not take the change, with the reason; they keep their old time. */
  refused: z.array(z.object({ bookingId: z.uuid(), code: z.string() })),
});
export type SeriesChangeResult = z.infer<typeof SeriesChangeResult>;
