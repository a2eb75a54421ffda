/**
 * The API keeps each organization's catalogue (policy, sites, spaces, closures) in memory. These tests change the
 * catalogue behind its back, straight in the database as another API process would, and check that no answer is
 * decided on the old snapshot.
 */
import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createPortfolio, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { readCatalogue } from './catalogue.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

const book = (spaceId: string, date: string, from: string, to: string, token = p.tokens.admin) =>
  t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: bearer(token), payload: { spaceId, startAt: at(date, from), endAt: at(date, to) } });

const versionOf = async (orgId: string) =>
  (await t.db.select().from(schema.catalogueVersions).where(eq(schema.catalogueVersions.orgId, orgId)))[0]?.version;

describe('catalogue snapshot', () => {
  it('every change to policy, sites, spaces or closures bumps the organization’s version, and only its own', async () => {
    const other = await versionOf(p.otherOrg.id);
    let version = (await versionOf(p.org.id))!;
    const bumped = async () => {
      const now = (await versionOf(p.org.id))!;
      const changed = now > version;
      version = now;
      return changed;
    };
    await t.db.update(schema.organizations).set({ policy: { leadTimeMinutes: 0 } }).where(eq(schema.organizations.id, p.org.id));
    expect(await bumped()).toBe(true);
    await t.db.update(schema.sites).set({ name: '改名' }).where(eq(schema.sites.id, p.siteA.id));
    expect(await bumped()).toBe(true);
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteB.id });
    expect(await bumped()).toBe(true);
    await t.db.update(schema.spaces).set({ capacity: 30 }).where(eq(schema.spaces.id, space.id));
    expect(await bumped()).toBe(true);
    await t.db.insert(schema.closures).values({ orgId: p.org.id, scope: 'org', startDate: '2027-12-31', endDate: '2027-12-31', reason: '跨年' });
    expect(await bumped()).toBe(true);
    // Bookings are not catalogue: writing one leaves the version alone.
    expect((await book(p.spaceB.id, '2027-03-03', '10:00', '11:00')).statusCode).toBe(201);
    expect(await bumped()).toBe(false);
    expect(await versionOf(p.otherOrg.id)).toBe(other);
  });

  it('a space archived by another process is refused, not booked from the old snapshot', async () => {
    expect((await book(p.spaceA.id, '2027-03-02', '10:00', '11:00')).statusCode).toBe(201);
    await t.db.update(schema.spaces).set({ archivedAt: new Date(at('2027-03-01', '09:00')) }).where(eq(schema.spaces.id, p.spaceA.id));
    const res = await book(p.spaceA.id, '2027-03-02', '12:00', '13:00');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SPACE_UNAVAILABLE');
    await t.db.update(schema.spaces).set({ archivedAt: null }).where(eq(schema.spaces.id, p.spaceA.id));
    expect((await book(p.spaceA.id, '2027-03-02', '12:00', '13:00')).statusCode).toBe(201);
  });

  it('a space added by another process is bookable at once, not 404', async () => {
    expect((await book(p.spaceB.id, '2027-03-02', '10:00', '11:00')).statusCode).toBe(201);
    const added = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteB.id });
    expect((await book(added.id, '2027-03-02', '10:00', '11:00')).statusCode).toBe(201);
  });

  it('opening hours changed by another process decide the next booking both ways', async () => {
    expect((await book(p.spaceB.id, '2027-03-05', '09:00', '10:00')).statusCode).toBe(201);
    const closedAllWeek = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    await t.db.update(schema.sites).set({ openingHours: closedAllWeek }).where(eq(schema.sites.id, p.siteB.id));
    const refused = await book(p.spaceB.id, '2027-03-05', '10:00', '11:00');
    expect(refused.json().code).toBe('OUTSIDE_OPENING_HOURS');
    const lateHours = Object.fromEntries(Object.keys(closedAllWeek).map((d) => [d, [{ start: '06:00', end: '23:30' }]]));
    await t.db.update(schema.sites).set({ openingHours: lateHours as never }).where(eq(schema.sites.id, p.siteB.id));
    // 22:30 was outside the hours the cached snapshot knew; the refusal is re-checked against the current catalogue.
    expect((await book(p.spaceB.id, '2027-03-05', '22:30', '23:30')).statusCode).toBe(201);
  });

  it('a snapshot is reused while the version is unchanged and replaced when it moves', async () => {
    const first = await readCatalogue(t.db, p.org.id);
    expect(await readCatalogue(t.db, p.org.id)).toBe(first);
    await t.db.update(schema.sites).set({ district: '长宁区' }).where(eq(schema.sites.id, p.siteB.id));
    const second = await readCatalogue(t.db, p.org.id);
    expect(second).not.toBe(first);
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.sites.get(p.siteB.id)!.district).toBe('长宁区');
  });

  it('search and schedule see a closure and an archived space written by another process', async () => {
    const extra = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, name: '新书房' });
    const search = async () => {
      const q = new URLSearchParams({ startAt: at('2027-03-08', '10:00'), endAt: at('2027-03-08', '11:00'), nearSiteId: p.siteA.id });
      const res = await t.app.inject({ url: `/api/v1/availability/search?${q}`, headers: bearer(p.tokens.admin) });
      return (res.json().items as { space: { id: string } }[]).map((i) => i.space.id);
    };
    const schedule = async () =>
      (await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/schedule?date=2027-03-08`, headers: bearer(p.tokens.admin) })).json();
    expect(await search()).toContain(extra.id);
    expect((await schedule()).spaces.map((s: { id: string }) => s.id)).toContain(extra.id);

    await t.db.update(schema.spaces).set({ archivedAt: new Date(at('2027-03-01', '09:00')) }).where(eq(schema.spaces.id, extra.id));
    expect(await search()).not.toContain(extra.id);
    expect((await schedule()).spaces.map((s: { id: string }) => s.id)).not.toContain(extra.id);

    await t.db.insert(schema.closures).values({ orgId: p.org.id, scope: 'site', siteId: p.siteA.id, startDate: '2027-03-08', endDate: '2027-03-08', reason: '消防演练' });
    expect(await search()).not.toContain(p.spaceA.id);
    const closed = await schedule();
    expect(closed.closures.map((c: { reason: string }) => c.reason)).toContain('消防演练');
    expect(closed.openRanges).toEqual([]);
  });

  it('a site added by another process has a schedule at once, not 404', async () => {
    await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/schedule?date=2027-03-08`, headers: bearer(p.tokens.admin) });
    const [site] = await t.db.insert(schema.sites).values({ orgId: p.org.id, name: '新开站点', kind: 'study_room', district: '徐汇区', openingHours: { mon: [{ start: '09:00', end: '18:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } }).returning();
    const res = await t.app.inject({ url: `/api/v1/sites/${site!.id}/schedule?date=2027-03-08`, headers: bearer(p.tokens.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json().openRanges).toHaveLength(1);
  });
});
