/**
 * The front desk (issue #14): who a booking is for and who may see it, booking for a resident or a walk-in, finding
 * people, checking in at the desk by code and at the door by the kiosk's rotating token.
 */
import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { issueKioskToken } from './kiosk-tokens.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let otherSite: Awaited<ReturnType<typeof createSite>>;
let room: Awaited<ReturnType<typeof createSpace>>;
let staff: { token: string };
let otherStaff: { token: string };
let admin: { token: string };
let alice: { id: string; token: string };
let bob: { id: string; token: string };
const NOW = at('2027-03-01', '09:00'); // a Monday in Shanghai
const DAY = '2027-03-02';
const SECRET = 'linli-development-secret-change-me-0123456789';

beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id, name: '徐汇邻里中心' });
  otherSite = await createSite(t.db, { orgId: org.id, name: '静安邻里中心', district: '静安区' });
  room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
  staff = { token: tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] })) };
  otherStaff = { token: tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [otherSite.id] })) };
  admin = { token: tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' })) };
  const a = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: site.id, phone: '13900010001', email: 'alice.wang@example.com' });
  await t.db.update(schema.users).set({ displayName: 'Alice 王' }).where(eq(schema.users.id, a.id));
  alice = { id: a.id, token: tokenFor(t.app, a) };
  const b = await createUser(t.db, { orgId: org.id, role: 'resident', phone: '13900020002' });
  await t.db.update(schema.users).set({ displayName: 'Bob 李' }).where(eq(schema.users.id, b.id));
  bob = { id: b.id, token: tokenFor(t.app, b) };
});
afterAll(() => t.close());

const api = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

let hour = 8;
/** A fresh hour on DAY for each booking, so bookings of the shared room never collide. */
const nextSlot = (day = DAY) => {
  hour += 1;
  if (hour > 20) throw new Error('out of slots');
  const hh = String(hour).padStart(2, '0');
  return { startAt: at(day, `${hh}:00`), endAt: at(day, `${hh}:30`) };
};

/** A booking written straight to the database (check-in tests need one starting minutes from now). */
async function insertBooking(input: { spaceId?: string; siteId?: string; bookerId?: string | null; startAt: string; endAt: string; status?: string; code?: string }) {
  const [row] = await t.db
    .insert(schema.bookings)
    .values({
      orgId: org.id,
      siteId: input.siteId ?? site.id,
      spaceId: input.spaceId ?? room.id,
      exclusive: true,
      bookerId: input.bookerId === undefined ? alice.id : input.bookerId,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      status: input.status ?? 'confirmed',
      source: 'resident',
      checkInCode: input.code ?? `C${Math.random().toString(36).slice(2, 7).toUpperCase()}`,
    })
    .returning();
  return row!;
}

