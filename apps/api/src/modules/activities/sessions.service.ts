/**
 * Sessions of an activity. Each holds its room through a booking (source 'activity') made through the claims core
 * exactly as a staff booking is (policy, holding claims, linli_book_space under the space lock), so rooms keep one
 * conflict system and a refusal answers the same codes, reasons and alternatives as a booking. Moving or cancelling a
 * session moves or cancels that booking in the same transaction, keeps or cancels registrations, and records it.
 * Equipment a session asks for is lent to its site over its time, and its loans follow the session's moves and cancel.
 */
import type { ActivitySession, CreateSessionsBody, SeriesOccurrence, SessionsResult, UpdateSessionBody } from '@linli/contracts';
import { SQLSTATE, type Transaction, newId, sqlStateOf } from '@linli/db';
import { type InstantRange, type Refusal, canScheduleSessions, expandRecurrence, parseClockTime, parseRecurrenceRule, sessionPlacesProblem } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { toIso } from '../../lib/dates.ts';
import { StaleCatalogue, bookSpace, changesBetween, findBookingById, findHoldingClaims, lockForBooking, recordBookingEvent, updateBookingAtVersion } from '../claims/claims.repository.ts';
import { policyRefusals } from '../claims/quotas.ts';
import { cancelRegistrationsOfSession, lockSession, noticePlaceOf, tellRegistrantsOfMove } from '../claims/registration-claims.ts';
import { cancelLoansOf, loanRequestIntents } from '../claims/equipment-claims.ts';
import { recordNotifications } from '../outbox/outbox.ts';
import {
  availabilityRefusal,
  claimEquipmentWithRoom,
  findAvailabilityRefusal,
  followClaimMove,
  holdingWindow,
  newBookingRow,
  rangeOf,
  recordEquipmentShortfall,
  refusalError,
} from '../claims/space-claims.ts';
import { type SpaceContext, loadSpaceContext } from '../claims/space-context.ts';
import { suggestAlternatives } from '../availability/availability.service.ts';
import { transitionBooking } from '../claims/space-transitions.ts';
import { promoteWaitlist } from '../claims/space-waitlist.ts';
import {
  type ActivityRow,
  type ActivitySessionRow,
  findActivity,
  findCatalogueVersionIn,
  findSession,
  findVisibleActivity,
  insertSessions,
  recordActivityChange,
  updateSessionAtVersion,
} from './activities.repository.ts';

/** Recurring sessions: at most a weekly programme for a year and a half, or a daily one for a quarter. */
export const MAX_SESSIONS_PER_REQUEST = 100;
/** Staff plan programmes ahead, but not without limit (as for staff series). */
const STAFF_HORIZON_DAYS = 400;
const DAY_MS = 86_400_000;
/** A catalogue edit racing a session's creation: decide again on the fresh catalogue, a few times at most. */
const STALE_RETRIES = 3;

export function toSession(row: ActivitySessionRow): ActivitySession {
  return {
    id: row.id,
    activityId: row.activityId,
    siteId: row.siteId,
    spaceId: row.spaceId,
    bookingId: row.bookingId,
    startAt: toIso(row.startAt),
    endAt: toIso(row.endAt),
    places: row.places,
    status: row.status as ActivitySession['status'],
    version: row.version,
  };
}

interface Candidate {
  localDate: string;
  range: InstantRange | null;
  refusals: Refusal[];
  /** Why the recurrence itself left this date out (EXDATE, a local time that does not exist). */
  skipped?: string;
}

/** A request for recurring sessions: the contract guarantees its fields are all there when `rule` is. */
type RecurringSessionsBody = CreateSessionsBody & Required<Pick<CreateSessionsBody, 'startDate' | 'startTime' | 'durationMinutes' | 'rule'>>;
const isRecurring = (body: CreateSessionsBody): body is RecurringSessionsBody => body.rule !== undefined;
const oneSessionRange = (body: CreateSessionsBody) => rangeOf(body.startAt!, body.endAt!);

function assertSchedulable(activity: ActivityRow) {
  if (!canScheduleSessions(activity.status)) {
    throw new AppError('ACTIVITY_INVALID_TRANSITION', { detail: `Sessions of a ${activity.status} activity cannot be changed.`, details: { status: activity.status } });
  }
}

