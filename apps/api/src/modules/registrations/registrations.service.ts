/**
 * Registrations for activity sessions: residents take places (or a place in line), cancel, accept offers, check in
 * and rate; organizers and site staff list, remove, mark attendance and record walk-ins. Every change to a session's
 * places runs under the session's lock (claims/registration-claims.ts), and a freed place goes to the line first
 * come, first served in the same transaction, so two releases never promote the same place twice.
 */
import type {
  Feedback,
  FeedbackBody,
  MyRegistrations,
  Registration,
  SessionFeedback,
  SessionRegistrations,
  SessionWaitlistEntry,
  WalkIn,
  WalkInBody,
} from '@linli/contracts';
import { type Database, SQLSTATE, type Transaction, sqlStateOf } from '@linli/db';
import {
  categoryLimitReached,
  isBeforeCancelCutoff,
  isCheckInOpen,
  isoWeekOf,
  mayGiveFeedback,
  offerExpiry,
  registrationRefusals,
} from '@linli/domain';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { toIso } from '../../lib/dates.ts';
import { type Actor, canSeeSite } from '../../plugins/access.ts';
import {
  type RegistrationRow,
  type SessionNoticePlace,
  type SessionRow,
  type SessionStanding,
  type WaitlistEntryRow,
  findActiveWaitlist,
  findHoldingRegistrationsOfSession,
  insertRegistration,
  judgePlaces,
  lockSession,
  noticePlaceOf,
  placesHeld,
  registrationFacts,
  registrationReminderKey,
  scheduleRegistrationReminder,
  sessionStanding,
  transitionRegistration,
} from '../claims/registration-claims.ts';
import { type NotificationIntent, cancelReminder, notify, recordNotifications } from '../outbox/outbox.ts';
import {
  type RegistrationWithSession,
  type SessionContext,
  countOpenRegistrationsInCategory,
  countWalkIns,
  expireWaitlistOfSession,
  findEndedSessionsWithOpenRegistrations,
  findEntryOfRegistration,
  findFeedbackOf,
  findLapsedOffers,
  findRegistration,
  findRegistrationById,
  findResidentProfile,
  findSessionContext,
  findSessionsWithLapsedOffers,
  insertFeedback,
  insertWaitlistEntry,
  insertWalkIn,
  listRegistrantsOfSession,
  listRegistrationsOf,
  listWaitingOfSession,
  listWaitlistEntriesOf,
  lockResident,
  summarizeSessionFeedback,
  updateWaitlistEntry,
} from './registrations.repository.ts';

export type RegisterOutcome = { registration: Registration } | { waitlisted: SessionWaitlistEntry };

function toRegistration(row: RegistrationWithSession): Registration {
  const { registration: r } = row;
  return {
    id: r.id,
    activityId: r.activityId,
    sessionId: r.sessionId,
    activityTitle: row.activityTitle,
    activityTitleEn: row.activityTitleEn,
    siteId: row.siteId,
    startAt: toIso(row.startAt),
    endAt: toIso(row.endAt),
    sessionStatus: row.sessionStatus,
    partySize: r.partySize,
    status: r.status as Registration['status'],
    offerExpiresAt: toIso(r.offerExpiresAt),
    checkInCode: r.checkInCode,
    checkedInAt: toIso(r.checkedInAt),
    feedbackGiven: row.feedbackGiven,
    createdAt: toIso(r.createdAt),
  };
}

function toWaitlistEntry(entry: WaitlistEntryRow, position: number | null): SessionWaitlistEntry {
  return {
    id: entry.id,
    sessionId: entry.sessionId,
    partySize: entry.partySize,
    status: entry.status as SessionWaitlistEntry['status'],
    position,
    registrationId: entry.registrationId,
    createdAt: toIso(entry.createdAt),
  };
}

function withSession(registration: RegistrationRow, ctx: SessionContext): RegistrationWithSession {
  const { session } = ctx;
  // Feedback comes after the session, once: a registration being registered, cancelled or checked in has none yet.
  return {
    registration,
    activityTitle: ctx.activity.title,
    activityTitleEn: ctx.activity.titleEn,
    siteId: session.siteId,
    startAt: session.startAt,
    endAt: session.endAt,
    sessionStatus: session.status,
    feedbackGiven: false,
  };
}

