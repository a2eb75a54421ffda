/**
 * Activities (programmes): categories, partner organizations, the activity itself and its states
 * (draft -> published -> completed, cancelled at any point), and the public programme built from published sessions.
 * Sessions and the rooms they hold are in sessions.service.ts.
 */
import type {
  Activity,
  ActivityAudience,
  ActivityCategory,
  ActivityWithSessions,
  CreateActivityBody,
  CreateActivityCategoryBody,
  CreatePartnerBody,
  ListActivitiesQuery,
  Partner,
  UpdateActivityBody,
} from '@linli/contracts';
import type { Database, Transaction } from '@linli/db';
import { DEFAULT_ACTIVITY_CATEGORIES, canTransitionActivity, isRegistrationWindowValid, lockedActivityFields } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { toIso } from '../../lib/dates.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import {
  type ActivityRow,
  activityVisibleToStaff,
  findActivitiesPage,
  findActivity,
  findCategories,
  findPartners,
  findSessionsOfActivity,
  findVisibleActivity,
  insertActivity,
  insertCategories,
  insertPartner,
  partnerExists,
  recordActivityChange,
  siteExists,
  staffUserExists,
  updateActivityAtVersion,
} from './activities.repository.ts';
import { cancelSessionInTransaction, toSession } from './sessions.service.ts';

const toCategory = (row: ActivityCategory): ActivityCategory => ({ slug: row.slug, nameZh: row.nameZh, nameEn: row.nameEn });

/** The organization's categories, the defaults written first if it has none yet. */
export async function listCategories(db: Database | Transaction, orgId: string): Promise<ActivityCategory[]> {
  const rows = await findCategories(db, orgId);
  if (rows.length) return rows.map(toCategory);
  await insertCategories(db, DEFAULT_ACTIVITY_CATEGORIES.map((c) => ({ ...c, orgId })));
  return (await findCategories(db, orgId)).map(toCategory);
}

export async function createCategory(db: Database, actor: Actor, body: CreateActivityCategoryBody): Promise<ActivityCategory> {
  const existing = await listCategories(db, actor.orgId);
  if (existing.some((c) => c.slug === body.slug)) throw new AppError('ALREADY_EXISTS', { detail: `A category "${body.slug}" already exists.` });
  await insertCategories(db, [{ ...body, orgId: actor.orgId }]);
  return toCategory(body);
}

export async function listPartners(db: Database, actor: Actor): Promise<Partner[]> {
  return (await findPartners(db, actor.orgId)).map((p) => ({ id: p.id, name: p.name, contact: p.contact }));
}

export async function createPartner(db: Database, actor: Actor, body: CreatePartnerBody): Promise<Partner> {
  const row = await insertPartner(db, { orgId: actor.orgId, name: body.name, contact: body.contact ?? null });
  return { id: row.id, name: row.name, contact: row.contact };
}

export function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    title: row.title,
    titleEn: row.titleEn,
    description: row.description,
    descriptionEn: row.descriptionEn,
    category: row.category,
    organizerUserId: row.organizerUserId,
    partnerId: row.partnerId,
    audience: row.audience as ActivityAudience,
    places: row.places,
    maxPartySize: row.maxPartySize,
    registrationOpensAt: toIso(row.registrationOpensAt),
    registrationClosesAt: toIso(row.registrationClosesAt),
    cancelCutoffMinutes: row.cancelCutoffMinutes,
    waitlistMode: row.waitlistMode,
    offerHoldMinutes: row.offerHoldMinutes,
    categoryWeeklyLimit: row.categoryWeeklyLimit,
    status: row.status as Activity['status'],
    version: row.version,
    createdAt: toIso(row.createdAt),
  };
}

const scopeOf = (actor: Actor) => (actor.role === 'org_admin' ? undefined : activityVisibleToStaff(actor));

const invalidField = (path: string, message: string) => new AppError('VALIDATION_FAILED', { errors: [{ path: `body.${path}`, message }] });

