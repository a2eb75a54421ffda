/**
 * Who a space is open to (issue #12): every resident, residents whose home site is in its district, or residents of
 * its own site. Operators set it on the space; booking, series and the free-slot view of one space honour it for
 * residents, and staff book regardless.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER, schema } from '@linli/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../lib/sql.ts';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let homeSite: Awaited<ReturnType<typeof createSite>>;
let neighbourSite: Awaited<ReturnType<typeof createSite>>;
let farSite: Awaited<ReturnType<typeof createSite>>;
const tokens = {} as Record<'admin' | 'ownResident' | 'neighbour' | 'farResident' | 'homeless' | 'staffOfHome', string>;
const DAY = '2027-03-02';

beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  org = await createOrg(t.db);
  homeSite = await createSite(t.db, { orgId: org.id, name: '田林邻里中心', district: '徐汇区' });
  neighbourSite = await createSite(t.db, { orgId: org.id, name: '康健邻里中心', district: '徐汇区' });
  farSite = await createSite(t.db, { orgId: org.id, name: '静安寺书房', district: '静安区' });
  const user = (role: 'org_admin' | 'resident' | 'staff', extra: { homeSiteId?: string; siteIds?: string[] } = {}) =>
    createUser(t.db, { orgId: org.id, role, ...extra }).then((u) => tokenFor(t.app, u));
  tokens.admin = await user('org_admin');
  tokens.ownResident = await user('resident', { homeSiteId: homeSite.id });
  tokens.neighbour = await user('resident', { homeSiteId: neighbourSite.id });
  tokens.farResident = await user('resident', { homeSiteId: farSite.id });
  tokens.homeless = await user('resident');
  tokens.staffOfHome = await user('staff', { siteIds: [homeSite.id] });
});
afterAll(() => t.close());

const book = (token: string, spaceId: string, start = '10:00', end = '11:00') =>
  t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: bearer(token), payload: { spaceId, startAt: at(DAY, start), endAt: at(DAY, end), partySize: 2 } });

describe('setting who a space is open to', () => {
  it('a space is open to everyone unless the operator says otherwise, and the choice is stored and read back', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: bearer(tokens.admin),
      payload: { siteId: homeSite.id, name: '共享厨房', kind: 'kitchen', bookingMode: 'exclusive', capacity: 10 },
    });
    expect(created.statusCode).toBe(201);
    expect(bodyOf(created).openTo).toBe('everyone');

    const kept = await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${bodyOf(created).id}`, headers: bearer(tokens.admin), payload: { openTo: 'district' } });
    expect(bodyOf(kept).openTo).toBe('district');
    const read = await t.app.inject({ url: `/api/v1/spaces/${bodyOf(created).id}`, headers: bearer(tokens.ownResident) });
    expect(bodyOf(read).openTo).toBe('district');
    const [row] = await t.db.select({ openTo: schema.spaces.openTo }).from(schema.spaces).where(eq(schema.spaces.id, bodyOf(created).id));
    expect(row!.openTo).toBe('district');
  });

  it.each([['neighbours'], [true], [null]])('refuses openTo %j with a 400 naming the field', async (openTo) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: bearer(tokens.admin),
      payload: { siteId: homeSite.id, name: '琴房', kind: 'activity_room', bookingMode: 'exclusive', capacity: 6, openTo },
    });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain('body.openTo');
  });

  it('the database refuses a value outside the three, whatever the code does', async () => {
    await expect(createSpace(t.db, { orgId: org.id, siteId: homeSite.id, openTo: 'friends' as never })).rejects.toThrow();
  });
});

describe('booking honours it', () => {
  it.each([
    ['everyone', 'ownResident', 201],
    ['everyone', 'farResident', 201],
    ['everyone', 'homeless', 201],
    ['district', 'ownResident', 201],
    ['district', 'neighbour', 201],
    ['district', 'farResident', 'NOT_OPEN_TO_OTHER_DISTRICTS'],
    ['district', 'homeless', 'NOT_OPEN_TO_OTHER_DISTRICTS'],
    ['home_site', 'ownResident', 201],
    ['home_site', 'neighbour', 'NOT_OPEN_TO_OTHER_SITES'],
    ['home_site', 'farResident', 'NOT_OPEN_TO_OTHER_SITES'],
    ['home_site', 'homeless', 'NOT_OPEN_TO_OTHER_SITES'],
  ] as const)('a space open to %s, booked by %s: %s', async (openTo, who, expected) => {
    const space = await createSpace(t.db, { orgId: org.id, siteId: homeSite.id, openTo });
    const res = await book(tokens[who], space.id);
    if (expected === 201) {
      expect(res.statusCode).toBe(201);
      return;
    }
    expect(res.statusCode).toBe(403);
    expect(bodyOf(res).code).toBe(expected);
    expect(bodyOf(res).details.reasons).toEqual([
      expected === 'NOT_OPEN_TO_OTHER_SITES'
        ? { code: expected, params: { siteId: homeSite.id } }
        : { code: expected, params: { siteId: homeSite.id, district: '徐汇区' } },
    ]);
  });

  it('the booking check lists the reason without booking', async () => {
    const space = await createSpace(t.db, { orgId: org.id, siteId: homeSite.id, openTo: 'district' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bookings/check',
      headers: bearer(tokens.farResident),
      payload: { spaceId: space.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00'), partySize: 2 },
    });
    expect(bodyOf(res)).toMatchObject({ bookable: false, reasons: [{ code: 'NOT_OPEN_TO_OTHER_DISTRICTS' }] });
  });

  it('staff book a space kept for its own site on behalf of anyone', async () => {
    const space = await createSpace(t.db, { orgId: org.id, siteId: homeSite.id, openTo: 'home_site' });
    expect((await book(tokens.staffOfHome, space.id)).statusCode).toBe(201);
    expect((await book(tokens.admin, space.id, '12:00', '13:00')).statusCode).toBe(201);
  });

  it('a weekly series of a resident from another district is refused on every date', async () => {
    const space = await createSpace(t.db, { orgId: org.id, siteId: homeSite.id, openTo: 'district' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/series',
      headers: bearer(tokens.farResident),
      payload: { spaceId: space.id, startDate: DAY, startTime: '15:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=2', dryRun: true },
    });
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res).occurrences.map((o: { status: string }) => o.status)).toEqual(['NOT_OPEN_TO_OTHER_DISTRICTS', 'NOT_OPEN_TO_OTHER_DISTRICTS']);
  });

  it('the free slots of a space closed to a resident answer why instead of times they could not book', async () => {
    const space = await createSpace(t.db, { orgId: org.id, siteId: homeSite.id, openTo: 'home_site' });
    const url = `/api/v1/spaces/${space.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60`;
    const refused = await t.app.inject({ url, headers: bearer(tokens.neighbour) });
    expect(refused.statusCode).toBe(403);
    expect(bodyOf(refused).code).toBe('NOT_OPEN_TO_OTHER_SITES');
    expect(bodyOf(await t.app.inject({ url, headers: bearer(tokens.ownResident) })).slots.length).toBeGreaterThan(0);
    expect(bodyOf(await t.app.inject({ url, headers: bearer(tokens.staffOfHome) })).slots.length).toBeGreaterThan(0);
  });
});

// Last: it rebuilds the column this file's other tests use.
describe('migration 0015', () => {
  it('a space closed to other sites becomes open to its own site only; every other space stays open to everyone', async () => {
    const closed = await createSpace(t.db, { orgId: org.id, siteId: farSite.id });
    const open = await createSpace(t.db, { orgId: org.id, siteId: farSite.id });
    await t.db.execute(sql`ALTER TABLE spaces DROP CONSTRAINT spaces_open_to`);
    await t.db.execute(sql`ALTER TABLE spaces DROP COLUMN open_to`);
    await t.db.execute(sql`ALTER TABLE spaces ADD COLUMN open_to_other_sites boolean DEFAULT true NOT NULL`);
    await t.db.execute(sql`UPDATE spaces SET open_to_other_sites = false WHERE id = ${closed.id}`);

    const migration = await readFile(join(MIGRATIONS_FOLDER, '0015_space_openness.sql'), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint')) await t.db.execute(sql.raw(statement));

    const rows = await t.db.select({ id: schema.spaces.id, openTo: schema.spaces.openTo }).from(schema.spaces).where(eq(schema.spaces.siteId, farSite.id));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.openTo]))).toEqual({ [closed.id]: 'home_site', [open.id]: 'everyone' });
    const columns = await queryRows<{ column_name: string }>(t.db, sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'spaces'`);
    expect(columns.map((c) => c.column_name)).not.toContain('open_to_other_sites');
  });
});
