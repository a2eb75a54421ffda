import { createHash, randomBytes } from 'node:crypto';
import {
  type AccountRefusal,
  type CreateUserBody,
  type CurrentUser,
  INVITE_VALID_DAYS,
  type Invitation,
  type InviteUserBody,
  type ListUsersQuery,
  type Role,
  type UpdateUserBody,
  type UserAccount,
  isSiteScopedRole,
} from '@linli/contracts';
import type { Database } from '@linli/db';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { toPage } from '../../lib/pagination.ts';
import { hashPassword, toCurrentUser } from '../auth/auth.service.ts';
import {
  type UserRow,
  countOrgSites,
  countOtherActiveAdmins,
  findSiteIdsByUser,
  findOrganizationLocale,
  findUserRow,
  insertUserRow,
  listUserRows,
  lockOrganizationAdmins,
  replaceUserSites,
  NEXT_ACCESS_VERSION,
  revokeRefreshTokensOf,
  updateUserRow,
} from './users.repository.ts';

const DAY_MS = 86_400_000;

/** A refusal the app names in words: the catalogue code says what kind, `details.reason` says which. */
export function accountRefusal(reason: AccountRefusal, detail: string): AppError {
  const code = reason === 'INVITE_INVALID' ? 'NOT_FOUND' : 'CONFLICT';
  return new AppError(code, { detail, details: { reason } });
}

export function toUserAccount(user: UserRow, siteIds: string[]): UserAccount {
  return {
    ...toCurrentUser(user, isSiteScopedRole(user.role as Role) ? siteIds : []),
    status: user.disabledAt ? 'deactivated' : user.inviteTokenHash ? 'invited' : 'active',
    disabledAt: toIso(user.disabledAt),
    inviteExpiresAt: user.inviteTokenHash ? toIso(user.inviteExpiresAt) : null,
  };
}

async function accountOf(db: Database, user: UserRow): Promise<UserAccount> {
  const siteIds = await findSiteIdsByUser(db, [user.id]);
  return toUserAccount(user, siteIds.get(user.id) ?? []);
}

async function findOrgUser(db: Database, actor: Actor, userId: string): Promise<UserRow> {
  const user = await findUserRow(db, actor.orgId, userId);
  if (!user) throw notFound('User');
  return user;
}

/** Every site named (assignments and the home site) must be one of the organization's. */
async function assertOrgSites(db: Database, orgId: string, siteIds: string[], path: string): Promise<void> {
  const unique = [...new Set(siteIds)];
  if ((await countOrgSites(db, orgId, unique)) !== unique.length) {
    throw new AppError('VALIDATION_FAILED', { errors: [{ path, message: 'unknown site' }] });
  }
}

/** Inserts the account and its site assignments in one transaction; a taken email or phone is ALREADY_EXISTS. */
async function insertAccount(
  db: Database,
  actor: Actor,
  body: InviteUserBody,
  secrets: { passwordHash: string; inviteTokenHash?: string; inviteExpiresAt?: Date },
): Promise<UserRow> {
  const siteIds = [...new Set(body.siteIds)];
  await assertOrgSites(db, actor.orgId, siteIds, 'body.siteIds');
  if (body.homeSiteId) await assertOrgSites(db, actor.orgId, [body.homeSiteId], 'body.homeSiteId');
  const locale = body.locale ?? (await findOrganizationLocale(db, actor.orgId));
  return db.transaction(async (tx) => {
    const user = await insertUserRow(tx, {
      orgId: actor.orgId,
      role: body.role,
      email: body.email ?? null,
      phone: body.phone ?? null,
      displayName: body.displayName,
      homeSiteId: body.homeSiteId ?? null,
      locale,
      ...secrets,
    });
    if (!user) throw new AppError('ALREADY_EXISTS', { detail: 'An account with this email or phone already exists.' });
    if (isSiteScopedRole(body.role)) await replaceUserSites(tx, actor.orgId, user.id, siteIds);
    return user;
  });
}