/** What and where the session is, for what its registrants are told (read with the context, no extra query). */
const placeOf = (ctx: Pick<SessionContext, 'activity' | 'site' | 'space'>): SessionNoticePlace => noticePlaceOf(ctx.activity, ctx.site, ctx.space);

/** Until when a resident may still cancel a confirmed place; null once that has passed. */
function cancelUntilOf(activity: Pick<SessionContext['activity'], 'cancelCutoffMinutes'>, session: Pick<SessionRow, 'startAt'>, now: Date): string | null {
  const until = session.startAt.getTime() - activity.cancelCutoffMinutes * 60_000;
  return until > now.getTime() ? new Date(until).toISOString() : null;
}

/** "You are registered" for a confirmed place, with its reminder scheduled; both in the caller's transaction. */
async function confirmationOf(tx: Transaction, ctx: SessionContext, registration: RegistrationRow, now: Date): Promise<NotificationIntent> {
  const place = placeOf(ctx);
  await scheduleRegistrationReminder(tx, { orgId: registration.orgId, registration, session: ctx.session, place, now });
  return notify.activityRegistered({
    orgId: registration.orgId,
    recipientId: registration.userId,
    facts: { ...registrationFacts(registration, ctx.session, place), partySize: registration.partySize, cancelUntil: cancelUntilOf(ctx.activity, ctx.session, now) },
  });
}

/** Staff of the session's site, the activity's organizer, and org admins act on a session; anyone else gets 404. */
function mayManageSession(actor: Actor, ctx: SessionContext): boolean {
  if (actor.role === 'resident') return false;
  return canSeeSite(actor, ctx.session.siteId) || ctx.activity.organizerUserId === actor.userId;
}

async function sessionToManage(db: Database | Transaction, actor: Actor, sessionId: string): Promise<SessionContext> {
  const ctx = await findSessionContext(db, actor.orgId, sessionId);
  if (!ctx || !mayManageSession(actor, ctx)) throw notFound('Session');
  return ctx;
}

/** A registration the actor may act on: a resident's own, or one in a session they manage. */
async function registrationFor(db: Database | Transaction, actor: Actor, registrationId: string) {
  const registration = await findRegistration(db, actor.orgId, registrationId);
  const ctx = registration && (await findSessionContext(db, actor.orgId, registration.sessionId));
  const allowed = ctx && (actor.role === 'resident' ? registration.userId === actor.userId : mayManageSession(actor, ctx));
  if (!registration || !ctx || !allowed) throw notFound('Registration');
  return { registration, ctx };
}

/** Under the session lock: the session as it is now, and the registration re-read so a race is decided on fresh rows. */
async function lockRegistration(tx: Transaction, registration: RegistrationRow) {
  const session = (await lockSession(tx, registration.sessionId))!;
  const current = (await findRegistrationById(tx, registration.id))!;
  return { session, current };
}

/**
 * Takes `partySize` places in the session, or a place in its line when it is full. Every rule is checked before
 * the lock (eligibility, window, party); under it, the session's state, a second registration, the weekly
 * category limit and the places left.
 */
export async function registerForSession(deps: AppDeps, actor: Actor, sessionId: string, partySize: number): Promise<RegisterOutcome> {
  const now = deps.now();
  try {
    // One connection per request from the start: under a flash crowd the pool, not the work, is the queue.
    return await deps.db.transaction(async (tx) => {
      const ctx = await findSessionContext(tx, actor.orgId, sessionId);
      if (!ctx) throw notFound('Session');
      refuseIneligible(ctx, await findResidentProfile(tx, actor.userId), partySize, now);
      // Only the weekly limit spans sessions; everything else is serialized by the session lock alone.
      if (ctx.activity.categoryWeeklyLimit !== null) await lockResident(tx, actor.userId);
      const session = (await lockSession(tx, sessionId))!;
      if (session.status === 'cancelled') throw new AppError('SESSION_CANCELLED');
      const standing = await sessionStanding(tx, sessionId, actor.userId);
      if (standing.userHolds || standing.userInLine) throw new AppError('ALREADY_REGISTERED');
      await checkCategoryLimit(tx, actor, ctx, session);
      return takePlaceOrQueue(tx, actor, { ...ctx, session }, partySize, standing, now);
    });
  } catch (error) {
    // The session lock makes the check above answer first; the partial unique indexes are the last line of defence.
    if (sqlStateOf(error) === SQLSTATE.uniqueViolation) throw new AppError('ALREADY_REGISTERED');
    throw error;
  }
}

