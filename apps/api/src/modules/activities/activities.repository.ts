/**
 * The queries of activities and their sessions: categories, partners, activities, sessions, the change log kept for
 * registrants, and the public programme. The services decide; this file reads and writes.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import { HOLDING_STATUSES } from '@linli/domain';
import { notFound } from '../../lib/app-error.ts';
import { type SQL, and, asc, eq, exists, gt, gte, inArray, lt, or, sql } from 'drizzle-orm';

const { activityCategories, partnerOrganizations, activities, activitySessions, activityRegistrations, activityChanges, catalogueVersions, sites, spaces, users } = schema;
type Db = Database | Transaction;

export type ActivityRow = typeof activities.$inferSelect;
export type ActivitySessionRow = typeof activitySessions.$inferSelect;
export type CategoryRow = typeof activityCategories.$inferSelect;

export async function findCategories(db: Db, orgId: string): Promise<CategoryRow[]> {
  return db.select().from(activityCategories).where(eq(activityCategories.orgId, orgId)).orderBy(asc(activityCategories.createdAt), asc(activityCategories.slug));
}

/** Inserts categories, leaving any that already exist as they are (two first requests may race). */
export async function insertCategories(db: Db, rows: (typeof activityCategories.$inferInsert)[]): Promise<void> {
  await db.insert(activityCategories).values(rows).onConflictDoNothing();
}

export async function findPartners(db: Db, orgId: string) {
  return db.select().from(partnerOrganizations).where(eq(partnerOrganizations.orgId, orgId)).orderBy(asc(partnerOrganizations.name));
}

export async function insertPartner(db: Db, row: typeof partnerOrganizations.$inferInsert) {
  const [partner] = await db.insert(partnerOrganizations).values(row).returning();
  return partner!;
}

export async function partnerExists(db: Db, orgId: string, partnerId: string): Promise<boolean> {
  const [row] = await db.select({ id: partnerOrganizations.id }).from(partnerOrganizations).where(and(eq(partnerOrganizations.id, partnerId), eq(partnerOrganizations.orgId, orgId)));
  return Boolean(row);
}

/** Whether the user is a staff member (any staff role) of the organization: who may organize an activity. */
export async function staffUserExists(db: Db, orgId: string, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, orgId), inArray(users.role, ['org_admin', 'site_manager', 'staff'])));
  return Boolean(row);
}

export async function siteExists(db: Db, orgId: string, siteId: string): Promise<boolean> {
  const [row] = await db.select({ id: sites.id }).from(sites).where(and(eq(sites.id, siteId), eq(sites.orgId, orgId)));
  return Boolean(row);
}

export async function insertActivity(tx: Transaction, row: typeof activities.$inferInsert): Promise<ActivityRow> {
  const [activity] = await tx.insert(activities).values(row).returning();
  return activity!;
}

