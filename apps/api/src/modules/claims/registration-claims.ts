/**
 * The claims core for an activity session's places: a registration is a claim of `party_size` places over the
 * session's `[start, end)`. The session row is the resource: it is locked before the holding registrations are
 * counted, `judgeClaim` (counted, capacity = the session's places) decides, and the registration is written with its
 * event in the same transaction, so the database never holds more than the session's places.
 */
import { type Database, type Transaction, newId, queryPrepared, schema } from '@linli/db';
import { type ClaimRefusal, HOLDING_STATUSES, type RegistrationFacts, canTransition, judgeClaim } from '@linli/domain';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { AppError } from '../../lib/app-error.ts';
import { cancelReminder, notify, recordNotifications, scheduleReminder } from '../outbox/outbox.ts';
import { newCheckInCode } from './space-claims.ts';

const { activities, activitySessions, activityRegistrations, activityWaitlistEntries, registrationEvents, sites, spaces } = schema;
type Db = Database | Transaction;

export type SessionRow = typeof activitySessions.$inferSelect;
export type RegistrationRow = typeof activityRegistrations.$inferSelect;
export type WaitlistEntryRow = typeof activityWaitlistEntries.$inferSelect;

/** Waitlist entries still in line: waiting for a place, or holding an offer. */
export const ACTIVE_WAITLIST_STATUSES = ['waiting', 'offered'] as const;
// Constant lists spelled into the statement text, so it can be prepared once (values would vary nothing here).
const HOLDING_SQL = sql.raw(`(${HOLDING_STATUSES.map((s) => `'${s}'`).join(', ')})`);
const ACTIVE_WAITLIST_SQL = sql.raw(`(${ACTIVE_WAITLIST_STATUSES.map((s) => `'${s}'`).join(', ')})`);

/**
 * Locks the session row for the rest of the transaction and returns it as it is now. Every change to the session's
 * places (register, cancel, promote, remove, expire) takes this lock first, so they happen one at a time.
 */
export async function lockSession(tx: Transaction, sessionId: string): Promise<SessionRow | undefined> {
  const [row] = await tx.select().from(activitySessions).where(eq(activitySessions.id, sessionId)).for('update');
  return row;
}

/** Places held in the session: the party sizes of its holding registrations (a held offer counts). */
export async function placesHeld(db: Db, sessionId: string): Promise<number> {
  const [row] = await db
    .select({ held: sql<number>`coalesce(sum(${activityRegistrations.partySize}), 0)::int` })
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.sessionId, sessionId), inArray(activityRegistrations.status, [...HOLDING_STATUSES])));
  return Number(row?.held ?? 0);
}

export interface SessionStanding {
  /** Places held (party sizes of holding registrations). */
  held: number;
  /** Waitlist entries still in line. */
  inLine: number;
  /** This resident already holds a place, or a place in line. */
  userHolds: boolean;
  userInLine: boolean;
}

/**
 * Everything a registration decides on, read in one round trip right after the session lock (the lock serializes
 * the crowd, so each statement inside it costs every request behind it). The places count is `placesHeld`'s.
 */
export async function sessionStanding(tx: Transaction, sessionId: string, userId: string): Promise<SessionStanding> {
  const [row] = await queryPrepared<{ held: number; in_line: number; user_holds: boolean; user_in_line: boolean }>(
    tx,
    sql`SELECT
      (SELECT coalesce(sum(party_size), 0)::int FROM activity_registrations WHERE session_id = ${sessionId} AND status IN ${HOLDING_SQL}) AS held,
      (SELECT count(*)::int FROM activity_waitlist_entries WHERE session_id = ${sessionId} AND status IN ${ACTIVE_WAITLIST_SQL}) AS in_line,
      EXISTS (SELECT 1 FROM activity_registrations WHERE session_id = ${sessionId} AND user_id = ${userId} AND status IN ${HOLDING_SQL}) AS user_holds,
      EXISTS (SELECT 1 FROM activity_waitlist_entries WHERE session_id = ${sessionId} AND user_id = ${userId} AND status IN ${ACTIVE_WAITLIST_SQL}) AS user_in_line`,
  );
  return { held: Number(row!.held), inLine: Number(row!.in_line), userHolds: row!.user_holds, userInLine: row!.user_in_line };
}

/**
 * Whether `partySize` more places fit in the session beside `held`: the one judgement rooms and seats use, with the
 * session as a counted resource. Every registration spans the whole session, so `held` is the busiest instant.
 */
export function judgePlaces(session: Pick<SessionRow, 'places' | 'startAt' | 'endAt'>, partySize: number, held: number): ClaimRefusal | null {
  const range = { start: session.startAt.getTime(), end: session.endAt.getTime() };
  return judgeClaim({ mode: 'counted', capacity: session.places }, range, partySize, held > 0 ? [{ range, quantity: held }] : []);
}

export interface NewRegistration {
  session: Pick<SessionRow, 'id' | 'orgId' | 'activityId'>;
  userId: string;
  partySize: number;
  status: 'pending' | 'confirmed';
  source: string;
  offerExpiresAt?: Date | null;
  now: Date;
}