/** Eligibility, window and party rules (pure, packages/domain), plus a party no session of this size could seat. */
function refuseIneligible(ctx: SessionContext, resident: Awaited<ReturnType<typeof findResidentProfile>>, partySize: number, now: Date): void {
  const { activity, session } = ctx;
  const refusals = registrationRefusals({
    now: now.getTime(),
    partySize,
    activity: {
      status: activity.status,
      audience: activity.audience,
      maxPartySize: activity.maxPartySize,
      registrationOpensAt: activity.registrationOpensAt?.getTime() ?? null,
      registrationClosesAt: activity.registrationClosesAt?.getTime() ?? null,
    },
    session: { status: session.status, start: session.startAt.getTime(), zone: ctx.site.timezone },
    resident,
  });
  if (refusals.length) throw new AppError(refusals[0]!.code, { details: { reasons: refusals } });
  if (partySize > session.places) throw new AppError('PARTY_TOO_LARGE', { details: { reasons: [{ code: 'PARTY_TOO_LARGE', params: { places: session.places } }] } });
}

async function checkCategoryLimit(tx: Transaction, actor: Actor, ctx: SessionContext, session: SessionRow): Promise<void> {
  const limit = ctx.activity.categoryWeeklyLimit;
  if (limit === null) return;
  const week = isoWeekOf(session.startAt.getTime(), ctx.site.timezone);
  const open = await countOpenRegistrationsInCategory(tx, actor.userId, actor.orgId, ctx.activity.category, week);
  if (categoryLimitReached(open, limit)) {
    throw new AppError('CATEGORY_LIMIT_REACHED', { details: { reasons: [{ code: 'CATEGORY_LIMIT_REACHED', params: { category: ctx.activity.category, limit } }] } });
  }
}

/**
 * A full session puts the resident in line. A party larger than the places left while some are left is refused
 * with how many remain, so the resident can come with fewer rather than wait behind nobody.
 */
async function takePlaceOrQueue(tx: Transaction, actor: Actor, ctx: SessionContext, partySize: number, standing: SessionStanding, now: Date): Promise<RegisterOutcome> {
  const { session } = ctx;
  const refusal = judgePlaces(session, partySize, standing.held);
  if (!refusal) {
    const row = await insertRegistration(tx, { session, userId: actor.userId, partySize, status: 'confirmed', source: 'resident', now }, { actorId: actor.userId, reason: 'registered' });
    await recordNotifications(tx, [await confirmationOf(tx, ctx, row, now)], { now });
    return { registration: toRegistration(withSession(row, ctx)) };
  }
  if (refusal.code === 'CAPACITY_FULL' && refusal.params.remaining > 0) throw new AppError('CAPACITY_FULL', { details: { reasons: [refusal] } });
  const entry = await insertWaitlistEntry(tx, { session, userId: actor.userId, partySize, now });
  // Everyone in line arrived before this entry (the lock is held), so its position needs no second read.
  const position = standing.inLine + 1;
  // A place in line has no registration yet: the entry's id stands in for it (its link opens the resident's list).
  const facts = { ...registrationFacts(entry, session, placeOf(ctx)), position };
  await recordNotifications(tx, [notify.activityWaitlisted({ orgId: session.orgId, recipientId: actor.userId, facts })], { now });
  return { waitlisted: toWaitlistEntry(entry, position) };
}

/**
 * Gives freed places to the line, first come first: each waiting party that fits is booked outright (auto_book) or
 * offered a hold until `offerExpiry` (offer); a party that does not fit lets a later, smaller one through. Nobody is
 * placed once the session has started. The caller holds the session lock, and records the returned messages (one
 * per promoted resident) with the rest of its change; a booked place's reminder is scheduled here.
 */