/** References an activity names must exist in the caller's organization; said per field, like validation. */
async function assertReferences(db: Database | Transaction, actor: Actor, body: Partial<CreateActivityBody>) {
  if (body.category !== undefined) {
    const categories = await listCategories(db, actor.orgId);
    if (!categories.some((c) => c.slug === body.category)) throw invalidField('category', 'no such category');
  }
  if (body.partnerId && !(await partnerExists(db, actor.orgId, body.partnerId))) throw invalidField('partnerId', 'no such partner organization');
  if (body.organizerUserId && !(await staffUserExists(db, actor.orgId, body.organizerUserId))) throw invalidField('organizerUserId', 'must be a staff member');
  if (body.audience?.kind === 'home_site' && !(await siteExists(db, actor.orgId, body.audience.siteId))) throw invalidField('audience.siteId', 'no such site');
  if (body.audience?.kind === 'age_band' && body.audience.minAge > body.audience.maxAge) throw invalidField('audience.maxAge', 'must not be below minAge');
}

const dateOrNull = (value: string | null | undefined) => (value ? new Date(value) : null);

export async function createActivity(deps: AppDeps, actor: Actor, body: CreateActivityBody): Promise<Activity> {
  const now = deps.now();
  await assertReferences(deps.db, actor, body);
  return deps.db.transaction(async (tx) => {
    const row = await insertActivity(tx, {
      orgId: actor.orgId,
      title: body.title,
      titleEn: body.titleEn ?? null,
      description: body.description ?? null,
      descriptionEn: body.descriptionEn ?? null,
      category: body.category,
      organizerUserId: body.organizerUserId === undefined ? (body.partnerId ? null : actor.userId) : body.organizerUserId,
      partnerId: body.partnerId ?? null,
      audience: body.audience,
      places: body.places,
      maxPartySize: body.maxPartySize,
      registrationOpensAt: dateOrNull(body.registrationOpensAt),
      registrationClosesAt: dateOrNull(body.registrationClosesAt),
      cancelCutoffMinutes: body.cancelCutoffMinutes,
      waitlistMode: body.waitlistMode,
      offerHoldMinutes: body.offerHoldMinutes,
      categoryWeeklyLimit: body.categoryWeeklyLimit ?? null,
      createdAt: now,
      updatedAt: now,
    });
    // The creation is the first change: it is also how site staff keep seeing an activity they created for others.
    await recordActivityChange(tx, { orgId: actor.orgId, activityId: row.id, actorId: actor.userId, kind: 'created', at: now });
    return toActivity(row);
  });
}

export async function listActivities(db: Database, actor: Actor, query: ListActivitiesQuery) {
  const rows = await findActivitiesPage(db, actor.orgId, {
    scope: scopeOf(actor),
    status: query.status,
    category: query.category,
    afterId: decodeCursor(query.cursor),
    limit: query.limit,
  });
  return toPage(rows.map(toActivity), query.limit);
}

export async function getActivity(db: Database, actor: Actor, activityId: string): Promise<ActivityWithSessions> {
  const row = await findVisibleActivity(db, actor, activityId);
  const sessions = await findSessionsOfActivity(db, row.id);
  return { ...toActivity(row), sessions: sessions.map(toSession) };
}

/** The activity locked for a change, at the version the caller read (If-Match). */
async function lockActivityAtVersion(tx: Transaction, actor: Actor, activityId: string, expectedVersion: number | undefined): Promise<ActivityRow> {
  await findVisibleActivity(tx, actor, activityId);
  const row = (await findActivity(tx, actor.orgId, activityId, { forUpdate: true }))!;
  if (expectedVersion !== undefined && row.version !== expectedVersion) {
    throw new AppError('VERSION_MISMATCH', { details: { currentVersion: row.version } });
  }
  return row;
}

