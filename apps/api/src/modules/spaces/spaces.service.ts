import type { CreateSpaceBody, EffectivePolicyResponse, ListSpacesQuery, Space, UpdateSpaceBody } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { describePolicyLevel } from '@linli/domain';
import { type SQL, and, eq, gt, gte, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { findManageableSite } from '../sites/sites.service.ts';

const { spaces, sites, organizations, bookings } = schema;
type SpaceRow = typeof spaces.$inferSelect;

export const HOLDING_STATUSES = ['pending', 'confirmed', 'checked_in'] as const;

export function toSpace(row: SpaceRow): Space {
  return {
    id: row.id,
    siteId: row.siteId,
    name: row.name,
    kind: row.kind,
    bookingMode: row.bookingMode as Space['bookingMode'],
    capacity: row.capacity,
    features: row.features,
    bookableBy: row.bookableBy as Space['bookableBy'],
    openToOtherSites: row.openToOtherSites,
    policy: row.policy,
    archivedAt: toIso(row.archivedAt),
    createdAt: toIso(row.createdAt),
  };
}

/** Same rule as sites: staff see their sites' spaces; residents see active, resident-bookable spaces. */
function visibleSpacesFilter(actor: Actor): SQL[] {
  const filters: SQL[] = [eq(spaces.orgId, actor.orgId)];
  if (actor.role === 'site_manager' || actor.role === 'staff') {
    filters.push(actor.siteIds.length ? inArray(spaces.siteId, actor.siteIds) : sql`false`);
  }
  if (actor.role === 'resident') {
    filters.push(isNull(spaces.archivedAt), ne(spaces.bookableBy, 'staff_only'));
    filters.push(sql`${spaces.siteId} IN (SELECT ${sites.id} FROM ${sites} WHERE ${sites.archivedAt} IS NULL)`);
  }
  return filters;
}

export async function listSpaces(db: Database, actor: Actor, query: ListSpacesQuery) {
  const filters = visibleSpacesFilter(actor);
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(spaces.id, after));
  if (query.siteId) filters.push(eq(spaces.siteId, query.siteId));
  if (query.kind) filters.push(eq(spaces.kind, query.kind));
  if (query.bookingMode) filters.push(eq(spaces.bookingMode, query.bookingMode));
  if (query.minCapacity) filters.push(gte(spaces.capacity, query.minCapacity));
  if (!query.includeArchived) filters.push(isNull(spaces.archivedAt));
  const rows = await db
    .select()
    .from(spaces)
    .where(and(...filters))
    .orderBy(spaces.id)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toSpace), nextCursor: page.nextCursor };
}

export async function findVisibleSpace(db: Database, actor: Actor, spaceId: string): Promise<SpaceRow> {
  const [row] = await db
    .select()
    .from(spaces)
    .where(and(eq(spaces.id, spaceId), ...visibleSpacesFilter(actor)));
  if (!row) throw notFound('Space');
  return row;
}

export async function getSpace(db: Database, actor: Actor, spaceId: string): Promise<Space> {
  return toSpace(await findVisibleSpace(db, actor, spaceId));
}

export async function createSpace(db: Database, actor: Actor, body: CreateSpaceBody): Promise<Space> {
  const site = await findManageableSite(db, actor, body.siteId);
  if (site.archivedAt) throw new AppError('ARCHIVED', { detail: 'The site is archived.' });
  const [row] = await db
    .insert(spaces)
    .values({ ...body, orgId: actor.orgId })
    .returning();
  return toSpace(row!);
}

async function hasFutureHoldingBookings(db: Database, spaceId: string, now: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(and(eq(bookings.spaceId, spaceId), gt(bookings.endAt, now), inArray(bookings.status, [...HOLDING_STATUSES])))
    .limit(1);
  return Boolean(row);
}

export async function updateSpace(
  db: Database,
  actor: Actor,
  spaceId: string,
  body: UpdateSpaceBody,
  now: Date,
): Promise<Space> {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  if (current.archivedAt) throw new AppError('ARCHIVED', { detail: 'Unarchive the space before editing it.' });
  // Switching mode or shrinking capacity could break promises already made; move those bookings first.
  const risky =
    (body.bookingMode && body.bookingMode !== current.bookingMode) ||
    (body.capacity !== undefined && body.capacity < current.capacity);
  if (risky && (await hasFutureHoldingBookings(db, spaceId, now))) {
    throw new AppError('CONFLICT', {
      detail: 'The space has upcoming bookings; its booking mode cannot change and its capacity cannot shrink.',
    });
  }
  const [row] = await db
    .update(spaces)
    .set({ ...body, updatedAt: now })
    .where(and(eq(spaces.id, spaceId), eq(spaces.orgId, actor.orgId)))
    .returning();
  return toSpace(row!);
}

export async function setSpaceArchived(db: Database, actor: Actor, spaceId: string, archived: boolean, now: Date) {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  const [row] = await db
    .update(spaces)
    .set({ archivedAt: archived ? now : null, updatedAt: now })
    .where(eq(spaces.id, spaceId))
    .returning();
  return toSpace(row!);
}

/** A space any booking refers to keeps its history: it is archived, never deleted. */
export async function deleteSpace(db: Database, actor: Actor, spaceId: string): Promise<void> {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  const [booking] = await db.select({ id: bookings.id }).from(bookings).where(eq(bookings.spaceId, spaceId)).limit(1);
  if (booking) throw new AppError('CONFLICT', { detail: 'Bookings refer to this space; archive it instead of deleting it.' });
  await db.delete(spaces).where(eq(spaces.id, spaceId));
}

export async function getSpaceEffectivePolicy(db: Database, actor: Actor, spaceId: string): Promise<EffectivePolicyResponse> {
  const space = await findVisibleSpace(db, actor, spaceId);
  const [levels] = await db
    .select({ org: organizations.policy, site: sites.policy })
    .from(sites)
    .innerJoin(organizations, eq(organizations.id, sites.orgId))
    .where(eq(sites.id, space.siteId));
  const described = describePolicyLevel({ org: levels!.org, site: levels!.site, space: space.policy }, 'space');
  return {
    spaceId,
    values: described.values,
    sources: described.sources,
    inherited: described.inherited,
    inheritedSources: described.inheritedSources,
    levels: { org: levels!.org, site: levels!.site, space: space.policy },
  };
}