export async function promoteSessionWaitlist(tx: Transaction, ctx: SessionContext, now: Date): Promise<NotificationIntent[]> {
  const { session, activity } = ctx;
  if (session.status === 'cancelled' || now >= session.startAt) return [];
  let held = await placesHeld(tx, session.id);
  const promoted: NotificationIntent[] = [];
  const place = placeOf(ctx);
  for (const entry of await findActiveWaitlist(tx, session.id)) {
    if (entry.status !== 'waiting' || judgePlaces(session, entry.partySize, held)) continue;
    const autoBook = activity.waitlistMode === 'auto_book';
    const registration = await insertRegistration(
      tx,
      {
        session,
        userId: entry.userId,
        partySize: entry.partySize,
        status: autoBook ? 'confirmed' : 'pending',
        source: 'waitlist',
        offerExpiresAt: autoBook ? null : new Date(offerExpiry(now.getTime(), activity.offerHoldMinutes, session.startAt.getTime())),
        now,
      },
      { actorId: null, reason: autoBook ? 'promoted from the waitlist' : 'offered from the waitlist' },
    );
    await updateWaitlistEntry(tx, entry.id, { status: autoBook ? 'registered' : 'offered', registrationId: registration.id });
    held += entry.partySize;
    if (autoBook) await scheduleRegistrationReminder(tx, { orgId: session.orgId, registration, session, place, now });
    // An offer names its expiry (the link is where it is accepted); an automatic booking says nothing is left to do.
    const facts = { ...registrationFacts(registration, session, place), offerExpiresAt: registration.offerExpiresAt?.toISOString() ?? null };
    promoted.push(notify.activityPromoted({ orgId: session.orgId, recipientId: registration.userId, facts }));
  }
  return promoted;
}

/**
 * Releases a registration's places (cancel, removal) and passes them to the line, under the session lock. Its
 * reminder vanishes; those the freed places reach are told. There is no message kind for a place taken away by
 * staff, so the registrant hears nothing here (a cancelled session does tell them).
 */
async function releaseRegistration(deps: AppDeps, actor: Actor, registration: RegistrationRow, ctx: SessionContext, reason: string, guard?: (current: RegistrationRow, session: SessionRow) => void) {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const { session, current } = await lockRegistration(tx, registration);
    guard?.(current, session);
    const cancelled = await transitionRegistration(tx, current, actor.userId, { to: 'cancelled', reason, set: { updatedAt: now } });
    if (current.status === 'confirmed') await cancelReminder(tx, registrationReminderKey(current.id));
    const entry = await findEntryOfRegistration(tx, current.id);
    if (entry?.status === 'offered') await updateWaitlistEntry(tx, entry.id, { status: 'cancelled' });
    await recordNotifications(tx, await promoteSessionWaitlist(tx, { ...ctx, session }, now), { now });
    return toRegistration(withSession(cancelled, { ...ctx, session }));
  });
}

/** A resident cancels their own place until the cut-off (an offer may be declined any time); staff at any time. */
export async function cancelRegistration(deps: AppDeps, actor: Actor, registrationId: string, reason: string | undefined): Promise<Registration> {
  const { registration, ctx } = await registrationFor(deps.db, actor, registrationId);
  const byResident = actor.role === 'resident';
  return releaseRegistration(deps, actor, registration, ctx, reason ?? (byResident ? 'cancelled by the resident' : 'cancelled by staff'), (current, session) => {
    const cutoffPassed = !isBeforeCancelCutoff(deps.now().getTime(), session.startAt.getTime(), ctx.activity.cancelCutoffMinutes);
    if (byResident && current.status === 'confirmed' && cutoffPassed) throw new AppError('CANCEL_CUTOFF_PASSED');
  });
}

/** The organizer or site staff take someone off a session; their places go to the line. */
export async function removeRegistration(deps: AppDeps, actor: Actor, sessionId: string, registrationId: string, reason: string | undefined): Promise<Registration> {
  const ctx = await sessionToManage(deps.db, actor, sessionId);
  const registration = await findRegistration(deps.db, actor.orgId, registrationId);
  if (!registration || registration.sessionId !== sessionId) throw notFound('Registration');
  return releaseRegistration(deps, actor, registration, ctx, reason ?? 'removed by the organizer');
}

/** Accepting a held offer confirms it; after its expiry the place has gone back to the line. */
export async function acceptRegistrationOffer(deps: AppDeps, actor: Actor, registrationId: string): Promise<Registration> {
  const { registration, ctx } = await registrationFor(deps.db, actor, registrationId);
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const { session, current } = await lockRegistration(tx, registration);
    if (current.status !== 'pending') throw new AppError('INVALID_TRANSITION', { details: { from: current.status, to: 'confirmed' } });
    if (current.offerExpiresAt && now >= current.offerExpiresAt) throw new AppError('OFFER_EXPIRED');
    const accepted = await transitionRegistration(tx, current, actor.userId, { to: 'confirmed', reason: 'offer accepted', set: { offerExpiresAt: null, updatedAt: now } });
    const entry = await findEntryOfRegistration(tx, current.id);
    if (entry) await updateWaitlistEntry(tx, entry.id, { status: 'registered' });
    await recordNotifications(tx, [await confirmationOf(tx, { ...ctx, session }, accepted, now)], { now });
    return toRegistration(withSession(accepted, { ...ctx, session }));
  });
}

