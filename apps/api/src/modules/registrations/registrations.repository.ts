/**
 * Reads and writes for registrations, the session waitlist, attendance and feedback. The claims core
 * (claims/registration-claims.ts) owns the lock, the places count and every status change; this file holds the rest.
 */
import { type Database, type Transaction, newId, schema } from '@linli/db';
import { HOLDING_STATUSES, type InstantRange } from '@linli/domain';
import { and, asc, avg, count, desc, eq, gte, inArray, isNotNull, lt, lte, sql } from 'drizzle-orm';
import { ACTIVE_WAITLIST_STATUSES, type RegistrationRow, type SessionRow, type WaitlistEntryRow } from '../claims/registration-claims.ts';

const { activities, activitySessions, activityRegistrations, activityWaitlistEntries, activityFeedback, activityWalkIns, sites, spaces, users } = schema;
type Db = Database | Transaction;

export type ActivityRow = typeof activities.$inferSelect;

export interface SessionContext {
  session: SessionRow;
  activity: ActivityRow;
  site: { id: string; timezone: string; district: string; name: string; address: string | null };
  space: { name: string };
}

/** A session of the organization with its activity, site and room (named, for what registrants are told), or undefined. */
export async function findSessionContext(db: Db, orgId: string, sessionId: string): Promise<SessionContext | undefined> {
  const [row] = await db
    .select({
      session: activitySessions,
      activity: activities,
      site: { id: sites.id, timezone: sites.timezone, district: sites.district, name: sites.name, address: sites.address },
      space: { name: spaces.name },
    })
    .from(activitySessions)
    .innerJoin(activities, eq(activities.id, activitySessions.activityId))
    .innerJoin(sites, eq(sites.id, activitySessions.siteId))
    .innerJoin(spaces, eq(spaces.id, activitySessions.spaceId))
    .where(and(eq(activitySessions.id, sessionId), eq(activitySessions.orgId, orgId)));
  return row;
}

/** What audience rules need to know about a resident: their home site and its district, their birth year. */
export async function findResidentProfile(db: Db, userId: string) {
  const [row] = await db
    .select({ homeSiteId: users.homeSiteId, homeDistrict: sites.district, birthYear: users.birthYear })
    .from(users)
    .leftJoin(sites, eq(sites.id, users.homeSiteId))
    .where(eq(users.id, userId));
  return row ?? { homeSiteId: null, homeDistrict: null, birthYear: null };
}