export async function findActivity(db: Db, orgId: string, activityId: string, options: { forUpdate?: boolean } = {}): Promise<ActivityRow | undefined> {
  const query = db.select().from(activities).where(and(eq(activities.id, activityId), eq(activities.orgId, orgId)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

/**
 * Site staff see an activity they organize, created, or that has a session at one of their sites; the same
 * condition scopes the list and a single read, so what a list hides answers 404 too.
 */
export function activityVisibleToStaff(actor: { userId: string; siteIds: string[] }): SQL {
  const atTheirSites = actor.siteIds.length
    ? exists(
        sql`(SELECT 1 FROM ${activitySessions} WHERE ${activitySessions.activityId} = ${activities.id} AND ${inArray(activitySessions.siteId, actor.siteIds)})`,
      )
    : sql`false`;
  const createdByThem = exists(
    sql`(SELECT 1 FROM ${activityChanges} WHERE ${activityChanges.activityId} = ${activities.id} AND ${activityChanges.kind} = 'created' AND ${activityChanges.actorId} = ${actor.userId})`,
  );
  return or(eq(activities.organizerUserId, actor.userId), atTheirSites, createdByThem)!;
}

/** The activity as this actor may act on it: org admins reach all, site staff their own (above); else 404. */
export async function findVisibleActivity(db: Db, actor: { orgId: string; userId: string; role: string; siteIds: string[] }, activityId: string): Promise<ActivityRow> {
  const scope = actor.role === 'org_admin' ? undefined : activityVisibleToStaff(actor);
  const [row] = await db
    .select()
    .from(activities)
    .where(and(eq(activities.id, activityId), eq(activities.orgId, actor.orgId), scope));
  if (!row) throw notFound('Activity');
  return row;
}

export async function findActivitiesPage(
  db: Db,
  orgId: string,
  filter: { scope: SQL | undefined; status?: string; category?: string; afterId?: string; limit: number },
): Promise<ActivityRow[]> {
  return db
    .select()
    .from(activities)
    .where(
      and(
        eq(activities.orgId, orgId),
        filter.scope,
        filter.status ? eq(activities.status, filter.status) : undefined,
        filter.category ? eq(activities.category, filter.category) : undefined,
        filter.afterId ? gt(activities.id, filter.afterId) : undefined,
      ),
    )
    .orderBy(asc(activities.id))
    .limit(filter.limit + 1);
}

/** Applies a change at the version it was read at; undefined when someone changed it in between. */
export async function updateActivityAtVersion(tx: Transaction, row: Pick<ActivityRow, 'id' | 'version'>, change: Partial<typeof activities.$inferInsert>): Promise<ActivityRow | undefined> {
  const [updated] = await tx
    .update(activities)
    .set({ ...change, version: row.version + 1 })
    .where(and(eq(activities.id, row.id), eq(activities.version, row.version)))
    .returning();
  return updated;
}

export async function insertSessions(tx: Transaction, rows: (typeof activitySessions.$inferInsert)[]): Promise<ActivitySessionRow[]> {
  if (!rows.length) return [];
  return tx.insert(activitySessions).values(rows).returning();
}

export async function findSessionsOfActivity(db: Db, activityId: string): Promise<ActivitySessionRow[]> {
  return db.select().from(activitySessions).where(eq(activitySessions.activityId, activityId)).orderBy(asc(activitySessions.startAt));
}

export async function findSession(db: Db, orgId: string, sessionId: string): Promise<ActivitySessionRow | undefined> {
  const [row] = await db.select().from(activitySessions).where(and(eq(activitySessions.id, sessionId), eq(activitySessions.orgId, orgId)));
  return row;
}

export async function updateSessionAtVersion(
  tx: Transaction,
  row: Pick<ActivitySessionRow, 'id' | 'version'>,
  change: Partial<typeof activitySessions.$inferInsert>,
): Promise<ActivitySessionRow | undefined> {
  const [updated] = await tx
    .update(activitySessions)
    .set({ ...change, version: row.version + 1 })
    .where(and(eq(activitySessions.id, row.id), eq(activitySessions.version, row.version)))
    .returning();
  return updated;
}

/** What changed in an activity or one of its sessions, kept (append-only) so registrants can be shown it. */
export async function recordActivityChange(
  tx: Transaction,
  change: { orgId: string; activityId: string; sessionId?: string | null; actorId: string | null; kind: string; before?: unknown; after?: unknown; at: Date },
): Promise<void> {
  await tx.insert(activityChanges).values({
    orgId: change.orgId,
    activityId: change.activityId,
    sessionId: change.sessionId ?? null,
    actorId: change.actorId,
    kind: change.kind,
    before: change.before ?? null,
    after: change.after ?? null,
  });
}

/** The organization's catalogue version as the caller's transaction sees it (for linli_book_space's check). */
export async function findCatalogueVersionIn(tx: Transaction, orgId: string): Promise<number> {
  const [row] = await tx.select({ version: catalogueVersions.version }).from(catalogueVersions).where(eq(catalogueVersions.orgId, orgId));
  return row?.version ?? 0;
}

/** Places held per session (party sizes of holding registrations), one GROUP BY for a page of sessions. */
export async function findPlacesHeld(db: Db, sessionIds: string[]): Promise<Map<string, number>> {
  if (!sessionIds.length) return new Map();
  const rows = await db
    .select({ sessionId: activityRegistrations.sessionId, held: sql<number>`coalesce(sum(${activityRegistrations.partySize}), 0)::int` })
    .from(activityRegistrations)
    .where(and(inArray(activityRegistrations.sessionId, sessionIds), inArray(activityRegistrations.status, [...HOLDING_STATUSES])))
    .groupBy(activityRegistrations.sessionId);
  return new Map(rows.map((r) => [r.sessionId, Number(r.held)]));
}

/** More sessions than this in one programme window is a catalogue, not a calendar; the window bounds it anyway. */
const PROGRAMME_ROW_LIMIT = 5000;

/**
 * Scheduled sessions of published activities starting in `window`, with where they happen: the public programme.
 * Selects no person (organizer, registrant) on purpose.
 */
export async function findProgrammeSessions(
  db: Db,
  filter: { orgId: string; window: { start: Date; end: Date }; siteId?: string; district?: string; category?: string },
) {
  return db
    .select({
      session: activitySessions,
      activity: {
        title: activities.title,
        titleEn: activities.titleEn,
        description: activities.description,
        category: activities.category,
        audience: activities.audience,
        registrationOpensAt: activities.registrationOpensAt,
        registrationClosesAt: activities.registrationClosesAt,
        maxPartySize: activities.maxPartySize,
        cancelCutoffMinutes: activities.cancelCutoffMinutes,
      },
      partnerName: partnerOrganizations.name,
      site: { name: sites.name, district: sites.district, timezone: sites.timezone, address: sites.address },
      spaceName: spaces.name,
    })
    .from(activitySessions)
    .innerJoin(activities, eq(activities.id, activitySessions.activityId))
    .innerJoin(sites, eq(sites.id, activitySessions.siteId))
    .innerJoin(spaces, eq(spaces.id, activitySessions.spaceId))
    .leftJoin(partnerOrganizations, eq(partnerOrganizations.id, activities.partnerId))
    .where(
      and(
        eq(activitySessions.orgId, filter.orgId),
        eq(activities.status, 'published'),
        eq(activitySessions.status, 'scheduled'),
        gte(activitySessions.startAt, filter.window.start),
        lt(activitySessions.startAt, filter.window.end),
        filter.siteId ? eq(activitySessions.siteId, filter.siteId) : undefined,
        filter.district ? eq(sites.district, filter.district) : undefined,
        filter.category ? eq(activities.category, filter.category) : undefined,
      ),
    )
    .orderBy(asc(activitySessions.startAt), asc(activitySessions.id))
    .limit(PROGRAMME_ROW_LIMIT);
}

/** Sessions of activities this user organizes, starting in `window`. */
export async function findOrganizedSessions(db: Db, filter: { orgId: string; userId: string; window: { start: Date; end: Date } }) {
  return db
    .select({ session: activitySessions, title: activities.title, activityStatus: activities.status })
    .from(activitySessions)
    .innerJoin(activities, eq(activities.id, activitySessions.activityId))
    .where(
      and(
        eq(activitySessions.orgId, filter.orgId),
        eq(activities.organizerUserId, filter.userId),
        gte(activitySessions.startAt, filter.window.start),
        lt(activitySessions.startAt, filter.window.end),
      ),
    )
    .orderBy(asc(activitySessions.startAt))
    .limit(PROGRAMME_ROW_LIMIT);
}
