/**
 * Analytics through the API on a real database, against hand-computed fixtures (the same ones
 * packages/domain/src/utilization.test.ts checks the pure definitions with). Bookings are inserted directly:
 * these tests are about counting them, not about the booking engine.
 */
import type { WeeklyHours } from '@linli/contracts';
import { schema } from '@linli/db';
import { type BookingSpan, localDaysOf, openPieces, usageOfSpace } from '@linli/domain';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPortfolio, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

const week = (day: Partial<WeeklyHours>): WeeklyHours => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...day });
const everyDay = (start: string, end: string) =>
  week(Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]])));

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
const fixture = {} as Record<
  'berlin' | 'newYork' | 'closure' | 'study' | 'noShow' | 'closed' | 'behaviour',
  { site: { id: string; name: string }; space: { id: string } }
>;
const residents = {} as Record<'r1' | 'r2' | 'r3', { id: string }>;

async function insertBooking(
  where: { site: { id: string }; space: { id: string } },
  input: { start: string; end: string; status: string; partySize?: number; exclusive?: boolean; bookerId?: string; createdAt?: string },
) {
  const [row] = await t.db
    .insert(schema.bookings)
    .values({
      orgId: p.org.id,
      siteId: where.site.id,
      spaceId: where.space.id,
      exclusive: input.exclusive ?? true,
      partySize: input.partySize ?? 1,
      startAt: new Date(input.start),
      endAt: new Date(input.end),
      status: input.status,
      bookerId: input.bookerId ?? null,
      ...(input.createdAt ? { createdAt: new Date(input.createdAt) } : {}),
    })
    .returning();
  return row!;
}

async function insertEvent(bookingId: string, fromStatus: string | null, toStatus: string, at: string) {
  await t.db.insert(schema.bookingEvents).values({ orgId: p.org.id, bookingId, fromStatus, toStatus, at: new Date(at) });
}

