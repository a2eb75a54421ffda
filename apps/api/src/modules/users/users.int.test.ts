import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio } from '../../test/factories.ts';
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
