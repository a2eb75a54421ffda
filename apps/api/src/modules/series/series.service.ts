/**
 * Recurring bookings. A series is a rule anchored in the site's zone (so 19:00 stays 19:00 across DST); its
 * occurrences are materialized as ordinary bookings, checked one by one like any booking, inside one transaction
 * under the space lock: either every occurrence is booked, or (onConflict 'skip') exactly the reported part is,
 * or (onConflict 'fail') nothing is written. A series that would book nothing at all is refused. People hear of a
 * series once, not once per occurrence (a message naming its first occurrence); every occurrence has its reminders.
 */
import type { Booking, CancelSeriesBody, CreateSeriesBody, SeriesChangeResult, SeriesOccurrence, SeriesResult, UpdateSeriesBody } from '@linli/contracts';
import type { Transaction } from '@linli/db';
import {
  type BookingStatus,
  type InstantRange,
  type Refusal,
  bookingHorizon,
  changeNeedsApproval,
  expandRecurrence,
  localDateOf,
  localTimeExists,
  localTimeToInstant,
  parseClockTime,
  parseRecurrenceRule,
} from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { changesBetween, findHoldingClaims, lockForBooking, recordBookingEvent, updateBookingAtVersion } from '../claims/claims.repository.ts';
import { policyRefusals, quotaRefusals } from '../claims/quotas.ts';
import { availabilityRefusal, holdingWindow, initialStatus, newBookingRow } from '../claims/space-claims.ts';
import { answerBookingsOfOneBooker, resolveBooker } from '../claims/booker.repository.ts';
import { type BookingRow, type ResidentHome, type SpaceContext, loadSpaceContext, residentHomeOf } from '../claims/space-context.ts';
import { approvalRequests, cancelledByStaffNotice, findBookingPlace, isMove, movedNotice, noticeChange, noticeNewBookings } from '../claims/space-notices.ts';
import { transitionBooking } from '../claims/space-transitions.ts';
import { type NotificationIntent, recordNotifications } from '../outbox/outbox.ts';
import {
  findBookingSeries,
  findUpcomingOccurrences,
  insertBookingSeries,
  insertOccurrences,
  updateBookingSeries,
} from './series.repository.ts';

/** The most occurrences one request may create: a daily series for a year. */
export const MAX_SERIES_OCCURRENCES = 366;
/** Staff may plan further ahead than the resident horizon, but not without limit. */
const STAFF_SERIES_HORIZON_DAYS = 400;
const DAY_MS = 86_400_000;

interface Candidate {
  localDate: string;
  range: InstantRange | null;
  refusal: string | null;
}