async function fixtureSite(
  key: keyof typeof fixture,
  site: Partial<typeof schema.sites.$inferInsert>,
  space: Partial<typeof schema.spaces.$inferInsert> = {},
) {
  const created = await createSite(t.db, { orgId: p.org.id, ...site });
  fixture[key] = { site: created, space: await createSpace(t.db, { orgId: p.org.id, siteId: created.id, ...space }) };
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-07-15T00:00:00Z' });
  p = await createPortfolio(t.app, t.db);

  // A DST day in Berlin: open 00:00-06:00 on Sundays; 29 March 2026 loses 02:00-03:00, so it is open 5 hours.
  await fixtureSite('berlin', { name: '柏林友好书房', kind: 'dst_fixture', district: '德国区', timezone: 'Europe/Berlin', openingHours: week({ sun: [{ start: '00:00', end: '06:00' }] }) });
  await insertBooking(fixture.berlin, { start: '2026-03-29T01:00:00+01:00', end: '2026-03-29T04:00:00+02:00', status: 'completed' });

  // A 25-hour day in New York: open all day Sundays; a booking 00:00-04:00 on 1 November 2026 lasts 5 real hours.
  await fixtureSite('newYork', { name: '纽约友好中心', kind: 'dst_fixture', district: '美国区', timezone: 'America/New_York', openingHours: week({ sun: [{ start: '00:00', end: '24:00' }] }) });
  await insertBooking(fixture.newYork, { start: '2026-11-01T00:00:00-04:00', end: '2026-11-01T04:00:00-05:00', status: 'completed' });

  // A closure in the middle of a stay: open around the clock, Saturday 6 June closed, booked Friday 10:00 to Sunday 10:00
  // as two back-to-back bookings (a booking lasts at most 24 hours).
  await fixtureSite('closure', { name: '闭馆测试中心', kind: 'closure_fixture', openingHours: everyDay('00:00', '24:00') }, { kind: 'hall', capacity: 80 });
  await t.db.insert(schema.closures).values({ orgId: p.org.id, scope: 'site', siteId: fixture.closure.site.id, startDate: '2026-06-06', endDate: '2026-06-06', reason: '设备检修' });
  await insertBooking(fixture.closure, { start: '2026-06-05T10:00:00+08:00', end: '2026-06-06T10:00:00+08:00', status: 'checked_in' });
  await insertBooking(fixture.closure, { start: '2026-06-06T10:00:00+08:00', end: '2026-06-07T10:00:00+08:00', status: 'checked_in' });

  // Study rooms, ranked against each other on 1 June 2026.
  // A shared area of 10 seats open 08:00-12:00 with overlapping parties of 4, 3 (no-show) and 5; a cancelled party of 6.
  await fixtureSite(
    'study',
    { name: '城市书房·"南京西路",2号', kind: 'study_room', district: '黄浦区', openingHours: everyDay('08:00', '12:00') },
    { kind: 'study_area', bookingMode: 'shared_capacity', capacity: 10 },
  );
  const shared = { exclusive: false };
  await insertBooking(fixture.study, { ...shared, start: '2026-06-01T08:00:00+08:00', end: '2026-06-01T10:00:00+08:00', status: 'completed', partySize: 4 });
  await insertBooking(fixture.study, { ...shared, start: '2026-06-01T09:00:00+08:00', end: '2026-06-01T12:00:00+08:00', status: 'no_show', partySize: 3 });
  await insertBooking(fixture.study, { ...shared, start: '2026-06-01T09:30:00+08:00', end: '2026-06-01T10:30:00+08:00', status: 'checked_in', partySize: 5 });
  await insertBooking(fixture.study, { ...shared, start: '2026-06-01T08:00:00+08:00', end: '2026-06-01T12:00:00+08:00', status: 'cancelled', partySize: 6 });
  // An exclusive room open 09:00-17:00: a no-show 10:00-12:00, its released time booked again 10:30-12:00.
  await fixtureSite('noShow', { name: '城市书房·静安寺', kind: 'study_room', district: '黄浦区', openingHours: everyDay('09:00', '17:00') });
  await insertBooking(fixture.noShow, { start: '2026-06-01T10:00:00+08:00', end: '2026-06-01T12:00:00+08:00', status: 'no_show' });
  await insertBooking(fixture.noShow, { start: '2026-06-01T10:30:00+08:00', end: '2026-06-01T12:00:00+08:00', status: 'completed' });
  await insertBooking(fixture.noShow, { start: '2026-06-01T14:00:00+08:00', end: '2026-06-01T15:00:00+08:00', status: 'rejected' });
  // A study room with no opening hours at all (a stray booking must not make it look used).
  await fixtureSite('closed', { name: '城市书房·未开放', kind: 'study_room', district: '静安区', openingHours: week({}) });
  await insertBooking(fixture.closed, { start: '2026-06-01T10:00:00+08:00', end: '2026-06-01T11:00:00+08:00', status: 'completed' });

  // Behaviour on 10 June 2026, at a site whose room has a 48-hour cancel cut-off.
  await fixtureSite('behaviour', { name: '行为测试邻里中心', kind: 'behaviour_fixture', openingHours: everyDay('08:00', '22:00') }, { policy: { cancelCutoffMinutes: 2880 } });
  residents.r1 = await createUser(t.db, { orgId: p.org.id, role: 'resident', homeSiteId: fixture.behaviour.site.id });
  residents.r2 = await createUser(t.db, { orgId: p.org.id, role: 'resident', homeSiteId: p.siteB.id });
  residents.r3 = await createUser(t.db, { orgId: p.org.id, role: 'resident' });
  const b = fixture.behaviour;
  const on10th = (time: string) => `2026-06-10T${time}:00+08:00`;
  const { r1, r2, r3 } = residents;
  // Lead times (minutes): 12960, 1440, 480, 12960, 1440, 7800, 6000 -> median 6000.
  await insertBooking(b, { start: on10th('10:00'), end: on10th('11:00'), status: 'completed', bookerId: r1.id, createdAt: '2026-06-01T10:00:00+08:00' });
  await insertBooking(b, { start: on10th('14:00'), end: on10th('15:00'), status: 'completed', bookerId: r1.id, createdAt: '2026-06-09T14:00:00+08:00' });
  await insertBooking(b, { start: on10th('16:00'), end: on10th('17:00'), status: 'no_show', bookerId: r2.id, createdAt: '2026-06-10T08:00:00+08:00' });
  const early = await insertBooking(b, { start: on10th('18:00'), end: on10th('19:00'), status: 'cancelled', bookerId: r2.id, createdAt: '2026-06-01T18:00:00+08:00' });
  await insertEvent(early.id, 'confirmed', 'cancelled', '2026-06-08T09:00:00+08:00'); // 57 h before: in time
  const late = await insertBooking(b, { start: on10th('19:00'), end: on10th('20:00'), status: 'cancelled', bookerId: r2.id, createdAt: '2026-06-09T19:00:00+08:00' });
  await insertEvent(late.id, 'confirmed', 'cancelled', '2026-06-09T12:00:00+08:00'); // 31 h before: past the 48 h cut-off
  const rejected = await insertBooking(b, { start: on10th('20:00'), end: on10th('21:00'), status: 'rejected', bookerId: r3.id, createdAt: '2026-06-05T10:00:00+08:00' });
  await insertEvent(rejected.id, null, 'pending', '2026-06-05T10:00:00+08:00');
  await insertEvent(rejected.id, 'pending', 'rejected', '2026-06-05T12:30:00+08:00'); // decided in 150 minutes
  const approved = await insertBooking(b, { start: on10th('12:00'), end: on10th('13:00'), status: 'checked_in', bookerId: r3.id, createdAt: '2026-06-06T08:00:00+08:00' });
  await insertEvent(approved.id, null, 'pending', '2026-06-06T09:00:00+08:00');
  await insertEvent(approved.id, 'pending', 'confirmed', '2026-06-06T10:00:00+08:00'); // decided in 60 minutes

  // Unmet demand on 10 June at the behaviour site, and one search across all sites.
  const demand = (kind: string, requested: string, siteId: string | null) =>
    t.db.insert(schema.demandEvents).values({ orgId: p.org.id, siteId, spaceId: siteId ? b.space.id : null, kind, requestedStart: new Date(requested), requestedEnd: new Date(requested) });
  await demand('refused_taken', on10th('10:00'), b.site.id);
  await demand('refused_taken', on10th('10:30'), b.site.id);
  await demand('refused_full', on10th('19:30'), b.site.id);
  await demand('search_empty', on10th('10:15'), null);
  const wait = (status: string, start: string) =>
    t.db.insert(schema.waitlistEntries).values({ orgId: p.org.id, siteId: b.site.id, spaceId: b.space.id, userId: r1.id, startAt: new Date(start), endAt: new Date(Date.parse(start) + 3_600_000), status });
  await wait('waiting', on10th('10:00'));
  await wait('expired', on10th('10:00'));
  await wait('booked', on10th('10:00'));
});
afterAll(() => t.close());

