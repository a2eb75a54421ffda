/**
 * Registrations for activity sessions through the API: places taken and refused with a reason (nothing written), the
 * line promoted first come first, offers that lapse, attendance, no-shows and feedback that stays anonymous.
 */
import { schema } from '@linli/db';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { cancelRegistrationsOfSession } from '../claims/registration-claims.ts';
import { createActivity, createSession } from './registrations.factories.ts';
import { runRegistrationSweep } from './registrations.service.ts';

const DAY = '2027-03-10'; // a Wednesday
const NOW = at('2027-03-01', '09:00');
let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let otherSite: Awaited<ReturnType<typeof createSite>>;
let staffToken: string;
let otherStaffToken: string;

beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id, district: '徐汇区' });
  otherSite = await createSite(t.db, { orgId: org.id, district: '静安区' });
  staffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
  otherStaffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [otherSite.id] }));
});
afterAll(() => t.close());

async function resident(input: { homeSiteId?: string; birthYear?: number } = {}) {
  const user = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: input.homeSiteId ?? site.id });
  if (input.birthYear) await t.db.update(schema.users).set({ birthYear: input.birthYear }).where(eq(schema.users.id, user.id));
  return { user, token: tokenFor(t.app, user) };
}

type ActivityInput = Parameters<typeof createActivity>[1];
/** A published activity with one session on DAY 10:00-12:00 at `site` (overrides for either). */
async function session(activityInput: Partial<ActivityInput> = {}, sessionInput: { startAt?: string; endAt?: string; places?: number; status?: string } = {}) {
  const space = await createSpace(t.db, { orgId: org.id, siteId: site.id });
  const activity = await createActivity(t.db, { orgId: org.id, ...activityInput });
  const row = await createSession(t.db, { activity, siteId: site.id, spaceId: space.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00'), ...sessionInput });
  return { activity, session: row };
}

const post = (token: string, url: string, payload: object = {}, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, payload });
const get = (token: string, url: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(token) });
const register = (token: string, sessionId: string, partySize = 1) => post(token, `/activity-sessions/${sessionId}/registrations`, { partySize });

async function writtenFor(sessionId: string) {
  const [registrations] = await t.db.select({ n: count() }).from(schema.activityRegistrations).where(eq(schema.activityRegistrations.sessionId, sessionId));
  const [waiting] = await t.db.select({ n: count() }).from(schema.activityWaitlistEntries).where(eq(schema.activityWaitlistEntries.sessionId, sessionId));
  return registrations!.n + waiting!.n;
}

async function registrationRow(id: string) {
  const [row] = await t.db.select().from(schema.activityRegistrations).where(eq(schema.activityRegistrations.id, id));
  return row!;
}