/**
 * Check-in from 30 minutes before the start until the end: staff mark anyone at a session they manage; a resident
 * checks themselves in with their code.
 */
export async function checkInRegistration(deps: AppDeps, actor: Actor, registrationId: string, code: string | undefined): Promise<Registration> {
  const { registration, ctx } = await registrationFor(deps.db, actor, registrationId);
  if (actor.role === 'resident' && (!code || code.toUpperCase() !== registration.checkInCode)) throw new AppError('INVALID_CHECK_IN_CODE');
  const now = deps.now();
  if (!isCheckInOpen(now.getTime(), { start: ctx.session.startAt.getTime(), end: ctx.session.endAt.getTime() })) throw new AppError('CHECK_IN_NOT_OPEN');
  return deps.db.transaction(async (tx) => {
    const { session, current } = await lockRegistration(tx, registration);
    const checkedIn = await transitionRegistration(tx, current, actor.userId, { to: 'checked_in', reason: actor.role === 'resident' ? 'checked in with code' : 'checked in by staff', set: { checkedInAt: now, updatedAt: now } });
    return toRegistration(withSession(checkedIn, { ...ctx, session }));
  });
}

export async function recordWalkIn(deps: AppDeps, actor: Actor, sessionId: string, body: WalkInBody): Promise<WalkIn> {
  const ctx = await sessionToManage(deps.db, actor, sessionId);
  if (ctx.session.status === 'cancelled') throw new AppError('SESSION_CANCELLED');
  const row = await insertWalkIn(deps.db, { session: ctx.session, people: body.people, note: body.note ?? null, recordedBy: actor.userId, now: deps.now() });
  return { id: row.id, sessionId: row.sessionId, people: row.people, note: row.note, at: toIso(row.at) };
}

/** One rating per attended registration, once the session has ended; the primary key refuses a second. */
export async function giveFeedback(deps: AppDeps, actor: Actor, registrationId: string, body: FeedbackBody): Promise<Feedback> {
  const { registration, ctx } = await registrationFor(deps.db, actor, registrationId);
  if (!mayGiveFeedback(registration.status, deps.now().getTime(), ctx.session.endAt.getTime())) throw new AppError('NOT_ATTENDED');
  if (await findFeedbackOf(deps.db, registration.id)) throw new AppError('FEEDBACK_ALREADY_GIVEN');
  try {
    const row = await insertFeedback(deps.db, { registration, rating: body.rating, comment: body.comment ?? null, now: deps.now() });
    return { registrationId: row.registrationId, sessionId: row.sessionId, rating: row.rating, comment: row.comment, createdAt: toIso(row.createdAt) };
  } catch (error) {
    if (sqlStateOf(error) === SQLSTATE.uniqueViolation) throw new AppError('FEEDBACK_ALREADY_GIVEN');
    throw error;
  }
}

/** How a session felt, without names: the mean rating, the response rate among those who attended, the comments. */
export async function getSessionFeedback(deps: AppDeps, actor: Actor, sessionId: string): Promise<SessionFeedback> {
  await sessionToManage(deps.db, actor, sessionId);
  const summary = await summarizeSessionFeedback(deps.db, sessionId);
  return {
    sessionId,
    count: summary.count,
    attended: summary.attended,
    average: summary.average === null ? null : Math.round(summary.average * 100) / 100,
    responseRate: summary.attended === 0 ? null : Math.round((summary.count / summary.attended) * 1000) / 1000,
    comments: summary.comments.map((c) => ({ rating: c.rating, comment: c.comment ?? '', createdAt: toIso(c.createdAt) })),
  };
}