export async function createSeries(deps: AppDeps, actor: Actor, body: CreateSeriesBody): Promise<SeriesResult> {
  const { db } = deps;
  const now = deps.now();
  const parsed = parseRecurrenceRule(body.rule);
  if (!parsed.ok) {
    throw new AppError('INVALID_RECURRENCE', { errors: parsed.errors.map((e) => ({ path: `body.rule${e.path ? `.${e.path}` : ''}`, message: e.message })) });
  }
  const bookerId = await resolveBooker(db, actor, body.bookerId);
  const ctx = await loadSpaceContext(db, actor, body.spaceId);
  const zone = ctx.site.timezone;
  const horizonEnd =
    actor.role === 'resident'
      ? bookingHorizon({ now: now.getTime(), horizonDays: ctx.policy.values.horizonDays, zone }).end
      : now.getTime() + STAFF_SERIES_HORIZON_DAYS * DAY_MS;
  const expansion = expandRecurrence({
    rule: parsed.rule,
    startLocalDate: body.startDate,
    startMinutes: parseClockTime(body.startTime)!,
    durationMinutes: body.durationMinutes,
    zone,
    exdates: body.exdates,
    maxOccurrences: MAX_SERIES_OCCURRENCES,
    horizonEnd,
  });
  if (expansion.errors.length) {
    throw new AppError('INVALID_RECURRENCE', {
      detail: expansion.errors.map((e) => e.message).join(' '),
      errors: expansion.errors.map((e) => ({ path: `body.${e.path || 'rule'}`, message: e.message })),
      details: { reasons: expansion.errors.map((e) => ({ code: e.code })) },
    });
  }
  const home = await residentHomeOf(db, actor);

  const outcome = await db.transaction(async (tx) => {
    await lockForBooking(tx, [ctx.space.id], actor.role === 'resident' ? bookerId : null);
    const candidates: Candidate[] = [
      ...expansion.skipped.map((s) => ({ localDate: s.localDate, range: null, refusal: s.reason })),
      ...(await judgeOccurrences(tx, ctx, actor, bookerId, home, expansion.occurrences, body.partySize, now)),
    ].sort((a, b) => a.localDate.localeCompare(b.localDate));
    const bookable = candidates.filter((c) => c.range && !c.refusal);
    if (body.dryRun) return { seriesId: null, candidates, booked: new Map<string, string>() };
    refuseUnbookableSeries(candidates, bookable.length, body.onConflict);

    const series = await insertBookingSeries(tx, {
      orgId: actor.orgId,
      siteId: ctx.site.id,
      spaceId: ctx.space.id,
      bookerId,
      createdById: actor.userId,
      rule: body.rule,
      startLocalDate: body.startDate,
      startTime: body.startTime,
      durationMinutes: body.durationMinutes,
      timezone: zone,
      exdates: body.exdates,
      partySize: body.partySize,
      purpose: body.purpose ?? null,
      createdAt: now,
    });
    const status = initialStatus(ctx, actor);
    const rows = await insertOccurrences(
      tx,
      bookable.map((c) =>
        newBookingRow(ctx, {
          range: c.range!,
          bookerId,
          createdById: actor.userId,
          partySize: body.partySize,
          purpose: body.purpose ?? null,
          status,
          source: 'series',
          seriesId: series.id,
          now,
        }),
      ),
      { actorId: actor.userId, status, reason: 'created by series' },
    );
    const notices: NotificationIntent[] = [];
    await noticeNewBookings(tx, [...rows].sort((a, b) => a.startAt.getTime() - b.startAt.getTime()), ctx, { now, seriesId: series.id }, notices);
    await recordNotifications(tx, notices, { now });
    const booked = new Map(rows.map((r) => [localDateOf(r.startAt.getTime(), zone), r.id]));
    return { seriesId: series.id, candidates, booked };
  });

  const occurrences = outcome.candidates.map((c) => toOccurrence(c, outcome.booked.get(c.localDate) ?? null));
  return {
    seriesId: outcome.seriesId,
    dryRun: body.dryRun,
    occurrences,
    booked: outcome.booked.size,
    skipped: occurrences.filter((o) => o.status !== 'ok').length,
  };
}

/**
 * A series that would book nothing is refused (never a 200 with no booking), and 'fail' refuses any occurrence
 * that cannot be booked as asked, a DST-gap date included. Only a date the caller excluded (EXDATE) is no conflict.
 */
function refuseUnbookableSeries(candidates: Candidate[], bookable: number, onConflict: CreateSeriesBody['onConflict']): void {
  const details = () => ({ occurrences: candidates.map((c) => toOccurrence(c, null)) });
  if (bookable === 0) throw new AppError('SERIES_BOOKS_NOTHING', { details: details() });
  const conflicts = candidates.filter((c) => c.refusal && c.refusal !== 'EXDATE');
  if (conflicts.length && onConflict === 'fail') throw new AppError('SERIES_CONFLICTS', { details: details() });
}

/**
 * Each occurrence judged like a single booking: policy (pure), quotas, and availability against the space's
 * bookings plus the occurrences already accepted in this series (read once, kept in memory).
 */
async function judgeOccurrences(
  tx: Transaction,
  ctx: SpaceContext,
  actor: Actor,
  bookerId: string | null,
  home: ResidentHome,
  occurrences: { localDate: string; range: InstantRange }[],
  partySize: number,
  now: Date,
): Promise<Candidate[]> {
  if (!occurrences.length) return [];
  const span = { start: occurrences[0]!.range.start - DAY_MS, end: occurrences[occurrences.length - 1]!.range.end + DAY_MS };
  const holding = await findHoldingClaims(tx, ctx.space.id, span);
  const accepted: { startAt: Date; endAt: Date; partySize: number }[] = [];
  const acceptedRanges: InstantRange[] = [];
  const judged: Candidate[] = [];
  for (const occurrence of occurrences) {
    const request = { actor, bookerId, range: occurrence.range, partySize, now };
    let refusals: Refusal[] = policyRefusals(ctx, request, home);
    if (!refusals.length) {
      const quota = await quotaRefusals(tx, ctx, request, acceptedRanges);
      const taken = availabilityRefusal(ctx, occurrence.range, partySize, [...holding, ...accepted]);
      refusals = [...quota, ...(taken ? [taken] : [])];
    }
    judged.push({ localDate: occurrence.localDate, range: occurrence.range, refusal: refusals[0]?.code ?? null });
    if (!refusals.length) {
      accepted.push({ startAt: new Date(occurrence.range.start), endAt: new Date(occurrence.range.end), partySize });
      acceptedRanges.push(occurrence.range);
    }
  }
  return judged;
}

