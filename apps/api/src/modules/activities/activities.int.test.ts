/**
 * Activities and their sessions: a session holds its room through a booking made by the claims core, so a room
 * never serves an activity and a booking at once; moving a session keeps its registrations and records the change;
 * cancelling releases the room; the public programme names nobody.
 */
import { newId, schema } from '@linli/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createPortfolio, createSpace, createUser } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;

beforeAll(async () => {
  t = await startTestApp({ now: '2027-03-01T00:00:00Z' });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

const asAdmin = () => bearer(p.tokens.admin);

async function newActivity(overrides: object = {}, token = p.tokens.admin) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/activities',
    headers: bearer(token),
    payload: { title: '社区读书会', titleEn: 'Reading circle', category: 'culture', places: 10, ...overrides },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; status: string; organizerUserId: string | null };
}

function addSession(activityId: string, payload: object, token = p.tokens.admin) {
  return t.app.inject({ method: 'POST', url: `/api/v1/activities/${activityId}/sessions`, headers: bearer(token), payload });
}

async function scheduledSession(activityId: string, spaceId: string, date: string, from = '10:00', to = '12:00', places?: number) {
  const res = await addSession(activityId, { spaceId, startAt: at(date, from), endAt: at(date, to), ...(places ? { places } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().sessions[0] as { id: string; bookingId: string; version: number; startAt: string; endAt: string };
}

const bookingOf = async (id: string) => (await t.db.select().from(schema.bookings).where(eq(schema.bookings.id, id)))[0]!;
const countRows = async (table: typeof schema.activitySessions | typeof schema.bookings) => (await t.db.select().from(table)).length;

async function registerDirectly(session: { id: string }, activityId: string, userId: string, partySize = 1) {
  const [row] = await t.db
    .insert(schema.activityRegistrations)
    .values({ id: newId(), orgId: p.org.id, sessionId: session.id, activityId, userId, partySize, status: 'confirmed', checkInCode: 'ABC234' })
    .returning();
  return row!;
}

describe('activities and the rooms their sessions hold', () => {
  it('a touring activity has sessions at two sites, each holding its room through an activity booking', async () => {
    const activity = await newActivity();
    expect(activity).toMatchObject({ status: 'draft', organizerUserId: p.admin.id });
    const atA = await scheduledSession(activity.id, p.spaceA.id, '2027-03-05');
    const atB = await scheduledSession(activity.id, p.spaceB.id, '2027-03-06');
    const got = await t.app.inject({ url: `/api/v1/activities/${activity.id}`, headers: asAdmin() });
    expect(got.json().sessions.map((s: { siteId: string }) => s.siteId)).toEqual([p.siteA.id, p.siteB.id]);
    for (const session of [atA, atB]) {
      expect(await bookingOf(session.bookingId)).toMatchObject({ source: 'activity', status: 'confirmed', partySize: 10 });
    }
  });

  it('the default categories exist on first use, and an unknown category is refused', async () => {
    const list = await t.app.inject({ url: '/api/v1/activity-categories', headers: bearer(p.tokens.resident) });
    expect(list.json().items.map((c: { slug: string }) => c.slug)).toEqual(expect.arrayContaining(['parent_child', 'elderly', 'culture', 'training']));
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/activities', headers: asAdmin(), payload: { title: 'x', category: 'no_such', places: 3 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'body.category', message: 'no such category' }]);
  });

  it('a session on a booked slot is refused as SLOT_TAKEN with reasons and alternatives, and nothing is written', async () => {
    const booked = await t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: asAdmin(), payload: { spaceId: p.spaceA.id, startAt: at('2027-03-08', '14:00'), endAt: at('2027-03-08', '16:00') } });
    expect(booked.statusCode).toBe(201);
    const activity = await newActivity();
    const [sessionsBefore, bookingsBefore] = [await countRows(schema.activitySessions), await countRows(schema.bookings)];
    const res = await addSession(activity.id, { spaceId: p.spaceA.id, startAt: at('2027-03-08', '15:00'), endAt: at('2027-03-08', '17:00') });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SLOT_TAKEN');
    expect(res.json().details.reasons).toEqual([{ code: 'SLOT_TAKEN' }]);
    expect(res.json().details.alternatives.length).toBeGreaterThan(0);
    expect(await countRows(schema.activitySessions)).toBe(sessionsBefore);
    expect(await countRows(schema.bookings)).toBe(bookingsBefore);
  });

  it('a session outside opening hours or on a closure day is refused 422 with the reason', async () => {
    const activity = await newActivity();
    const early = await addSession(activity.id, { spaceId: p.spaceA.id, startAt: at('2027-03-09', '06:00'), endAt: at('2027-03-09', '07:00') });
    expect(early.statusCode).toBe(422);
    expect(early.json().code).toBe('OUTSIDE_OPENING_HOURS');
    await t.db.insert(schema.closures).values({ orgId: p.org.id, scope: 'site', siteId: p.siteA.id, startDate: '2027-03-10', endDate: '2027-03-10', reason: '消防检查' });
    const closed = await addSession(activity.id, { spaceId: p.spaceA.id, startAt: at('2027-03-10', '10:00'), endAt: at('2027-03-10', '12:00') });
    expect(closed.statusCode).toBe(422);
    expect(closed.json().details.reasons.map((r: { code: string }) => r.code)).toContain('SITE_CLOSED');
  });

  it('a session in a seat area claims its places as seats: a resident asking for more than are left is refused', async () => {
    const seats = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, bookingMode: 'shared_capacity', capacity: 20, kind: 'study_room' });
    const activity = await newActivity({ places: 15 });
    const tooMany = await addSession(activity.id, { spaceId: seats.id, startAt: at('2027-03-11', '10:00'), endAt: at('2027-03-11', '12:00'), places: 21 });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().code).toBe('SESSION_PLACES_EXCEED_SPACE');
    await scheduledSession(activity.id, seats.id, '2027-03-11');
    const book = (partySize: number) =>
      t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: bearer(p.tokens.resident), payload: { spaceId: seats.id, startAt: at('2027-03-11', '10:00'), endAt: at('2027-03-11', '11:00'), partySize } });
    const refused = await book(6);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CAPACITY_FULL');
    expect((await book(5)).statusCode).toBe(201);
  });

  it('moving a published session keeps its registrations, moves its booking and records what it was', async () => {
    const activity = await newActivity();
    const session = await scheduledSession(activity.id, p.spaceA.id, '2027-03-12');
    const published = await t.app.inject({ method: 'POST', url: `/api/v1/activities/${activity.id}/publish`, headers: asAdmin() });
    expect(published.json().status).toBe('published');
    const registration = await registerDirectly(session, activity.id, p.resident.id);

    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/activity-sessions/${session.id}`,
      headers: { ...asAdmin(), 'if-match': `"${session.version}"` },
      payload: { spaceId: p.spaceB.id, startAt: at('2027-03-12', '14:00'), endAt: at('2027-03-12', '16:00') },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ siteId: p.siteB.id, spaceId: p.spaceB.id, startAt: at('2027-03-12', '14:00'), version: session.version + 1 });
    expect(await bookingOf(session.bookingId)).toMatchObject({ spaceId: p.spaceB.id, status: 'confirmed', startAt: new Date(at('2027-03-12', '14:00')) });
    const [kept] = await t.db.select().from(schema.activityRegistrations).where(eq(schema.activityRegistrations.id, registration.id));
    expect(kept).toMatchObject({ sessionId: session.id, status: 'confirmed' });
    const [change] = await t.db.select().from(schema.activityChanges).where(and(eq(schema.activityChanges.sessionId, session.id), eq(schema.activityChanges.kind, 'session_moved')));
    expect(change).toMatchObject({ before: { spaceId: p.spaceA.id, startAt: at('2027-03-12', '10:00') }, after: { spaceId: p.spaceB.id, startAt: at('2027-03-12', '14:00') } });
    // The room's booking history says it too, field by field, as a move of any booking does.
    const bookingEvents = await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, session.bookingId));
    expect(bookingEvents.find((e) => e.reason === 'activity session moved')?.changes).toEqual([
      { field: 'spaceId', from: p.spaceA.id, to: p.spaceB.id },
      { field: 'startAt', from: at('2027-03-12', '10:00'), to: at('2027-03-12', '14:00') },
      { field: 'endAt', from: at('2027-03-12', '12:00'), to: at('2027-03-12', '16:00') },
    ]);

    const stale = await t.app.inject({ method: 'PATCH', url: `/api/v1/activity-sessions/${session.id}`, headers: { ...asAdmin(), 'if-match': `"${session.version}"` }, payload: { startAt: at('2027-03-12', '15:00'), endAt: at('2027-03-12', '16:00') } });
    expect(stale.statusCode).toBe(412);
  });

  it('recurring sessions: a conflicting date fails the whole request, or is skipped and reported', async () => {
    const room = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id });
    const taken = await t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: asAdmin(), payload: { spaceId: room.id, startAt: at('2027-04-14', '18:00'), endAt: at('2027-04-14', '19:00') } });
    expect(taken.statusCode).toBe(201);
    const activity = await newActivity();
    const weekly = (onConflict: string) =>
      addSession(activity.id, { spaceId: room.id, startDate: '2027-04-07', startTime: '18:30', durationMinutes: 90, rule: 'FREQ=WEEKLY;COUNT=4', onConflict });
    const failed = await weekly('fail');
    expect(failed.statusCode).toBe(409);
    expect(failed.json().code).toBe('SERIES_CONFLICTS');
    expect((await t.app.inject({ url: `/api/v1/activities/${activity.id}`, headers: asAdmin() })).json().sessions).toEqual([]);
    const skipped = await weekly('skip');
    expect(skipped.statusCode, skipped.body).toBe(201);
    expect(skipped.json().occurrences.map((o: { status: string }) => o.status)).toEqual(['ok', 'SLOT_TAKEN', 'ok', 'ok']);
    expect(skipped.json().sessions).toHaveLength(3);
  });

  it('a published activity keeps the terms people registered on', async () => {
    const activity = await newActivity();
    await scheduledSession(activity.id, p.spaceA.id, '2027-03-13');
    const published = (await t.app.inject({ method: 'POST', url: `/api/v1/activities/${activity.id}/publish`, headers: asAdmin() })).json();
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/activities/${activity.id}`, headers: { ...asAdmin(), 'if-match': `"${published.version}"` }, payload });
    const locked = await patch({ maxPartySize: 4 });
    expect(locked.statusCode).toBe(409);
    expect(locked.json()).toMatchObject({ code: 'ACTIVITY_FIELD_LOCKED', details: { fields: ['maxPartySize'] } });
    const retitled = await patch({ title: '社区读书会（新）' });
    expect(retitled.statusCode).toBe(200);
    expect(retitled.json().version).toBe(published.version + 1);
  });

  it('cancelling a session releases its room and cancels its registrations; cancelling an activity cancels every session', async () => {
    const activity = await newActivity();
    const session = await scheduledSession(activity.id, p.spaceA.id, '2027-03-14');
    const registration = await registerDirectly(session, activity.id, p.resident.id);
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/v1/activity-sessions/${session.id}/cancel`, headers: asAdmin(), payload: { reason: '讲师生病' } });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    expect((await bookingOf(session.bookingId)).status).toBe('cancelled');
    const [gone] = await t.db.select().from(schema.activityRegistrations).where(eq(schema.activityRegistrations.id, registration.id));
    expect(gone!.status).toBe('cancelled');
    const rebooked = await t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: bearer(p.tokens.resident), payload: { spaceId: p.spaceA.id, startAt: at('2027-03-14', '10:00'), endAt: at('2027-03-14', '12:00') } });
    expect(rebooked.statusCode, rebooked.body).toBe(201);

    const touring = await newActivity();
    const first = await scheduledSession(touring.id, p.spaceA.id, '2027-03-15');
    const second = await scheduledSession(touring.id, p.spaceB.id, '2027-03-15');
    const whole = await t.app.inject({ method: 'POST', url: `/api/v1/activities/${touring.id}/cancel`, headers: asAdmin(), payload: {} });
    expect(whole.statusCode, whole.body).toBe(200);
    expect(whole.json().status).toBe('cancelled');
    expect(whole.json().sessions.map((s: { status: string }) => s.status)).toEqual(['cancelled', 'cancelled']);
    for (const s of [first, second]) expect((await bookingOf(s.bookingId)).status).toBe('cancelled');
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/activities/${touring.id}/cancel`, headers: asAdmin(), payload: {} });
    expect(again.json().code).toBe('ACTIVITY_INVALID_TRANSITION');
  });

  it("staff of another site get 404 for an activity that is not theirs, and cannot schedule at another site's room", async () => {
    const atB = await newActivity();
    await scheduledSession(atB.id, p.spaceB.id, '2027-03-16');
    const staff = bearer(p.tokens.staff);
    for (const request of [
      { method: 'GET' as const, url: `/api/v1/activities/${atB.id}` },
      { method: 'POST' as const, url: `/api/v1/activities/${atB.id}/publish` },
      { method: 'POST' as const, url: `/api/v1/activities/${atB.id}/cancel`, payload: {} },
      { method: 'POST' as const, url: `/api/v1/activities/${atB.id}/sessions`, payload: { spaceId: p.spaceA.id, startAt: at('2027-03-16', '14:00'), endAt: at('2027-03-16', '15:00') } },
    ]) {
      const res = await t.app.inject({ ...request, headers: staff });
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(404);
    }
    const listed = await t.app.inject({ url: '/api/v1/activities?limit=200', headers: staff });
    expect(listed.json().items.map((a: { id: string }) => a.id)).not.toContain(atB.id);

    const own = await newActivity({}, p.tokens.staff);
    const elsewhere = await addSession(own.id, { spaceId: p.spaceB.id, startAt: at('2027-03-17', '10:00'), endAt: at('2027-03-17', '12:00') }, p.tokens.staff);
    expect(elsewhere.statusCode).toBe(404);
    const home = await addSession(own.id, { spaceId: p.spaceA.id, startAt: at('2027-03-17', '10:00'), endAt: at('2027-03-17', '12:00') }, p.tokens.staff);
    expect(home.statusCode).toBe(201);
  });
});

