import type { CreateUserBody, CurrentUser, PageQuery } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { and, eq, gt, inArray } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { getCurrentUser, hashPassword, toCurrentUser } from '../auth/auth.service.ts';

const { users, userSites, sites } = schema;

/** Org admins create staff accounts and assign them to sites; residents register themselves. */
export async function createUser(db: Database, actor: Actor, body: CreateUserBody): Promise<CurrentUser> {
  const siteIds = [...new Set(body.siteIds)];
  const siteIdsToCheck = body.homeSiteId ? [...siteIds, body.homeSiteId] : siteIds;
  if (siteIdsToCheck.length) {
    const found = await db
      .select({ id: sites.id })
      .from(sites)
      .where(and(eq(sites.orgId, actor.orgId), inArray(sites.id, siteIdsToCheck)));
    if (found.length !== new Set(siteIdsToCheck).size) {
      throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.siteIds', message: 'unknown site' }] });
    }
  }
  const passwordHash = await hashPassword(body.password);
  const userId = await db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({
        orgId: actor.orgId,
        role: body.role,
        email: body.email ?? null,
        phone: body.phone ?? null,
        passwordHash,
        displayName: body.displayName,
        homeSiteId: body.homeSiteId ?? null,
        locale: body.locale,
      })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (!user) throw new AppError('ALREADY_EXISTS', { detail: 'An account with this email or phone already exists.' });
    const scoped = body.role === 'site_manager' || body.role === 'staff';
    if (scoped) {
      await tx.insert(userSites).values(siteIds.map((siteId) => ({ orgId: actor.orgId, userId: user.id, siteId })));
    }
    return user.id;
  });
  return getCurrentUser(db, userId, actor.orgId);
}

export async function listUsers(db: Database, actor: Actor, query: PageQuery) {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.orgId, actor.orgId), after ? gt(users.id, after) : undefined))
    .orderBy(users.id)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit);
  const assignments = page.items.length
    ? await db
        .select()
        .from(userSites)
        .where(inArray(userSites.userId, page.items.map((u) => u.id)))
    : [];
  const items = page.items.map((user) =>
    toCurrentUser(user, assignments.filter((a) => a.userId === user.id).map((a) => a.siteId)),
  );
  return { items, nextCursor: page.nextCursor };
}

export async function getUser(db: Database, actor: Actor, userId: string): Promise<CurrentUser> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, actor.orgId)));
  if (!row) throw notFound('User');
  return getCurrentUser(db, row.id, actor.orgId);
}