function toOccurrence(c: Candidate, bookingId: string | null): SeriesOccurrence {
  return {
    localDate: c.localDate,
    startAt: c.range ? new Date(c.range.start).toISOString() : null,
    endAt: c.range ? new Date(c.range.end).toISOString() : null,
    status: c.refusal ?? 'ok',
    bookingId,
  };
}

async function findSeries(tx: Transaction, actor: Actor, seriesId: string) {
  const series = await findBookingSeries(tx, actor.orgId, seriesId);
  const visible =
    series &&
    (actor.role === 'org_admin' ||
      (actor.role === 'resident' ? series.bookerId === actor.userId : actor.siteIds.includes(series.siteId)));
  if (!visible) throw notFound('Series');
  return series;
}

/** The upcoming, still-changeable occurrences a scope covers. */
async function occurrencesInScope(tx: Transaction, seriesId: string, scope: 'one' | 'following' | 'all', fromBookingId: string | undefined, now: Date) {
  const upcoming = await findUpcomingOccurrences(tx, seriesId, now);
  if (scope === 'all') return upcoming;
  const anchor = upcoming.find((b) => b.id === fromBookingId);
  if (!anchor) {
    throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.bookingId', message: 'must be an upcoming occurrence of this series' }] });
  }
  return scope === 'one' ? [anchor] : upcoming.filter((b) => b.startAt >= anchor.startAt);
}

export async function cancelSeries(deps: AppDeps, actor: Actor, seriesId: string, body: CancelSeriesBody): Promise<Booking[]> {
  const now = deps.now();
  const rows = await deps.db.transaction(async (tx) => {
    const series = await findSeries(tx, actor, seriesId);
    await lockForBooking(tx, [series.spaceId], null);
    const chosen = await occurrencesInScope(tx, series.id, body.scope, body.bookingId, now);
    const cancelled: BookingRow[] = [];
    const notices: NotificationIntent[] = [];
    const spec = { from: ['pending', 'confirmed'] as const, to: 'cancelled' as const, reason: body.reason ?? `series cancelled (${body.scope})`, notice: false as const };
    let first: BookingRow | undefined;
    for (const row of chosen) {
      const updated = await transitionBooking(tx, row, actor.userId, spec, now, notices);
      first ??= updated;
      cancelled.push(updated);
    }
    // The booker hears once that someone else cancelled the series (the message names its first cancelled occurrence).
    if (first && series.bookerId && series.bookerId !== actor.userId) {
      notices.push(cancelledByStaffNotice(first, await findBookingPlace(tx, series.spaceId), body.reason ?? null));
    }
    await recordNotifications(tx, notices, { now });
    if (body.scope === 'all') await updateBookingSeries(tx, series.id, { cancelledAt: now });
    return cancelled;
  });
  // Answered as any booking is (who it is for, when check-in opens), after the change has committed.
  return answerBookingsOfOneBooker(deps.db, actor, rows);
}

/**
 * Moves the chosen occurrences to a new local start time and/or length, each on its own date. An occurrence that
 * cannot take the change (taken, closed, a DST gap) keeps its old time and is reported; the rest change.
 */