const get = (url: string, token = p.tokens.admin) => t.app.inject({ url: `/api/v1/analytics/${url}`, headers: bearer(token) });
const rowsOf = async (url: string, token?: string) => {
  const res = await get(url, token);
  expect(res.statusCode, res.body).toBe(200);
  return bodyOf(res).rows;
};

describe('utilization: hand-computed fixtures', () => {
  it('a DST day in Berlin: 2 booked hours of 5 open hours (the day has 23) is 40%', async () => {
    const [row] = await rowsOf(`utilization?from=2026-03-29&to=2026-03-29&siteId=${fixture.berlin.site.id}`);
    expect(row).toMatchObject({ siteId: fixture.berlin.site.id, spaces: 1, openMinutes: 300, bookedMinutes: 120, usedMinutes: 120, utilization: 0.4, noOpenHours: false });
  });

  it('a 25-hour day in New York: a booking from 00:00 to 04:00 on the wall clock fills 5 of the 25 hours', async () => {
    const [row] = await rowsOf(`utilization?from=2026-11-01&to=2026-11-01&siteId=${fixture.newYork.site.id}`);
    expect(row).toMatchObject({ openMinutes: 1500, bookedMinutes: 300, utilization: 0.2 });
  });

  it('a closure in the middle of a booking: the closed Saturday counts neither as open nor as booked', async () => {
    const rows = await rowsOf(`utilization?from=2026-06-05&to=2026-06-07&interval=day&groupBy=space&siteId=${fixture.closure.site.id}`);
    expect(rows.map((r: any) => [r.bucketStart, r.openMinutes, r.bookedMinutes, r.utilization, r.noOpenHours])).toEqual([
      ['2026-06-05', 1440, 840, 0.583333, false],
      ['2026-06-06', 0, 0, null, true],
      ['2026-06-07', 1440, 600, 0.416667, false],
    ]);
    expect(rows[0]).toMatchObject({ spaceId: fixture.closure.space.id, bookingMode: 'exclusive', capacity: 80, siteName: '闭馆测试中心' });
    const [total] = await rowsOf(`utilization?from=2026-06-05&to=2026-06-07&siteId=${fixture.closure.site.id}`);
    expect(total).toMatchObject({ openMinutes: 2880, bookedMinutes: 1440, utilization: 0.5 });
  });

  it('a shared study area with overlapping parties: 1320 person-minutes over 10 seats x 240 minutes is 55% booked, 32.5% used', async () => {
    const [row] = await rowsOf(`utilization?from=2026-06-01&to=2026-06-01&groupBy=space&siteId=${fixture.study.site.id}`);
    expect(row).toMatchObject({ bookingMode: 'shared_capacity', capacity: 10, openMinutes: 240, bookedMinutes: 132, usedMinutes: 78, utilization: 0.55, usedUtilization: 0.325 });
  });

  it('a no-show is booked but not used, and its released time booked again is not counted twice', async () => {
    const [row] = await rowsOf(`utilization?from=2026-06-01&to=2026-06-01&siteId=${fixture.noShow.site.id}`);
    expect(row).toMatchObject({ openMinutes: 480, bookedMinutes: 120, usedMinutes: 90, utilization: 0.25, usedUtilization: 0.1875 });
  });

  it('a site with no opening hours shows as such: utilization null, not 0%', async () => {
    const [row] = await rowsOf(`utilization?from=2026-06-01&to=2026-06-30&siteId=${fixture.closed.site.id}`);
    expect(row).toMatchObject({ openMinutes: 0, bookedMinutes: 0, utilization: null, usedUtilization: null, noOpenHours: true });
  });

  it('groups by kind, district and portfolio weight each space by its open minutes', async () => {
    const [kind] = await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=kind&kind=study_room');
    // (132 + 120) booked of (240 + 480 + 0) open; used (78 + 90).
    expect(kind).toMatchObject({ kind: 'study_room', siteId: null, spaces: 3, openMinutes: 720, bookedMinutes: 252, usedMinutes: 168, utilization: 0.35, usedUtilization: 0.233333 });
    const districts = await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=district&kind=study_room');
    // Ordered as Chinese readers expect (pinyin): Huangpu before Jing'an.
    expect(districts.map((r: any) => [r.district, r.utilization, r.noOpenHours])).toEqual([
      ['黄浦区', 0.35, false],
      ['静安区', null, true],
    ]);
    const [portfolio] = await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=portfolio&kind=study_room');
    expect(portfolio).toMatchObject({ kind: null, district: null, spaces: 3, utilization: 0.35 });
  });

  it('weeks and months are buckets of local dates, partial at the ends of the period', async () => {
    const weeks = await rowsOf(`utilization?from=2026-05-30&to=2026-06-09&interval=week&siteId=${fixture.noShow.site.id}`);
    expect(weeks.map((r: any) => [r.bucketStart, r.bucketEnd, r.openMinutes, r.bookedMinutes])).toEqual([
      ['2026-05-30', '2026-05-31', 960, 0],
      ['2026-06-01', '2026-06-07', 3360, 120],
      ['2026-06-08', '2026-06-09', 960, 0],
    ]);
    const months = await rowsOf(`utilization?from=2026-05-15&to=2026-06-30&interval=month&siteId=${fixture.noShow.site.id}`);
    expect(months.map((r: any) => [r.bucketStart, r.bucketEnd, r.openMinutes])).toEqual([
      ['2026-05-15', '2026-05-31', 17 * 480],
      ['2026-06-01', '2026-06-30', 30 * 480],
    ]);
  });

  it('agrees with the pure definition on random bookings around a 25-hour day, with overlaps and a closure', async () => {
    const zone = 'America/New_York';
    const hours = everyDay('01:00', '23:30');
    const site = await createSite(t.db, { orgId: p.org.id, name: '随机核对站', kind: 'random_fixture', timezone: zone, openingHours: hours });
    const rooms = [
      { mode: 'exclusive' as const, capacity: 6 },
      { mode: 'exclusive' as const, capacity: 20 },
      { mode: 'shared_capacity' as const, capacity: 7 },
    ];
    const spaces = await Promise.all(
      rooms.map((r) => createSpace(t.db, { orgId: p.org.id, siteId: site.id, bookingMode: r.mode, capacity: r.capacity })),
    );
    await t.db.insert(schema.closures).values({ orgId: p.org.id, scope: 'site', siteId: site.id, startDate: '2026-11-03', endDate: '2026-11-03', reason: '停电' });
    // Exclusive rooms get only statuses that do not hold the room, so overlapping rows are allowed (as after no-show releases).
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const bookingsBySpace = new Map<string, BookingSpan[]>();
    for (let i = 0; i < 90; i++) {
      const room = i % 3;
      const statuses = room === 2 ? ['confirmed', 'checked_in', 'completed', 'no_show', 'cancelled', 'pending'] : ['completed', 'no_show', 'cancelled', 'rejected', 'expired'];
      const status = statuses[Math.floor(random() * statuses.length)]! as BookingSpan['status'];
      const start = Date.parse('2026-10-30T00:00:00-04:00') + Math.floor(random() * 7 * 96) * 900_000;
      const end = start + (1 + Math.floor(random() * (random() < 0.1 ? 96 : 16))) * 900_000;
      const partySize = room === 2 ? 1 + Math.floor(random() * 3) : 1;
      await insertBooking({ site, space: spaces[room]! }, { start: new Date(start).toISOString(), end: new Date(end).toISOString(), status, partySize, exclusive: room !== 2 });
      bookingsBySpace.set(spaces[room]!.id, [...(bookingsBySpace.get(spaces[room]!.id) ?? []), { start, end, partySize, status }]);
    }
    const rows = await rowsOf(`utilization?from=2026-10-31&to=2026-11-04&interval=day&groupBy=space&siteId=${site.id}`);
    expect(rows).toHaveLength(15);
    for (const row of rows) {
      const room = rooms[spaces.findIndex((s) => s.id === row.spaceId)]!;
      const days = localDaysOf({ from: row.bucketStart, to: row.bucketEnd }, zone);
      const open = openPieces({ hours, zone, days, closures: [{ startDate: '2026-11-03', endDate: '2026-11-03' }], split: 'day' });
      const expected = usageOfSpace(room, open, bookingsBySpace.get(row.spaceId)!);
      expect(row.openMinutes).toBe(expected.openMinutes);
      expect(row.bookedMinutes).toBeCloseTo(expected.bookedMinutes, 1);
      expect(row.usedMinutes).toBeCloseTo(expected.usedMinutes, 1);
    }
    expect(rows.find((r: any) => r.bucketStart === '2026-11-01').openMinutes).toBe(23.5 * 60);
  });
});