/** Only what the activity's state allows may change (activity-rules); a published change is recorded for registrants. */
export async function updateActivity(deps: AppDeps, actor: Actor, activityId: string, body: UpdateActivityBody, expectedVersion: number): Promise<Activity> {
  const now = deps.now();
  const changed = Object.keys(body) as (keyof UpdateActivityBody)[];
  return deps.db.transaction(async (tx) => {
    const row = await lockActivityAtVersion(tx, actor, activityId, expectedVersion);
    const locked = lockedActivityFields(row.status, changed);
    if (locked.length) throw new AppError('ACTIVITY_FIELD_LOCKED', { details: { status: row.status, fields: locked } });
    await assertReferences(tx, actor, body);
    const opensAt = body.registrationOpensAt === undefined ? row.registrationOpensAt : dateOrNull(body.registrationOpensAt);
    const closesAt = body.registrationClosesAt === undefined ? row.registrationClosesAt : dateOrNull(body.registrationClosesAt);
    if (!isRegistrationWindowValid(opensAt?.getTime() ?? null, closesAt?.getTime() ?? null)) {
      throw invalidField('registrationClosesAt', 'must be after registrationOpensAt');
    }
    const updated = await updateActivityAtVersion(tx, row, {
      ...body,
      registrationOpensAt: opensAt,
      registrationClosesAt: closesAt,
      updatedAt: now,
    });
    if (!updated) throw new AppError('VERSION_MISMATCH');
    if (row.status === 'published') {
      const before = Object.fromEntries(changed.map((k) => [k, toActivity(row)[k]]));
      const after = Object.fromEntries(changed.map((k) => [k, toActivity(updated)[k]]));
      await recordActivityChange(tx, { orgId: actor.orgId, activityId: row.id, actorId: actor.userId, kind: 'updated', before, after, at: now });
    }
    return toActivity(updated);
  });
}

async function changeStatus(tx: Transaction, actor: Actor, row: ActivityRow, to: 'published' | 'completed' | 'cancelled', now: Date, reason?: string) {
  if (!canTransitionActivity(row.status, to)) {
    throw new AppError('ACTIVITY_INVALID_TRANSITION', { detail: `A ${row.status} activity cannot become ${to}.`, details: { status: row.status } });
  }
  const updated = await updateActivityAtVersion(tx, row, { status: to, updatedAt: now });
  if (!updated) throw new AppError('VERSION_MISMATCH');
  await recordActivityChange(tx, { orgId: actor.orgId, activityId: row.id, actorId: actor.userId, kind: to, before: { status: row.status }, after: { status: to, ...(reason ? { reason } : {}) }, at: now });
  return updated;
}

/** A published activity appears in the programme and opens for registration by its window; it needs a session. */
export async function publishActivity(deps: AppDeps, actor: Actor, activityId: string, expectedVersion?: number): Promise<Activity> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const row = await lockActivityAtVersion(tx, actor, activityId, expectedVersion);
    const sessions = await findSessionsOfActivity(tx, row.id);
    if (row.status === 'draft' && !sessions.some((s) => s.status === 'scheduled')) {
      throw new AppError('ACTIVITY_INVALID_TRANSITION', { detail: 'Schedule at least one session before publishing.', details: { status: row.status } });
    }
    return toActivity(await changeStatus(tx, actor, row, 'published', now));
  });
}

/**
 * Cancels the activity and every session still scheduled: each releases its room (the booking is cancelled with
 * its event) and its registrations, all in one transaction, so nobody sees half a cancellation.
 */
export async function cancelActivity(deps: AppDeps, actor: Actor, activityId: string, reason: string | undefined, expectedVersion?: number): Promise<ActivityWithSessions> {
  const now = deps.now();
  const why = reason ?? 'activity cancelled';
  return deps.db.transaction(async (tx) => {
    const row = await lockActivityAtVersion(tx, actor, activityId, expectedVersion);
    if (!canTransitionActivity(row.status, 'cancelled')) {
      throw new AppError('ACTIVITY_INVALID_TRANSITION', { detail: `A ${row.status} activity cannot be cancelled.`, details: { status: row.status } });
    }
    for (const session of await findSessionsOfActivity(tx, row.id)) {
      if (session.status === 'scheduled') await cancelSessionInTransaction(tx, actor, session, why, now, reason ?? null);
    }
    const updated = await changeStatus(tx, actor, row, 'cancelled', now, why);
    return { ...toActivity(updated), sessions: (await findSessionsOfActivity(tx, row.id)).map(toSession) };
  });
}
