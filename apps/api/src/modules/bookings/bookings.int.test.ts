import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { runLifecycleSweep } from './lifecycle.service.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let staffToken: string;
const NOW = at('2027-03-01', '09:00'); // a Monday in Shanghai
const DAY = '2027-03-02';
beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id });
  staffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
});
afterAll(() => t.close());

async function resident(homeSiteId?: string) {
  const user = await createUser(t.db, { orgId: org.id, role: 'resident', ...(homeSiteId ? { homeSiteId } : {}) });
  return { user, token: tokenFor(t.app, user) };
}
const book = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: bearer(token), payload });
const post = (token: string, url: string, payload: object = {}) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), payload });
const eventsOf = async (bookingId: string) =>
  (await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, bookingId))).map((e) => `${e.fromStatus ?? '-'}>${e.toStatus}`);

describe('policy refusals carry a reason code and both languages', () => {
  it.each([
    ['end before start', { startAt: at(DAY, '11:00'), endAt: at(DAY, '10:00') }, 422, 'INVALID_INTERVAL'],
    ['a zero-length interval', { startAt: at(DAY, '11:00'), endAt: at(DAY, '11:00') }, 422, 'INVALID_INTERVAL'],
    ['times off the 30-minute grid', { startAt: at(DAY, '10:10'), endAt: at(DAY, '11:10') }, 422, 'NOT_ON_SLOT_GRID'],
    ['outside opening hours (07:00)', { startAt: at(DAY, '07:00'), endAt: at(DAY, '08:30') }, 422, 'OUTSIDE_OPENING_HOURS'],
    ['a booking in the past', { startAt: at('2027-02-28', '10:00'), endAt: at('2027-02-28', '11:00') }, 422, 'IN_THE_PAST'],
    ['beyond the 30-day horizon', { startAt: at('2027-05-03', '10:00'), endAt: at('2027-05-03', '11:00') }, 422, 'BEYOND_HORIZON'],
    ['longer than 4 hours', { startAt: at(DAY, '09:00'), endAt: at(DAY, '14:00') }, 422, 'DURATION_TOO_LONG'],
    ['a party above capacity', { startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00'), partySize: 13 }, 422, 'PARTY_EXCEEDS_CAPACITY'],
  ])('%s -> %i %s, and nothing is written', async (_label, times, status, code) => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, capacity: 12 });
    const { token } = await resident();
    const res = await book(token, { spaceId: room.id, ...times });
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
    expect(res.json().details.reasons.map((r: { code: string }) => r.code)).toContain(code);
    expect(await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, room.id))).toEqual([]);
  });

  it('an unknown space is 404; a malformed instant is 400 naming the field', async () => {
    const { token } = await resident();
    expect((await book(token, { spaceId: crypto.randomUUID(), startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).statusCode).toBe(404);
    const bad = await book(token, { spaceId: crypto.randomUUID(), startAt: '2027-03-02 10:00', endAt: at(DAY, '11:00') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('body.startAt');
  });

  it('a closed day says why (the closure reason), in Chinese when asked', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    await t.db.insert(schema.closures).values({ orgId: org.id, scope: 'site', siteId: site.id, startDate: '2027-03-03', endDate: '2027-03-03', reason: '消防检查' });
    const { token } = await resident();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { ...bearer(token), 'accept-language': 'zh-CN' },
      payload: { spaceId: room.id, startAt: at('2027-03-03', '10:00'), endAt: at('2027-03-03', '11:00') },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'SITE_CLOSED', detail: '站点当天闭馆。', details: { reasons: [{ code: 'SITE_CLOSED', params: { reason: '消防检查' } }] } });
  });

  it('a city-wide weekly quota counts bookings across sites', async () => {
    const quotaOrg = await createOrg(t.db, { policy: { quotaPerWeekCount: 2 } });
    const siteA = await createSite(t.db, { orgId: quotaOrg.id });
    const siteB = await createSite(t.db, { orgId: quotaOrg.id, district: '浦东新区' });
    const roomA = await createSpace(t.db, { orgId: quotaOrg.id, siteId: siteA.id });
    const roomB = await createSpace(t.db, { orgId: quotaOrg.id, siteId: siteB.id });
    const token = tokenFor(t.app, await createUser(t.db, { orgId: quotaOrg.id, role: 'resident' }));
    expect((await book(token, { spaceId: roomA.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).statusCode).toBe(201);
    expect((await book(token, { spaceId: roomB.id, startAt: at('2027-03-03', '10:00'), endAt: at('2027-03-03', '11:00') })).statusCode).toBe(201);
    const third = await book(token, { spaceId: roomB.id, startAt: at('2027-03-04', '10:00'), endAt: at('2027-03-04', '11:00') });
    expect(third.statusCode).toBe(409);
    expect(third.json().details.reasons[0]).toMatchObject({ code: 'QUOTA_EXCEEDED', params: { quota: 'quotaPerWeekCount', limit: 2, used: 2, scope: 'org' } });
    // Next ISO week is a new allowance.
    expect((await book(token, { spaceId: roomB.id, startAt: at('2027-03-08', '10:00'), endAt: at('2027-03-08', '11:00') })).statusCode).toBe(201);
  });

  it('a check answers exactly what booking would answer, with quota standing, and writes nothing', async () => {
    const quotaOrg = await createOrg(t.db, { policy: { quotaPerWeekCount: 2, quotaPerDayMinutes: 120 } });
    const quotaSite = await createSite(t.db, { orgId: quotaOrg.id });
    const room = await createSpace(t.db, { orgId: quotaOrg.id, siteId: quotaSite.id });
    const user = await createUser(t.db, { orgId: quotaOrg.id, role: 'resident' });
    const token = tokenFor(t.app, user);
    const check = (payload: object, as = token) => t.app.inject({ method: 'POST', url: '/api/v1/bookings/check', headers: bearer(as), payload });
    const first = { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') };

    const before = (await check(first)).json();
    expect(before).toMatchObject({ bookable: true, reasons: [] });
    expect(before.quotas).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ quota: 'quotaPerWeekCount', scope: 'org', limit: 2, used: 0, requested: 1 }),
        expect.objectContaining({ quota: 'quotaPerDayMinutes', scope: 'org', limit: 120, used: 0, requested: 60 }),
      ]),
    );
    expect(await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, room.id))).toHaveLength(0);

    expect((await book(token, first)).statusCode).toBe(201);
    const taken = (await check(first)).json();
    expect(taken.bookable).toBe(false);
    expect(taken.reasons.map((r: { code: string }) => r.code)).toEqual(['SLOT_TAKEN']);
    expect(taken.quotas.find((q: { quota: string }) => q.quota === 'quotaPerWeekCount').used).toBe(1);

    // Two more hours the same day: over the daily minutes; the real booking is refused for the same reason.
    const long = { spaceId: room.id, startAt: at(DAY, '12:00'), endAt: at(DAY, '14:00') };
    const over = (await check(long)).json();
    expect(over.reasons).toEqual([expect.objectContaining({ code: 'QUOTA_EXCEEDED', params: expect.objectContaining({ quota: 'quotaPerDayMinutes', used: 60, requested: 120, limit: 120 }) })]);
    const refused = await book(token, long);
    expect(refused.json().details.reasons.map((r: { code: string }) => r.code)).toEqual(over.reasons.map((r: { code: string }) => r.code));
  });

  it('staff book on behalf of a resident, outside the resident lead time', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { leadTimeMinutes: 24 * 60 } });
    const { user, token } = await resident();
    expect((await book(token, { spaceId: room.id, startAt: at('2027-03-01', '15:00'), endAt: at('2027-03-01', '16:00') })).json().code).toBe('LEAD_TIME_NOT_MET');
    const res = await book(staffToken, { spaceId: room.id, startAt: at('2027-03-01', '15:00'), endAt: at('2027-03-01', '16:00'), bookerId: user.id, partySize: 6, purpose: '楼组长会议' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ bookerId: user.id, status: 'confirmed', source: 'staff', partySize: 6 });
    const mine = await t.app.inject({ url: '/api/v1/bookings', headers: bearer(token) });
    expect(mine.json().items.map((b: { id: string }) => b.id)).toContain(res.json().id);
  });
});

