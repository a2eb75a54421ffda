/**
 * The staff bookings list (issue #14): search by person, phone or code, filter by source, sort with a cursor that
 * never skips or repeats a row, and the same list as a CSV file.
 */
import { schema } from '@linli/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let nySite: Awaited<ReturnType<typeof createSite>>;
let room: Awaited<ReturnType<typeof createSpace>>;
let staffToken: string;
let otherStaffToken: string;
let adminToken: string;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
const NOW = at('2027-03-01', '09:00');

beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id, name: '徐汇邻里中心' });
  nySite = await createSite(t.db, { orgId: org.id, name: 'Queens hub', timezone: 'America/New_York' });
  room = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '多功能厅' });
  staffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
  otherStaffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [nySite.id] }));
  adminToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
  const a = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: site.id, phone: '13900010001' });
  await t.db.update(schema.users).set({ displayName: 'Alice 王' }).where(eq(schema.users.id, a.id));
  alice = { id: a.id, token: tokenFor(t.app, a) };
  const b = await createUser(t.db, { orgId: org.id, role: 'resident', phone: '13900020002' });
  await t.db.update(schema.users).set({ displayName: 'Bob_李' }).where(eq(schema.users.id, b.id));
  bob = { id: b.id, token: tokenFor(t.app, b) };
});
afterAll(() => t.close());

const get = (token: string, url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(token) });
const idsOf = (res: { json: () => { items: { id: string }[] } }) => res.json().items.map((b) => b.id);

async function insertBooking(input: Partial<typeof schema.bookings.$inferInsert> & { startAt: Date; endAt: Date }) {
  const [row] = await t.db
    .insert(schema.bookings)
    .values({ orgId: org.id, siteId: site.id, spaceId: room.id, exclusive: true, status: 'confirmed', source: 'resident', bookerId: null, ...input })
    .returning();
  return row!;
}

describe('search: q finds a person, a phone or a code, and only ever within what the reader may see', () => {
  let alices: string;
  let bobs: string;
  let walkIn: string;
  beforeAll(async () => {
    const space = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const base = { spaceId: space.id, startAt: new Date(at('2027-03-02', '10:00')), endAt: new Date(at('2027-03-02', '11:00')) };
    alices = (await insertBooking({ ...base, bookerId: alice.id, checkInCode: 'QWE234' })).id;
    bobs = (await insertBooking({ ...base, startAt: new Date(at('2027-03-02', '12:00')), endAt: new Date(at('2027-03-02', '13:00')), bookerId: bob.id, source: 'staff' })).id;
    walkIn = (await insertBooking({ ...base, startAt: new Date(at('2027-03-02', '14:00')), endAt: new Date(at('2027-03-02', '15:00')), walkInName: '张阿姨', walkInPhone: '13955556666', source: 'staff' })).id;
  });

  it.each([
    ['part of a name, any case', 'alice', () => [alices]],
    ['a Chinese name', '李', () => [bobs]],
    ["a walk-in's name", '阿姨', () => [walkIn]],
    ['phone digits (4 or more)', '0002', () => [bobs]],
    ["a walk-in's phone", '5556', () => [walkIn]],
    ['a number with +86', '+8613900010001', () => [alices]],
    ['the exact check-in code, any case', 'qwe234', () => [alices]],
    ['a LIKE wildcard, taken literally', '%', () => []],
    ['an underscore, taken literally', 'b_', () => [bobs]],
    ['an underscore is not any character', 'o_', () => []],
    ['part of a code is not a code', 'QWE', () => []],
  ])('%s (%s)', async (_label, q, expected) => {
    const res = await get(staffToken, `/bookings?q=${encodeURIComponent(q)}&limit=200`);
    expect(res.statusCode, res.body).toBe(200);
    expect(idsOf(res).sort()).toEqual(expected().sort());
  });

  it('source filters; a resident searching finds only their own; absurd q is refused', async () => {
    expect(idsOf(await get(staffToken, '/bookings?source=staff&q=%E6%9D%8E')).sort()).toEqual([bobs]);
    expect(idsOf(await get(staffToken, `/bookings?source=resident&from=${encodeURIComponent(at('2027-03-02', '00:00'))}&to=${encodeURIComponent(at('2027-03-03', '00:00'))}&limit=200`))).toContain(alices);
    expect((await get(staffToken, '/bookings?source=nonsense')).statusCode).toBe(400);
    expect(idsOf(await get(bob.token, '/bookings?q=alice'))).toEqual([]);
    expect(idsOf(await get(bob.token, '/bookings?q=0001'))).toEqual([]);
    expect(idsOf(await get(bob.token, '/bookings?q=QWE234'))).toEqual([]);
    expect(idsOf(await get(bob.token, '/bookings?q=0002'))).toEqual([bobs]);
    expect(idsOf(await get(otherStaffToken, '/bookings?q=alice'))).toEqual([]);
    expect((await get(staffToken, `/bookings?q=${'a'.repeat(61)}`)).statusCode).toBe(400);
    expect((await get(staffToken, '/bookings?q=a%00b')).statusCode).toBe(400);
  });

  it("a resident's own booking carries their identity; a walk-in's identity is only for staff", async () => {
    const own = (await get(alice.token, '/bookings?limit=200')).json().items.find((b: { id: string }) => b.id === alices);
    expect(own.booker).toMatchObject({ displayName: 'Alice 王', maskedPhone: '139****0001' });
    const desk = (await get(staffToken, `/bookings/${walkIn}`)).json();
    expect(desk.booker).toMatchObject({ displayName: '张阿姨', maskedPhone: '139****6666', walkIn: true });
    expect((await get(alice.token, `/bookings/${walkIn}`)).statusCode).toBe(404);
  });
});