describe('the daily rollup: stored days are reused until something they depend on changes', () => {
  const onPostgres = inject('databaseTemplate').kind === 'postgres';
  let site: { id: string; name: string };
  let space: { id: string };
  const utilizationOn = async (date: string) => {
    const [row] = await rowsOf(`utilization?from=${date}&to=${date}&siteId=${site.id}`);
    return row;
  };
  const stored = async (date: string) =>
    t.db.select().from(schema.siteUsageDaily).where(and(eq(schema.siteUsageDaily.siteId, site.id), eq(schema.siteUsageDaily.localDate, date)));

  beforeAll(async () => {
    site = await createSite(t.db, { orgId: p.org.id, name: '汇总测试站', kind: 'rollup_fixture', openingHours: everyDay('09:00', '17:00') });
    space = await createSpace(t.db, { orgId: p.org.id, siteId: site.id });
  });

  it('a settled day is stored once and read back; booking inserts and status changes make it stale at once', async () => {
    const first = await insertBooking({ site, space }, { start: '2026-06-15T10:00:00+08:00', end: '2026-06-15T12:00:00+08:00', status: 'completed' });
    expect(await utilizationOn('2026-06-15')).toMatchObject({ openMinutes: 480, bookedMinutes: 120 });
    expect((await stored('2026-06-15')).map((r) => r.bookedMinutes)).toEqual([120]);

    // Proof that the stored day is what answers: a value only the rollup has.
    await t.db.update(schema.siteUsageDaily).set({ bookedMinutes: 240 }).where(eq(schema.siteUsageDaily.siteId, site.id));
    expect((await utilizationOn('2026-06-15')).bookedMinutes).toBe(240);

    await insertBooking({ site, space }, { start: '2026-06-15T13:00:00+08:00', end: '2026-06-15T14:00:00+08:00', status: 'completed' });
    expect((await utilizationOn('2026-06-15')).bookedMinutes).toBe(180);
    expect((await stored('2026-06-15')).map((r) => r.bookedMinutes)).toEqual([180]);

    await t.db.update(schema.bookings).set({ status: 'cancelled' }).where(eq(schema.bookings.id, first.id));
    expect((await utilizationOn('2026-06-15')).bookedMinutes).toBe(60);
  });

  it('a closure added afterwards, new opening hours or a changed space make stored days stale', async () => {
    await insertBooking({ site, space }, { start: '2026-06-16T13:00:00+08:00', end: '2026-06-16T15:00:00+08:00', status: 'completed' });
    expect(await utilizationOn('2026-06-16')).toMatchObject({ openMinutes: 480, bookedMinutes: 120 });
    const [closure] = await t.db
      .insert(schema.closures)
      .values({ orgId: p.org.id, scope: 'site', siteId: site.id, startDate: '2026-06-16', endDate: '2026-06-16', reason: '消防检查' })
      .returning();
    expect(await utilizationOn('2026-06-16')).toMatchObject({ openMinutes: 0, bookedMinutes: 0, noOpenHours: true });
    await t.db.delete(schema.closures).where(eq(schema.closures.id, closure!.id));
    await t.db.update(schema.sites).set({ openingHours: everyDay('14:00', '18:00') }).where(eq(schema.sites.id, site.id));
    expect(await utilizationOn('2026-06-16')).toMatchObject({ openMinutes: 240, bookedMinutes: 60 });
    await t.db.update(schema.spaces).set({ bookingMode: 'shared_capacity', capacity: 4 }).where(eq(schema.spaces.id, space.id));
    expect(await utilizationOn('2026-06-16')).toMatchObject({ openMinutes: 240, bookedMinutes: 15 });
  });

  it('days that have not settled yet are computed but not stored', async () => {
    await insertBooking({ site, space }, { start: '2026-07-14T15:00:00+08:00', end: '2026-07-14T16:00:00+08:00', status: 'confirmed', exclusive: false });
    expect((await utilizationOn('2026-07-14')).bookedMinutes).toBe(15);
    expect(await stored('2026-07-14')).toEqual([]);
  });

  it.runIf(onPostgres)('a booking committed while a day is being stored still makes that day stale', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedOpen = new Promise<void>((resolve) => (inserted = resolve));
    const writer = t.db.transaction(async (tx) => {
      await tx.insert(schema.bookings).values({
        orgId: p.org.id,
        siteId: site.id,
        spaceId: space.id,
        exclusive: false,
        startAt: new Date('2026-06-17T14:00:00+08:00'),
        endAt: new Date('2026-06-17T16:00:00+08:00'),
        status: 'completed',
      });
      inserted();
      await held;
    });
    await insertedOpen;
    expect((await utilizationOn('2026-06-17')).bookedMinutes).toBe(0);
    expect(await stored('2026-06-17')).toHaveLength(1);
    release();
    await writer;
    expect((await utilizationOn('2026-06-17')).bookedMinutes).toBe(30);
  });
});

