import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@linli/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { TEST_PASSWORD, createOrg, createPortfolio, createSite, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

describe('staff accounts', () => {
  it('an org admin creates a staff member scoped to a site, who can then sign in and sees only that site', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(p.tokens.admin),
      payload: { role: 'staff', email: 'new.staff@example.com', password: 'a-long-password', displayName: '李工', siteIds: [p.siteB.id] },
    });
    expect(created.statusCode).toBe(201);
    expect(bodyOf(created)).toMatchObject({ role: 'staff', siteIds: [p.siteB.id] });

    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { org: p.org.slug, login: 'new.staff@example.com', password: 'a-long-password' } });
    const sites = await t.app.inject({ url: '/api/v1/sites', headers: bearer(bodyOf(login).accessToken) });
    expect(bodyOf(sites).items.map((s: { id: string }) => s.id)).toEqual([p.siteB.id]);
  });

  it('site staff need a site, and sites must belong to the organization', async () => {
    const noSite = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(p.tokens.admin), payload: { role: 'site_manager', email: 'm@example.com', password: 'a-long-password', displayName: 'm' } });
    expect(noSite.statusCode).toBe(400);
    const foreign = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(p.tokens.admin), payload: { role: 'staff', email: 'f@example.com', password: 'a-long-password', displayName: 'f', siteIds: [p.otherSite.id] } });
    expect(foreign.statusCode).toBe(400);
  });

  it('lists the organization\'s users with their sites, and no one else\'s', async () => {
    const list = bodyOf(await t.app.inject({ url: '/api/v1/users?limit=200', headers: bearer(p.tokens.admin) }));
    const byId = new Map(list.items.map((u: { id: string }) => [u.id, u]));
    expect(byId.get(p.manager.id)).toMatchObject({ siteIds: [p.siteA.id] });
    expect(byId.has(p.otherAdmin.id)).toBe(false);
  });
});

const users = (token: string, query = '') => t.app.inject({ url: `/api/v1/users?limit=200${query}`, headers: bearer(token) });
const patchUser = (token: string, id: string, payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: bearer(token), payload });
const userAction = (token: string, id: string, action: 'deactivate' | 'reactivate' | 'invitation') =>
  t.app.inject({ method: 'POST', url: `/api/v1/users/${id}/${action}`, headers: bearer(token) });
const invite = (payload: object, token = p.tokens.admin) => t.app.inject({ method: 'POST', url: '/api/v1/users/invitations', headers: bearer(token), payload });
const acceptInvite = (token: string, password = 'a-long-password') => t.app.inject({ method: 'POST', url: '/api/v1/auth/accept-invite', payload: { token, password } });
const login = (email: string, password = TEST_PASSWORD) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { org: p.org.slug, login: email, password } });
const tokenOf = (inviteUrl: string) => new URL(inviteUrl).searchParams.get('invite')!;
const idsOf = (response: { json: () => unknown }) => (response.json() as { items: { id: string }[] }).items.map((u) => u.id);