/** Serializes one resident's registrations, so the duplicate and weekly-limit checks see each other. */
export async function lockResident(tx: Transaction, userId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`registrant:${userId}`}, 0))`);
}


/** Holding registrations of a resident in a category whose session starts within `week`. */
export async function countOpenRegistrationsInCategory(db: Db, userId: string, orgId: string, category: string, week: InstantRange): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(activityRegistrations)
    .innerJoin(activitySessions, eq(activitySessions.id, activityRegistrations.sessionId))
    .innerJoin(activities, eq(activities.id, activityRegistrations.activityId))
    .where(
      and(
        eq(activityRegistrations.userId, userId),
        eq(activities.orgId, orgId),
        eq(activities.category, category),
        inArray(activityRegistrations.status, [...HOLDING_STATUSES]),
        gte(activitySessions.startAt, new Date(week.start)),
        lt(activitySessions.startAt, new Date(week.end)),
      ),
    );
  return Number(row?.n ?? 0);
}

/** Puts a resident in line; `arrival` is drawn here, under the session lock, so it is the order of the lock. */
export async function insertWaitlistEntry(tx: Transaction, entry: { session: SessionRow; userId: string; partySize: number; now: Date }): Promise<WaitlistEntryRow> {
  const [row] = await tx
    .insert(activityWaitlistEntries)
    .values({ id: newId(), orgId: entry.session.orgId, sessionId: entry.session.id, userId: entry.userId, partySize: entry.partySize, createdAt: entry.now })
    .returning();
  return row!;
}

export async function updateWaitlistEntry(tx: Transaction, entryId: string, change: { status: string; registrationId?: string }): Promise<void> {
  await tx.update(activityWaitlistEntries).set(change).where(eq(activityWaitlistEntries.id, entryId));
}

/** The waitlist entry whose offer (or booking) is this registration, if any. */
export async function findEntryOfRegistration(db: Db, registrationId: string): Promise<WaitlistEntryRow | undefined> {
  const [row] = await db.select().from(activityWaitlistEntries).where(eq(activityWaitlistEntries.registrationId, registrationId));
  return row;
}

export async function findRegistration(db: Db, orgId: string, registrationId: string): Promise<RegistrationRow | undefined> {
  const [row] = await db
    .select()
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.id, registrationId), eq(activityRegistrations.orgId, orgId)));
  return row;
}

/** The registration read again under its session's lock, before a change is decided on it. */
export async function findRegistrationById(db: Db, registrationId: string): Promise<RegistrationRow | undefined> {
  const [row] = await db.select().from(activityRegistrations).where(eq(activityRegistrations.id, registrationId));
  return row;
}

const registrationWithSession = {
  registration: activityRegistrations,
  activityTitle: activities.title,
  activityTitleEn: activities.titleEn,
  siteId: activitySessions.siteId,
  startAt: activitySessions.startAt,
  endAt: activitySessions.endAt,
  sessionStatus: activitySessions.status,
  feedbackGiven: sql<boolean>`EXISTS (SELECT 1 FROM activity_feedback f WHERE f.registration_id = activity_registrations.id)`,
};
export type RegistrationWithSession = {
  registration: RegistrationRow;
  activityTitle: string;
  activityTitleEn: string | null;
  siteId: string;
  startAt: Date;
  endAt: Date;
  sessionStatus: string;
  feedbackGiven: boolean;
};

/** A resident's registrations, newest session first, with the session each is for. */
export async function listRegistrationsOf(db: Db, orgId: string, userId: string, ids?: string[]): Promise<RegistrationWithSession[]> {
  return db
    .select(registrationWithSession)
    .from(activityRegistrations)
    .innerJoin(activitySessions, eq(activitySessions.id, activityRegistrations.sessionId))
    .innerJoin(activities, eq(activities.id, activityRegistrations.activityId))
    .where(and(eq(activityRegistrations.orgId, orgId), eq(activityRegistrations.userId, userId), ids ? inArray(activityRegistrations.id, ids) : undefined))
    .orderBy(desc(activitySessions.startAt), desc(activityRegistrations.createdAt))
    .limit(500);
}

// Qualified by hand: drizzle may print the outer columns unqualified, which the subquery would read as its own.
const activePosition = sql<number | null>`CASE WHEN activity_waitlist_entries.status IN ('waiting', 'offered') THEN (
  SELECT count(*)::int FROM activity_waitlist_entries w
  WHERE w.session_id = activity_waitlist_entries.session_id AND w.status IN ('waiting', 'offered') AND w.arrival <= activity_waitlist_entries.arrival
) END`;

/** A resident's waitlist entries with their place in line (null once out of it), newest first. */
export async function listWaitlistEntriesOf(db: Db, orgId: string, userId: string) {
  return db
    .select({ entry: activityWaitlistEntries, position: activePosition })
    .from(activityWaitlistEntries)
    .where(and(eq(activityWaitlistEntries.orgId, orgId), eq(activityWaitlistEntries.userId, userId)))
    .orderBy(desc(activityWaitlistEntries.arrival))
    .limit(500);
}

/** Everyone registered for a session (any status), with names, in registration order. */
export async function listRegistrantsOfSession(db: Db, sessionId: string) {
  return db
    .select({ registration: activityRegistrations, displayName: users.displayName })
    .from(activityRegistrations)
    .innerJoin(users, eq(users.id, activityRegistrations.userId))
    .where(eq(activityRegistrations.sessionId, sessionId))
    .orderBy(asc(activityRegistrations.createdAt), asc(activityRegistrations.id));
}

/** The session's line, first come first, with names. */
export async function listWaitingOfSession(db: Db, sessionId: string) {
  return db
    .select({ entry: activityWaitlistEntries, displayName: users.displayName })
    .from(activityWaitlistEntries)
    .innerJoin(users, eq(users.id, activityWaitlistEntries.userId))
    .where(and(eq(activityWaitlistEntries.sessionId, sessionId), inArray(activityWaitlistEntries.status, [...ACTIVE_WAITLIST_STATUSES])))
    .orderBy(asc(activityWaitlistEntries.arrival));
}

export async function insertWalkIn(db: Db, walkIn: { session: SessionRow; people: number; note: string | null; recordedBy: string; now: Date }) {
  const [row] = await db
    .insert(activityWalkIns)
    .values({ id: newId(), orgId: walkIn.session.orgId, sessionId: walkIn.session.id, people: walkIn.people, note: walkIn.note, recordedBy: walkIn.recordedBy, at: walkIn.now })
    .returning();
  return row!;
}

export async function countWalkIns(db: Db, sessionId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`coalesce(sum(${activityWalkIns.people}), 0)::int` }).from(activityWalkIns).where(eq(activityWalkIns.sessionId, sessionId));
  return Number(row?.n ?? 0);
}

export async function findFeedbackOf(db: Db, registrationId: string) {
  const [row] = await db.select().from(activityFeedback).where(eq(activityFeedback.registrationId, registrationId));
  return row;
}

export async function insertFeedback(db: Db, feedback: { registration: RegistrationRow; rating: number; comment: string | null; now: Date }) {
  const { registration } = feedback;
  const [row] = await db
    .insert(activityFeedback)
    .values({
      registrationId: registration.id,
      orgId: registration.orgId,
      sessionId: registration.sessionId,
      activityId: registration.activityId,
      userId: registration.userId,
      rating: feedback.rating,
      comment: feedback.comment,
      createdAt: feedback.now,
    })
    .returning();
  return row!;
}

/** Ratings of a session (count and mean), the registrations that attended, and the comments without names. */
export async function summarizeSessionFeedback(db: Db, sessionId: string) {
  const [ratings] = await db
    .select({ count: count(), average: avg(activityFeedback.rating) })
    .from(activityFeedback)
    .where(eq(activityFeedback.sessionId, sessionId));
  const [attended] = await db
    .select({ n: count() })
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.sessionId, sessionId), inArray(activityRegistrations.status, ['checked_in', 'completed'])));
  const comments = await db
    .select({ rating: activityFeedback.rating, comment: activityFeedback.comment, createdAt: activityFeedback.createdAt })
    .from(activityFeedback)
    .where(and(eq(activityFeedback.sessionId, sessionId), isNotNull(activityFeedback.comment)))
    .orderBy(desc(activityFeedback.createdAt))
    .limit(500);
  return {
    count: Number(ratings?.count ?? 0),
    average: ratings?.average === null || ratings?.average === undefined ? null : Number(ratings.average),
    attended: Number(attended?.n ?? 0),
    comments,
  };
}

/** Sessions with a waitlist offer held past its expiry. */
export async function findSessionsWithLapsedOffers(db: Db, now: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ sessionId: activityRegistrations.sessionId })
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.status, 'pending'), lte(activityRegistrations.offerExpiresAt, now)))
    .limit(500);
  return rows.map((r) => r.sessionId);
}

export async function findLapsedOffers(db: Db, sessionId: string, now: Date): Promise<RegistrationRow[]> {
  return db
    .select()
    .from(activityRegistrations)
    .where(and(eq(activityRegistrations.sessionId, sessionId), eq(activityRegistrations.status, 'pending'), lte(activityRegistrations.offerExpiresAt, now)));
}

/** Sessions that have ended and still have registrations holding a place, or people in line. */
export async function findEndedSessionsWithOpenRegistrations(db: Db, now: Date): Promise<string[]> {
  const holding = await db
    .selectDistinct({ sessionId: activityRegistrations.sessionId })
    .from(activityRegistrations)
    .innerJoin(activitySessions, eq(activitySessions.id, activityRegistrations.sessionId))
    .where(and(inArray(activityRegistrations.status, [...HOLDING_STATUSES]), lte(activitySessions.endAt, now)))
    .limit(500);
  const inLine = await db
    .selectDistinct({ sessionId: activityWaitlistEntries.sessionId })
    .from(activityWaitlistEntries)
    .innerJoin(activitySessions, eq(activitySessions.id, activityWaitlistEntries.sessionId))
    .where(and(inArray(activityWaitlistEntries.status, [...ACTIVE_WAITLIST_STATUSES]), lte(activitySessions.endAt, now)))
    .limit(500);
  return [...new Set([...holding, ...inLine].map((r) => r.sessionId))];
}

/** Waitlist entries of a session still in line once it has started: nobody can be placed any more. */
export async function expireWaitlistOfSession(tx: Transaction, sessionId: string): Promise<void> {
  await tx
    .update(activityWaitlistEntries)
    .set({ status: 'expired' })
    .where(and(eq(activityWaitlistEntries.sessionId, sessionId), inArray(activityWaitlistEntries.status, [...ACTIVE_WAITLIST_STATUSES])));
}