export async function listSessionRegistrations(deps: AppDeps, actor: Actor, sessionId: string): Promise<SessionRegistrations> {
  const ctx = await sessionToManage(deps.db, actor, sessionId);
  const [registrants, waiting, held, walkIns] = await Promise.all([
    listRegistrantsOfSession(deps.db, sessionId),
    listWaitingOfSession(deps.db, sessionId),
    placesHeld(deps.db, sessionId),
    countWalkIns(deps.db, sessionId),
  ]);
  return {
    sessionId,
    places: ctx.session.places,
    placesHeld: held,
    walkIns,
    registrations: registrants.map(({ registration: r, displayName }) => ({
      id: r.id,
      userId: r.userId,
      displayName,
      partySize: r.partySize,
      status: r.status as Registration['status'],
      checkedInAt: toIso(r.checkedInAt),
      createdAt: toIso(r.createdAt),
    })),
    waitlist: waiting.map(({ entry, displayName }, index) => ({
      id: entry.id,
      userId: entry.userId,
      displayName,
      partySize: entry.partySize,
      status: entry.status as SessionWaitlistEntry['status'],
      position: index + 1,
    })),
  };
}

export async function listMyRegistrations(deps: AppDeps, actor: Actor): Promise<MyRegistrations> {
  const [registrations, waitlist] = await Promise.all([listRegistrationsOf(deps.db, actor.orgId, actor.userId), listWaitlistEntriesOf(deps.db, actor.orgId, actor.userId)]);
  return {
    registrations: registrations.map(toRegistration),
    waitlist: waitlist.map(({ entry, position }) => toWaitlistEntry(entry, position === null ? null : Number(position))),
  };
}

export interface RegistrationSweepResult {
  offersExpired: number;
  completed: number;
  noShows: number;
}

/**
 * Turns time into status: offers held past their expiry lapse (and the place goes to the next in line, who is told);
 * once a session has ended, checked-in registrations complete and are asked for feedback, confirmed ones become
 * no-shows (kept and counted), offers still held lapse and the line is closed. Each session is decided under its
 * lock, so overlapping sweeps change a registration once.
 */
export async function runRegistrationSweep(db: Database, now: Date): Promise<RegistrationSweepResult> {
  const result: RegistrationSweepResult = { offersExpired: 0, completed: 0, noShows: 0 };
  for (const sessionId of await findSessionsWithLapsedOffers(db, now)) {
    result.offersExpired += await expireLapsedOffers(db, sessionId, now);
  }
  for (const sessionId of await findEndedSessionsWithOpenRegistrations(db, now)) {
    const settled = await settleEndedSession(db, sessionId, now);
    result.completed += settled.completed;
    result.noShows += settled.noShows;
  }
  return result;
}

async function expireLapsedOffers(db: Database, sessionId: string, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const session = (await lockSession(tx, sessionId))!;
    const lapsed = await findLapsedOffers(tx, sessionId, now);
    for (const offer of lapsed) {
      await transitionRegistration(tx, offer, null, { to: 'expired', reason: 'offer not accepted in time', set: { updatedAt: now } });
      const entry = await findEntryOfRegistration(tx, offer.id);
      if (entry) await updateWaitlistEntry(tx, entry.id, { status: 'expired' });
    }
    const ctx = await findSessionContext(tx, session.orgId, sessionId);
    if (ctx) await recordNotifications(tx, await promoteSessionWaitlist(tx, { ...ctx, session }, now), { now });
    return lapsed.length;
  });
}

async function settleEndedSession(db: Database, sessionId: string, now: Date): Promise<{ completed: number; noShows: number }> {
  return db.transaction(async (tx) => {
    const session = (await lockSession(tx, sessionId))!;
    const attended: RegistrationRow[] = [];
    let noShows = 0;
    for (const registration of await findHoldingRegistrationsOfSession(tx, sessionId)) {
      const to = registration.status === 'checked_in' ? 'completed' : registration.status === 'confirmed' ? 'no_show' : 'expired';
      await transitionRegistration(tx, registration, null, { to, reason: 'session ended', set: { updatedAt: now } });
      if (to === 'completed') attended.push(registration);
      if (to === 'no_show') noShows += 1;
    }
    await expireWaitlistOfSession(tx, sessionId);
    const ctx = attended.length ? await findSessionContext(tx, session.orgId, sessionId) : undefined;
    if (ctx) {
      const place = placeOf(ctx);
      const asked = attended.map((r) => notify.activityFeedbackRequest({ orgId: session.orgId, recipientId: r.userId, facts: registrationFacts(r, session, place) }));
      await recordNotifications(tx, asked, { now });
    }
    return { completed: attended.length, noShows };
  });
}