function assertPlacesFit(ctx: SpaceContext, places: number) {
  const problem = sessionPlacesProblem(places, ctx.space.capacity);
  if (problem) throw new AppError('SESSION_PLACES_EXCEED_SPACE', { details: problem });
}

/** The occurrences a request asks for, in the site's zone; a one-off session is a single occurrence. */
function requestedOccurrences(ctx: SpaceContext, body: CreateSessionsBody, now: Date): Candidate[] {
  if (!isRecurring(body)) {
    return [{ localDate: body.startAt!.slice(0, 10), range: oneSessionRange(body), refusals: [] }];
  }
  const parsed = parseRecurrenceRule(body.rule);
  if (!parsed.ok) {
    throw new AppError('INVALID_RECURRENCE', { errors: parsed.errors.map((e) => ({ path: `body.rule${e.path ? `.${e.path}` : ''}`, message: e.message })) });
  }
  const expansion = expandRecurrence({
    rule: parsed.rule,
    startLocalDate: body.startDate,
    startMinutes: parseClockTime(body.startTime)!,
    durationMinutes: body.durationMinutes,
    zone: ctx.site.timezone,
    exdates: body.exdates ?? [],
    maxOccurrences: MAX_SESSIONS_PER_REQUEST,
    horizonEnd: now.getTime() + STAFF_HORIZON_DAYS * DAY_MS,
  });
  if (expansion.errors.length) {
    throw new AppError('INVALID_RECURRENCE', {
      detail: expansion.errors.map((e) => e.message).join(' '),
      errors: expansion.errors.map((e) => ({ path: `body.${e.path || 'rule'}`, message: e.message })),
    });
  }
  return [
    ...expansion.skipped.map((s) => ({ localDate: s.localDate, range: null, refusals: [], skipped: s.reason })),
    ...expansion.occurrences.map((o) => ({ localDate: o.localDate, range: o.range, refusals: [] })),
  ].sort((a, b) => a.localDate.localeCompare(b.localDate));
}

/** Each occurrence judged as a staff booking of `places`: policy, then the room's holding claims plus those accepted. */
async function judgeCandidates(tx: Transaction, ctx: SpaceContext, actor: Actor, candidates: Candidate[], places: number, now: Date): Promise<Candidate[]> {
  const ranges = candidates.flatMap((c) => (c.range ? [c.range] : []));
  if (!ranges.length) return candidates;
  const span = holdingWindow(ctx, { start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)) });
  const holding = await findHoldingClaims(tx, ctx.space.id, span);
  const accepted: { startAt: Date; endAt: Date; partySize: number }[] = [];
  return candidates.map((c) => {
    if (!c.range) return c;
    const policy = policyRefusals(ctx, { actor, range: c.range, partySize: places, now }, null);
    const taken = policy.length ? null : availabilityRefusal(ctx, c.range, places, [...holding, ...accepted]);
    const refusals = taken ? [taken] : policy;
    if (!refusals.length) accepted.push({ startAt: new Date(c.range.start), endAt: new Date(c.range.end), partySize: places });
    return { ...c, refusals };
  });
}

function toOccurrence(c: Candidate, sessionIdByStart: Map<number, string>): SeriesOccurrence {
  return {
    localDate: c.localDate,
    startAt: c.range ? new Date(c.range.start).toISOString() : null,
    endAt: c.range ? new Date(c.range.end).toISOString() : null,
    status: c.skipped ?? c.refusals[0]?.code ?? 'ok',
    bookingId: c.range ? (sessionIdByStart.get(c.range.start) ?? null) : null,
  };
}

/** As for a booking series: nothing bookable is refused, and 'fail' refuses any occurrence that does not fit. */
function refuseUnschedulable(body: CreateSessionsBody, candidates: Candidate[]) {
  // Only a date the caller excluded (EXDATE) is no conflict; a DST-gap date is one, as for a booking series.
  const conflicts = candidates.filter((c) => c.refusals.length || (c.skipped && c.skipped !== 'EXDATE'));
  if (!isRecurring(body)) {
    if (conflicts[0]?.refusals.length) throw refusalError(conflicts[0].refusals);
    return;
  }
  const details = () => ({ occurrences: candidates.map((c) => toOccurrence(c, new Map())) });
  if (!candidates.some((c) => c.range && !c.refusals.length)) throw new AppError('SERIES_BOOKS_NOTHING', { details: details() });
  if (conflicts.length && body.onConflict !== 'skip') throw new AppError('SERIES_CONFLICTS', { details: details() });
}

