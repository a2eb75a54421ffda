import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let staff: string;
const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])) as never;

beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id });
  staff = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
});
afterAll(() => t.close());

const createSeries = (payload: object, token = staff) => t.app.inject({ method: 'POST', url: '/api/v1/series', headers: bearer(token), payload });
const bookingsOf = (spaceId: string) => t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, spaceId));

describe('recurring series', () => {
  it('a weekly 19:00 class in New York stays at 19:00 local across the DST change (UTC moves by an hour)', async () => {
    const nySite = await createSite(t.db, { orgId: org.id, timezone: 'America/New_York', openingHours: allDay });
    const nyStaff = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [nySite.id] }));
    const room = await createSpace(t.db, { orgId: org.id, siteId: nySite.id });
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-04', startTime: '19:00', durationMinutes: 90, rule: 'FREQ=WEEKLY;BYDAY=TH;COUNT=3' }, nyStaff);
    expect(res.statusCode).toBe(201);
    expect(res.json().occurrences.map((o: { startAt: string }) => o.startAt)).toEqual([
      '2027-03-05T00:00:00.000Z', // 19:00 EST (UTC-5)
      '2027-03-12T00:00:00.000Z',
      '2027-03-18T23:00:00.000Z', // 19:00 EDT (UTC-4) after 2027-03-14
    ]);
    expect(await bookingsOf(room.id)).toHaveLength(3);
  });

  it('an occurrence whose local time does not exist (02:30 on the spring-forward night) is reported, not moved', async () => {
    const nySite = await createSite(t.db, { orgId: org.id, timezone: 'America/New_York', openingHours: allDay });
    const nyStaff = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [nySite.id] }));
    const room = await createSpace(t.db, { orgId: org.id, siteId: nySite.id });
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-13', startTime: '02:30', durationMinutes: 30, rule: 'FREQ=DAILY;COUNT=3', onConflict: 'skip' }, nyStaff);
    const statuses = Object.fromEntries(res.json().occurrences.map((o: { localDate: string; status: string }) => [o.localDate, o.status]));
    expect(statuses).toMatchObject({ '2027-03-13': 'ok', '2027-03-14': 'NONEXISTENT_LOCAL_TIME', '2027-03-15': 'ok' });
  });

  it("onConflict 'fail': one taken occurrence means nothing is written, and every occurrence is reported", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: room.id, exclusive: true, startAt: new Date(at('2027-03-09', '19:00')), endAt: new Date(at('2027-03-09', '20:00')), status: 'confirmed' });
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-02', startTime: '19:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=4' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SERIES_CONFLICTS');
    expect(res.json().details.occurrences.map((o: { status: string }) => o.status)).toEqual(['ok', 'SLOT_TAKEN', 'ok', 'ok']);
    expect(await bookingsOf(room.id)).toHaveLength(1);
    expect(await t.db.select().from(schema.bookingSeries).where(eq(schema.bookingSeries.spaceId, room.id))).toEqual([]);
  });

  it("onConflict 'skip': books exactly the reported part (closures and taken dates skipped)", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: room.id, exclusive: true, startAt: new Date(at('2027-03-09', '19:00')), endAt: new Date(at('2027-03-09', '20:00')), status: 'confirmed' });
    await t.db.insert(schema.closures).values({ orgId: org.id, scope: 'site', siteId: site.id, startDate: '2027-03-16', endDate: '2027-03-16', reason: '检修' });
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-02', startTime: '19:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=4', onConflict: 'skip', purpose: '合唱团排练' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.occurrences.map((o: { status: string }) => o.status)).toEqual(['ok', 'SLOT_TAKEN', 'SITE_CLOSED', 'ok']);
    expect(body).toMatchObject({ booked: 2, skipped: 2 });
    const rows = (await bookingsOf(room.id)).filter((b) => b.seriesId === body.seriesId);
    expect(rows.map((b) => b.startAt.toISOString()).sort()).toEqual([at('2027-03-02', '19:00'), at('2027-03-23', '19:00')]);
    expect(body.occurrences.filter((o: { bookingId: string | null }) => o.bookingId).map((o: { bookingId: string }) => o.bookingId).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('a preview (dryRun) reports occurrences and writes nothing', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-02', startTime: '10:00', durationMinutes: 60, rule: 'FREQ=DAILY;INTERVAL=2;COUNT=5', dryRun: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ seriesId: null, dryRun: true, booked: 0 });
    expect(res.json().occurrences.map((o: { localDate: string }) => o.localDate)).toEqual(['2027-03-02', '2027-03-04', '2027-03-06', '2027-03-08', '2027-03-10']);
    expect(await bookingsOf(room.id)).toEqual([]);
  });

  it.each([
    ['a rule with no end', 'FREQ=WEEKLY;BYDAY=MO'],
    ['malformed text', 'FREQ=SOMETIMES;COUNT=3'],
    ['more than 366 occurrences', 'FREQ=DAILY;COUNT=400'],
  ])('refuses %s with 422 INVALID_RECURRENCE and writes nothing', async (_label, rule) => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-02', startTime: '10:00', durationMinutes: 60, rule });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('INVALID_RECURRENCE');
    expect(await bookingsOf(room.id)).toEqual([]);
  });

  it('a resident series must stay within the booking horizon', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const resident = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'resident' }));
    const res = await createSeries({ spaceId: room.id, startDate: '2027-03-02', startTime: '10:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=10' }, resident);
    expect(res.statusCode).toBe(422);
    expect(res.json().details.reasons[0].code).toBe('BEYOND_HORIZON');
  });

  it('edit and cancel: this one, this and following, all', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    // Wednesdays: clear of the Tuesday closure another test adds to this site.
    const created = (await createSeries({ spaceId: room.id, startDate: '2027-03-03', startTime: '15:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=4' })).json();
    const [first, second, third] = created.occurrences.map((o: { bookingId: string }) => o.bookingId);

    const moveOne = await t.app.inject({ method: 'PATCH', url: `/api/v1/series/${created.seriesId}`, headers: bearer(staff), payload: { scope: 'one', bookingId: second, startTime: '16:00' } });
    expect(moveOne.json(), moveOne.body).toHaveProperty('changed');
    expect(moveOne.json().changed.map((b: { startAt: string }) => b.startAt)).toEqual([at('2027-03-10', '16:00')]);

    const cancelFollowing = await t.app.inject({ method: 'POST', url: `/api/v1/series/${created.seriesId}/cancel`, headers: bearer(staff), payload: { scope: 'following', bookingId: third } });
    expect(cancelFollowing.json().cancelled).toHaveLength(2);

    const moveAll = await t.app.inject({ method: 'PATCH', url: `/api/v1/series/${created.seriesId}`, headers: bearer(staff), payload: { scope: 'all', durationMinutes: 90 } });
    expect(moveAll.json().changed.map((b: { id: string }) => b.id).sort()).toEqual([first, second].sort());

    const rows = await bookingsOf(room.id);
    expect(rows.filter((r) => r.status === 'cancelled')).toHaveLength(2);
    expect(rows.filter((r) => r.status === 'confirmed').every((r) => r.endAt.getTime() - r.startAt.getTime() === 90 * 60_000)).toBe(true);
  });
});