describe('sorted pages: a cursor walks every row once, under every sort', () => {
  let space: Awaited<ReturnType<typeof createSpace>>;
  beforeAll(async () => {
    space = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    // Eight bookings: two created in the same instant, two a microsecond apart, starts in another order.
    const created = ['09:00:00.000', '09:00:00.000', '09:00:01.000', '08:59:00.000', '09:02:00.000', '09:03:00.000', '09:04:00.000', '09:05:00.000'];
    for (let i = 0; i < created.length; i++) {
      const start = new Date(at('2027-03-04', `${String(10 + ((i * 3) % 8)).padStart(2, '0')}:00`));
      const row = await insertBooking({ spaceId: space.id, startAt: start, endAt: new Date(start.getTime() + 3_600_000), createdAt: new Date(`2027-02-20T${created[i]}Z`) });
      if (i === 2) await t.db.execute(sql`UPDATE bookings SET created_at = created_at + interval '1 microsecond' WHERE id = ${row.id}`);
    }
    const [twin] = await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, space.id)).limit(1);
    await t.db.execute(sql`UPDATE bookings SET created_at = '2027-02-20T09:00:01.000002Z' WHERE id = ${twin!.id}`);
  });

  it.each([
    ['startAt', 'start_at ASC, id ASC'],
    ['-startAt', 'start_at DESC, id DESC'],
    ['createdAt', 'created_at ASC, id ASC'],
    ['-createdAt', 'created_at DESC, id DESC'],
  ])('sort=%s: three pages of 3, no duplicates, no gaps, in order', async (sort, order) => {
    const expected = (await t.db.execute(sql`SELECT id FROM bookings WHERE space_id = ${space.id} ORDER BY ${sql.raw(order)}`)) as unknown as { rows: { id: string }[] };
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(staffToken, `/bookings?spaceId=${space.id}&sort=${encodeURIComponent(sort)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...idsOf(res));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected.rows.map((r) => r.id));
  });

  it("a cursor from another sort, or not from this API, is refused rather than skipping rows", async () => {
    const first = (await get(staffToken, `/bookings?spaceId=${space.id}&sort=startAt&limit=3`)).json();
    const mixed = await get(staffToken, `/bookings?spaceId=${space.id}&sort=-createdAt&limit=3&cursor=${first.nextCursor}`);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().errors[0]).toMatchObject({ path: 'querystring.cursor' });
    expect((await get(staffToken, `/bookings?spaceId=${space.id}&cursor=${Buffer.from('["startAt","x","y"]').toString('base64url')}`)).statusCode).toBe(400);
    expect((await get(staffToken, `/bookings?spaceId=${space.id}&cursor=%24%24%24`)).statusCode).toBe(400);
    expect((await get(staffToken, `/bookings?sort=name`)).statusCode).toBe(400);
  });
});

describe('CSV export', () => {
  let exportSpace: Awaited<ReturnType<typeof createSpace>>;
  let nySpace: Awaited<ReturnType<typeof createSpace>>;
  beforeAll(async () => {
    exportSpace = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '=SUM(A1)' });
    nySpace = await createSpace(t.db, { orgId: org.id, siteId: nySite.id, name: 'Reading room' });
    await insertBooking({ spaceId: exportSpace.id, startAt: new Date(at('2027-03-05', '10:00')), endAt: new Date(at('2027-03-05', '11:30')), bookerId: alice.id, purpose: '=HYPERLINK("http://evil")', checkInCode: 'CSV234' });
    await insertBooking({ spaceId: exportSpace.id, startAt: new Date(at('2027-03-05', '12:00')), endAt: new Date(at('2027-03-05', '13:00')), walkInName: '@张阿姨', walkInPhone: '13955556666', source: 'staff', purpose: '-1+2', status: 'cancelled' });
    await insertBooking({ siteId: nySite.id, spaceId: nySpace.id, startAt: new Date('2027-03-05T15:00:00Z'), endAt: new Date('2027-03-05T16:00:00Z'), bookerId: bob.id, purpose: 'chess, "club"' });
  });

  const exportCsv = (token: string, query: string) => get(token, `/bookings/export.csv?${query}`);

  it('is UTF-8 with a BOM, headers in the asked language, times in the site zone, formulas neutralized', async () => {
    const zh = await exportCsv(staffToken, `spaceId=${exportSpace.id}&lang=zh-CN`);
    expect(zh.statusCode, zh.body).toBe(200);
    expect(zh.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(zh.headers['content-disposition']).toContain('bookings.csv');
    expect([...zh.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = zh.rawPayload.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('签到码,状态,来源,站点,空间,开始时间,结束时间,时区,人数,预约人,手机号,现场登记,所属站点,用途,签到时间,创建时间,预约编号');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^CSV234,已确认,居民预约,徐汇邻里中心,'=SUM\(A1\),2027-03-05 10:00,2027-03-05 11:30,Asia\/Shanghai,1,Alice 王,139\*\*\*\*0001,否,徐汇邻里中心,"'=HYPERLINK\(""http:\/\/evil""\)",,/);
    expect(lines[2]).toContain(",已取消,工作人员代订,徐汇邻里中心,'=SUM(A1),2027-03-05 12:00,2027-03-05 13:00,Asia/Shanghai,1,'@张阿姨,139****6666,是,,'-1+2,");
    expect(zh.body).not.toContain('13900010001');

    const en = await exportCsv(adminToken, `siteId=${nySite.id}&lang=en`);
    const enLines = en.rawPayload.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(enLines[0]).toBe('Check-in code,Status,Source,Site,Space,Start,End,Time zone,Party size,Booked for,Phone,Walk-in,Home site,Purpose,Checked in at,Created at,Booking id');
    // 15:00 UTC is 10:00 in New York (EST, before the March change).
    expect(enLines[1]).toContain(',Confirmed,Resident,Queens hub,Reading room,2027-03-05 10:00,2027-03-05 11:00,America/New_York,1,Bob_李,139****0002,no,,"chess, ""club""",');
  });

  it("staff export their sites only; another site's staff get 404 for it; residents 403; absurd spans are refused", async () => {
    const mine = await exportCsv(otherStaffToken, 'lang=en');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('Queens hub');
    expect(mine.body).not.toContain('徐汇邻里中心');
    expect((await exportCsv(otherStaffToken, `siteId=${site.id}`)).statusCode).toBe(404);
    expect((await exportCsv(alice.token, '')).statusCode).toBe(403);
    expect((await exportCsv(staffToken, 'from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z')).statusCode).toBe(400);
    expect((await exportCsv(staffToken, 'lang=fr')).statusCode).toBe(400);
  });

  it('more rows than the export allows is refused with a clear problem, not cut short', async () => {
    const big = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    await t.db.execute(sql`
      INSERT INTO bookings (id, org_id, site_id, space_id, exclusive, start_at, end_at, status, source)
      SELECT gen_random_uuid(), ${org.id}, ${site.id}, ${big.id}, true, ts, ts + interval '30 minutes', 'cancelled', 'staff'
      FROM generate_series(1, 10001) AS i, LATERAL (SELECT timestamptz '2027-04-01T00:00:00Z' + i * interval '30 minutes' AS ts) AS s`);
    const res = await exportCsv(staffToken, `spaceId=${big.id}&lang=en`);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'EXPORT_TOO_LARGE', details: { maxRows: 10_000 } });
    const narrower = await exportCsv(staffToken, `spaceId=${big.id}&to=2027-04-02T00:00:00Z`);
    expect(narrower.statusCode).toBe(200);
  });
});