/** Writes a registration and its first event in the caller's transaction (which holds the session lock). */
export async function insertRegistration(tx: Transaction, registration: NewRegistration, event: { actorId: string | null; reason: string }): Promise<RegistrationRow> {
  const [row] = await tx
    .insert(activityRegistrations)
    .values({
      id: newId(),
      orgId: registration.session.orgId,
      sessionId: registration.session.id,
      activityId: registration.session.activityId,
      userId: registration.userId,
      partySize: registration.partySize,
      status: registration.status,
      source: registration.source,
      offerExpiresAt: registration.offerExpiresAt ?? null,
      checkInCode: newCheckInCode(),
      createdAt: registration.now,
      updatedAt: registration.now,
    })
    .returning();
  await recordRegistrationEvent(tx, row!, { actorId: event.actorId, from: null, to: row!.status, reason: event.reason });
  return row!;
}

async function recordRegistrationEvent(tx: Transaction, registration: { id: string; orgId: string }, change: { actorId: string | null; from: string | null; to: string; reason: string | null }) {
  await tx.insert(registrationEvents).values({
    id: newId(),
    orgId: registration.orgId,
    registrationId: registration.id,
    actorId: change.actorId,
    fromStatus: change.from,
    toStatus: change.to,
    reason: change.reason,
  });
}

/**
 * Moves a registration to `to` at the version it was read at, with its event. Refuses a change the claim statuses do
 * not allow (INVALID_TRANSITION) and one that lost a race with another change (VERSION_MISMATCH).
 */
export async function transitionRegistration(
  tx: Transaction,
  row: RegistrationRow,
  actorId: string | null,
  change: { to: string; reason: string; set?: Partial<Pick<RegistrationRow, 'offerExpiresAt' | 'checkedInAt' | 'updatedAt'>> },
): Promise<RegistrationRow> {
  if (!canTransition(row.status, change.to)) throw new AppError('INVALID_TRANSITION', { details: { from: row.status, to: change.to } });
  const [updated] = await tx
    .update(activityRegistrations)
    .set({ ...change.set, status: change.to, version: row.version + 1 })
    .where(and(eq(activityRegistrations.id, row.id), eq(activityRegistrations.version, row.version)))
    .returning();
  if (!updated) throw new AppError('VERSION_MISMATCH');
  await recordRegistrationEvent(tx, updated, { actorId, from: row.status, to: change.to, reason: change.reason });
  return updated;
}

/**
 * Cancels what a session still promises (its session is cancelled or leaves service): pending and confirmed
 * registrations, each with its event, and the waitlist still in line. Checked-in people came; their claim is left to
 * complete. Every registrant whose place this ended is told, in one batch, with the reason staff gave
 * (`statedReason`, null when none), and their reminders vanish. Returns how many registrations were cancelled. The
 * caller should hold the session lock.
 */
export async function cancelRegistrationsOfSession(
  tx: Transaction,
  session: Pick<SessionRow, 'id' | 'orgId' | 'startAt' | 'endAt'>,
  change: { actorId: string | null; reason: string; now: Date; statedReason?: string | null },
): Promise<number> {
  const doomed = await tx
    .select({ id: activityRegistrations.id, status: activityRegistrations.status, userId: activityRegistrations.userId })
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.sessionId, session.id), inArray(activityRegistrations.status, ['pending', 'confirmed'])))
    .for('update');
  await tx
    .update(activityWaitlistEntries)
    .set({ status: 'cancelled' })
    .where(and(eq(activityWaitlistEntries.sessionId, session.id), inArray(activityWaitlistEntries.status, [...ACTIVE_WAITLIST_STATUSES])));
  if (doomed.length === 0) return 0;
  await tx
    .update(activityRegistrations)
    .set({ status: 'cancelled', version: sql`${activityRegistrations.version} + 1`, updatedAt: change.now })
    .where(inArray(activityRegistrations.id, doomed.map((r) => r.id)));
  await tx.insert(registrationEvents).values(
    doomed.map((r) => ({ id: newId(), orgId: session.orgId, registrationId: r.id, actorId: change.actorId, fromStatus: r.status, toStatus: 'cancelled', reason: change.reason })),
  );
  const place = (await findSessionNoticePlace(tx, session.id))!;
  const reason = change.statedReason ?? null;
  await recordNotifications(
    tx,
    doomed.map((r) => notify.activitySessionCancelled({ orgId: session.orgId, recipientId: r.userId, facts: { ...registrationFacts(r, session, place), reason } })),
    { now: change.now },
  );
  // Only a confirmed registration was ever reminded of (an offer gets its reminder once accepted).
  for (const r of doomed) if (r.status === 'confirmed') await cancelReminder(tx, registrationReminderKey(r.id));
  return doomed.length;
}

/** A session's registrations holding places (pending offers, confirmed, checked in), first registered first. */
export async function findHoldingRegistrationsOfSession(db: Db, sessionId: string): Promise<RegistrationRow[]> {
  return db
    .select()
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.sessionId, sessionId), inArray(activityRegistrations.status, [...HOLDING_STATUSES])))
    .orderBy(asc(activityRegistrations.createdAt));
}