describe("an archived space: its open time ends at the archive instant, and so does every aggregate's booked time", () => {
  const sumOf = (rows: any[], field: string) => rows.reduce((sum, r) => sum + r[field], 0);

  it('archived through the API while a booking is under way: space rows sum to the site, kind and ranking rows; nothing booked after the instant', async () => {
    // The test clock is 2026-07-15T00:00Z, 08:00 on Wednesday 15 July in Shanghai: room X is archived then.
    const site = await createSite(t.db, { orgId: p.org.id, name: '归档测试中心', kind: 'archive_fixture', district: '归档区', openingHours: everyDay('00:00', '24:00') });
    const x = await createSpace(t.db, { orgId: p.org.id, siteId: site.id, name: '甲室' });
    const y = await createSpace(t.db, { orgId: p.org.id, siteId: site.id, name: '乙室' });
    await insertBooking({ site, space: x }, { start: '2026-07-15T07:00:00+08:00', end: '2026-07-15T10:00:00+08:00', status: 'confirmed' });
    await insertBooking({ site, space: x }, { start: '2026-07-15T12:00:00+08:00', end: '2026-07-15T13:00:00+08:00', status: 'confirmed' });
    await insertBooking({ site, space: y }, { start: '2026-07-15T09:00:00+08:00', end: '2026-07-15T11:00:00+08:00', status: 'confirmed' });
    const archived = await t.app.inject({ method: 'POST', url: `/api/v1/spaces/${x.id}/archive`, headers: bearer(p.tokens.admin) });
    expect(bodyOf(archived)).toMatchObject({ archivedAt: '2026-07-15T00:00:00.000Z', cancelledBookings: 1 });

    const day = `from=2026-07-15&to=2026-07-15&siteId=${site.id}`;
    const bySpace = await rowsOf(`utilization?${day}&groupBy=space`);
    // X: open 00:00-08:00, booked 07:00-08:00 of the booking under way; Y: open all day, booked 2 hours.
    expect(bySpace.map((r: any) => [r.spaceName, r.openMinutes, r.bookedMinutes])).toEqual([
      ['甲室', 480, 60],
      ['乙室', 1440, 120],
    ]);
    const [siteRow] = await rowsOf(`utilization?${day}&groupBy=site`);
    expect(siteRow).toMatchObject({ openMinutes: sumOf(bySpace, 'openMinutes'), bookedMinutes: sumOf(bySpace, 'bookedMinutes') });
    expect(siteRow).toMatchObject({ openMinutes: 1920, bookedMinutes: 180 });
    for (const groupBy of ['kind', 'district', 'portfolio']) {
      const [row] = await rowsOf(`utilization?from=2026-07-15&to=2026-07-15&kind=archive_fixture&groupBy=${groupBy}`);
      expect(row, groupBy).toMatchObject({ openMinutes: 1920, bookedMinutes: 180 });
    }
    const [ranked] = bodyOf(await get('site-ranking?from=2026-07-15&to=2026-07-15&kind=archive_fixture')).rows;
    expect(ranked).toMatchObject({ openMinutes: 1920, bookedMinutes: 180, utilization: 0.09375 });

    // Wednesday's hours: X's part ends at 08:00; only Y is booked from 09:00; the cancelled 12:00 booking is gone.
    const cells = bodyOf(await get(`heatmap?${day}`)).cells.filter((c: any) => c.weekday === 2 && c.hour >= 7 && c.hour <= 12);
    expect(cells.map((c: any) => [c.hour, c.openMinutes, c.bookedMinutes])).toEqual([
      [7, 120, 60],
      [8, 60, 0],
      [9, 60, 60],
      [10, 60, 60],
      [11, 60, 0],
      [12, 60, 0],
    ]);
  });

  it('a space archived in the past with bookings left after the instant (before archiving cancelled them): clipped on stored days too, until unarchived', async () => {
    const site = await createSite(t.db, { orgId: p.org.id, name: '旧归档测试中心', kind: 'archive_fixture_old', openingHours: everyDay('00:00', '24:00') });
    const x = await createSpace(t.db, { orgId: p.org.id, siteId: site.id, name: '甲室', archivedAt: new Date('2026-06-20T12:00:00+08:00') });
    const y = await createSpace(t.db, { orgId: p.org.id, siteId: site.id, name: '乙室' });
    await insertBooking({ site, space: x }, { start: '2026-06-20T10:00:00+08:00', end: '2026-06-20T14:00:00+08:00', status: 'completed' });
    await insertBooking({ site, space: x }, { start: '2026-06-21T09:00:00+08:00', end: '2026-06-21T10:00:00+08:00', status: 'completed' });
    await insertBooking({ site, space: y }, { start: '2026-06-20T10:00:00+08:00', end: '2026-06-20T11:00:00+08:00', status: 'completed' });

    const period = `from=2026-06-20&to=2026-06-21&siteId=${site.id}`;
    const bySpace = await rowsOf(`utilization?${period}&groupBy=space`);
    expect(bySpace.map((r: any) => [r.spaceName, r.openMinutes, r.bookedMinutes])).toEqual([
      ['甲室', 720, 120],
      ['乙室', 2880, 60],
    ]);
    // Settled days: the site row comes from the rollup, written by this very request.
    const [siteRow] = await rowsOf(`utilization?${period}&groupBy=site`);
    expect(siteRow).toMatchObject({ openMinutes: 3600, bookedMinutes: 180 });
    const stored = await t.db.select().from(schema.siteUsageDaily).where(eq(schema.siteUsageDaily.siteId, site.id));
    expect(stored.map((r) => r.bookedMinutes).sort()).toEqual([0, 180]);

    // Unarchived: the space is open again, and the stored days it was clipped on are stale.
    await t.db.update(schema.spaces).set({ archivedAt: null }).where(eq(schema.spaces.id, x.id));
    const [reopened] = await rowsOf(`utilization?${period}&groupBy=site`);
    expect(reopened).toMatchObject({ openMinutes: 5760, bookedMinutes: 360 });
  });
});