/** Org admins create staff accounts and assign them to sites; residents register themselves. */
export async function createUser(db: Database, actor: Actor, body: CreateUserBody): Promise<CurrentUser> {
  const user = await insertAccount(db, actor, body, { passwordHash: await hashPassword(body.password) });
  const account = await accountOf(db, user);
  return toCurrentUser(user, account.siteIds);
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh one-time token, what the database keeps of it, and the link the admin passes on. */
function newInvitation(appBaseUrl: string, now: Date) {
  const token = randomBytes(32).toString('base64url');
  return {
    inviteTokenHash: sha256(token),
    inviteExpiresAt: new Date(now.getTime() + INVITE_VALID_DAYS * DAY_MS),
    inviteUrl: `${appBaseUrl}/?invite=${token}`,
  };
}

/**
 * Creates the account without a usable password and returns the one-time link that lets the invitee set one.
 * The stored password is the hash of a secret nobody is told, so login paths need no special case.
 */
export async function inviteUser(db: Database, actor: Actor, body: InviteUserBody, context: { appBaseUrl: string; now: Date }): Promise<Invitation> {
  const invitation = newInvitation(context.appBaseUrl, context.now);
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  const user = await insertAccount(db, actor, body, { passwordHash, inviteTokenHash: invitation.inviteTokenHash, inviteExpiresAt: invitation.inviteExpiresAt });
  return { user: await accountOf(db, user), inviteUrl: invitation.inviteUrl, expiresAt: invitation.inviteExpiresAt.toISOString() };
}

/** A new link for an invitee who lost theirs or let it expire; the previous link stops working. */
export async function reissueInvitation(db: Database, actor: Actor, userId: string, context: { appBaseUrl: string; now: Date }): Promise<Invitation> {
  const user = await findOrgUser(db, actor, userId);
  if (!user.inviteTokenHash) throw new AppError('CONFLICT', { detail: 'This account has already set its password.' });
  if (user.disabledAt) throw new AppError('CONFLICT', { detail: 'Reactivate the account before inviting again.' });
  const invitation = newInvitation(context.appBaseUrl, context.now);
  const updated = await updateUserRow(db, actor.orgId, userId, {
    inviteTokenHash: invitation.inviteTokenHash,
    inviteExpiresAt: invitation.inviteExpiresAt,
    updatedAt: context.now,
  });
  return { user: await accountOf(db, updated!), inviteUrl: invitation.inviteUrl, expiresAt: invitation.inviteExpiresAt.toISOString() };
}

export async function listUsers(db: Database, actor: Actor, query: ListUsersQuery) {
  const page = toPage(await listUserRows(db, actor.orgId, query), query.limit);
  const siteIds = await findSiteIdsByUser(db, page.items.map((u) => u.id));
  return { items: page.items.map((user) => toUserAccount(user, siteIds.get(user.id) ?? [])), nextCursor: page.nextCursor };
}

export async function getUser(db: Database, actor: Actor, userId: string): Promise<UserAccount> {
  return accountOf(db, await findOrgUser(db, actor, userId));
}

/**
 * Changes role, sites, home site, name or language. An admin cannot demote themselves (they would lock themselves
 * out mid-task), and nobody can demote the organization's last active admin.
 */
export async function updateUser(db: Database, actor: Actor, userId: string, body: UpdateUserBody, now: Date): Promise<UserAccount> {
  const current = await findOrgUser(db, actor, userId);
  const role = body.role ?? (current.role as Role);
  const demotesAdmin = current.role === 'org_admin' && role !== 'org_admin';
  if (demotesAdmin && userId === actor.userId) {
    throw accountRefusal('OWN_ACCOUNT', 'You cannot change your own role; another admin can.');
  }
  const currentSiteIds = (await findSiteIdsByUser(db, [userId])).get(userId) ?? [];
  const siteIds = isSiteScopedRole(role) ? [...new Set(body.siteIds ?? currentSiteIds)] : [];
  if (isSiteScopedRole(role) && siteIds.length === 0) {
    throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.siteIds', message: 'site staff need at least one site' }] });
  }
  await assertOrgSites(db, actor.orgId, siteIds, 'body.siteIds');
  if (body.homeSiteId) await assertOrgSites(db, actor.orgId, [body.homeSiteId], 'body.homeSiteId');

  const updated = await db.transaction(async (tx) => {
    if (demotesAdmin) {
      await lockOrganizationAdmins(tx, actor.orgId);
      if (!current.disabledAt && (await countOtherActiveAdmins(tx, actor.orgId, userId)) === 0) {
        throw accountRefusal('LAST_ORG_ADMIN', 'This is the last active admin of the organization; make someone else admin first.');
      }
    }
    // A new role or other sites end the sessions issued for the old ones (their tokens say what they were).
    const accessChanged = role !== current.role || !sameMembers(siteIds, currentSiteIds);
    const row = await updateUserRow(tx, actor.orgId, userId, {
      role,
      ...(accessChanged ? { accessVersion: NEXT_ACCESS_VERSION } : {}),
      ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
      ...(body.locale !== undefined ? { locale: body.locale } : {}),
      ...(body.homeSiteId !== undefined ? { homeSiteId: body.homeSiteId } : {}),
      updatedAt: now,
    });
    await replaceUserSites(tx, actor.orgId, userId, siteIds);
    return row!;
  });
  return toUserAccount(updated, siteIds);
}

/**
 * A deactivated account cannot sign in or refresh, and its sessions end now: every refresh token is revoked in
 * the same transaction, and access tokens already handed out are refused from the next request (their access
 * version is behind; in another API process within seconds, see auth/access-states.ts). A pending
 * invitation is kept but cannot be accepted while the account is deactivated.
 */
export async function deactivateUser(db: Database, actor: Actor, userId: string, now: Date): Promise<UserAccount> {
  const current = await findOrgUser(db, actor, userId);
  if (userId === actor.userId) throw accountRefusal('OWN_ACCOUNT', 'You cannot deactivate your own account; another admin can.');
  const updated = await db.transaction(async (tx) => {
    if (current.role === 'org_admin') {
      await lockOrganizationAdmins(tx, actor.orgId);
      if ((await countOtherActiveAdmins(tx, actor.orgId, userId)) === 0) {
        throw accountRefusal('LAST_ORG_ADMIN', 'This is the last active admin of the organization.');
      }
    }
    // Deactivating twice keeps the first instant. The new access version ends the access tokens already out.
    const row = await updateUserRow(tx, actor.orgId, userId, {
      disabledAt: current.disabledAt ?? now,
      accessVersion: NEXT_ACCESS_VERSION,
      updatedAt: now,
    });
    await revokeRefreshTokensOf(tx, userId, now);
    return row!;
  });
  return accountOf(db, updated);
}

/** The account can sign in again with its password (or, if it was invited and never set one, accept its link). */
export async function reactivateUser(db: Database, actor: Actor, userId: string, now: Date): Promise<UserAccount> {
  await findOrgUser(db, actor, userId);
  const row = await updateUserRow(db, actor.orgId, userId, { disabledAt: null, updatedAt: now });
  return accountOf(db, row!);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