describe('finding users', () => {
  it('filters by role, by site (works at or lives near), by part of name, email or phone, and by active', async () => {
    const phoneUser = await createUser(t.db, { orgId: p.org.id, role: 'resident', phone: '13912345678', homeSiteId: p.siteB.id });
    expect(idsOf(await users(p.tokens.admin, '&role=site_manager'))).toEqual([p.manager.id]);
    const atA = idsOf(await users(p.tokens.admin, `&siteId=${p.siteA.id}`));
    expect(atA).toEqual(expect.arrayContaining([p.manager.id, p.staff.id, p.resident.id]));
    expect(atA).not.toContain(p.admin.id);
    expect(idsOf(await users(p.tokens.admin, `&siteId=${p.siteB.id}&role=resident`))).toEqual([phoneUser.id]);
    expect(idsOf(await users(p.tokens.admin, '&q=3912345'))).toEqual([phoneUser.id]);
    expect(idsOf(await users(p.tokens.admin, `&q=${encodeURIComponent(p.staff.email!.toUpperCase())}`))).toEqual([p.staff.id]);
    // A % typed into the search box is a letter, not "everything".
    expect(idsOf(await users(p.tokens.admin, '&q=%25'))).toEqual([]);
    expect(idsOf(await users(p.tokens.admin, '&active=false'))).not.toContain(p.admin.id);
    expect(idsOf(await users(p.tokens.admin, '&active=true'))).toContain(p.admin.id);
  });

  it('refuses absurd filters, and answers only admins', async () => {
    expect((await users(p.tokens.admin, '&role=emperor')).statusCode).toBe(400);
    expect((await users(p.tokens.admin, '&siteId=not-a-uuid')).statusCode).toBe(400);
    expect((await users(p.tokens.admin, `&q=${'x'.repeat(101)}`)).statusCode).toBe(400);
    expect((await users(p.tokens.admin, '&q=a%00b')).statusCode).toBe(400);
    expect((await users(p.tokens.manager)).statusCode).toBe(403);
    expect((await users(p.tokens.resident)).statusCode).toBe(403);
  });
});