describe('who a booking is for: staff of its site, org admins and the booker see it; nobody else', () => {
  it("a resident's booking carries their name, masked phone and home site for staff, admins and themselves", async () => {
    const created = await api(alice.token, 'POST', '/bookings', { spaceId: room.id, ...nextSlot() });
    expect(created.statusCode).toBe(201);
    const expected = { userId: alice.id, displayName: 'Alice 王', maskedPhone: '139****0001', homeSiteId: site.id, homeSiteName: '徐汇邻里中心', walkIn: false };
    expect(created.json().booker).toEqual(expected);
    const id = created.json().id;
    for (const token of [staff.token, admin.token, alice.token]) {
      const res = await api(token, 'GET', `/bookings/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().booker).toEqual(expected);
      const list = await api(token, 'GET', `/bookings?siteId=${site.id}&limit=200`);
      expect(list.json().items.find((b: { id: string }) => b.id === id).booker).toEqual(expected);
    }
    // The phone itself appears nowhere in the answers.
    expect((await api(staff.token, 'GET', `/bookings/${id}`)).body).not.toContain('13900010001');
  });

  it("another resident never sees it, in the list or by id; another site's staff get 404", async () => {
    const { id } = (await api(alice.token, 'POST', '/bookings', { spaceId: room.id, ...nextSlot() })).json();
    expect((await api(bob.token, 'GET', `/bookings/${id}`)).statusCode).toBe(404);
    const bobs = await api(bob.token, 'GET', '/bookings?q=Alice&limit=200');
    expect(bobs.statusCode).toBe(200);
    expect(bobs.json().items).toEqual([]);
    expect(bobs.body).not.toContain('Alice');
    expect((await api(otherStaff.token, 'GET', `/bookings/${id}`)).statusCode).toBe(404);
    expect((await api(otherStaff.token, 'GET', `/bookings?siteId=${site.id}`)).statusCode).toBe(404);
  });

  it('confirmed bookings say when check-in opens and closes; a pending one says nothing', async () => {
    const slot = nextSlot();
    const res = await api(alice.token, 'POST', '/bookings', { spaceId: room.id, ...slot });
    expect(res.json()).toMatchObject({
      status: 'confirmed',
      checkInOpensAt: new Date(Date.parse(slot.startAt) - 15 * 60_000).toISOString(),
      checkInClosesAt: new Date(Date.parse(slot.startAt) + 15 * 60_000).toISOString(),
    });
    const approvalRoom = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { approvalRequired: true } });
    const pending = await api(alice.token, 'POST', '/bookings', { spaceId: approvalRoom.id, ...nextSlot() });
    expect(pending.json()).toMatchObject({ status: 'pending', checkInOpensAt: null, checkInClosesAt: null });
  });
});

describe('booking on behalf of a resident or a walk-in', () => {
  it('staff book for a walk-in: no booker, the name and masked phone shown as a walk-in, kept on the row', async () => {
    const res = await api(staff.token, 'POST', '/bookings', { spaceId: room.id, ...nextSlot(), walkIn: { name: '张阿姨', phone: '+8613912345678' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      bookerId: null,
      source: 'staff',
      booker: { userId: null, displayName: '张阿姨', maskedPhone: '139****5678', homeSiteId: null, homeSiteName: null, walkIn: true },
    });
    const [row] = await t.db.select().from(schema.bookings).where(eq(schema.bookings.id, res.json().id));
    expect(row).toMatchObject({ walkInName: '张阿姨', walkInPhone: '13912345678', bookerId: null });
    expect((await api(staff.token, 'GET', `/bookings/${row!.id}`)).json().booker.walkIn).toBe(true);
  });

  it('a resident cannot book for a walk-in (403), nor for another resident (403); both at once is 400', async () => {
    const slot = nextSlot();
    const walkIn = await api(alice.token, 'POST', '/bookings', { spaceId: room.id, ...slot, walkIn: { name: '朋友' } });
    expect(walkIn.statusCode).toBe(403);
    const forBob = await api(alice.token, 'POST', '/bookings', { spaceId: room.id, ...slot, bookerId: bob.id });
    expect(forBob.statusCode).toBe(403);
    const both = await api(staff.token, 'POST', '/bookings', { spaceId: room.id, ...slot, bookerId: bob.id, walkIn: { name: '朋友' } });
    expect(both.statusCode).toBe(400);
    const badPhone = await api(staff.token, 'POST', '/bookings', { spaceId: room.id, ...slot, walkIn: { name: '朋友', phone: '12345' } });
    expect(badPhone.statusCode).toBe(400);
    const controlChars = await api(staff.token, 'POST', '/bookings', { spaceId: room.id, ...slot, walkIn: { name: '朋友\u0000' } });
    expect(controlChars.statusCode).toBe(400);
    expect(await t.db.select().from(schema.bookings).where(eq(schema.bookings.startAt, new Date(slot.startAt)))).toEqual([]);
  });

  it("staff book on behalf of a resident, who is shown as the booker; another operator's resident is refused", async () => {
    const res = await api(staff.token, 'POST', '/bookings', { spaceId: room.id, ...nextSlot(), bookerId: bob.id });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ bookerId: bob.id, booker: { userId: bob.id, displayName: 'Bob 李', maskedPhone: '139****0002', walkIn: false } });
    // Bob sees his own booking, booker included.
    expect((await api(bob.token, 'GET', `/bookings/${res.json().id}`)).json().booker.displayName).toBe('Bob 李');
    const otherOrg = await createOrg(t.db);
    const stranger = await createUser(t.db, { orgId: otherOrg.id, role: 'resident' });
    const refused = await api(staff.token, 'POST', '/bookings', { spaceId: room.id, ...nextSlot(), bookerId: stranger.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].path).toBe('body.bookerId');
  });
});

describe('history: a move records what changed, before -> after, and who acted', () => {
  it('PATCH records the changed fields in the event; status changes record none', async () => {
    const slot = nextSlot();
    const created = await api(alice.token, 'POST', '/bookings', { spaceId: room.id, ...slot, purpose: '读书会' });
    const { id } = created.json();
    const otherRoom = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const moved = { startAt: at('2027-03-03', '14:00'), endAt: at('2027-03-03', '15:00') };
    const res = await api(staff.token, 'PATCH', `/bookings/${id}`, { spaceId: otherRoom.id, ...moved, purpose: '读书会' }, { 'if-match': '"1"' });
    expect(res.statusCode, res.body).toBe(200);
    const history = (await api(staff.token, 'GET', `/bookings/${id}`)).json().events;
    expect(history[0].changes).toEqual([]);
    expect(history[1]).toMatchObject({ reason: 'moved', actorName: expect.stringMatching(/^staff /) });
    expect(history[1].changes).toEqual([
      { field: 'spaceId', from: room.id, to: otherRoom.id },
      { field: 'startAt', from: slot.startAt, to: moved.startAt },
      { field: 'endAt', from: slot.endAt, to: moved.endAt },
    ]);
    // The resident sees the change but not which staff member made it.
    const own = (await api(alice.token, 'GET', `/bookings/${id}`)).json().events[1];
    expect(own.changes).toHaveLength(3);
    expect(own.actorName).toBeNull();
  });
});

describe('people search for booking on behalf', () => {
  it('finds residents by part of the name or 4+ phone digits, masked; never staff, disabled accounts or another operator', async () => {
    const byName = await api(staff.token, 'GET', '/people?q=alice');
    expect(byName.statusCode).toBe(200);
    expect(byName.json().items).toEqual([
      { id: alice.id, displayName: 'Alice 王', maskedPhone: '139****0001', maskedEmail: 'a***@example.com', homeSiteId: site.id, homeSiteName: '徐汇邻里中心' },
    ]);
    expect((await api(staff.token, 'GET', '/people?q=0002')).json().items.map((p: { id: string }) => p.id)).toEqual([bob.id]);
    expect((await api(staff.token, 'GET', '/people?q=%2B8613900020002')).json().items.map((p: { id: string }) => p.id)).toEqual([bob.id]);
    // Three digits are not a phone search; a wildcard is a literal character.
    expect((await api(staff.token, 'GET', '/people?q=139')).json().items).toEqual([]);
    expect((await api(staff.token, 'GET', '/people?q=%25')).json().items).toEqual([]);
    expect((await api(staff.token, 'GET', '/people?q=_')).json().items).toEqual([]);
    expect((await api(staff.token, 'GET', '/people?q=staff')).json().items).toEqual([]);
    const gone = await createUser(t.db, { orgId: org.id, role: 'resident', phone: '13900030003' });
    await t.db.update(schema.users).set({ disabledAt: new Date(NOW) }).where(eq(schema.users.id, gone.id));
    expect((await api(staff.token, 'GET', '/people?q=0003')).json().items).toEqual([]);
    const otherOrg = await createOrg(t.db);
    await createUser(t.db, { orgId: otherOrg.id, role: 'resident', phone: '13900040004' });
    expect((await api(staff.token, 'GET', '/people?q=0004')).json().items).toEqual([]);
    // Staff of another site may serve anyone: the whole organization is searched.
    expect((await api(otherStaff.token, 'GET', '/people?q=alice')).json().items).toHaveLength(1);
  });

  it('is for staff: a resident gets 403; absurd input is refused', async () => {
    expect((await api(alice.token, 'GET', '/people?q=bob')).statusCode).toBe(403);
    expect((await api(staff.token, 'GET', `/people?q=${'x'.repeat(61)}`)).statusCode).toBe(400);
    expect((await api(staff.token, 'GET', '/people?q=a%0Ab')).statusCode).toBe(400);
    expect((await api(staff.token, 'GET', '/people?q=a&limit=51')).statusCode).toBe(400);
    expect((await api(staff.token, 'GET', '/people?q=Bob&limit=1')).json().items).toHaveLength(1);
  });
});

describe('check-in at the desk by code', () => {
  it('checks in the booking whose window is open, through the lifecycle (its event says where)', async () => {
    t.setNow(at('2027-03-05', '09:55'));
    const booking = await insertBooking({ startAt: at('2027-03-05', '10:00'), endAt: at('2027-03-05', '11:00'), code: 'DESK22' });
    const res = await api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'desk22' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: booking.id, status: 'checked_in', checkedInAt: at('2027-03-05', '09:55'), booker: { displayName: 'Alice 王' } });
    const events = await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, booking.id));
    expect(events.map((e) => e.reason)).toEqual(['checked in at the desk']);
    const again = await api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'DESK22' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_CHECKED_IN');
  });

  it('an unknown code is 404; too early is 409 with the opening time; another site\'s staff get 404', async () => {
    t.setNow(at('2027-03-06', '08:00'));
    await insertBooking({ startAt: at('2027-03-06', '10:00'), endAt: at('2027-03-06', '11:00'), code: 'EARLY2' });
    const unknown = await api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'NOPE99' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CHECK_IN_CODE_UNKNOWN');
    const early = await api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'EARLY2' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'CHECK_IN_NOT_OPEN', details: { window: 'too_early', opensAt: at('2027-03-06', '09:45'), closesAt: at('2027-03-06', '10:15') } });
    // The code belongs to the site: the other site's desk does not find it, and cannot use this site's desk.
    expect((await api(otherStaff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'EARLY2' })).statusCode).toBe(404);
    expect((await api(otherStaff.token, 'POST', `/sites/${otherSite.id}/check-in`, { code: 'EARLY2' })).json().code).toBe('CHECK_IN_CODE_UNKNOWN');
    expect((await api(alice.token, 'POST', `/sites/${site.id}/check-in`, { code: 'EARLY2' })).statusCode).toBe(403);
    t.setNow(at('2027-03-06', '10:20'));
    const late = await api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'EARLY2' });
    expect(late.json()).toMatchObject({ code: 'CHECK_IN_NOT_OPEN', details: { window: 'closed' } });
    const cancelled = await insertBooking({ startAt: at('2027-03-06', '12:00'), endAt: at('2027-03-06', '13:00'), code: 'GONE22', status: 'cancelled' });
    const refused = await api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'GONE22' });
    expect(refused.json()).toMatchObject({ code: 'INVALID_TRANSITION', details: { bookingId: cancelled.id, status: 'cancelled' } });
  });

  it('two desks checking in the same code at once: exactly one succeeds, the other is told it is already checked in', async () => {
    t.setNow(at('2027-03-07', '10:00'));
    await insertBooking({ startAt: at('2027-03-07', '10:00'), endAt: at('2027-03-07', '11:00'), code: 'RACE22' });
    const answers = await Promise.all([0, 1].map(() => api(staff.token, 'POST', `/sites/${site.id}/check-in`, { code: 'RACE22' })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.statusCode === 409)!.json().code).toBe('ALREADY_CHECKED_IN');
  });
});

describe('the kiosk at the door', () => {
  it('gives staff of the site a rotating token and the URL a phone opens; other sites\' staff and residents cannot', async () => {
    t.setNow(at('2027-03-08', '09:00'));
    const res = await api(staff.token, 'GET', `/sites/${site.id}/kiosk`);
    expect(res.statusCode).toBe(200);
    const kiosk = res.json();
    expect(kiosk).toMatchObject({ siteId: site.id, siteName: '徐汇邻里中心', timezone: 'Asia/Shanghai', rotatesEverySeconds: 60, expiresAt: at('2027-03-08', '09:02') });
    expect(kiosk.checkInUrl).toBe(`http://localhost:80/check-in/${site.id}?t=${encodeURIComponent(kiosk.token)}`);
    t.setNow(at('2027-03-08', '09:01'));
    expect((await api(staff.token, 'GET', `/sites/${site.id}/kiosk`)).json().token).not.toBe(kiosk.token);
    expect((await api(otherStaff.token, 'GET', `/sites/${site.id}/kiosk`)).statusCode).toBe(404);
    expect((await api(alice.token, 'GET', `/sites/${site.id}/kiosk`)).statusCode).toBe(403);
  });

  it("a resident scanning it checks in their own booking whose window is open (the soonest), not anyone else's", async () => {
    t.setNow(at('2027-03-09', '09:50'));
    const bobs = await insertBooking({ bookerId: bob.id, startAt: at('2027-03-09', '09:30'), endAt: at('2027-03-09', '10:00') });
    const later = await insertBooking({ startAt: at('2027-03-09', '10:00'), endAt: at('2027-03-09', '10:30') });
    const soonest = await insertBooking({ startAt: at('2027-03-09', '09:45'), endAt: at('2027-03-09', '10:00'), spaceId: (await createSpace(t.db, { orgId: org.id, siteId: site.id })).id });
    const { token } = (await api(staff.token, 'GET', `/sites/${site.id}/kiosk`)).json();
    const res = await api(alice.token, 'POST', `/sites/${site.id}/kiosk/check-in`, { token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: soonest.id, status: 'checked_in' });
    const events = await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, soonest.id));
    expect(events.map((e) => e.reason)).toEqual(['checked in at the kiosk']);
    expect((await api(alice.token, 'POST', `/sites/${site.id}/kiosk/check-in`, { token })).json().id).toBe(later.id);
    const [bobsNow] = await t.db.select().from(schema.bookings).where(eq(schema.bookings.id, bobs.id));
    expect(bobsNow!.status).toBe('confirmed');
  });

  it('the previous minute\'s token still works; an older one is expired; a forged or another site\'s token is invalid', async () => {
    t.setNow(at('2027-03-10', '10:00'));
    await insertBooking({ startAt: at('2027-03-10', '10:00'), endAt: at('2027-03-10', '11:00') });
    const { token } = (await api(staff.token, 'GET', `/sites/${site.id}/kiosk`)).json();
    const refusedWith = async (body: object, code: string, status = 403) => {
      const res = await api(alice.token, 'POST', `/sites/${site.id}/kiosk/check-in`, body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().code).toBe(code);
    };
    t.setNow(at('2027-03-10', '10:02'));
    await refusedWith({ token }, 'KIOSK_TOKEN_EXPIRED');
    const [period, signature] = token.split('.');
    await refusedWith({ token: `${Number(period) + 2}.${signature}` }, 'KIOSK_TOKEN_INVALID');
    await refusedWith({ token: `${period}.${'A'.repeat(43)}` }, 'KIOSK_TOKEN_INVALID');
    await refusedWith({ token: 'not-a-token' }, 'KIOSK_TOKEN_INVALID');
    await refusedWith({ token: issueKioskToken('another-secret-of-at-least-32-characters!!', site.id, new Date(at('2027-03-10', '10:02'))).token }, 'KIOSK_TOKEN_INVALID');
    const otherSiteToken = (await api(otherStaff.token, 'GET', `/sites/${otherSite.id}/kiosk`)).json().token;
    await refusedWith({ token: otherSiteToken }, 'KIOSK_TOKEN_INVALID');
    await refusedWith({ token: 'x' }, 'VALIDATION_FAILED', 400);
    const previous = issueKioskToken(SECRET, site.id, new Date(at('2027-03-10', '10:01'))).token;
    expect((await api(alice.token, 'POST', `/sites/${site.id}/kiosk/check-in`, { token: previous })).statusCode).toBe(200);
  });

  it('with nothing to check in it is 404; too early it is 409 with when check-in opens; staff cannot use it', async () => {
    t.setNow(at('2027-03-11', '08:00'));
    const token = issueKioskToken(SECRET, site.id, new Date(at('2027-03-11', '08:00'))).token;
    const none = await api(bob.token, 'POST', `/sites/${site.id}/kiosk/check-in`, { token });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('NO_BOOKING_TO_CHECK_IN');
    await insertBooking({ startAt: at('2027-03-11', '09:00'), endAt: at('2027-03-11', '10:00') });
    const early = await api(alice.token, 'POST', `/sites/${site.id}/kiosk/check-in`, { token });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'CHECK_IN_NOT_OPEN', details: { opensAt: at('2027-03-11', '08:45') } });
    expect((await api(staff.token, 'POST', `/sites/${site.id}/kiosk/check-in`, { token })).statusCode).toBe(403);
    const otherOrg = await createOrg(t.db);
    const stranger = tokenFor(t.app, await createUser(t.db, { orgId: otherOrg.id, role: 'resident' }));
    expect((await api(stranger, 'POST', `/sites/${site.id}/kiosk/check-in`, { token })).statusCode).toBe(404);
  });
});
