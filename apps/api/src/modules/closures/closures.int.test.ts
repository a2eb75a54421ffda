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

const create = (token: string, payload: object) =>
  t.app.inject({ method: 'POST', url: '/api/v1/closures', headers: bearer(token), payload });

describe('closures', () => {
  it('a site sees its own, its district\'s and org-wide closures, and not another district\'s', async () => {
    const holiday = bodyOf(await create(p.tokens.admin, { scope: 'org', startDate: '2027-01-01', endDate: '2027-01-01', reason: '元旦' }));
    const district = bodyOf(await create(p.tokens.admin, { scope: 'district', district: p.siteA.district, startDate: '2027-03-01', endDate: '2027-03-03', reason: '区级检查' }));
    const elsewhere = bodyOf(await create(p.tokens.admin, { scope: 'district', district: '浦东新区', startDate: '2027-03-01', endDate: '2027-03-03', reason: '浦东活动' }));
    const own = bodyOf(await create(p.tokens.manager, { scope: 'site', siteId: p.siteA.id, startDate: '2027-02-10', endDate: '2027-02-12', reason: '设备维修' }));

    const list = bodyOf(await t.app.inject({ url: `/api/v1/closures?siteId=${p.siteA.id}`, headers: bearer(p.tokens.staff) }));
    const ids = list.items.map((c: { id: string }) => c.id);
    expect(ids).toEqual(expect.arrayContaining([holiday.id, district.id, own.id]));
    expect(ids).not.toContain(elsewhere.id);
  });

  it('a site manager may close only their own site, not a district or the whole org', async () => {
    const res = await create(p.tokens.manager, { scope: 'org', startDate: '2027-05-01', endDate: '2027-05-05', reason: '劳动节' });
    expect(res.statusCode).toBe(403);
  });

  it.each([
    ['an end before the start', { scope: 'org', startDate: '2027-05-05', endDate: '2027-05-01', reason: 'x' }, 'body.endDate'],
    ['a site closure without a site', { scope: 'site', startDate: '2027-05-01', endDate: '2027-05-01', reason: 'x' }, 'body.siteId'],
    ['a district closure without a district', { scope: 'district', startDate: '2027-05-01', endDate: '2027-05-01', reason: 'x' }, 'body.district'],
    ['an impossible date', { scope: 'org', startDate: '2027-02-30', endDate: '2027-03-01', reason: 'x' }, 'body.startDate'],
    ['no reason', { scope: 'org', startDate: '2027-05-01', endDate: '2027-05-01' }, 'body.reason'],
  ])('refuses %s', async (_label, payload, path) => {
    const res = await create(p.tokens.admin, payload);
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('a closure can be removed by whoever may create it', async () => {
    const own = bodyOf(await create(p.tokens.manager, { scope: 'site', siteId: p.siteA.id, startDate: '2027-06-01', endDate: '2027-06-01', reason: '临时' }));
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/closures/${own.id}`, headers: bearer(p.tokens.manager) });
    expect(del.statusCode).toBe(200);
  });
});