describe('heatmap', () => {
  it('hour of week in the site zone: on the Berlin DST day 02:00 does not exist; 01:00 and 03:00 are fully booked', async () => {
    const res = bodyOf(await get(`heatmap?from=2026-03-29&to=2026-03-29&siteId=${fixture.berlin.site.id}`));
    expect(res.cells).toHaveLength(168);
    const sunday = res.cells.filter((c: any) => c.weekday === 6 && c.hour < 7);
    expect(sunday.map((c: any) => [c.hour, c.openMinutes, c.bookedMinutes, c.utilization])).toEqual([
      [0, 60, 0, 0],
      [1, 60, 60, 1],
      [2, 0, 0, null],
      [3, 60, 60, 1],
      [4, 60, 0, 0],
      [5, 60, 0, 0],
      [6, 0, 0, null],
    ]);
    expect(res.peaks).toEqual([
      { weekday: 6, hour: 1, utilization: 1 },
      { weekday: 6, hour: 3, utilization: 1 },
    ]);
  });

  it('on the New York fall-back day 01:00 happens twice and counts twice', async () => {
    const res = bodyOf(await get(`heatmap?from=2026-11-01&to=2026-11-01&siteId=${fixture.newYork.site.id}`));
    const sunday = res.cells.filter((c: any) => c.weekday === 6);
    expect(sunday.slice(0, 5).map((c: any) => [c.hour, c.openMinutes, c.bookedMinutes])).toEqual([
      [0, 60, 60],
      [1, 120, 120],
      [2, 60, 60],
      [3, 60, 60],
      [4, 60, 0],
    ]);
  });

  it("a shared area's hours: 08:00 has 4 people in 10 seats, 09:00 has 4 + 3 + 5 for half the hour", async () => {
    const res = bodyOf(await get(`heatmap?from=2026-06-01&to=2026-06-01&siteId=${fixture.study.site.id}`));
    const monday = res.cells.filter((c: any) => c.weekday === 0 && c.hour >= 8 && c.hour < 12);
    expect(monday.map((c: any) => c.utilization)).toEqual([0.4, 0.95, 0.55, 0.3]);
  });
});

