import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DAY_EVERY_DAY, createPortfolio, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

const validSite = {
  name: '静安区城市书房·南京西路',
  kind: 'study_room',
  district: '静安区',
  subdistrict: '南京西路街道',
  address: '南京西路 1000 号',
  lat: 31.23,
  lng: 121.45,
  openingHours: { mon: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '22:00' }], sat: [{ start: '09:00', end: '24:00' }] },
};

async function countSites(orgId: string) {
  return (await t.db.select().from(schema.sites).where(eq(schema.sites.orgId, orgId))).length;
}

describe('sites', () => {
  it('an org admin creates a site with several opening intervals a day; the zone defaults to Asia/Shanghai', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/sites', headers: bearer(p.tokens.admin), payload: validSite });
    expect(res.statusCode).toBe(201);
    const site = bodyOf(res);
    expect(site).toMatchObject({ name: validSite.name, kind: 'study_room', timezone: 'Asia/Shanghai', archivedAt: null });
    expect(site.openingHours.mon).toHaveLength(2);
    expect(site.openingHours.sun).toEqual([]);
    const read = await t.app.inject({ url: `/api/v1/sites/${site.id}`, headers: bearer(p.tokens.admin) });
    expect(bodyOf(read).name).toBe(validSite.name);
  });

  it.each([
    ['an invalid time zone', { timezone: 'Mars/Olympus' }, 'body.timezone'],
    ['a fixed offset instead of a region', { timezone: 'UTC+8' }, 'body.timezone'],
    ['opening hours that overlap', { openingHours: { mon: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '14:00' }] } }, 'body.openingHours.mon.1'],
    ['opening hours that end before they start', { openingHours: { tue: [{ start: '18:00', end: '09:00' }] } }, 'body.openingHours.tue.0.end'],
    ['a clock time out of range', { openingHours: { wed: [{ start: '25:00', end: '26:00' }] } }, 'body.openingHours.wed.0.start'],
    ['a latitude out of range', { lat: 91 }, 'body.lat'],
    ['a longitude out of range', { lng: -181 }, 'body.lng'],
    ['an unknown field (mass assignment of org_id)', { orgId: '00000000-0000-0000-0000-000000000000' }, 'body'],
    ['an empty name', { name: '  ' }, 'body.name'],
  ])('refuses %s with a 400 naming the field, and writes nothing', async (_label, patch, path) => {
    const before = await countSites(p.org.id);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: bearer(p.tokens.admin),
      payload: { ...validSite, ...patch },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = bodyOf(res);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await countSites(p.org.id)).toBe(before);
  });

  it('a site manager edits their own site but not another site of the same operator (404)', async () => {
    const own = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/sites/${p.siteA.id}`,
      headers: bearer(p.tokens.manager),
      payload: { address: '新地址 1 号' },
    });
    expect(own.statusCode).toBe(200);
    expect(bodyOf(own).address).toBe('新地址 1 号');
    const other = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/sites/${p.siteB.id}`,
      headers: bearer(p.tokens.manager),
      payload: { address: 'x' },
    });
    expect(other.statusCode).toBe(404);
  });

  it('lists are paginated with a cursor and a capped page size', async () => {
    const first = await t.app.inject({ url: '/api/v1/sites?limit=1', headers: bearer(p.tokens.admin) });
    const page1 = bodyOf(first);
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await t.app.inject({ url: `/api/v1/sites?limit=1&cursor=${page1.nextCursor}`, headers: bearer(p.tokens.admin) });
    expect(bodyOf(second).items[0].id).not.toBe(page1.items[0].id);
    const tooBig = await t.app.inject({ url: '/api/v1/sites?limit=5000', headers: bearer(p.tokens.admin) });
    expect(tooBig.statusCode).toBe(400);
    const badCursor = await t.app.inject({ url: '/api/v1/sites?cursor=not-a-cursor', headers: bearer(p.tokens.admin) });
    expect(badCursor.statusCode).toBe(400);
  });

  it('staff list only their own sites; residents see the whole active catalogue', async () => {
    const staff = bodyOf(await t.app.inject({ url: '/api/v1/sites', headers: bearer(p.tokens.staff) }));
    expect(staff.items.map((s: { id: string }) => s.id)).toEqual([p.siteA.id]);
    const resident = bodyOf(await t.app.inject({ url: '/api/v1/sites?limit=200', headers: bearer(p.tokens.resident) }));
    const ids = resident.items.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([p.siteA.id, p.siteB.id]));
    expect(ids).not.toContain(p.otherSite.id);
  });

  it('a site with spaces is archived, not deleted; an unused site can be deleted', async () => {
    const created = bodyOf(
      await t.app.inject({ method: 'POST', url: '/api/v1/sites', headers: bearer(p.tokens.admin), payload: { ...validSite, name: '待归档' } }),
    );
    await createSpace(t.db, { orgId: p.org.id, siteId: created.id });
    const refused = await t.app.inject({ method: 'DELETE', url: `/api/v1/sites/${created.id}`, headers: bearer(p.tokens.admin) });
    expect(refused.statusCode).toBe(409);
    const archived = await t.app.inject({ method: 'POST', url: `/api/v1/sites/${created.id}/archive`, headers: bearer(p.tokens.admin) });
    expect(bodyOf(archived).archivedAt).toEqual(expect.any(String));
    const hidden = await t.app.inject({ url: `/api/v1/sites/${created.id}`, headers: bearer(p.tokens.resident) });
    expect(hidden.statusCode).toBe(404);

    const unused = bodyOf(
      await t.app.inject({ method: 'POST', url: '/api/v1/sites', headers: bearer(p.tokens.admin), payload: { ...validSite, name: '空站点', openingHours: ALL_DAY_EVERY_DAY } }),
    );
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/sites/${unused.id}`, headers: bearer(p.tokens.admin) });
    expect(deleted.statusCode).toBe(200);
  });
});
