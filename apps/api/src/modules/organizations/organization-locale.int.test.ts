/**
 * The organization's language (issue #13, point 4: "the user's language, else the organization's default"): an
 * account that does not name a language gets the organization's, and messages go in the account's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let adminToken: string;
beforeAll(async () => {
  t = await startTestApp();
  org = await createOrg(t.db);
  adminToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
});
afterAll(() => t.close());

const register = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { org: org.slug, password: 'a-long-password', displayName: '居民', ...payload } });

describe("the organization's language", () => {
  it('is zh-CN unless the admin changes it, and only to a language the app speaks', async () => {
    expect(bodyOf(await t.app.inject({ url: '/api/v1/organization', headers: bearer(adminToken) })).locale).toBe('zh-CN');
    const french = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: bearer(adminToken), payload: { locale: 'fr' } });
    expect(french.statusCode).toBe(400);
    const english = await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: bearer(adminToken), payload: { locale: 'en' } });
    expect(english.statusCode, english.body).toBe(200);
    expect(bodyOf(english).locale).toBe('en');
  });

  it("is what a new account speaks when it does not say, for residents who register and staff an admin creates", async () => {
    const silent = await register({ email: 'silent@example.com' });
    expect(silent.statusCode, silent.body).toBe(201);
    expect(bodyOf(silent).user.locale).toBe('en');

    const chinese = await register({ email: 'zh@example.com', locale: 'zh-CN' });
    expect(bodyOf(chinese).user.locale).toBe('zh-CN');

    const staff = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(adminToken), payload: { role: 'org_admin', email: 'second.admin@example.com', password: 'a-long-password', displayName: 'Admin Two' } });
    expect(staff.statusCode, staff.body).toBe(201);
    expect(bodyOf(staff).locale).toBe('en');
  });
});