// ---- what registrants are told --------------------------------------------------------------------------------

/** What and where a session is, as its registrants' messages say it (the site's name, address and zone). */
export interface SessionNoticePlace {
  activityTitle: string;
  siteName: string;
  siteAddress: string | null;
  siteZone: string;
  spaceName: string;
}

export const noticePlaceOf = (
  activity: { title: string },
  site: { name: string; address: string | null; timezone: string },
  space: { name: string },
): SessionNoticePlace => ({ activityTitle: activity.title, siteName: site.name, siteAddress: site.address, siteZone: site.timezone, spaceName: space.name });

export async function findSessionNoticePlace(db: Db, sessionId: string): Promise<SessionNoticePlace | undefined> {
  const [row] = await db
    .select({ activityTitle: activities.title, siteName: sites.name, siteAddress: sites.address, siteZone: sites.timezone, spaceName: spaces.name })
    .from(activitySessions)
    .innerJoin(activities, eq(activities.id, activitySessions.activityId))
    .innerJoin(sites, eq(sites.id, activitySessions.siteId))
    .innerJoin(spaces, eq(spaces.id, activitySessions.spaceId))
    .where(eq(activitySessions.id, sessionId));
  return row;
}

/** The facts every registration message carries; `registration` is a waitlist entry for a place in line. */
export function registrationFacts(registration: { id: string }, session: Pick<SessionRow, 'id' | 'startAt' | 'endAt'>, place: SessionNoticePlace): RegistrationFacts {
  return {
    registrationId: registration.id,
    sessionId: session.id,
    activityTitle: place.activityTitle,
    siteName: place.siteName,
    siteAddress: place.siteAddress,
    siteZone: place.siteZone,
    spaceName: place.spaceName,
    startAt: session.startAt.toISOString(),
    endAt: session.endAt.toISOString(),
  };
}

const HOUR_MS = 3_600_000;
/** Registrants are reminded the day before; someone registering later, two hours before; later still, not at all. */
const REMINDER_LEADS_MS = [24 * HOUR_MS, 2 * HOUR_MS];

export function registrationReminderAt(sessionStart: Date, now: Date): Date | null {
  const lead = REMINDER_LEADS_MS.find((ms) => sessionStart.getTime() - ms > now.getTime());
  return lead === undefined ? null : new Date(sessionStart.getTime() - lead);
}

/** The reminder job of a registration: one per registration, so a moved session moves it and a cancel removes it. */
export const registrationReminderKey = (registrationId: string) => `registration:${registrationId}:reminder`;

/**
 * Schedules a confirmed registration's reminder for its session's time, or moves it there (the same key); a session
 * now too close for one loses the reminder it had.
 */
export async function scheduleRegistrationReminder(
  tx: Transaction,
  reminder: { orgId: string; registration: { id: string; userId: string }; session: Pick<SessionRow, 'id' | 'startAt' | 'endAt'>; place: SessionNoticePlace; now: Date },
): Promise<void> {
  const { registration, session, now } = reminder;
  const key = registrationReminderKey(registration.id);
  const at = registrationReminderAt(session.startAt, now);
  if (!at) return cancelReminder(tx, key);
  const intent = notify.activityReminder({ orgId: reminder.orgId, recipientId: registration.userId, facts: registrationFacts(registration, session, reminder.place) });
  await scheduleReminder(tx, { key, at, intent }, { now });
}

/**
 * A session moved in time or to another room: everyone holding a place is told, in one batch, with the time it had
 * before, and confirmed registrants' reminders follow it. Each move is its own event (keyed by the session's version),
 * so a session moved away and back again is told both times.
 */
export async function tellRegistrantsOfMove(
  tx: Transaction,
  move: { before: Pick<SessionRow, 'startAt' | 'endAt'>; after: Pick<SessionRow, 'id' | 'orgId' | 'startAt' | 'endAt' | 'version'>; place: SessionNoticePlace; now: Date },
): Promise<void> {
  const { before, after, place, now } = move;
  const holding = await findHoldingRegistrationsOfSession(tx, after.id);
  await recordNotifications(
    tx,
    holding.map((r) =>
      notify.activitySessionChanged({
        orgId: after.orgId,
        recipientId: r.userId,
        facts: { ...registrationFacts(r, after, place), previousStartAt: before.startAt.toISOString(), previousEndAt: before.endAt.toISOString() },
        eventKey: `activity.session_changed:${r.id}:${after.version}`,
      }),
    ),
    { now },
  );
  for (const r of holding) {
    if (r.status === 'confirmed') await scheduleRegistrationReminder(tx, { orgId: after.orgId, registration: r, session: after, place, now });
  }
}

/** The session's waitlist still in line, first come first. */
export async function findActiveWaitlist(db: Db, sessionId: string): Promise<WaitlistEntryRow[]> {
  return db
    .select()
    .from(activityWaitlistEntries)
    .where(and(eq(activityWaitlistEntries.sessionId, sessionId), inArray(activityWaitlistEntries.status, [...ACTIVE_WAITLIST_STATUSES])))
    .orderBy(asc(activityWaitlistEntries.arrival));
}
