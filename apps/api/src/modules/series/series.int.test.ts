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

  describe('the spring-forward gap (02:30 does not exist in New York on 2027-03-14)', () => {
    const gapSeries = async () => {
      const nySite = await createSite(t.db, { orgId: org.id, timezone: 'America/New_York', openingHours: allDay });
      const token = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [nySite.id] }));
      const room = await createSpace(t.db, { orgId: org.id, siteId: nySite.id });
      const post = (payload: object) => createSeries({ spaceId: room.id, startTime: '02:30', durationMinutes: 30, ...payload }, token);
      return { room, post };
    };
    const statusesOf = (occurrences: { localDate: string; status: string }[]) => Object.fromEntries(occurrences.map((o) => [o.localDate, o.status]));
    const seriesOf = (spaceId: string) => t.db.select().from(schema.bookingSeries).where(eq(schema.bookingSeries.spaceId, spaceId));

    it('a series whose only occurrence falls in the gap books nothing: 409 SERIES_BOOKS_NOTHING with the reason, not a 200', async () => {
      const { room, post } = await gapSeries();
      for (const onConflict of ['fail', 'skip']) {
        const res = await post({ startDate: '2027-03-14', rule: 'FREQ=DAILY;UNTIL=20270314', onConflict });
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json().code).toBe('SERIES_BOOKS_NOTHING');
        expect(res.json().details.occurrences).toEqual([{ localDate: '2027-03-14', startAt: null, endAt: null, status: 'NONEXISTENT_LOCAL_TIME', bookingId: null }]);
      }
      expect(await bookingsOf(room.id)).toEqual([]);
      expect(await seriesOf(room.id)).toEqual([]);
    });

    it("onConflict 'fail' (the default): a gap occurrence is a conflict, so nothing is written", async () => {
      const { room, post } = await gapSeries();
      const res = await post({ startDate: '2027-03-13', rule: 'FREQ=DAILY;UNTIL=20270315' });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().code).toBe('SERIES_CONFLICTS');
      expect(statusesOf(res.json().details.occurrences)).toEqual({ '2027-03-13': 'ok', '2027-03-14': 'NONEXISTENT_LOCAL_TIME', '2027-03-15': 'ok' });
      expect(await bookingsOf(room.id)).toEqual([]);
      expect(await seriesOf(room.id)).toEqual([]);
    });

    it("onConflict 'skip': the gap occurrence is reported as skipped with its reason and the rest is booked", async () => {
      const { room, post } = await gapSeries();
      const res = await post({ startDate: '2027-03-13', rule: 'FREQ=DAILY;UNTIL=20270315', onConflict: 'skip' });
      expect(res.statusCode, res.body).toBe(201);
      expect(statusesOf(res.json().occurrences)).toEqual({ '2027-03-13': 'ok', '2027-03-14': 'NONEXISTENT_LOCAL_TIME', '2027-03-15': 'ok' });
      expect(res.json()).toMatchObject({ booked: 2, skipped: 1 });
      expect((await bookingsOf(room.id)).map((b) => b.startAt.toISOString()).sort()).toEqual(['2027-03-13T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
    });

    it('the preview (dryRun) reports the gap the same way, for either onConflict, and writes nothing', async () => {
      const { room, post } = await gapSeries();
      for (const onConflict of ['fail', 'skip']) {
        const res = await post({ startDate: '2027-03-13', rule: 'FREQ=DAILY;UNTIL=20270315', onConflict, dryRun: true });
        expect(res.statusCode, res.body).toBe(200);
        expect(statusesOf(res.json().occurrences)).toEqual({ '2027-03-13': 'ok', '2027-03-14': 'NONEXISTENT_LOCAL_TIME', '2027-03-15': 'ok' });
        expect(res.json()).toMatchObject({ seriesId: null, booked: 0, skipped: 1 });
      }
      const onlyGap = await post({ startDate: '2027-03-14', rule: 'FREQ=DAILY;UNTIL=20270314', dryRun: true });
      expect(onlyGap.statusCode).toBe(200);
      expect(statusesOf(onlyGap.json().occurrences)).toEqual({ '2027-03-14': 'NONEXISTENT_LOCAL_TIME' });
      expect(await bookingsOf(room.id)).toEqual([]);
    });
  });

  it("an excluded date (EXDATE) is no conflict for onConflict 'fail', but a series of excluded dates only books nothing (409)", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const partly = await createSeries({ spaceId: room.id, startDate: '2027-03-03', startTime: '11:00', durationMinutes: 60, rule: 'FREQ=DAILY;COUNT=2', exdates: ['2027-03-04'] });
    expect(partly.statusCode, partly.body).toBe(201);
    expect(partly.json()).toMatchObject({ booked: 1, skipped: 1 });
    const none = await createSeries({ spaceId: room.id, startDate: '2027-03-05', startTime: '11:00', durationMinutes: 60, rule: 'FREQ=DAILY;COUNT=1', exdates: ['2027-03-05'] });
    expect(none.statusCode, none.body).toBe(409);
    expect(none.json().code).toBe('SERIES_BOOKS_NOTHING');
    expect(await bookingsOf(room.id)).toHaveLength(1);
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

  it("a resident's series change beyond what was confirmed, in a room that needs approval, waits for approval again", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const resident = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'resident' }));
    const created = await createSeries({ spaceId: room.id, startDate: '2027-03-04', startTime: '10:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=2' }, resident);
    expect(created.statusCode, created.body).toBe(201);
    expect((await bookingsOf(room.id)).map((b) => b.status)).toEqual(['confirmed', 'confirmed']);
    await t.db.update(schema.spaces).set({ policy: { approvalRequired: true } }).where(eq(schema.spaces.id, room.id));

    const longer = await t.app.inject({ method: 'PATCH', url: `/api/v1/series/${created.json().seriesId}`, headers: bearer(resident), payload: { scope: 'all', durationMinutes: 120 } });
    expect(longer.statusCode, longer.body).toBe(200);
    expect(longer.json().changed.map((b: { status: string }) => b.status)).toEqual(['pending', 'pending']);
    const events = await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, longer.json().changed[0].id));
    expect(events.some((e) => e.fromStatus === 'confirmed' && e.toStatus === 'pending' && /needs approval/.test(e.reason ?? ''))).toBe(true);
  });

  it("answers a series change or cancel as any booking is answered: staff see who it is for (masked), the resident sees themselves", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const person = await createUser(t.db, { orgId: org.id, role: 'resident', phone: '13900050005' });
    const resident = tokenFor(t.app, person);
    const created = await createSeries({ spaceId: room.id, startDate: '2027-03-05', startTime: '10:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=3' }, resident);
    expect(created.statusCode, created.body).toBe(201);
    const seriesId = created.json().seriesId;

    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/series/${seriesId}`, headers: bearer(staff), payload: { scope: 'all', startTime: '11:00' } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().changed).toHaveLength(3);
    for (const booking of moved.json().changed) expect(booking.booker).toMatchObject({ userId: person.id, maskedPhone: '139****0005', walkIn: false });

    const own = await t.app.inject({ method: 'POST', url: `/api/v1/series/${seriesId}/cancel`, headers: bearer(resident), payload: { scope: 'all' } });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().cancelled).toHaveLength(3);
    for (const booking of own.json().cancelled) expect(booking).toMatchObject({ status: 'cancelled', booker: { userId: person.id } });
  });

  it('edit and cancel: this one, this and following, all', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    // Wednesdays: clear of the Tuesday closure another test adds to this site.
    const created = (await createSeries({ spaceId: room.id, startDate: '2027-03-03', startTime: '15:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=4' })).json();
    const [first, second, third] = created.occurrences.map((o: { bookingId: string }) => o.bookingId);

    const moveOne = await t.app.inject({ method: 'PATCH', url: `/api/v1/series/${created.seriesId}`, headers: bearer(staff), payload: { scope: 'one', bookingId: second, startTime: '16:00' } });
    expect(moveOne.json(), moveOne.body).toHaveProperty('changed');
    expect(moveOne.json().changed.map((b: { startAt: string }) => b.startAt)).toEqual([at('2027-03-10', '16:00')]);
    // History says what the series change did to this occurrence, before -> after (as a single move does).
    const moveEvents = await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, second));
    expect(moveEvents.find((e) => e.reason === 'series changed (one)')?.changes).toEqual([
      { field: 'startAt', from: at('2027-03-10', '15:00'), to: at('2027-03-10', '16:00') },
      { field: 'endAt', from: at('2027-03-10', '16:00'), to: at('2027-03-10', '17:00') },
    ]);

    const cancelFollowing = await t.app.inject({ method: 'POST', url: `/api/v1/series/${created.seriesId}/cancel`, headers: bearer(staff), payload: { scope: 'following', bookingId: third } });
    expect(cancelFollowing.json().cancelled).toHaveLength(2);

    const moveAll = await t.app.inject({ method: 'PATCH', url: `/api/v1/series/${created.seriesId}`, headers: bearer(staff), payload: { scope: 'all', durationMinutes: 90 } });
    expect(moveAll.json().changed.map((b: { id: string }) => b.id).sort()).toEqual([first, second].sort());

    const rows = await bookingsOf(room.id);
    expect(rows.filter((r) => r.status === 'cancelled')).toHaveLength(2);
    expect(rows.filter((r) => r.status === 'confirmed').every((r) => r.endAt.getTime() - r.startAt.getTime() === 90 * 60_000)).toBe(true);
  });
});