describe('who sees which booking', () => {
  it("one site's staff cannot read, approve or cancel another site's booking; a resident cannot read another's", async () => {
    const otherSite = await createSite(t.db, { orgId: org.id });
    const room = await createSpace(t.db, { orgId: org.id, siteId: otherSite.id, policy: { approvalRequired: true } });
    const owner = await resident();
    const booking = (await book(owner.token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).json();
    const stranger = await resident();
    expect((await t.app.inject({ url: `/api/v1/bookings/${booking.id}`, headers: bearer(staffToken) })).statusCode).toBe(404);
    expect((await post(staffToken, `/bookings/${booking.id}/approve`)).statusCode).toBe(404);
    expect((await post(staffToken, `/bookings/${booking.id}/cancel`)).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/bookings/${booking.id}`, headers: bearer(stranger.token) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/bookings?siteId=${otherSite.id}`, headers: bearer(staffToken) })).statusCode).toBe(404);
    const staffList = (await t.app.inject({ url: '/api/v1/bookings?limit=200', headers: bearer(staffToken) })).json().items;
    expect(staffList.every((b: { siteId: string }) => b.siteId === site.id)).toBe(true);
  });

  it('an archived space takes no bookings: hidden from residents (404), refused to staff (409)', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, archivedAt: new Date() });
    const { token } = await resident();
    const payload = { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') };
    expect((await book(token, payload)).statusCode).toBe(404);
    expect((await book(staffToken, payload)).json().code).toBe('SPACE_UNAVAILABLE');
  });
});