describe('site ranking', () => {
  it('ranks study rooms within their kind, with median and the change on the day before; no open hours is not ranked', async () => {
    const res = bodyOf(await get('site-ranking?from=2026-06-01&to=2026-06-01&kind=study_room'));
    expect([res.previousFrom, res.previousTo]).toEqual(['2026-05-31', '2026-05-31']);
    expect(res.rows.map((r: any) => [r.siteName, r.rankInKind, r.sitesRankedInKind, r.utilization, r.previousUtilization, r.change, r.noOpenHours])).toEqual([
      ['城市书房·"南京西路",2号', 1, 2, 0.55, 0, 0.55, false],
      ['城市书房·静安寺', 2, 2, 0.25, 0, 0.25, false],
      ['城市书房·未开放', null, 2, null, null, null, true],
    ]);
    expect(res.portfolio).toEqual({ count: 2, p25: 0.325, median: 0.4, p75: 0.475, p90: 0.52 });
    expect(res.kinds).toEqual([{ kind: 'study_room', count: 2, p25: 0.325, median: 0.4, p75: 0.475, p90: 0.52 }]);
  });
});

describe('behaviour', () => {
  it('rates, turnaround, lead time, residents served, repeat visits and cross-site bookings', async () => {
    const rows = await rowsOf(`behaviour?from=2026-06-10&to=2026-06-10&siteId=${fixture.behaviour.site.id}`);
    const expected = {
      bookings: 7,
      cancelled: 2,
      lateCancelled: 1,
      noShows: 1,
      cancellationRate: 0.333333,
      lateCancellationRate: 0.166667,
      noShowRate: 0.25,
      approvalsDecided: 2,
      medianApprovalMinutes: 105,
      medianLeadMinutes: 6000,
      residentsServed: 2,
      repeatResidents: 1,
      repeatVisitRate: 0.5,
      crossSiteBookings: 1,
      crossSiteShare: 0.25,
    };
    expect(rows).toEqual([
      { siteId: fixture.behaviour.site.id, siteName: '行为测试邻里中心', ...expected },
      { siteId: null, siteName: null, ...expected },
    ]);
  });

  it('the total counts a resident served at two sites once', async () => {
    await insertBooking(fixture.noShow, { start: '2026-06-10T10:00:00+08:00', end: '2026-06-10T11:00:00+08:00', status: 'completed', bookerId: residents.r1.id });
    const rows = await rowsOf('behaviour?from=2026-06-10&to=2026-06-10');
    const bySite = new Map(rows.map((r: any) => [r.siteId, r]));
    expect((bySite.get(fixture.noShow.site.id) as any).residentsServed).toBe(1);
    expect((bySite.get(null) as any)).toMatchObject({ residentsServed: 2, repeatResidents: 1, bookings: 8 });
  });
});

describe('unmet demand', () => {
  it('refusals and unserved waitlist entries by site and local hour; searches without a site only in the org-wide view', async () => {
    const site = bodyOf(await get(`unmet-demand?from=2026-06-10&to=2026-06-10&siteId=${fixture.behaviour.site.id}`));
    expect(site.rows).toEqual([
      { siteId: fixture.behaviour.site.id, siteName: '行为测试邻里中心', hour: 10, refusedTaken: 2, refusedFull: 0, waitlistUnserved: 2, searchEmpty: 0, total: 4 },
      { siteId: fixture.behaviour.site.id, siteName: '行为测试邻里中心', hour: 19, refusedTaken: 0, refusedFull: 1, waitlistUnserved: 0, searchEmpty: 0, total: 1 },
    ]);
    expect(site.sites).toEqual([
      { siteId: fixture.behaviour.site.id, siteName: '行为测试邻里中心', refusedTaken: 2, refusedFull: 1, waitlistUnserved: 2, searchEmpty: 0, total: 5 },
    ]);
    const all = bodyOf(await get('unmet-demand?from=2026-06-10&to=2026-06-10'));
    expect(all.rows.at(-1)).toEqual({ siteId: null, siteName: null, hour: 10, refusedTaken: 0, refusedFull: 0, waitlistUnserved: 0, searchEmpty: 1, total: 1 });
    const staff = bodyOf(await get('unmet-demand?from=2026-06-10&to=2026-06-10', p.tokens.staff));
    expect(staff.rows).toEqual([]);
  });
});