/**
 * Books the room of every accepted occurrence through linli_book_space (lock, catalogue version, judgement, insert
 * and event in one round trip) and writes the sessions, in the caller's transaction.
 */
async function bookSessions(tx: Transaction, ctx: SpaceContext, actor: Actor, activity: ActivityRow, accepted: InstantRange[], places: number, now: Date) {
  const catalogueVersion = await findCatalogueVersionIn(tx, actor.orgId);
  const rows = [];
  for (const range of accepted) {
    const booking = {
      ...newBookingRow(ctx, { range, bookerId: null, createdById: actor.userId, partySize: places, purpose: activity.title, status: 'confirmed', source: 'activity', now }),
      id: newId(),
    };
    const refusal = await bookSpace(tx, ctx, booking, catalogueVersion, { actorId: actor.userId, reason: 'activity session' });
    if (refusal) throw refusalError([refusal]);
    rows.push({
      orgId: actor.orgId,
      activityId: activity.id,
      siteId: ctx.site.id,
      spaceId: ctx.space.id,
      bookingId: booking.id,
      startAt: booking.startAt,
      endAt: booking.endAt,
      places,
      createdAt: now,
      updatedAt: now,
    });
  }
  const sessions = await insertSessions(tx, rows);
  if (activity.status === 'published') {
    for (const s of sessions) {
      await recordActivityChange(tx, { orgId: actor.orgId, activityId: activity.id, sessionId: s.id, actorId: actor.userId, kind: 'session_added', after: toSession(s), at: now });
    }
  }
  return sessions;
}

/**
 * POST /activities/:id/sessions: one session, or a recurrence of them, each holding its room and borrowing the
 * equipment asked for over its own time. A refusal of a single session for taken or full carries alternatives like a
 * booking's; a recurrence reports every occurrence. Equipment the pool cannot lend to any session refuses them all.
 */
export async function createSessions(deps: AppDeps, actor: Actor, activityId: string, body: CreateSessionsBody): Promise<SessionsResult> {
  const now = deps.now();
  const activity = await findVisibleActivity(deps.db, actor, activityId);
  assertSchedulable(activity);
  let ctx: SpaceContext | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction(async (tx) => {
        await lockForBooking(tx, [body.spaceId], null);
        ctx = await loadSpaceContext(tx, actor, body.spaceId);
        const places = body.places ?? activity.places;
        assertPlacesFit(ctx, places);
        const candidates = await judgeCandidates(tx, ctx, actor, requestedOccurrences(ctx, body, now), places, now);
        refuseUnschedulable(body, candidates);
        const accepted = candidates.filter((c) => c.range && !c.refusals.length).map((c) => c.range!);
        const sessions = await bookSessions(tx, ctx, actor, activity, accepted, places, now);
        const loans = [];
        for (const session of body.equipment?.length ? sessions : []) {
          const claim = { orgId: actor.orgId, siteId: session.siteId, use: rangeOf(session.startAt, session.endAt), actorId: actor.userId, now };
          loans.push(...(await claimEquipmentWithRoom(tx, { sessionId: session.id }, body.equipment!, claim)));
        }
        // The lending sites' staff are asked, once for the whole programme.
        await recordNotifications(tx, await loanRequestIntents(tx, loans, actor.userId), { now });
        const byStart = new Map(sessions.map((s) => [s.startAt.getTime(), s.bookingId]));
        return { sessions: sessions.map(toSession), occurrences: isRecurring(body) ? candidates.map((c) => toOccurrence(c, byStart)) : [] };
      });
    } catch (error) {
      if (error instanceof StaleCatalogue && attempt < STALE_RETRIES) continue;
      await recordEquipmentShortfall(deps.db, error);
      if (isRecurring(body)) throw error;
      throw await explainRefusal(deps, actor, ctx, oneSessionRange(body), body.places ?? activity.places, error);
    }
  }
}

const isTakenState = (error: unknown) => {
  const state = sqlStateOf(error);
  return state === SQLSTATE.exclusionViolation || state === SQLSTATE.deadlockDetected || state === SQLSTATE.serializationFailure;
};

