import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AcceptInviteBody, CurrentUser, LoginBody, RegisterBody, Role, TokenResponse } from '@linli/contracts';
import { type Database, hashPassword, schema, verifyPassword } from '@linli/db';
import { and, eq, isNull, or } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { AccessTokenClaims } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';

const { users, userSites, organizations, refreshTokens, sites } = schema;

// Verified against when the login is unknown, so a wrong login costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;

export { hashPassword };

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

type UserRow = typeof users.$inferSelect;

async function siteIdsOf(db: Database, user: UserRow): Promise<string[]> {
  if (user.role !== 'site_manager' && user.role !== 'staff') return [];
  const rows = await db.select({ siteId: userSites.siteId }).from(userSites).where(eq(userSites.userId, user.id));
  return rows.map((r) => r.siteId);
}

export function toCurrentUser(user: UserRow, siteIds: string[]): CurrentUser {
  return {
    id: user.id,
    orgId: user.orgId,
    role: user.role as Role,
    displayName: user.displayName,
    email: user.email,
    phone: user.phone,
    homeSiteId: user.homeSiteId,
    siteIds,
    locale: user.locale,
  };
}

async function findOrg(db: Database, slug: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  return org;
}

async function issueTokens(app: FastifyInstance, user: UserRow, familyId: string = randomUUID()): Promise<TokenResponse> {
  const { db, config, now } = app.deps;
  const siteIds = await siteIdsOf(db, user);
  const claims: AccessTokenClaims = { sub: user.id, org: user.orgId, role: user.role as Role, sites: siteIds, ver: user.accessVersion };
  const accessToken = app.jwt.sign(claims, { expiresIn: config.ACCESS_TOKEN_TTL_SECONDS });
  const refreshToken = randomBytes(32).toString('base64url');
  await db.insert(refreshTokens).values({
    orgId: user.orgId,
    userId: user.id,
    familyId,
    tokenHash: sha256(refreshToken),
    expiresAt: new Date(now().getTime() + config.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
  });
  return { accessToken, refreshToken, expiresIn: config.ACCESS_TOKEN_TTL_SECONDS, user: toCurrentUser(user, siteIds) };
}

export async function registerResident(app: FastifyInstance, body: RegisterBody): Promise<TokenResponse> {
  const { db } = app.deps;
  const org = await findOrg(db, body.org);
  if (!org) throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.org', message: 'no such organization' }] });
  if (body.homeSiteId) {
    const [site] = await db
      .select({ id: sites.id })
      .from(sites)
      .where(and(eq(sites.id, body.homeSiteId), eq(sites.orgId, org.id), isNull(sites.archivedAt)));
    if (!site) throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.homeSiteId', message: 'no such site' }] });
  }
  const [user] = await db
    .insert(users)
    .values({
      orgId: org.id,
      role: 'resident',
      email: body.email ?? null,
      phone: body.phone ?? null,
      passwordHash: await hashPassword(body.password),
      displayName: body.displayName,
      homeSiteId: body.homeSiteId ?? null,
      locale: body.locale ?? org.locale,
    })
    .onConflictDoNothing()
    .returning();
  if (!user) throw new AppError('ALREADY_EXISTS', { detail: 'An account with this email or phone already exists.' });
  return issueTokens(app, user);
}

export async function login(app: FastifyInstance, body: LoginBody): Promise<TokenResponse> {
  const { db } = app.deps;
  const org = await findOrg(db, body.org);
  const loginValue = body.login.includes('@') ? body.login.toLowerCase() : body.login.replace(/^\+?86/, '');
  const [user] = org
    ? await db
        .select()
        .from(users)
        .where(and(eq(users.orgId, org.id), or(eq(users.email, loginValue), eq(users.phone, loginValue))))
    : [];
  dummyHash ??= hashPassword('not-a-real-password');
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), body.password);
  if (!user || !valid || user.disabledAt) throw new AppError('INVALID_CREDENTIALS');
  return issueTokens(app, user);
}

/**
 * An invitee sets their password with the one-time link and is signed in. The token is matched by its SHA-256
 * and cleared in the same update that sets the password, so of two uses of one link exactly one wins.
 * (Refusals carry `details.reason`, as the users module's do: INVITE_INVALID for unknown, used or deactivated,
 * INVITE_EXPIRED after its 7 days.)
 */
export async function acceptInvitation(app: FastifyInstance, body: AcceptInviteBody): Promise<TokenResponse> {
  const { db, now } = app.deps;
  const tokenHash = sha256(body.token);
  const invalid = () =>
    new AppError('NOT_FOUND', { detail: 'This invitation link is not valid or was already used.', details: { reason: 'INVITE_INVALID' } });
  const [invited] = await db.select().from(users).where(eq(users.inviteTokenHash, tokenHash));
  if (!invited || invited.disabledAt) throw invalid();
  if (!invited.inviteExpiresAt || invited.inviteExpiresAt <= now()) {
    throw new AppError('CONFLICT', { detail: 'This invitation link has expired; ask your admin for a new one.', details: { reason: 'INVITE_EXPIRED' } });
  }
  const passwordHash = await hashPassword(body.password);
  const [user] = await db
    .update(users)
    .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null, updatedAt: now() })
    .where(and(eq(users.id, invited.id), eq(users.inviteTokenHash, tokenHash), isNull(users.disabledAt)))
    .returning();
  if (!user) throw invalid();
  return issueTokens(app, user);
}

/**
 * Rotates a refresh token. Each token works once; presenting one that was already rotated means it was stolen
 * (or replayed), so the whole family — every session descended from that login — is revoked.
 */
export async function refresh(app: FastifyInstance, token: string): Promise<TokenResponse> {
  const { db, now } = app.deps;
  const tokenHash = sha256(token);
  const [stored] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  if (!stored) throw new AppError('INVALID_REFRESH_TOKEN');
  if (stored.revokedAt) {
    await revokeFamily(db, stored.familyId, now());
    throw new AppError('INVALID_REFRESH_TOKEN', { detail: 'This refresh token was already used; all its sessions are signed out.' });
  }
  if (stored.expiresAt <= now()) throw new AppError('INVALID_REFRESH_TOKEN');
  // Only one of two concurrent refreshes with the same token wins the update; the loser is treated as reuse.
  const rotated = await db
    .update(refreshTokens)
    .set({ revokedAt: now() })
    .where(and(eq(refreshTokens.id, stored.id), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  if (rotated.length === 0) {
    await revokeFamily(db, stored.familyId, now());
    throw new AppError('INVALID_REFRESH_TOKEN');
  }
  const [user] = await db.select().from(users).where(eq(users.id, stored.userId));
  if (!user || user.disabledAt) throw new AppError('INVALID_REFRESH_TOKEN');
  return issueTokens(app, user, stored.familyId);
}

export async function logout(app: FastifyInstance, token: string): Promise<void> {
  const [stored] = await app.deps.db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, sha256(token)));
  if (stored) await revokeFamily(app.deps.db, stored.familyId, app.deps.now());
}

async function revokeFamily(db: Database, familyId: string, at: Date) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: at })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

export async function getCurrentUser(db: Database, userId: string, orgId: string): Promise<CurrentUser> {
  const [user] = await db.select().from(users).where(and(eq(users.id, userId), eq(users.orgId, orgId)));
  if (!user) throw new AppError('UNAUTHENTICATED');
  return toCurrentUser(user, await siteIdsOf(db, user));
}