describe('when a slot is taken', () => {
  it('the refusal suggests the same room at the nearest free times and an equivalent room at a nearby site', async () => {
    const near = await createSite(t.db, { orgId: org.id, lat: 31.18, lng: 121.44, name: '附近站点' });
    const far = await createSite(t.db, { orgId: org.id, lat: 31.4, lng: 121.6, name: '远处站点' });
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'piano_room', features: ['piano'] });
    const nearRoom = await createSpace(t.db, { orgId: org.id, siteId: near.id, kind: 'piano_room', features: ['piano', 'mirror_wall'] });
    await createSpace(t.db, { orgId: org.id, siteId: far.id, kind: 'piano_room', features: ['piano'] });
    await createSpace(t.db, { orgId: org.id, siteId: near.id, kind: 'piano_room', features: [] });
    const first = await resident();
    const second = await resident();
    expect((await book(first.token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).statusCode).toBe(201);
    const refused = await book(second.token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    expect(refused.statusCode).toBe(409);
    const alternatives = refused.json().details.alternatives;
    const same = alternatives.filter((a: { kind: string }) => a.kind === 'same_space');
    // Nearest first (09:00 and 11:00 are an hour away); of the two 90 minutes away the earlier wins the tie.
    expect(same.map((a: { startAt: string }) => a.startAt)).toEqual([at(DAY, '08:30'), at(DAY, '09:00'), at(DAY, '11:00')]);
    const nearby = alternatives.filter((a: { kind: string }) => a.kind === 'nearby_space');
    expect(nearby[0]).toMatchObject({ spaceId: nearRoom.id, siteName: '附近站点', startAt: at(DAY, '10:00') });
    // Each alternative is bookable exactly as returned.
    for (const alt of [same[0], nearby[0]]) {
      expect((await book(second.token, { spaceId: alt.spaceId, startAt: alt.startAt, endAt: alt.endAt })).statusCode).toBe(201);
      await t.db.update(schema.bookings).set({ status: 'cancelled' }).where(eq(schema.bookings.spaceId, alt.spaceId));
    }
    const demand = await t.db.select().from(schema.demandEvents).where(eq(schema.demandEvents.spaceId, room.id));
    expect(demand.map((d) => d.kind)).toEqual(['refused_taken']);
  });

  it('a buffer between bookings keeps the neighbouring slot free', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { bufferMinutes: 30 } });
    const a = await resident();
    const b = await resident();
    await book(a.token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    expect((await book(b.token, { spaceId: room.id, startAt: at(DAY, '11:00'), endAt: at(DAY, '12:00') })).json().code).toBe('SLOT_TAKEN');
    expect((await book(b.token, { spaceId: room.id, startAt: at(DAY, '11:30'), endAt: at(DAY, '12:30') })).statusCode).toBe(201);
  });
});