describe("scope: nobody sees another site's or organization's numbers", () => {
  it('staff asking for another site get 404, on every endpoint', async () => {
    for (const endpoint of ['utilization', 'heatmap', 'site-ranking', 'behaviour', 'unmet-demand']) {
      const res = await get(`${endpoint}?from=2026-06-01&to=2026-06-30&siteId=${fixture.study.site.id}`, p.tokens.staff);
      expect(res.statusCode, endpoint).toBe(404);
      expect(bodyOf(res).code).toBe('NOT_FOUND');
    }
  });

  it('staff listing by site get only their own sites; an admin of another organization sees none of ours', async () => {
    await insertBooking({ site: p.siteA, space: p.spaceA }, { start: '2026-06-01T10:00:00+08:00', end: '2026-06-01T11:00:00+08:00', status: 'completed' });
    const rows = await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=site', p.tokens.manager);
    expect(rows.map((r: any) => r.siteId)).toEqual([p.siteA.id]);
    expect(rows[0]).toMatchObject({ openMinutes: 840, bookedMinutes: 60 });
    const ranking = bodyOf(await get('site-ranking?from=2026-06-01&to=2026-06-30', p.tokens.staff));
    expect(ranking.rows.map((r: any) => r.siteId)).toEqual([p.siteA.id]);

    const other = await get(`utilization?from=2026-06-01&to=2026-06-01&siteId=${fixture.study.site.id}`, p.tokens.otherAdmin);
    expect(other.statusCode).toBe(404);
    const otherAll = await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=site', p.tokens.otherAdmin);
    expect(otherAll.map((r: any) => r.siteId)).toEqual([p.otherSite.id]);
  });

  it('staff with no sites get empty tables, not the organization', async () => {
    const lonely = await createUser(t.db, { orgId: p.org.id, role: 'staff' });
    const token = tokenFor(t.app, lonely);
    expect(await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=site', token)).toEqual([]);
    const [portfolio] = await rowsOf('utilization?from=2026-06-01&to=2026-06-01&groupBy=portfolio', token);
    expect(portfolio).toMatchObject({ spaces: 0, utilization: null, noOpenHours: true });
  });

  it('residents may not read analytics (403)', async () => {
    const res = await get('utilization?from=2026-06-01&to=2026-06-01', p.tokens.resident);
    expect(res.statusCode).toBe(403);
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM, a header row, Chinese names intact and quoting where needed', async () => {
    const res = await get('utilization?from=2026-06-01&to=2026-06-01&groupBy=site&kind=study_room&format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="linli-utilization-site-total-2026-06-01-2026-06-01.csv"');
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'siteId,siteName,spaceId,spaceName,bookingMode,capacity,kind,district,bucketStart,bucketEnd,spaces,openMinutes,bookedMinutes,usedMinutes,activityMinutes,utilization,usedUtilization,noOpenHours',
    );
    expect(lines).toContain(`${fixture.study.site.id},"城市书房·""南京西路"",2号",,,,,study_room,黄浦区,2026-06-01,2026-06-01,1,240,132,78,0,0.55,0.325,false`);
    expect(lines).toContain(`${fixture.closed.site.id},城市书房·未开放,,,,,study_room,静安区,2026-06-01,2026-06-01,1,0,0,0,0,,,true`);
    expect(lines.at(-1)).toBe('');
  });

  it.each(['heatmap', 'site-ranking', 'behaviour', 'unmet-demand'])('%s exports as CSV too', async (endpoint) => {
    const res = await get(`${endpoint}?from=2026-06-10&to=2026-06-10&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    expect(res.headers['content-disposition']).toContain(`linli-${endpoint}-2026-06-10-2026-06-10.csv`);
  });
});

describe('bad input answers 400 with the field, never 500', () => {
  it.each([
    ['a reversed period', 'utilization?from=2026-06-30&to=2026-06-01', 'querystring.to'],
    ['a period over 13 months', 'utilization?from=2025-01-01&to=2026-02-01', 'querystring.to'],
    ['days over a quarter by day', 'utilization?from=2026-01-01&to=2026-06-30&interval=day', 'querystring.interval'],
    ['an unknown grouping', 'utilization?from=2026-06-01&to=2026-06-30&groupBy=floor', 'querystring.groupBy'],
    ['an unknown interval', 'utilization?from=2026-06-01&to=2026-06-30&interval=hour', 'querystring.interval'],
    ['an unknown metric', 'utilization?from=2026-06-01&to=2026-06-30&metric=revenue', 'querystring'],
    ['an impossible date', 'heatmap?from=2026-02-30&to=2026-03-01', 'querystring.from'],
    ['a missing period', 'site-ranking', 'querystring.from'],
    ['a site id that is not an id', 'behaviour?from=2026-06-01&to=2026-06-30&siteId=42', 'querystring.siteId'],
    ['an unknown format', 'unmet-demand?from=2026-06-01&to=2026-06-30&format=xlsx', 'querystring.format'],
  ])('%s', async (_label, url, path) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('a table too big to be useful is refused with a reason (space x day across a large scope)', async () => {
    const site = await createSite(t.db, { orgId: p.org.id, kind: 'big_fixture' });
    await t.db.insert(schema.spaces).values(
      Array.from({ length: 250 }, (_, i) => ({ orgId: p.org.id, siteId: site.id, name: `座位区 ${i}`, kind: 'study_area', bookingMode: 'exclusive', capacity: 1 })),
    );
    const res = await get('utilization?from=2026-04-01&to=2026-06-30&groupBy=space&interval=day&kind=big_fixture');
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors[0].path).toBe('querystring.interval');
  });

  it('an unknown site answers 404', async () => {
    const res = await get('heatmap?from=2026-06-01&to=2026-06-30&siteId=00000000-0000-4000-8000-000000000000');
    expect(res.statusCode).toBe(404);
  });
});