describe('changing an account', () => {
  it('an admin moves a staff member to another site and makes them site manager; their account says so', async () => {
    const person = await createUser(t.db, { orgId: p.org.id, role: 'staff', siteIds: [p.siteA.id] });
    const changed = await patchUser(p.tokens.admin, person.id, { role: 'site_manager', siteIds: [p.siteB.id], displayName: '王经理', locale: 'en' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(bodyOf(changed)).toMatchObject({ role: 'site_manager', siteIds: [p.siteB.id], displayName: '王经理', locale: 'en', status: 'active' });
    expect(bodyOf(await t.app.inject({ url: `/api/v1/users/${person.id}`, headers: bearer(p.tokens.admin) }))).toMatchObject({ siteIds: [p.siteB.id] });

    // Made a resident, they work at no site any more.
    const resident = await patchUser(p.tokens.admin, person.id, { role: 'resident', homeSiteId: p.siteA.id });
    expect(bodyOf(resident)).toMatchObject({ role: 'resident', siteIds: [], homeSiteId: p.siteA.id });
    // And back to staff, they must be given a site.
    expect((await patchUser(p.tokens.admin, person.id, { role: 'staff' })).statusCode).toBe(400);
  });

  it("refuses another organization's site, another organization's user (404), and a non-admin (403)", async () => {
    expect((await patchUser(p.tokens.admin, p.staff.id, { siteIds: [p.otherSite.id] })).statusCode).toBe(400);
    expect((await patchUser(p.tokens.admin, p.staff.id, { homeSiteId: p.otherSite.id })).statusCode).toBe(400);
    expect((await patchUser(p.tokens.admin, p.otherAdmin.id, { displayName: 'x' })).statusCode).toBe(404);
    expect((await userAction(p.tokens.admin, p.otherAdmin.id, 'deactivate')).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/users/${p.otherAdmin.id}`, headers: bearer(p.tokens.admin) })).statusCode).toBe(404);
    expect((await patchUser(p.tokens.manager, p.staff.id, { role: 'org_admin' })).statusCode).toBe(403);
    expect((await patchUser(p.tokens.staff, p.staff.id, { role: 'org_admin' })).statusCode).toBe(403);
    expect((await userAction(p.tokens.resident, p.staff.id, 'deactivate')).statusCode).toBe(403);
    expect((await patchUser(p.tokens.admin, p.staff.id, { displayName: 'a\u0000b' })).statusCode).toBe(400);
    expect((await patchUser(p.tokens.admin, p.staff.id, { email: 'takeover@example.com' })).statusCode).toBe(400);
  });

  it('an admin cannot demote or deactivate themselves, nor anyone the last active admin (409 with the reason)', async () => {
    const org = await createOrg(t.db);
    const site = await createSite(t.db, { orgId: org.id });
    const only = await createUser(t.db, { orgId: org.id, role: 'org_admin' });
    const onlyToken = tokenFor(t.app, only);
    const self = await patchUser(onlyToken, only.id, { role: 'staff', siteIds: [site.id] });
    expect(self.statusCode).toBe(409);
    expect(bodyOf(self).details).toEqual({ reason: 'OWN_ACCOUNT' });
    expect(bodyOf(await userAction(onlyToken, only.id, 'deactivate')).details).toEqual({ reason: 'OWN_ACCOUNT' });
    // A renamed admin stays admin: changing one's own name is fine.
    expect((await patchUser(onlyToken, only.id, { displayName: '唯一管理员' })).statusCode).toBe(200);

    // A second admin, deactivated, does not count; demoting the only active one through them is refused.
    const second = await createUser(t.db, { orgId: org.id, role: 'org_admin' });
    const secondToken = tokenFor(t.app, second);
    expect((await userAction(onlyToken, second.id, 'deactivate')).statusCode).toBe(200);
    // Their access token ended with the account: it cannot act against the last active admin, or at all.
    const last = await patchUser(secondToken, only.id, { role: 'resident' });
    expect(last.statusCode).toBe(401);
    expect((await userAction(secondToken, only.id, 'deactivate')).statusCode).toBe(401);

    // Reactivated, the second admin may be demoted by the first, and then not the first by anyone.
    expect(bodyOf(await userAction(onlyToken, second.id, 'reactivate')).status).toBe('active');
    expect((await patchUser(onlyToken, second.id, { role: 'staff', siteIds: [site.id] })).statusCode).toBe(200);
  });

  it('two admins deactivating each other at once: exactly one wins, the organization keeps an admin', async () => {
    const org = await createOrg(t.db);
    const [a, b] = [await createUser(t.db, { orgId: org.id, role: 'org_admin' }), await createUser(t.db, { orgId: org.id, role: 'org_admin' })];
    const results = await Promise.all([userAction(tokenFor(t.app, a), b.id, 'deactivate'), userAction(tokenFor(t.app, b), a.id, 'deactivate')]);
    // The loser is refused as the last admin (409) if its request got past authentication before the winner's
    // change committed, or as a deactivated account (401) if after: either way exactly one change happens.
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const [row] = await t.db.select({ count: sql<number>`count(*)::int` }).from(schema.users).where(and(eq(schema.users.orgId, org.id), isNull(schema.users.disabledAt)));
    expect(row!.count).toBe(1);
  });
});

describe('deactivating an account', () => {
  it("ends the person's sessions at once and refuses their sign-in, until reactivated", async () => {
    const person = await createUser(t.db, { orgId: p.org.id, role: 'staff', siteIds: [p.siteA.id] });
    const session = bodyOf(await login(person.email!));
    const deactivated = await userAction(p.tokens.admin, person.id, 'deactivate');
    expect(deactivated.statusCode).toBe(200);
    expect(bodyOf(deactivated)).toMatchObject({ status: 'deactivated' });
    expect(bodyOf(deactivated).disabledAt).toEqual(expect.any(String));

    // Revoked in the database, not only refused while the account stays deactivated.
    const tokens = await t.db.select().from(schema.refreshTokens).where(eq(schema.refreshTokens.userId, person.id));
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.filter((token) => !token.revokedAt)).toEqual([]);
    const refresh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } });
    expect(refresh.statusCode).toBe(401);
    const again = await login(person.email!);
    expect(again.statusCode).toBe(401);
    expect(bodyOf(again).code).toBe('INVALID_CREDENTIALS');
    expect(idsOf(await users(p.tokens.admin, '&active=false'))).toContain(person.id);

    expect(bodyOf(await userAction(p.tokens.admin, person.id, 'reactivate')).status).toBe('active');
    // The access token from before stays dead after reactivation; a new sign-in works.
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(session.accessToken) })).statusCode).toBe(401);
    expect((await login(person.email!)).statusCode).toBe(200);
  });

  it('refuses the access token already handed out from the next request, not when it expires', async () => {
    const person = await createUser(t.db, { orgId: p.org.id, role: 'staff', siteIds: [p.siteA.id] });
    const { accessToken } = bodyOf(await login(person.email!));
    const me = () => t.app.inject({ url: '/api/v1/me', headers: bearer(accessToken) });
    expect((await me()).statusCode).toBe(200);
    expect((await userAction(p.tokens.admin, person.id, 'deactivate')).statusCode).toBe(200);
    const refused = await me();
    expect(refused.statusCode).toBe(401);
    expect(bodyOf(refused).code).toBe('UNAUTHENTICATED');
    expect(bodyOf(refused).detail).toMatch(/deactivated or its access changed/);
  });
});

describe('changing role or sites', () => {
  it("ends tokens issued for the old access; a refresh gets the new role and sites; a renamed person's token lives on", async () => {
    const person = await createUser(t.db, { orgId: p.org.id, role: 'staff', siteIds: [p.siteA.id] });
    const session = bodyOf(await login(person.email!));
    const me = (token: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(token) });

    expect((await patchUser(p.tokens.admin, person.id, { displayName: '改名的同事' })).statusCode).toBe(200);
    expect((await me(session.accessToken)).statusCode).toBe(200);

    expect((await patchUser(p.tokens.admin, person.id, { siteIds: [p.siteB.id] })).statusCode).toBe(200);
    // The old token named site A: it would still open site A's data, so it is refused.
    expect((await me(session.accessToken)).statusCode).toBe(401);
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(bodyOf(refreshed).user.siteIds).toEqual([p.siteB.id]);
    const current = await me(bodyOf(refreshed).accessToken);
    expect(current.statusCode).toBe(200);
    expect(bodyOf(current).siteIds).toEqual([p.siteB.id]);

    expect((await patchUser(p.tokens.admin, person.id, { role: 'resident' })).statusCode).toBe(200);
    expect((await me(bodyOf(refreshed).accessToken)).statusCode).toBe(401);
  });
});

describe('invitations', () => {
  it('an admin invites a staff member, who sets a password through the link once and signs in', async () => {
    const invited = await invite({ role: 'staff', email: 'invitee@example.com', displayName: '新同事', siteIds: [p.siteA.id] });
    expect(invited.statusCode, invited.body).toBe(201);
    const { user, inviteUrl, expiresAt } = bodyOf(invited);
    expect(user).toMatchObject({ role: 'staff', status: 'invited', siteIds: [p.siteA.id] });
    expect(inviteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?invite=[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const token = tokenOf(inviteUrl);
    // Only the token's hash is stored.
    const [stored] = await t.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(stored!.inviteTokenHash).not.toContain(token);
    expect(stored!.inviteTokenHash).toHaveLength(64);
    // Nobody can sign in to the account before the invitee sets a password.
    expect((await login('invitee@example.com', '')).statusCode).toBe(400);

    const accepted = await acceptInvite(token, 'my-own-secret-words');
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(bodyOf(accepted)).toMatchObject({ user: { id: user.id, role: 'staff', siteIds: [p.siteA.id] }, refreshToken: expect.any(String) });
    expect((await login('invitee@example.com', 'my-own-secret-words')).statusCode).toBe(200);
    expect(bodyOf(await t.app.inject({ url: `/api/v1/users/${user.id}`, headers: bearer(p.tokens.admin) }))).toMatchObject({ status: 'active', inviteExpiresAt: null });

    // The link works once.
    const reused = await acceptInvite(token, 'someone-elses-words');
    expect(reused.statusCode).toBe(404);
    expect(bodyOf(reused).details).toEqual({ reason: 'INVITE_INVALID' });
    expect((await login('invitee@example.com', 'someone-elses-words')).statusCode).toBe(401);
  });

  it('a forged, malformed or expired link is refused with a clear reason; a weak password too', async () => {
    const forged = await acceptInvite('A'.repeat(43));
    expect(forged.statusCode).toBe(404);
    expect(bodyOf(forged).details).toEqual({ reason: 'INVITE_INVALID' });
    expect((await acceptInvite('short')).statusCode).toBe(400);
    expect((await acceptInvite(`${'A'.repeat(42)}\u0000`)).statusCode).toBe(400);

    const { inviteUrl, user } = bodyOf(await invite({ role: 'resident', phone: '13700000001', displayName: '居民' }));
    const weak = await acceptInvite(tokenOf(inviteUrl), 'password');
    expect(bodyOf(weak).code).toBe('WEAK_PASSWORD');

    t.setNow(new Date(Date.now() + 7 * 86_400_000 + 60_000));
    try {
      const expired = await acceptInvite(tokenOf(inviteUrl));
      expect(expired.statusCode).toBe(409);
      expect(bodyOf(expired).details).toEqual({ reason: 'INVITE_EXPIRED' });
      // A new link replaces it; the old one stays dead.
      const reissued = await userAction(p.tokens.admin, user.id, 'invitation');
      expect(reissued.statusCode, reissued.body).toBe(200);
      expect(bodyOf(await acceptInvite(tokenOf(inviteUrl))).details).toEqual({ reason: 'INVITE_INVALID' });
      expect((await acceptInvite(tokenOf(bodyOf(reissued).inviteUrl))).statusCode).toBe(200);
    } finally {
      t.setNow(new Date());
    }
    // An account that has set its password gets no new link.
    expect((await userAction(p.tokens.admin, user.id, 'invitation')).statusCode).toBe(409);
  });

  it('a deactivated invitee cannot accept; two uses of one link at once: exactly one wins', async () => {
    const first = bodyOf(await invite({ role: 'staff', email: 'gone@example.com', displayName: 'g', siteIds: [p.siteA.id] }));
    await userAction(p.tokens.admin, first.user.id, 'deactivate');
    expect(bodyOf(await acceptInvite(tokenOf(first.inviteUrl))).details).toEqual({ reason: 'INVITE_INVALID' });

    const second = bodyOf(await invite({ role: 'staff', email: 'race@example.com', displayName: 'r', siteIds: [p.siteA.id] }));
    const both = await Promise.all([acceptInvite(tokenOf(second.inviteUrl), 'first-long-password'), acceptInvite(tokenOf(second.inviteUrl), 'second-long-password')]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 404]);
  });

  it('refuses a taken email, a staff member without a site, a foreign site, and non-admins', async () => {
    expect((await invite({ role: 'staff', email: p.staff.email, displayName: 'dup', siteIds: [p.siteA.id] })).statusCode).toBe(409);
    expect((await invite({ role: 'staff', email: 'nosite@example.com', displayName: 'n' })).statusCode).toBe(400);
    expect((await invite({ role: 'staff', email: 'foreign@example.com', displayName: 'f', siteIds: [p.otherSite.id] })).statusCode).toBe(400);
    expect((await invite({ role: 'staff', email: 'pw@example.com', displayName: 'p', siteIds: [p.siteA.id], password: 'a-long-password' })).statusCode).toBe(400);
    expect((await invite({ role: 'staff', email: 'm@example.com', displayName: 'm', siteIds: [p.siteA.id] }, p.tokens.manager)).statusCode).toBe(403);
    expect((await invite({ role: 'staff', email: 'r@example.com', displayName: 'r', siteIds: [p.siteA.id] }, p.tokens.resident)).statusCode).toBe(403);
    expect((await userAction(p.tokens.admin, p.otherAdmin.id, 'invitation')).statusCode).toBe(404);
  });
});