describe('registering', () => {
  it('a resident takes places for their party, sees it in their list, and the event is recorded', async () => {
    const { session: s } = await session();
    const { token } = await resident();
    const res = await register(token, s.id, 2);
    expect(res.statusCode).toBe(201);
    const { registration } = res.json();
    expect(registration).toMatchObject({ sessionId: s.id, partySize: 2, status: 'confirmed', startAt: s.startAt.toISOString() });
    const mine = (await get(token, '/me/registrations')).json();
    expect(mine.registrations.map((r: { id: string }) => r.id)).toEqual([registration.id]);
    const events = await t.db.select().from(schema.registrationEvents).where(eq(schema.registrationEvents.registrationId, registration.id));
    expect(events).toMatchObject([{ fromStatus: null, toStatus: 'confirmed' }]);
  });

  it.each([
    ['before the window opens', { registrationOpensAt: new Date(at('2027-03-05', '09:00')) }, {}, 1, 409, 'REGISTRATION_NOT_OPEN'],
    ['after the window closed', { registrationClosesAt: new Date(at('2027-02-28', '09:00')) }, {}, 1, 409, 'REGISTRATION_CLOSED'],
    ['for a cancelled session', {}, { status: 'cancelled' }, 1, 409, 'SESSION_CANCELLED'],
    ['for a cancelled activity', { status: 'cancelled' }, {}, 1, 409, 'SESSION_CANCELLED'],
    ['for a session in the past', {}, { startAt: at('2027-02-27', '10:00'), endAt: at('2027-02-27', '12:00') }, 1, 409, 'SESSION_PAST'],
    ['for a draft activity', { status: 'draft' }, {}, 1, 409, 'ACTIVITY_NOT_PUBLISHED'],
    ['with a party above the per-registration maximum', { maxPartySize: 2 }, {}, 3, 422, 'PARTY_TOO_LARGE'],
    ['with a party above the session places', { maxPartySize: 20 }, { places: 4 }, 5, 422, 'PARTY_TOO_LARGE'],
    ['for another site\'s residents', { audience: { kind: 'home_site', siteId: 'd5d2a7c4-0000-4000-8000-000000000000' } }, {}, 1, 403, 'NOT_IN_AUDIENCE'],
    ['for another district', { audience: { kind: 'district', district: '静安区' } }, {}, 1, 403, 'NOT_IN_AUDIENCE'],
    ['for another age band', { audience: { kind: 'age_band', minAge: 60, maxAge: 120 } }, {}, 1, 403, 'NOT_IN_AUDIENCE'],
  ] as const)('refused %s, with its code in both languages and nothing written', async (_title, activityInput, sessionInput, party, status, code) => {
    const { session: s } = await session(activityInput as Partial<ActivityInput>, sessionInput);
    const { token } = await resident({ birthYear: 1990 });
    const res = await post(token, `/activity-sessions/${s.id}/registrations`, { partySize: party }, { 'accept-language': 'zh-CN' });
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
    expect(res.json().detail).toMatch(/[\u4e00-\u9fff]/);
    expect(await writtenFor(s.id)).toBe(0);
  });

  it('the audience admits its own: home site, district, age band reached in the session year', async () => {
    for (const audience of [{ kind: 'home_site', siteId: site.id }, { kind: 'district', district: '徐汇区' }, { kind: 'age_band', minAge: 60, maxAge: 120 }] as const) {
      const { session: s } = await session({ audience });
      const { token } = await resident({ birthYear: 1967 });
      expect((await register(token, s.id)).statusCode).toBe(201);
    }
  });

  it('a second registration or a second place in line is refused: 409 ALREADY_REGISTERED', async () => {
    const { session: s } = await session({}, { places: 1 });
    const { token } = await resident();
    expect((await register(token, s.id)).statusCode).toBe(201);
    const again = await register(token, s.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_REGISTERED');
    const waiting = await resident();
    expect((await register(waiting.token, s.id)).statusCode).toBe(202);
    expect((await register(waiting.token, s.id)).json().code).toBe('ALREADY_REGISTERED');
    expect(await writtenFor(s.id)).toBe(2);
  });

  it('a party larger than the places left while some are left is refused with how many remain', async () => {
    const { session: s } = await session({ maxPartySize: 3 }, { places: 4 });
    expect((await register((await resident()).token, s.id, 3)).statusCode).toBe(201);
    const res = await register((await resident()).token, s.id, 2);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CAPACITY_FULL', details: { reasons: [{ params: { remaining: 1 } }] } });
    expect(await writtenFor(s.id)).toBe(1);
  });

  it('the weekly category limit counts open registrations in that category and ISO week: 409 CATEGORY_LIMIT_REACHED', async () => {
    const category = `limit-${Date.now()}`;
    const first = await session({ category, categoryWeeklyLimit: 1 });
    const sameWeek = await session({ category, categoryWeeklyLimit: 1 }, { startAt: at('2027-03-14', '10:00'), endAt: at('2027-03-14', '11:00') });
    const nextWeek = await session({ category, categoryWeeklyLimit: 1 }, { startAt: at('2027-03-15', '10:00'), endAt: at('2027-03-15', '11:00') });
    const { token } = await resident();
    const taken = await register(token, first.session.id);
    expect(taken.statusCode).toBe(201);
    const refused = await register(token, sameWeek.session.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CATEGORY_LIMIT_REACHED');
    expect(await writtenFor(sameWeek.session.id)).toBe(0);
    expect((await register(token, nextWeek.session.id)).statusCode).toBe(201);
    // A cancelled registration is no longer open.
    expect((await post(token, `/registrations/${taken.json().registration.id}/cancel`)).statusCode).toBe(200);
    expect((await register(token, sameWeek.session.id)).statusCode).toBe(201);
  });
});

describe('the line', () => {
  it('a full session puts residents in line with their position, listed in their registrations', async () => {
    const { session: s } = await session({}, { places: 1 });
    expect((await register((await resident()).token, s.id)).statusCode).toBe(201);
    const a = await resident();
    const b = await resident();
    const first = await register(a.token, s.id);
    const second = await register(b.token, s.id);
    expect(first.statusCode).toBe(202);
    expect(first.json().waitlisted).toMatchObject({ position: 1, status: 'waiting' });
    expect(second.json().waitlisted).toMatchObject({ position: 2, status: 'waiting' });
    expect((await get(b.token, '/me/registrations')).json().waitlist).toMatchObject([{ sessionId: s.id, position: 2 }]);
  });

  it('a cancellation offers the place to the first in line, who accepts it; the second stays waiting', async () => {
    const { session: s } = await session({ offerHoldMinutes: 60 }, { places: 1 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const a = await resident();
    const b = await resident();
    await register(a.token, s.id);
    await register(b.token, s.id);
    expect((await post(holder.token, `/registrations/${held.id}/cancel`)).json().status).toBe('cancelled');

    const offered = (await get(a.token, '/me/registrations')).json();
    expect(offered.registrations).toMatchObject([{ status: 'pending', offerExpiresAt: new Date(Date.parse(NOW) + 3_600_000).toISOString() }]);
    expect(offered.waitlist).toMatchObject([{ status: 'offered', position: 1 }]);
    expect((await get(b.token, '/me/registrations')).json().registrations).toEqual([]);

    const accepted = await post(a.token, `/registrations/${offered.registrations[0].id}/accept-offer`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().status).toBe('confirmed');
    expect((await get(b.token, '/me/registrations')).json().waitlist).toMatchObject([{ status: 'waiting', position: 1 }]);
  });

  it('an offer not accepted in time lapses at the sweep and passes to the next in line; accepting late is 409 OFFER_EXPIRED', async () => {
    const { session: s } = await session({ offerHoldMinutes: 30 }, { places: 1 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const a = await resident();
    const b = await resident();
    await register(a.token, s.id);
    await register(b.token, s.id);
    await post(holder.token, `/registrations/${held.id}/cancel`);
    const offer = (await get(a.token, '/me/registrations')).json().registrations[0];

    const later = new Date(Date.parse(NOW) + 31 * 60_000);
    t.setNow(later);
    try {
      expect((await post(a.token, `/registrations/${offer.id}/accept-offer`)).json().code).toBe('OFFER_EXPIRED');
      const swept = await runRegistrationSweep(t.db, later);
      expect(swept.offersExpired).toBeGreaterThanOrEqual(1);
      expect((await registrationRow(offer.id)).status).toBe('expired');
      expect((await get(b.token, '/me/registrations')).json().registrations).toMatchObject([{ status: 'pending' }]);
      expect((await get(a.token, '/me/registrations')).json().waitlist).toMatchObject([{ status: 'expired', position: null }]);
    } finally {
      t.setNow(NOW);
    }
  });

  it('in auto_book mode the first in line is registered outright; a party that does not fit lets a smaller one through', async () => {
    const { session: s } = await session({ waitlistMode: 'auto_book', maxPartySize: 2 }, { places: 2 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    expect((await register((await resident()).token, s.id)).statusCode).toBe(201);
    const pair = await resident();
    const single = await resident();
    expect((await register(pair.token, s.id, 2)).statusCode).toBe(202);
    expect((await register(single.token, s.id, 1)).statusCode).toBe(202);
    await post(holder.token, `/registrations/${held.id}/cancel`);
    expect((await get(pair.token, '/me/registrations')).json().waitlist).toMatchObject([{ status: 'waiting', position: 1 }]);
    expect((await get(single.token, '/me/registrations')).json().registrations).toMatchObject([{ status: 'confirmed', partySize: 1 }]);
  });

  it('the organizer removing someone promotes the first in line; staff of another site get 404 and change nothing', async () => {
    const organizer = await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [otherSite.id] });
    const { session: s } = await session({ waitlistMode: 'auto_book', organizerUserId: organizer.id }, { places: 1 });
    const held = (await register((await resident()).token, s.id)).json().registration;
    const next = await resident();
    await register(next.token, s.id);
    const url = `/activity-sessions/${s.id}/registrations/${held.id}/remove`;
    const stranger = await post(otherStaffToken, url);
    expect(stranger.statusCode).toBe(404);
    expect((await registrationRow(held.id)).status).toBe('confirmed');
    const removed = await post(tokenFor(t.app, organizer), url, { reason: '重复报名' });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().status).toBe('cancelled');
    expect((await get(next.token, '/me/registrations')).json().registrations).toMatchObject([{ status: 'confirmed' }]);
  });
});

describe('cancelling', () => {
  it('a resident cannot cancel after the cut-off (409 CANCEL_CUTOFF_PASSED); staff can, and the place goes to the line', async () => {
    const { session: s } = await session({ cancelCutoffMinutes: 120, waitlistMode: 'auto_book' }, { places: 1 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const next = await resident();
    await register(next.token, s.id);
    t.setNow(at(DAY, '08:30'));
    try {
      const late = await post(holder.token, `/registrations/${held.id}/cancel`);
      expect(late.statusCode).toBe(409);
      expect(late.json().code).toBe('CANCEL_CUTOFF_PASSED');
      expect((await registrationRow(held.id)).status).toBe('confirmed');
      expect((await post(staffToken, `/registrations/${held.id}/cancel`, { reason: '身体不适' })).statusCode).toBe(200);
      expect((await get(next.token, '/me/registrations')).json().registrations).toMatchObject([{ status: 'confirmed' }]);
    } finally {
      t.setNow(NOW);
    }
  });

  it("another resident's registration is not found, and a cancelled one cannot be cancelled again", async () => {
    const { session: s } = await session();
    const owner = await resident();
    const reg = (await register(owner.token, s.id)).json().registration;
    expect((await post((await resident()).token, `/registrations/${reg.id}/cancel`)).statusCode).toBe(404);
    expect((await post(owner.token, `/registrations/${reg.id}/cancel`)).statusCode).toBe(200);
    const again = await post(owner.token, `/registrations/${reg.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_TRANSITION');
  });

  it('cancelling a session releases every place with an event and closes its line; registrants see it in their list', async () => {
    const { session: s } = await session({}, { places: 1 });
    const holder = await resident();
    const held = (await register(holder.token, s.id)).json().registration;
    const waiting = await resident();
    await register(waiting.token, s.id);
    const cancelled = await t.db.transaction(async (tx) => {
      await tx.update(schema.activitySessions).set({ status: 'cancelled' }).where(eq(schema.activitySessions.id, s.id));
      return cancelRegistrationsOfSession(tx, s, { actorId: null, reason: 'session cancelled', now: new Date(NOW) });
    });
    expect(cancelled).toBe(1);
    expect((await get(holder.token, '/me/registrations')).json().registrations).toMatchObject([{ id: held.id, status: 'cancelled', sessionStatus: 'cancelled' }]);
    expect((await get(waiting.token, '/me/registrations')).json().waitlist).toMatchObject([{ status: 'cancelled', position: null }]);
    const events = await t.db.select().from(schema.registrationEvents).where(eq(schema.registrationEvents.registrationId, held.id));
    expect(events.map((e) => e.toStatus)).toEqual(['confirmed', 'cancelled']);
  });
});

describe('attendance', () => {
  it('check-in opens 30 minutes before the start: too early 409 CHECK_IN_NOT_OPEN, a wrong code 422, the right code checks in', async () => {
    const { session: s } = await session();
    const { token } = await resident();
    const reg = (await register(token, s.id)).json().registration;
    const url = `/registrations/${reg.id}/check-in`;
    t.setNow(at(DAY, '09:29'));
    try {
      expect((await post(token, url, { code: reg.checkInCode })).json().code).toBe('CHECK_IN_NOT_OPEN');
      t.setNow(at(DAY, '09:30'));
      expect((await post(token, url, { code: 'WRONG1' })).json().code).toBe('INVALID_CHECK_IN_CODE');
      const ok = await post(token, url, { code: reg.checkInCode.toLowerCase() });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'checked_in', checkedInAt: new Date(at(DAY, '09:30')).toISOString() });
      t.setNow(at(DAY, '12:00'));
      expect((await post(staffToken, url)).json().code).toBe('CHECK_IN_NOT_OPEN');
    } finally {
      t.setNow(NOW);
    }
  });

  it('staff mark attendance at their site; staff of another site get 404', async () => {
    const { session: s } = await session();
    const reg = (await register((await resident()).token, s.id)).json().registration;
    t.setNow(at(DAY, '10:15'));
    try {
      expect((await post(otherStaffToken, `/registrations/${reg.id}/check-in`)).statusCode).toBe(404);
      expect((await post(staffToken, `/registrations/${reg.id}/check-in`)).json().status).toBe('checked_in');
    } finally {
      t.setNow(NOW);
    }
  });

  it('after the session the sweep completes the checked-in and marks the rest no-show, kept and counted', async () => {
    const { session: s } = await session();
    const came = (await register((await resident()).token, s.id)).json().registration;
    const stayedAway = (await register((await resident()).token, s.id)).json().registration;
    t.setNow(at(DAY, '10:05'));
    await post(staffToken, `/registrations/${came.id}/check-in`);
    t.setNow(NOW);
    expect((await runRegistrationSweep(t.db, new Date(at(DAY, '11:59')))).noShows).toBe(0);
    const swept = await runRegistrationSweep(t.db, new Date(at(DAY, '12:00')));
    expect(swept).toMatchObject({ completed: expect.any(Number), noShows: expect.any(Number) });
    expect((await registrationRow(came.id)).status).toBe('completed');
    expect((await registrationRow(stayedAway.id)).status).toBe('no_show');
    const list = (await get(staffToken, `/activity-sessions/${s.id}/registrations`)).json();
    expect(list.registrations.map((r: { status: string }) => r.status).sort()).toEqual(['completed', 'no_show']);
    expect(list.placesHeld).toBe(0);
  });

  it('nobody is placed from the line once the session started, and the sweep closes the line when it ends', async () => {
    const { session: s } = await session({ waitlistMode: 'auto_book' }, { places: 1 });
    const held = (await register((await resident()).token, s.id)).json().registration;
    const waiting = await resident();
    await register(waiting.token, s.id);
    t.setNow(at(DAY, '10:30'));
    try {
      expect((await post(staffToken, `/registrations/${held.id}/cancel`)).statusCode).toBe(200);
      expect((await get(waiting.token, '/me/registrations')).json().registrations).toEqual([]);
    } finally {
      t.setNow(NOW);
    }
    await runRegistrationSweep(t.db, new Date(at(DAY, '12:00')));
    expect((await get(waiting.token, '/me/registrations')).json().waitlist).toMatchObject([{ status: 'expired', position: null }]);
  });

  it('walk-ins are recorded and counted for the session; another site\'s staff get 404', async () => {
    const { session: s } = await session();
    expect((await post(otherStaffToken, `/activity-sessions/${s.id}/walk-ins`, { people: 3 })).statusCode).toBe(404);
    const res = await post(staffToken, `/activity-sessions/${s.id}/walk-ins`, { people: 3, note: '路过的家长' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ people: 3, note: '路过的家长' });
    expect((await get(staffToken, `/activity-sessions/${s.id}/registrations`)).json().walkIns).toBe(3);
    expect((await get(otherStaffToken, `/activity-sessions/${s.id}/registrations`)).statusCode).toBe(404);
  });
});

describe('feedback', () => {
  it('only an attendee rates, after the session ended, once; the organizer sees the average, response rate and comments without names', async () => {
    const { session: s } = await session();
    const attendee = await resident();
    const other = await resident();
    const absent = await resident();
    const regA = (await register(attendee.token, s.id)).json().registration;
    const regB = (await register(other.token, s.id)).json().registration;
    const regC = (await register(absent.token, s.id)).json().registration;
    t.setNow(at(DAY, '10:00'));
    await post(staffToken, `/registrations/${regA.id}/check-in`);
    await post(staffToken, `/registrations/${regB.id}/check-in`);
    const early = await post(attendee.token, `/registrations/${regA.id}/feedback`, { rating: 5 });
    expect(early.json().code).toBe('NOT_ATTENDED');

    t.setNow(at(DAY, '13:00'));
    try {
      await runRegistrationSweep(t.db, new Date(at(DAY, '13:00')));
      expect((await post(absent.token, `/registrations/${regC.id}/feedback`, { rating: 1 })).json().code).toBe('NOT_ATTENDED');
      expect((await post(other.token, `/registrations/${regA.id}/feedback`, { rating: 1 })).statusCode).toBe(404);
      expect((await post(attendee.token, `/registrations/${regA.id}/feedback`, { rating: 6 })).statusCode).toBe(400);
      expect((await post(attendee.token, `/registrations/${regA.id}/feedback`, { rating: 5, comment: 'bad\u0000' })).statusCode).toBe(400);
      const ratedBefore = (await get(attendee.token, '/me/registrations')).json().registrations.find((r: { id: string }) => r.id === regA.id);
      expect(ratedBefore.feedbackGiven).toBe(false);
      const given = await post(attendee.token, `/registrations/${regA.id}/feedback`, { rating: 5, comment: '孩子很喜欢\n下次还来' });
      expect(given.statusCode).toBe(201);
      // My list says it is rated, so no device offers to rate it again.
      const ratedAfter = (await get(attendee.token, '/me/registrations')).json().registrations.find((r: { id: string }) => r.id === regA.id);
      expect(ratedAfter.feedbackGiven).toBe(true);
      const twice = await post(attendee.token, `/registrations/${regA.id}/feedback`, { rating: 1 });
      expect(twice.statusCode).toBe(409);
      expect(twice.json().code).toBe('FEEDBACK_ALREADY_GIVEN');
      expect((await post(other.token, `/registrations/${regB.id}/feedback`, { rating: 4 })).statusCode).toBe(201);

      const summary = await get(staffToken, `/activity-sessions/${s.id}/feedback`);
      expect(summary.json()).toEqual({
        sessionId: s.id,
        count: 2,
        attended: 2,
        average: 4.5,
        responseRate: 1,
        comments: [{ rating: 5, comment: '孩子很喜欢\n下次还来', createdAt: expect.any(String) }],
      });
      expect(JSON.stringify(summary.json())).not.toContain(attendee.user.displayName);
      // Residents never read the session's feedback, their own name attached or not.
      expect((await get(attendee.token, `/activity-sessions/${s.id}/feedback`)).statusCode).toBe(403);
      expect((await get(otherStaffToken, `/activity-sessions/${s.id}/feedback`)).statusCode).toBe(404);
    } finally {
      t.setNow(NOW);
    }
  });
});
