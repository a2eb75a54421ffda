/**
 * The queries of spaces: which spaces an actor may see (the filter every read shares), the space rows and their
 * changes, whether bookings still refer to a space, and the policy levels it inherits. The service checks who may
 * manage what and decides; this file reads and writes.
 */
import type { ListSpacesQuery } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { HOLDING_STATUSES } from '@linli/domain';
import { type SQL, and, eq, gt, gte, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Actor } from '../../plugins/access.ts';
import { decodeCursor } from '../../lib/pagination.ts';

const { spaces, sites, organizations, bookings, waitlistEntries } = schema;
type Db = Database | Transaction;

export type SpaceRow = typeof spaces.$inferSelect;

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

/** One page of the spaces the actor may see, by id after the cursor, with one row more than the limit. */
export async function listVisibleSpaces(db: Db, actor: Actor, query: ListSpacesQuery): Promise<SpaceRow[]> {
  const filters = visibleSpacesFilter(actor);
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(spaces.id, after));
  if (query.siteId) filters.push(eq(spaces.siteId, query.siteId));
  if (query.kind) filters.push(eq(spaces.kind, query.kind));
  if (query.bookingMode) filters.push(eq(spaces.bookingMode, query.bookingMode));
  if (query.minCapacity) filters.push(gte(spaces.capacity, query.minCapacity));
  if (!query.includeArchived) filters.push(isNull(spaces.archivedAt));
  return db
    .select()
    .from(spaces)
    .where(and(...filters))
    .orderBy(spaces.id)
    .limit(query.limit + 1);
}

export async function findVisibleSpaceRow(db: Db, actor: Actor, spaceId: string): Promise<SpaceRow | undefined> {
  const [row] = await db
    .select()
    .from(spaces)
    .where(and(eq(spaces.id, spaceId), ...visibleSpacesFilter(actor)));
  return row;
}

export async function insertSpace(db: Db, space: typeof spaces.$inferInsert): Promise<SpaceRow> {
  const [row] = await db.insert(spaces).values(space).returning();
  return row!;
}

/** Changes a space row (only within `orgId` when given); returns it, or undefined when no row matched. */
export async function updateSpaceRow(
  db: Db,
  where: { id: string; orgId?: string },
  change: PgUpdateSetSource<typeof spaces>,
): Promise<SpaceRow | undefined> {
  const [row] = await db
    .update(spaces)
    .set(change)
    .where(where.orgId === undefined ? eq(spaces.id, where.id) : and(eq(spaces.id, where.id), eq(spaces.orgId, where.orgId)))
    .returning();
  return row;
}

/** Archives the space as of `now`; a space archived already keeps the instant it was first archived at. */
export async function archiveSpaceRow(tx: Transaction, spaceId: string, now: Date): Promise<SpaceRow | undefined> {
  return updateSpaceRow(tx, { id: spaceId }, { archivedAt: sql`coalesce(${spaces.archivedAt}, ${now.toISOString()}::timestamptz)`, updatedAt: now });
}

export async function deleteSpaceRow(db: Db, spaceId: string): Promise<void> {
  await db.delete(spaces).where(eq(spaces.id, spaceId));
}

/**
 * Whether any booking refers to the space; with `holdingEndingAfter`, only holding bookings that end after that
 * instant count.
 */
export async function hasBookingsOnSpace(db: Db, spaceId: string, options: { holdingEndingAfter?: Date } = {}): Promise<boolean> {
  const [row] = await db
    .select({ id: bookings.id })
    .from(bookings)
    .where(
      and(
        eq(bookings.spaceId, spaceId),
        options.holdingEndingAfter ? gt(bookings.endAt, options.holdingEndingAfter) : undefined,
        options.holdingEndingAfter ? inArray(bookings.status, [...HOLDING_STATUSES]) : undefined,
      ),
    )
    .limit(1);
  return Boolean(row);
}

/** Marks the waitlist entries behind these bookings 'expired'. */
export async function expireWaitlistEntriesOfBookings(tx: Transaction, bookingIds: string[]): Promise<void> {
  await tx.update(waitlistEntries).set({ status: 'expired' }).where(inArray(waitlistEntries.bookingId, bookingIds));
}

/** The organization's and the site's policy, the levels a space's own policy is merged over. */
export async function findPolicyLevels(db: Db, siteId: string) {
  const [levels] = await db
    .select({ org: organizations.policy, site: sites.policy })
    .from(sites)
    .innerJoin(organizations, eq(organizations.id, sites.orgId))
    .where(eq(sites.id, siteId));
  return levels;
}