describe('calendars', () => {
  it('the public programme (JSON and iCal) lists only published sessions, with places left, and names nobody', async () => {
    const guest = await createUser(t.db, { orgId: p.org.id, role: 'resident', email: 'private-person@test.linli.dev' });
    const published = await newActivity({ title: '太极拳入门', category: 'sport' });
    const session = await scheduledSession(published.id, p.spaceA.id, '2027-03-20');
    await t.app.inject({ method: 'POST', url: `/api/v1/activities/${published.id}/publish`, headers: asAdmin() });
    await registerDirectly(session, published.id, guest.id, 2);
    const draft = await newActivity({ title: '草稿活动', category: 'sport' });
    await scheduledSession(draft.id, p.spaceA.id, '2027-03-21');

    const query = `orgId=${p.org.id}&category=sport&from=2027-03-15&to=2027-03-31`;
    const json = await t.app.inject({ url: `/api/v1/programme?${query}` });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json().items).toEqual([expect.objectContaining({ sessionId: session.id, title: '太极拳入门', places: 10, placesLeft: 8, siteId: p.siteA.id })]);
    // What a resident needs before registering: how many may come, and until when they may cancel.
    expect(json.json().items[0]).toMatchObject({ maxPartySize: expect.any(Number), cancelCutoffMinutes: expect.any(Number) });
    const ics = await t.app.inject({ url: `/api/v1/programme.ics?${query}` });
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.body).toContain('太极拳入门');
    expect(ics.body).not.toContain('草稿活动');
    for (const body of [json.body, ics.body]) {
      for (const personal of [guest.id, guest.email!, guest.displayName, p.admin.id, p.admin.email!, p.admin.displayName]) expect(body).not.toContain(personal);
    }
  });

  it("an organizer's sessions list their own, with places taken", async () => {
    const mine = await newActivity({}, p.tokens.manager);
    const session = await scheduledSession(mine.id, p.spaceA.id, '2027-03-22', '10:00', '12:00', 6);
    await registerDirectly(session, mine.id, p.resident.id, 3);
    const res = await t.app.inject({ url: '/api/v1/me/organized-sessions?from=2027-03-01&to=2027-03-31', headers: bearer(p.tokens.manager) });
    expect(res.json().items).toEqual([expect.objectContaining({ id: session.id, places: 6, placesTaken: 3 })]);
  });

  it('an absurd programme window is refused at validation', async () => {
    for (const q of ['from=2000-01-01&to=2099-12-31', 'from=0000-01-01', 'from=2027-03-10&to=2027-03-01']) {
      const res = await t.app.inject({ url: `/api/v1/programme?orgId=${p.org.id}&${q}` });
      expect(res.statusCode, q).toBe(400);
    }
  });
});