/** A session refused as taken or full carries bookable alternatives, as a booking refusal does. */
async function explainRefusal(deps: AppDeps, actor: Actor, ctx: SpaceContext | undefined, range: InstantRange, places: number, error: unknown): Promise<unknown> {
  const code = error instanceof AppError ? error.code : isTakenState(error) ? 'SLOT_TAKEN' : null;
  if (!ctx || (code !== 'SLOT_TAKEN' && code !== 'CAPACITY_FULL')) return error;
  let alternatives: Awaited<ReturnType<typeof suggestAlternatives>> = [];
  try {
    alternatives = await suggestAlternatives(deps, actor, ctx, range, places);
  } catch {
    // Alternatives are a courtesy; failing to compute them must not hide the refusal itself.
  }
  const reasons = error instanceof AppError ? ((error.options.details?.reasons as Refusal[] | undefined) ?? [{ code }]) : [{ code }];
  return new AppError(code, { details: { reasons, alternatives } });
}

/** The session and its activity as this actor may act on them (another site's staff: 404). */
async function findVisibleSession(deps: AppDeps, actor: Actor, sessionId: string) {
  const session = await findSession(deps.db, actor.orgId, sessionId);
  if (!session) throw new AppError('NOT_FOUND', { detail: 'Session not found' });
  const activity = await findVisibleActivity(deps.db, actor, session.activityId).catch(() => {
    throw new AppError('NOT_FOUND', { detail: 'Session not found' });
  });
  return { session, activity };
}

/** The session locked and read again, at the version the caller read (If-Match), still scheduled. */
async function lockScheduledSession(tx: Transaction, sessionId: string, expectedVersion: number | undefined): Promise<ActivitySessionRow> {
  const row = (await lockSession(tx, sessionId))!;
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw new AppError('VERSION_MISMATCH', { details: { currentVersion: row.version } });
  if (row.status !== 'scheduled') throw new AppError('ACTIVITY_INVALID_TRANSITION', { detail: 'The session is cancelled.', details: { status: row.status } });
  return row;
}

const sessionFacts = (s: Pick<ActivitySessionRow, 'siteId' | 'spaceId' | 'startAt' | 'endAt'>) => ({
  siteId: s.siteId,
  spaceId: s.spaceId,
  startAt: toIso(s.startAt),
  endAt: toIso(s.endAt),
});

/**
 * PATCH /activity-sessions/:id: moves the session in time or to another room. Its booking moves through the claims
 * core (both spaces locked, judged as a staff booking ignoring itself, updated at its version with an event); the
 * registrations stay, its equipment loans not yet dispatched follow it, and the change is recorded with what it was before.
 */