describe('lifecycle', () => {
  it('approval: a resident request waits as pending, staff approve it, every step is in the history', async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const { token } = await resident();
    const created = (await book(token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') })).json();
    expect(created.status).toBe('pending');
    expect((await post(token, `/bookings/${created.id}/approve`)).statusCode).toBe(403);
    const approved = await post(staffToken, `/bookings/${created.id}/approve`);
    expect(approved.json().status).toBe('confirmed');
    const detail = await t.app.inject({ url: `/api/v1/bookings/${created.id}`, headers: bearer(token) });
    expect(detail.json().events.map((e: { toStatus: string }) => e.toStatus)).toEqual(['pending', 'confirmed']);
    expect(detail.headers.etag).toBe(`"${approved.json().version}"`);
    // Who acted, by name: staff see everyone's; the resident sees their own name but not the staff member's.
    const names = async (viewerToken: string) =>
      (await t.app.inject({ url: `/api/v1/bookings/${created.id}`, headers: bearer(viewerToken) })).json().events.map((e: { actorName: string | null }) => e.actorName);
    const [residentName, staffName] = await names(staffToken);
    expect(residentName).toEqual(expect.any(String));
    expect(staffName).toEqual(expect.any(String));
    expect(staffName).not.toBe(residentName);
    expect(await names(token)).toEqual([residentName, null]);
  });

  it('rejection needs a reason and frees the slot; a rejected booking cannot be approved', async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const { token } = await resident();
    const created = (await book(token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') })).json();
    expect((await post(staffToken, `/bookings/${created.id}/reject`, {})).statusCode).toBe(400);
    expect((await post(staffToken, `/bookings/${created.id}/reject`, { reason: '场地已安排社区活动' })).json().status).toBe('rejected');
    expect((await post(staffToken, `/bookings/${created.id}/approve`)).json().code).toBe('INVALID_TRANSITION');
    const other = await resident();
    expect((await book(other.token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') })).statusCode).toBe(201);
  });

  it('cancellation cut-off binds residents but not staff', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { cancelCutoffMinutes: 120 } });
    const { token } = await resident();
    const soon = (await book(token, { spaceId: room.id, startAt: at('2027-03-01', '10:30'), endAt: at('2027-03-01', '11:30') })).json();
    const refused = await post(token, `/bookings/${soon.id}/cancel`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CANCEL_CUTOFF_PASSED');
    expect((await post(staffToken, `/bookings/${soon.id}/cancel`, { reason: '居民电话取消' })).json().status).toBe('cancelled');
  });

  it('check-in with the code inside the window; a wrong code or a too-early check-in is refused', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { checkInRequired: true, noShowAfterMinutes: 15 } });
    const { token } = await resident();
    const booking = (await book(token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).json();
    expect(booking.checkInCode).toMatch(/^[A-Z2-9]{6}$/);
    t.setNow(at(DAY, '09:30'));
    try {
      expect((await post(token, `/bookings/${booking.id}/check-in`, { code: booking.checkInCode })).json().code).toBe('CHECK_IN_NOT_OPEN');
      t.setNow(at(DAY, '09:50'));
      expect((await post(token, `/bookings/${booking.id}/check-in`, { code: 'WRONG1' })).json().code).toBe('INVALID_CHECK_IN_CODE');
      const ok = await post(token, `/bookings/${booking.id}/check-in`, { code: booking.checkInCode.toLowerCase() });
      expect(ok.json()).toMatchObject({ status: 'checked_in', checkedInAt: new Date(at(DAY, '09:50')).toISOString() });
      t.setNow(at(DAY, '11:05'));
      await runLifecycleSweep(t.db, new Date(at(DAY, '11:05')));
      const [row] = await t.db.select().from(schema.bookings).where(eq(schema.bookings.id, booking.id));
      expect(row!.status).toBe('completed');
    } finally {
      t.setNow(NOW);
    }
  });

  it('a no-show releases the space for others and keeps the record and its history', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { checkInRequired: true, noShowAfterMinutes: 15 } });
    const { token } = await resident();
    const booking = (await book(token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') })).json();
    await runLifecycleSweep(t.db, new Date(at(DAY, '10:14')));
    expect((await t.db.select().from(schema.bookings).where(eq(schema.bookings.id, booking.id)))[0]!.status).toBe('confirmed');
    const swept = await runLifecycleSweep(t.db, new Date(at(DAY, '10:15')));
    expect(swept.noShows).toBeGreaterThanOrEqual(1);
    const [row] = await t.db.select().from(schema.bookings).where(eq(schema.bookings.id, booking.id));
    expect(row).toMatchObject({ status: 'no_show', startAt: new Date(at(DAY, '10:00')) });
    expect(await eventsOf(booking.id)).toEqual(['->confirmed', 'confirmed>no_show']);
    // Someone walking in at 10:30 can now take the rest of the slot.
    t.setNow(at(DAY, '10:20'));
    try {
      const walkIn = await resident();
      expect((await book(walkIn.token, { spaceId: room.id, startAt: at(DAY, '10:30'), endAt: at(DAY, '12:00') })).statusCode).toBe(201);
    } finally {
      t.setNow(NOW);
    }
  });

  it('history cannot be rewritten: the database refuses to delete a booking or edit its events', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { token } = await resident();
    const booking = (await book(token, { spaceId: room.id, startAt: at(DAY, '18:00'), endAt: at(DAY, '19:00') })).json();
    await expect(t.db.delete(schema.bookings).where(eq(schema.bookings.id, booking.id))).rejects.toThrow();
    await expect(t.db.update(schema.bookingEvents).set({ reason: 'edited' }).where(eq(schema.bookingEvents.bookingId, booking.id))).rejects.toThrow();
    await expect(t.db.delete(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, booking.id))).rejects.toThrow();
  });

  it('moving a booking to another space keeps one record, bumps the version and frees the old room', async () => {
    const roomA = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const roomB = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { token } = await resident();
    const booking = (await book(token, { spaceId: roomA.id, startAt: at(DAY, '15:00'), endAt: at(DAY, '16:00') })).json();
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/bookings/${booking.id}`, headers: { ...bearer(staffToken), 'if-match': `"${booking.version}"` }, payload: { spaceId: roomB.id } });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ id: booking.id, spaceId: roomB.id, version: booking.version + 1 });
    const other = await resident();
    expect((await book(other.token, { spaceId: roomA.id, startAt: at(DAY, '15:00'), endAt: at(DAY, '16:00') })).statusCode).toBe(201);
    expect(await eventsOf(booking.id)).toEqual(['->confirmed', 'confirmed>confirmed']);
  });
});

describe('waitlist', () => {
  it('cancellation promotes the first resident waiting (auto-book), not the second', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { waitlistMode: 'auto_book' } });
    const holder = await resident();
    const first = await resident();
    const second = await resident();
    const slot = { spaceId: room.id, startAt: at(DAY, '19:00'), endAt: at(DAY, '20:00') };
    const booking = (await book(holder.token, slot)).json();
    expect((await post(first.token, '/waitlist', slot)).statusCode).toBe(201);
    expect((await post(second.token, '/waitlist', slot)).statusCode).toBe(201);
    await post(holder.token, `/bookings/${booking.id}/cancel`);
    const firstBookings = (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(first.token) })).json().items;
    expect(firstBookings).toHaveLength(1);
    expect(firstBookings[0]).toMatchObject({ status: 'confirmed', source: 'waitlist', startAt: slot.startAt });
    expect((await t.app.inject({ url: '/api/v1/bookings', headers: bearer(second.token) })).json().items).toEqual([]);
    expect((await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(second.token) })).json().items[0].status).toBe('waiting');
  });

  it('offer mode holds the place; an offer not accepted in time expires and passes to the next in line', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { waitlistMode: 'offer', offerHoldMinutes: 30 } });
    const holder = await resident();
    const first = await resident();
    const second = await resident();
    const slot = { spaceId: room.id, startAt: at(DAY, '20:00'), endAt: at(DAY, '21:00') };
    const booking = (await book(holder.token, slot)).json();
    await post(first.token, '/waitlist', slot);
    await post(second.token, '/waitlist', slot);
    await post(holder.token, `/bookings/${booking.id}/cancel`);
    const offer = (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(first.token) })).json().items[0];
    expect(offer).toMatchObject({ status: 'pending', offerExpiresAt: new Date(Date.parse(NOW) + 30 * 60_000).toISOString() });
    // Nobody else can take the held place meanwhile.
    expect((await book(second.token, slot)).statusCode).toBe(409);
    await runLifecycleSweep(t.db, new Date(Date.parse(NOW) + 31 * 60_000));
    const secondOffer = (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(second.token) })).json().items[0];
    expect(secondOffer.status).toBe('pending');
    t.setNow(new Date(Date.parse(NOW) + 35 * 60_000));
    try {
      expect((await post(second.token, `/bookings/${secondOffer.id}/accept-offer`)).json().status).toBe('confirmed');
    } finally {
      t.setNow(NOW);
    }
    const firstEntry = (await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(first.token) })).json().items[0];
    expect(firstEntry.status).toBe('expired');
  });

  it('a no-show release promotes a waiting resident into a full seat area', async () => {
    const seats = await createSpace(t.db, { orgId: org.id, siteId: site.id, bookingMode: 'shared_capacity', capacity: 2, kind: 'study_area', policy: { checkInRequired: true, waitlistMode: 'auto_book' } });
    const a = await resident();
    const b = await resident();
    const waiting = await resident();
    const slot = { spaceId: seats.id, startAt: at(DAY, '13:00'), endAt: at(DAY, '17:00') };
    await book(a.token, slot);
    await book(b.token, slot);
    expect((await book(waiting.token, slot)).json().code).toBe('CAPACITY_FULL');
    const later = { ...slot, startAt: at(DAY, '14:00') };
    expect((await post(waiting.token, '/waitlist', later)).statusCode).toBe(201);
    await runLifecycleSweep(t.db, new Date(at(DAY, '13:20')));
    const promoted = (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(waiting.token) })).json().items;
    expect(promoted).toHaveLength(1);
    expect(promoted[0]).toMatchObject({ status: 'confirmed', startAt: at(DAY, '14:00') });
  });

  it('joining the waitlist for a free slot is refused: book it instead', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { token } = await resident();
    const res = await post(token, '/waitlist', { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    expect(res.statusCode).toBe(409);
  });
});

describe('changing a booking in a space that needs approval', () => {
  const patch = (token: string, booking: { id: string; version: number }, payload: object) =>
    t.app.inject({ method: 'PATCH', url: `/api/v1/bookings/${booking.id}`, headers: { ...bearer(token), 'if-match': `"${booking.version}"` }, payload });
  const historyOf = async (bookingId: string) =>
    (await t.app.inject({ url: `/api/v1/bookings/${bookingId}`, headers: bearer(staffToken) })).json().events as { fromStatus: string | null; toStatus: string; reason: string | null }[];

  /** A confirmed 2-hour booking for 4 people, in a plain room or approved by staff in a hall that needs approval. */
  async function confirmedBooking(startsIn: 'plain' | 'hall') {
    const plain = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const otherHall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const owner = await resident();
    const room = startsIn === 'plain' ? plain : hall;
    let booking = (await book(owner.token, { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00'), partySize: 4, purpose: '读书会' })).json();
    if (booking.status === 'pending') booking = (await post(staffToken, `/bookings/${booking.id}/approve`)).json();
    expect(booking.status).toBe('confirmed');
    return { rooms: { plain, hall, otherHall }, owner, booking };
  }

  type Rooms = Awaited<ReturnType<typeof confirmedBooking>>['rooms'];
  // Every field a PATCH can change (spaceId, startAt, endAt, partySize, purpose), from a plain room and from a hall.
  const cases: [string, 'pending' | 'confirmed', 'plain' | 'hall', (rooms: Rooms) => Record<string, unknown>][] = [
    ['moved from a plain room into a hall', 'pending', 'plain', (r) => ({ spaceId: r.hall.id })],
    ['moved from one hall to another', 'pending', 'hall', (r) => ({ spaceId: r.otherHall.id })],
    ['shifted to another time of the same length', 'pending', 'hall', () => ({ startAt: at(DAY, '16:00'), endAt: at(DAY, '18:00') })],
    ['made longer (a later end)', 'pending', 'hall', () => ({ endAt: at(DAY, '17:00') })],
    ['made longer (an earlier start)', 'pending', 'hall', () => ({ startAt: at(DAY, '13:00') })],
    ['given a larger party', 'pending', 'hall', () => ({ partySize: 10 })],
    ['given another purpose', 'pending', 'hall', () => ({ purpose: '生日聚会' })],
    ['given a smaller party', 'confirmed', 'hall', () => ({ partySize: 2 })],
    ['shortened inside the approved time', 'confirmed', 'hall', () => ({ startAt: at(DAY, '14:30'), endAt: at(DAY, '15:30') })],
    ['shifted, enlarged and renamed in a plain room', 'confirmed', 'plain', () => ({ startAt: at(DAY, '16:00'), endAt: at(DAY, '19:00'), partySize: 10, purpose: '生日聚会' })],
  ];

  it.each(cases)('a resident’s booking %s -> %s, and it holds its new slot', async (_label, expected, startsIn, change) => {
    const { rooms, owner, booking } = await confirmedBooking(startsIn);
    const body = change(rooms);
    const res = await patch(owner.token, booking, body);
    expect(res.statusCode, JSON.stringify(res.json())).toBe(200);
    const changed = res.json();
    expect(changed).toMatchObject({ id: booking.id, status: expected, version: booking.version + 1, ...body });
    const last = (await historyOf(booking.id)).at(-1);
    expect(last).toMatchObject(
      expected === 'pending' ? { fromStatus: 'confirmed', toStatus: 'pending', reason: 'change needs approval' } : { fromStatus: 'confirmed', toStatus: 'confirmed' },
    );
    // Pending or not, the new slot is the booking's: nobody else can take it meanwhile.
    const other = await resident();
    const taken = await book(other.token, { spaceId: changed.spaceId, startAt: changed.startAt, endAt: changed.endAt });
    expect(taken.json().code).toBe('SLOT_TAKEN');
    if (expected === 'pending') {
      expect((await post(staffToken, `/bookings/${booking.id}/approve`)).json().status).toBe('confirmed');
    }
  });

  it.each(cases)('staff change a booking (%s): it stays confirmed, as staff bookings skip approval', async (_label, _residentOutcome, startsIn, change) => {
    const { rooms, booking } = await confirmedBooking(startsIn);
    const res = await patch(staffToken, booking, change(rooms));
    expect(res.statusCode, JSON.stringify(res.json())).toBe(200);
    expect(res.json().status).toBe('confirmed');
    expect((await historyOf(booking.id)).at(-1)).toMatchObject({ fromStatus: 'confirmed', toStatus: 'confirmed' });
  });

  it('a pending request moved by its resident stays pending and still needs one approval', async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const { token } = await resident();
    const booking = (await book(token, { spaceId: hall.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).json();
    const moved = (await patch(token, booking, { startAt: at(DAY, '11:00'), endAt: at(DAY, '13:00') })).json();
    expect(moved.status).toBe('pending');
    expect((await post(staffToken, `/bookings/${booking.id}/approve`)).json().status).toBe('confirmed');
  });

  it('a waitlist offer cannot be changed before it is accepted (it would skip approval on acceptance)', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { waitlistMode: 'offer' } });
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const holder = await resident();
    const waiting = await resident();
    const slot = { spaceId: room.id, startAt: at(DAY, '17:00'), endAt: at(DAY, '18:00') };
    const held = (await book(holder.token, slot)).json();
    expect((await post(waiting.token, '/waitlist', slot)).statusCode).toBe(201);
    await post(holder.token, `/bookings/${held.id}/cancel`);
    const offer = (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(waiting.token) })).json().items[0];
    expect(offer).toMatchObject({ status: 'pending', offerExpiresAt: expect.any(String) });
    const res = await patch(waiting.token, offer, { spaceId: hall.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('INVALID_TRANSITION');
  });

  it('an accepted waitlist offer in a space that needs approval waits for staff', async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true, waitlistMode: 'offer' } });
    const holder = await resident();
    const waiting = await resident();
    const slot = { spaceId: hall.id, startAt: at(DAY, '18:00'), endAt: at(DAY, '19:00') };
    const held = (await post(staffToken, `/bookings/${(await book(holder.token, slot)).json().id}/approve`)).json();
    await post(waiting.token, '/waitlist', slot);
    await post(holder.token, `/bookings/${held.id}/cancel`);
    const offer = (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(waiting.token) })).json().items[0];
    const accepted = (await post(waiting.token, `/bookings/${offer.id}/accept-offer`)).json();
    expect(accepted).toMatchObject({ status: 'pending', offerExpiresAt: null });
    expect((await post(staffToken, `/bookings/${offer.id}/approve`)).json().status).toBe('confirmed');
    const entry = (await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(waiting.token) })).json().items[0];
    expect(entry.status).toBe('booked');
  });
});

describe('history', () => {
  it('lists changes in the order they committed, stamped when they were written, not when their request began', async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, kind: 'hall', policy: { approvalRequired: true } });
    const { token } = await resident();
    const booking = (await book(token, { spaceId: hall.id, startAt: at(DAY, '20:00'), endAt: at(DAY, '21:00') })).json();
    try {
      t.setNow(new Date(Date.parse(NOW) + 10 * 60_000));
      expect((await post(staffToken, `/bookings/${booking.id}/approve`)).json().status).toBe('confirmed');
      // A cancellation whose request read the clock before the approval committed, but waited for the lock.
      t.setNow(new Date(Date.parse(NOW) + 5 * 60_000));
      expect((await post(token, `/bookings/${booking.id}/cancel`)).json().status).toBe('cancelled');
    } finally {
      t.setNow(NOW);
    }
    const detail = (await t.app.inject({ url: `/api/v1/bookings/${booking.id}`, headers: bearer(token) })).json();
    expect(detail.events.map((e: { fromStatus: string | null; toStatus: string }) => `${e.fromStatus ?? '-'}>${e.toStatus}`)).toEqual([
      '->pending',
      'pending>confirmed',
      'confirmed>cancelled',
    ]);
    expect(detail.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3]);
    const times = detail.events.map((e: { at: string }) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
