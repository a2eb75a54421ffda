/**
 * Queue-jumping: one resident may wait once for a given space and time, and never for a slot they hold.
 * The database refuses a second active entry (an exclusion constraint, migration 0007); the service says why first.
 */
import { SQLSTATE, schema, sqlStateOf } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
const DAY = '2027-03-02';
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id });
});
afterAll(() => t.close());

async function resident() {
  const user = await createUser(t.db, { orgId: org.id, role: 'resident' });
  return { user, token: tokenFor(t.app, user) };
}
const post = (token: string, url: string, payload: object = {}, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, payload });

/** A room whose 10:00-12:00 is held by someone else, so residents may wait for it. */
async function takenRoom() {
  const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
  const holder = await resident();
  const slot = { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') };
  expect((await post(holder.token, '/bookings', slot)).statusCode).toBe(201);
  return { room, holder, slot };
}

describe('waitlist queue-jumping', () => {
  it('the same resident joining twice for the same or an overlapping time is refused with 409 ALREADY_WAITLISTED', async () => {
    const { slot } = await takenRoom();
    const { token } = await resident();
    const first = await post(token, '/waitlist', slot);
    expect(first.statusCode).toBe(201);
    const again = await post(token, '/waitlist', slot, { 'accept-language': 'zh-CN' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'ALREADY_WAITLISTED', detail: '您已在该时段的候补名单中。' });
    const overlapping = await post(token, '/waitlist', { ...slot, startAt: at(DAY, '11:00'), endAt: at(DAY, '12:00') });
    expect(overlapping.json().code).toBe('ALREADY_WAITLISTED');
    // Leaving gives up the place; joining again goes to the back of the queue.
    expect((await post(token, `/waitlist/${first.json().id}/leave`)).statusCode).toBe(200);
    expect((await post(token, '/waitlist', slot)).statusCode).toBe(201);
  });

  it('the resident holding the slot cannot wait for it: 409 ALREADY_HOLDING', async () => {
    const { holder, slot } = await takenRoom();
    const res = await post(holder.token, '/waitlist', { ...slot, endAt: at(DAY, '11:00') });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ALREADY_HOLDING', detail: 'You already hold a booking of this space at this time.' });
  });

  it('the database itself refuses a second active entry for the same resident, space and overlapping time', async () => {
    const { room } = await takenRoom();
    const { user } = await resident();
    const entry = { orgId: org.id, siteId: site.id, spaceId: room.id, userId: user.id, startAt: new Date(at(DAY, '10:00')), endAt: new Date(at(DAY, '12:00')) };
    await t.db.insert(schema.waitlistEntries).values(entry);
    const duplicate = await t.db.insert(schema.waitlistEntries).values({ ...entry, startAt: new Date(at(DAY, '11:30')) }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(sqlStateOf(duplicate)).toBe(SQLSTATE.exclusionViolation);
    // Entries that are over (cancelled, expired, booked) do not count, nor do adjacent times.
    await t.db.insert(schema.waitlistEntries).values({ ...entry, status: 'cancelled' });
    await t.db.insert(schema.waitlistEntries).values({ ...entry, startAt: new Date(at(DAY, '12:00')), endAt: new Date(at(DAY, '13:00')) });
  });

  it('five simultaneous joins by one resident: exactly one is queued, the rest get 409 ALREADY_WAITLISTED, none a 500', async () => {
    const { slot } = await takenRoom();
    const { token } = await resident();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(token, '/waitlist', slot)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(answers.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'ALREADY_WAITLISTED')).toBe(true);
    const mine = (await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(token) })).json().items;
    expect(mine).toHaveLength(1);
  });
});

describe('place in line', () => {
  const positionsOf = async (tokens: string[]) =>
    Promise.all(
      tokens.map(async (token) => ((await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(token) })).json().items as { position: number | null }[]).map((e) => e.position)),
    );

  it('each resident sees how many joined before them for that room and time; leaving moves the ones behind up', async () => {
    const { slot } = await takenRoom();
    const line = [await resident(), await resident(), await resident()];
    const joined = [];
    for (const person of line) joined.push((await post(person.token, '/waitlist', slot)).json());
    expect(joined.map((entry) => entry.position)).toEqual([1, 2, 3]);
    expect(await positionsOf(line.map((p) => p.token))).toEqual([[1], [2], [3]]);

    expect((await post(line[0]!.token, `/waitlist/${joined[0].id}/leave`)).json().position).toBeNull();
    expect(await positionsOf(line.map((p) => p.token))).toEqual([[null], [1], [2]]);
  });

  it('only entries for the same room and an overlapping time count: another hour or another room has its own line', async () => {
    const first = await takenRoom();
    const second = await takenRoom();
    const early = await resident();
    expect((await post(early.token, '/waitlist', { ...first.slot, endAt: at(DAY, '11:00') })).json().position).toBe(1);
    // Adjacent, not overlapping: 11:00-12:00 does not wait behind 10:00-11:00.
    expect((await post((await resident()).token, '/waitlist', { ...first.slot, startAt: at(DAY, '11:00') })).json().position).toBe(1);
    expect((await post((await resident()).token, '/waitlist', second.slot)).json().position).toBe(1);
    // Overlapping both: behind both.
    expect((await post((await resident()).token, '/waitlist', first.slot)).json().position).toBe(3);
  });

  it('an offered entry is out of the line (no position) but still ahead of those waiting behind it', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { waitlistMode: 'offer', offerHoldMinutes: 30 } });
    const slot = { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') };
    const holder = await resident();
    const booking = (await post(holder.token, '/bookings', slot)).json();
    const line = [await resident(), await resident(), await resident()];
    for (const person of line) expect((await post(person.token, '/waitlist', slot)).statusCode).toBe(201);

    expect((await post(holder.token, `/bookings/${booking.id}/cancel`)).statusCode).toBe(200);
    const positions = await positionsOf(line.map((p) => p.token));
    expect(positions).toEqual([[null], [2], [3]]);
    const [offered] = (await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(line[0]!.token) })).json().items;
    expect(offered.status).toBe('offered');
  });

  it("a resident sees only their own entries, never another's", async () => {
    const { slot } = await takenRoom();
    const [a, b] = [await resident(), await resident()];
    await post(a.token, '/waitlist', slot);
    expect((await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(b.token) })).json().items).toEqual([]);
    const entry = (await t.app.inject({ url: '/api/v1/me/waitlist', headers: bearer(a.token) })).json().items[0];
    expect((await post(b.token, `/waitlist/${entry.id}/leave`)).statusCode).toBe(404);
  });
});
