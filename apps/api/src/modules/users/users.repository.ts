/**
 * The queries of accounts: the organization's users with their sites, filtered as the admin asks; the changes an
 * admin makes (role, sites, deactivation, invitation); and the count that keeps an organization from losing its
 * last admin. The service decides who may do what; this file reads and writes.
 */
import type { ListUsersQuery } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { containing } from '../../lib/sql.ts';
import { type SQL, and, eq, gt, ilike, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { decodeCursor } from '../../lib/pagination.ts';

const { users, userSites, sites, refreshTokens, organizations } = schema;
type Db = Database | Transaction;

export type UserRow = typeof users.$inferSelect;

/** `%` and `_` typed by a person are letters, not wildcards. */

/** One page of the organization's users matching the filters, by id after the cursor, one row more than the limit. */
export async function listUserRows(db: Db, orgId: string, query: ListUsersQuery): Promise<UserRow[]> {
  const filters: (SQL | undefined)[] = [eq(users.orgId, orgId)];
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(users.id, after));
  if (query.role) filters.push(eq(users.role, query.role));
  if (query.siteId) {
    filters.push(
      or(
        eq(users.homeSiteId, query.siteId),
        sql`${users.id} IN (SELECT ${userSites.userId} FROM ${userSites} WHERE ${userSites.siteId} = ${query.siteId})`,
      ),
    );
  }
  if (query.q) {
    const pattern = containing(query.q);
    filters.push(or(ilike(users.displayName, pattern), ilike(users.email, pattern), ilike(users.phone, pattern)));
  }
  if (query.active !== undefined) filters.push(query.active ? isNull(users.disabledAt) : isNotNull(users.disabledAt));
  return db
    .select()
    .from(users)
    .where(and(...filters))
    .orderBy(users.id)
    .limit(query.limit + 1);
}

/** The sites each of these users works at. */
export async function findSiteIdsByUser(db: Db, userIds: string[]): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  if (!userIds.length) return byUser;
  const rows = await db.select().from(userSites).where(inArray(userSites.userId, userIds));
  for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row.siteId]);
  return byUser;
}

export async function findUserRow(db: Db, orgId: string, userId: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, orgId)));
  return row;
}

/** How many of these site ids are the organization's (archived ones included: staff may stay assigned). */
export async function countOrgSites(db: Db, orgId: string, siteIds: string[]): Promise<number> {
  if (!siteIds.length) return 0;
  const rows = await db
    .select({ id: sites.id })
    .from(sites)
    .where(and(eq(sites.orgId, orgId), inArray(sites.id, siteIds)));
  return rows.length;
}

/**
 * Serializes changes to who administers the organization: two admins demoting or deactivating each other at the
 * same moment would otherwise both see another admin left, and leave none.
 */
export async function lockOrganizationAdmins(tx: Transaction, orgId: string): Promise<void> {
  await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).for('update');
}

/** Active org admins other than `exceptUserId`. */
export async function countOtherActiveAdmins(tx: Transaction, orgId: string, exceptUserId: string): Promise<number> {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(users)
    .where(and(eq(users.orgId, orgId), eq(users.role, 'org_admin'), isNull(users.disabledAt), ne(users.id, exceptUserId)));
  return row?.count ?? 0;
}

/** The account's next access version, counted in the update itself (two changes at once each move it on). */
export const NEXT_ACCESS_VERSION = sql`${users.accessVersion} + 1`;

export async function updateUserRow(db: Db, orgId: string, userId: string, change: PgUpdateSetSource<typeof users>): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set(change)
    .where(and(eq(users.id, userId), eq(users.orgId, orgId)))
    .returning();
  return row;
}

/** Replaces the sites a user works at (none for roles that are not site-scoped). */
export async function replaceUserSites(tx: Transaction, orgId: string, userId: string, siteIds: string[]): Promise<void> {
  await tx.delete(userSites).where(eq(userSites.userId, userId));
  if (siteIds.length) await tx.insert(userSites).values(siteIds.map((siteId) => ({ orgId, userId, siteId })));
}

/** Ends every session of the user: their refresh tokens stop working at once (access tokens expire on their own). */
export async function revokeRefreshTokensOf(db: Db, userId: string, at: Date): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: at })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

/** The language an account gets when it names none. */
export async function findOrganizationLocale(db: Db, orgId: string): Promise<'zh-CN' | 'en'> {
  const [org] = await db.select({ locale: organizations.locale }).from(organizations).where(eq(organizations.id, orgId));
  return org?.locale ?? 'zh-CN';
}

export async function insertUserRow(tx: Transaction, values: typeof users.$inferInsert): Promise<UserRow | undefined> {
  const [row] = await tx.insert(users).values(values).onConflictDoNothing().returning();
  return row;
}