export async function moveSession(deps: AppDeps, actor: Actor, sessionId: string, body: UpdateSessionBody, expectedVersion: number): Promise<ActivitySession> {
  const now = deps.now();
  const { session: seen, activity } = await findVisibleSession(deps, actor, sessionId);
  assertSchedulable(activity);
  const spaceId = body.spaceId ?? seen.spaceId;
  const range = rangeOf(body.startAt ?? seen.startAt, body.endAt ?? seen.endAt);
  let ctx: SpaceContext | undefined;
  try {
    return await deps.db.transaction(async (tx) => {
      await lockForBooking(tx, [seen.spaceId, spaceId], null);
      const session = await lockScheduledSession(tx, sessionId, expectedVersion);
      const booking = (await findBookingById(tx, session.bookingId))!;
      if (booking.startAt.getTime() <= now.getTime()) throw new AppError('ACTIVITY_INVALID_TRANSITION', { detail: 'A session that has started cannot be moved.' });
      ctx = await loadSpaceContext(tx, actor, spaceId);
      assertPlacesFit(ctx, session.places);
      const refusals = policyRefusals(ctx, { actor, range, partySize: session.places, now }, null);
      if (refusals.length) throw refusalError(refusals);
      const taken = await findAvailabilityRefusal(tx, ctx, range, session.places, booking.id);
      if (taken) throw refusalError([taken]);
      const moved = await updateBookingAtVersion(tx, booking, {
        spaceId: ctx.space.id,
        siteId: ctx.site.id,
        exclusive: ctx.space.bookingMode === 'exclusive',
        startAt: new Date(range.start),
        endAt: new Date(range.end),
        updatedAt: now,
      });
      if (!moved) throw new AppError('VERSION_MISMATCH');
      await recordBookingEvent(tx, moved, { actorId: actor.userId, from: booking.status, to: moved.status, reason: 'activity session moved', changes: changesBetween(booking, moved) });
      const updated = (await updateSessionAtVersion(tx, session, { spaceId: ctx.space.id, siteId: ctx.site.id, startAt: moved.startAt, endAt: moved.endAt, updatedAt: now }))!;
      if (updated.startAt.getTime() !== session.startAt.getTime() || updated.endAt.getTime() !== session.endAt.getTime() || updated.siteId !== session.siteId) {
        await followClaimMove(tx, { sessionId: session.id }, { orgId: session.orgId, fromSiteId: session.siteId, toSiteId: updated.siteId, use: range, actorId: actor.userId, now });
      }
      await recordActivityChange(tx, { orgId: actor.orgId, activityId: activity.id, sessionId: session.id, actorId: actor.userId, kind: 'session_moved', before: sessionFacts(session), after: sessionFacts(updated), at: now });
      if (updated.startAt.getTime() !== session.startAt.getTime() || updated.endAt.getTime() !== session.endAt.getTime() || updated.spaceId !== session.spaceId) {
        await tellRegistrantsOfMove(tx, { before: session, after: updated, place: noticePlaceOf(activity, ctx.site, ctx.space), now });
      }
      // The time the session leaves behind may be what someone on the room's waitlist is waiting for.
      await promoteWaitlist(tx, { spaceId: booking.spaceId, range: rangeOf(booking.startAt, booking.endAt), now });
      return toSession(updated);
    });
  } catch (error) {
    throw await explainRefusal(deps, actor, ctx, range, seen.places, error);
  }
}

/**
 * Cancels one scheduled session in the caller's transaction: its room is released (the booking is cancelled with
 * its event, which also offers the room to its waitlist), its registrations and waitlist are cancelled (each
 * registrant told, with `statedReason`, what staff said, if anything), equipment only promised to it goes back to
 * the pool, and the change is recorded. A booking already checked in or over is left as history, as are loans
 * already dispatched (their units must come back).
 */
export async function cancelSessionInTransaction(tx: Transaction, actor: Actor, session: ActivitySessionRow, reason: string, now: Date, statedReason: string | null = null): Promise<ActivitySessionRow> {
  await lockForBooking(tx, [session.spaceId], null);
  const locked = (await lockSession(tx, session.id))!;
  const booking = (await findBookingById(tx, locked.bookingId))!;
  if (booking.status === 'pending' || booking.status === 'confirmed') {
    await transitionBooking(tx, booking, actor.userId, { from: ['pending', 'confirmed'], to: 'cancelled', reason }, now);
  }
  const registrations = await cancelRegistrationsOfSession(tx, locked, { actorId: actor.userId, reason, now, statedReason });
  await cancelLoansOf(tx, { sessionId: locked.id }, { actorId: actor.userId, reason: 'session_cancelled', now });
  const updated = (await updateSessionAtVersion(tx, locked, { status: 'cancelled', updatedAt: now }))!;
  await recordActivityChange(tx, {
    orgId: locked.orgId,
    activityId: locked.activityId,
    sessionId: locked.id,
    actorId: actor.userId,
    kind: 'session_cancelled',
    before: { status: locked.status },
    after: { status: 'cancelled', reason, registrationsCancelled: registrations },
    at: now,
  });
  return updated;
}

/** POST /activity-sessions/:id/cancel. */
export async function cancelSession(deps: AppDeps, actor: Actor, sessionId: string, reason: string | undefined, expectedVersion?: number): Promise<ActivitySession> {
  const now = deps.now();
  const { session: seen, activity } = await findVisibleSession(deps, actor, sessionId);
  assertSchedulable(activity);
  return deps.db.transaction(async (tx) => {
    // Locks in one order everywhere (activity, room, session), so a cancel never waits in a circle with a move.
    await findActivity(tx, actor.orgId, activity.id, { forUpdate: true });
    await lockForBooking(tx, [seen.spaceId], null);
    const session = await lockScheduledSession(tx, sessionId, expectedVersion);
    return toSession(await cancelSessionInTransaction(tx, actor, session, reason ?? 'session cancelled', now, reason ?? null));
  });
}