export async function updateSeries(deps: AppDeps, actor: Actor, seriesId: string, body: UpdateSeriesBody): Promise<SeriesChangeResult> {
  const now = deps.now();
  const { changed, refused } = await deps.db.transaction(async (tx) => {
    const series = await findSeries(tx, actor, seriesId);
    await lockForBooking(tx, [series.spaceId], null);
    const ctx = await loadSpaceContext(tx, actor, series.spaceId);
    const home = await residentHomeOf(tx, actor);
    const chosen = await occurrencesInScope(tx, series.id, body.scope, body.bookingId, now);
    const zone = ctx.site.timezone;
    const minutes = body.startTime ? parseClockTime(body.startTime)! : undefined;
    const result: { changed: BookingRow[]; refused: SeriesChangeResult['refused'] } = { changed: [], refused: [] };
    const notices: NotificationIntent[] = [];
    const changes: { before: BookingRow; after: BookingRow }[] = [];
    for (const row of chosen) {
      const localDate = localDateOf(row.startAt.getTime(), zone);
      const duration = body.durationMinutes ?? (row.endAt.getTime() - row.startAt.getTime()) / 60_000;
      if (minutes !== undefined && !localTimeExists(localDate, minutes, zone)) {
        result.refused.push({ bookingId: row.id, code: 'NONEXISTENT_LOCAL_TIME' });
        continue;
      }
      const start = minutes !== undefined ? localTimeToInstant(localDate, minutes, zone) : row.startAt.getTime();
      const range = { start, end: start + duration * 60_000 };
      const partySize = body.partySize ?? row.partySize;
      const request = { actor, bookerId: row.bookerId, range, partySize, now, excludeBookingId: row.id };
      const others = await findHoldingClaims(tx, row.spaceId, holdingWindow(ctx, range), { excludeBookingId: row.id });
      const refusal =
        policyRefusals(ctx, request, home)[0] ??
        (await quotaRefusals(tx, ctx, request))[0] ??
        availabilityRefusal(ctx, range, partySize, others);
      if (refusal) {
        result.refused.push({ bookingId: row.id, code: refusal.code });
        continue;
      }
      const purpose = body.purpose ?? row.purpose;
      // The same rule as moving one booking: a resident's change beyond what was approved is a new request.
      const needsApproval = changeNeedsApproval({
        approvalRequired: ctx.policy.values.approvalRequired,
        actorRole: actor.role,
        status: row.status as BookingStatus,
        current: { spaceId: row.spaceId, range: { start: row.startAt.getTime(), end: row.endAt.getTime() }, partySize: row.partySize, purpose: row.purpose },
        requested: { spaceId: row.spaceId, range, partySize, purpose },
      });
      const updated = await updateBookingAtVersion(tx, row, {
        startAt: new Date(range.start),
        endAt: new Date(range.end),
        partySize,
        purpose,
        status: needsApproval ? 'pending' : row.status,
        updatedAt: now,
      });
      const reason = needsApproval ? `series changed (${body.scope}); change needs approval` : `series changed (${body.scope})`;
      await recordBookingEvent(tx, updated!, { actorId: actor.userId, from: row.status, to: updated!.status, reason, changes: changesBetween(row, updated!) });
      await noticeChange(tx, row, updated!, ctx, { actorId: actor.userId, tell: false, now }, notices);
      changes.push({ before: row, after: updated! });
      result.changed.push(updated!);
    }
    notices.push(...(await seriesChangeNotices(tx, series.bookerId, actor, changes, ctx)));
    await recordNotifications(tx, notices, { now });
    if (body.scope === 'all') {
      await updateBookingSeries(tx, series.id, {
        startTime: body.startTime ?? series.startTime,
        durationMinutes: body.durationMinutes ?? series.durationMinutes,
        partySize: body.partySize ?? series.partySize,
      });
    }
    return result;
  });
  return { changed: await answerBookingsOfOneBooker(deps.db, actor, changed), refused };
}

/**
 * A series change said once: the booker hears that someone else moved it, the managers that a resident's change needs
 * approval again. Each message names the first occurrence it concerns.
 */
async function seriesChangeNotices(
  tx: Transaction,
  bookerId: string | null,
  actor: Actor,
  changes: readonly { before: BookingRow; after: BookingRow }[],
  ctx: SpaceContext,
): Promise<NotificationIntent[]> {
  if (!bookerId) return [];
  const notices: NotificationIntent[] = [];
  const moved = changes.find((c) => isMove(c.before, c.after));
  if (moved && bookerId !== actor.userId) notices.push(movedNotice(moved.before, moved.after, ctx, ctx.space.name));
  const reopened = changes.find((c) => c.after.status === 'pending' && c.before.status !== 'pending');
  if (reopened) notices.push(...(await approvalRequests(tx, reopened.after, ctx)));
  return notices;
}
