import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let token: string;
const DAY = '2027-03-02';
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  org = await createOrg(t.db);
  token = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'resident' }));
});
afterAll(() => t.close());

const get = (url: string) => t.app.inject({ url: `/api/v1${url}`, headers: bearer(token) });
const hoursOnly = (start: string, end: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start, end }]])) as never;

describe('free slots of one space', () => {
  it('honours opening hours, existing bookings and the local grid', async () => {
    const site = await createSite(t.db, { orgId: org.id, openingHours: hoursOnly('09:00', '12:00') });
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: room.id, exclusive: true, startAt: new Date(at(DAY, '10:00')), endAt: new Date(at(DAY, '11:00')), status: 'confirmed' });
    const res = await get(`/spaces/${room.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60`);
    expect(res.statusCode).toBe(200);
    expect(res.json().slots.map((s: { startAt: string }) => s.startAt)).toEqual([at(DAY, '09:00'), at(DAY, '11:00')]);
  });

  it('closures leave the day empty; a reversed or too long range is a 400', async () => {
    const site = await createSite(t.db, { orgId: org.id });
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    await t.db.insert(schema.closures).values({ orgId: org.id, scope: 'site', siteId: site.id, startDate: DAY, endDate: DAY, reason: '停电' });
    expect((await get(`/spaces/${room.id}/availability?from=${DAY}&to=${DAY}`)).json().slots).toEqual([]);
    expect((await get(`/spaces/${room.id}/availability?from=2027-03-05&to=2027-03-02`)).statusCode).toBe(400);
    expect((await get(`/spaces/${room.id}/availability?from=2027-03-02&to=2027-06-02`)).statusCode).toBe(400);
  });

  it('a shared seat area reports the places left', async () => {
    const site = await createSite(t.db, { orgId: org.id, openingHours: hoursOnly('09:00', '11:00') });
    const seats = await createSpace(t.db, { orgId: org.id, siteId: site.id, bookingMode: 'shared_capacity', capacity: 40, kind: 'study_area' });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: seats.id, exclusive: false, partySize: 15, startAt: new Date(at(DAY, '09:00')), endAt: new Date(at(DAY, '10:00')), status: 'confirmed' });
    const slots = (await get(`/spaces/${seats.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60`)).json().slots;
    expect(slots.map((s: { remaining: number }) => s.remaining)).toEqual([25, 25, 40]);
  });
});

describe('taken slots, for joining the waitlist', () => {
  it('a booked hour is listed as taken with its times only, never who holds it; free and taken never overlap', async () => {
    const site = await createSite(t.db, { orgId: org.id, openingHours: hoursOnly('09:00', '12:00') });
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { slotMinutes: 60 } });
    const holder = await createUser(t.db, { orgId: org.id, role: 'resident' });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: room.id, bookerId: holder.id, exclusive: true, purpose: '私人聚会', startAt: new Date(at(DAY, '10:00')), endAt: new Date(at(DAY, '11:00')), status: 'confirmed' });
    const res = await get(`/spaces/${room.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.slots.map((s: { startAt: string }) => s.startAt)).toEqual([at(DAY, '09:00'), at(DAY, '11:00')]);
    expect(body.takenSlots).toEqual([{ startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') }]);
    expect(res.body).not.toContain(holder.id);
    expect(res.body).not.toContain('私人聚会');
  });

  it('what policy or the clock rules out is not "taken": closed hours, the past and lead time stay out of both lists', async () => {
    const site = await createSite(t.db, { orgId: org.id, openingHours: hoursOnly('08:00', '12:00') });
    // Now is 2027-03-01 09:00 in Shanghai: 09:00 and 10:00 today are inside a two-hour lead time.
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { slotMinutes: 60, leadTimeMinutes: 120 } });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: room.id, exclusive: true, startAt: new Date(at('2027-03-01', '10:00')), endAt: new Date(at('2027-03-01', '12:00')), status: 'confirmed' });
    const body = (await get(`/spaces/${room.id}/availability?from=2027-03-01&to=2027-03-01&durationMinutes=60`)).json();
    expect(body.slots).toEqual([]);
    expect(body.takenSlots.map((s: { startAt: string }) => s.startAt)).toEqual([at('2027-03-01', '11:00')]);
  });

  it('a full seat area is taken for a party that no longer fits, free for one that does', async () => {
    const site = await createSite(t.db, { orgId: org.id, openingHours: hoursOnly('09:00', '11:00') });
    const seats = await createSpace(t.db, { orgId: org.id, siteId: site.id, bookingMode: 'shared_capacity', capacity: 10, kind: 'study_area', policy: { slotMinutes: 60 } });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: site.id, spaceId: seats.id, exclusive: false, partySize: 8, startAt: new Date(at(DAY, '09:00')), endAt: new Date(at(DAY, '10:00')), status: 'confirmed' });
    const forThree = (await get(`/spaces/${seats.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60&partySize=3`)).json();
    expect(forThree.takenSlots.map((s: { startAt: string }) => s.startAt)).toEqual([at(DAY, '09:00')]);
    expect(forThree.slots.map((s: { startAt: string }) => s.startAt)).toEqual([at(DAY, '10:00')]);
    const forTwo = (await get(`/spaces/${seats.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60&partySize=2`)).json();
    expect(forTwo.takenSlots).toEqual([]);
    // A party bigger than the whole area can never have it: not taken, just impossible.
    expect((await get(`/spaces/${seats.id}/availability?from=${DAY}&to=${DAY}&durationMinutes=60&partySize=11`)).json().takenSlots).toEqual([]);
  });
});

describe('portfolio search', () => {
  it('finds free spaces with the capacity and features asked for, nearest first, and skips busy or closed ones', async () => {
    const near = await createSite(t.db, { orgId: org.id, lat: 31.2, lng: 121.45, district: '搜索区' });
    const far = await createSite(t.db, { orgId: org.id, lat: 31.3, lng: 121.6, district: '搜索区' });
    const closed = await createSite(t.db, { orgId: org.id, lat: 31.201, lng: 121.451, district: '搜索区', openingHours: hoursOnly('18:00', '20:00') });
    const busyRoom = await createSpace(t.db, { orgId: org.id, siteId: near.id, capacity: 20, features: ['projector'] });
    const farRoom = await createSpace(t.db, { orgId: org.id, siteId: far.id, capacity: 20, features: ['projector', 'piano'] });
    const nearRoom = await createSpace(t.db, { orgId: org.id, siteId: near.id, capacity: 30, features: ['projector'] });
    await createSpace(t.db, { orgId: org.id, siteId: near.id, capacity: 5, features: ['projector'] });
    await createSpace(t.db, { orgId: org.id, siteId: near.id, capacity: 20, features: [] });
    await createSpace(t.db, { orgId: org.id, siteId: closed.id, capacity: 20, features: ['projector'] });
    await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: near.id, spaceId: busyRoom.id, exclusive: true, startAt: new Date(at(DAY, '14:00')), endAt: new Date(at(DAY, '15:00')), status: 'confirmed' });

    const query = new URLSearchParams({ startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00'), partySize: '10', features: 'projector', district: '搜索区', nearSiteId: near.id });
    const res = await get(`/availability/search?${query}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { space: { id: string } }) => i.space.id)).toEqual([nearRoom.id, farRoom.id]);
    expect(res.json().items[1].distanceKm).toBeGreaterThan(10);
  });

  it('judges each space by its own policy and rules, even beside same-site spaces that pass', async () => {
    const home = await createSite(t.db, { orgId: org.id, lat: 31.1, lng: 121.3, district: '规则区' });
    const other = await createSite(t.db, { orgId: org.id, lat: 31.101, lng: 121.301, district: '规则区' });
    const resident = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: home.id });
    const open = await createSpace(t.db, { orgId: org.id, siteId: home.id, name: 'A 普通' });
    const shortOnly = await createSpace(t.db, { orgId: org.id, siteId: home.id, name: 'B 限时', policy: { maxDurationMinutes: 30 } });
    const staffOnly = await createSpace(t.db, { orgId: org.id, siteId: home.id, name: 'C 内部', bookableBy: 'staff_only' });
    const sameShape = await createSpace(t.db, { orgId: org.id, siteId: home.id, name: 'D 普通', capacity: 40 });
    const otherOpen = await createSpace(t.db, { orgId: org.id, siteId: other.id, name: 'E 外站' });
    const otherLocal = await createSpace(t.db, { orgId: org.id, siteId: other.id, name: 'F 本站居民', openTo: 'home_site' });

    const query = new URLSearchParams({ startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00'), district: '规则区', nearSiteId: home.id });
    const res = await t.app.inject({ url: `/api/v1/availability/search?${query}`, headers: bearer(tokenFor(t.app, resident)) });
    const found = res.json().items.map((i: { space: { id: string } }) => i.space.id);
    expect(found).toEqual(expect.arrayContaining([open.id, sameShape.id, otherOpen.id]));
    expect(found).not.toContain(shortOnly.id);
    expect(found).not.toContain(staffOnly.id);
    expect(found).not.toContain(otherLocal.id);
  });

  describe('spaces kept for their own site or district', () => {
    // Three sites close together: home and neighbour in 开放区, far in 别区. A feature of their own keeps other
    // tests' spaces out of these searches.
    let spaces: Record<'neighbourDistrict' | 'neighbourOwn' | 'farDistrict' | 'farOpen', string>;
    let residents: Record<'ofHome' | 'ofFar' | 'homeless', string>;
    let admin: string;
    let farSiteId: string;
    beforeAll(async () => {
      const home = await createSite(t.db, { orgId: org.id, lat: 31.05, lng: 121.2, district: '开放区' });
      const neighbour = await createSite(t.db, { orgId: org.id, lat: 31.051, lng: 121.201, district: '开放区' });
      const far = await createSite(t.db, { orgId: org.id, lat: 31.052, lng: 121.202, district: '别区' });
      farSiteId = far.id;
      const room = (siteId: string, openTo: 'everyone' | 'district' | 'home_site') =>
        createSpace(t.db, { orgId: org.id, siteId, openTo, features: ['openness_probe'] }).then((s) => s.id);
      spaces = {
        neighbourDistrict: await room(neighbour.id, 'district'),
        neighbourOwn: await room(neighbour.id, 'home_site'),
        farDistrict: await room(far.id, 'district'),
        farOpen: await room(far.id, 'everyone'),
      };
      const resident = (homeSiteId?: string) => createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId }).then((u) => tokenFor(t.app, u));
      residents = { ofHome: await resident(home.id), ofFar: await resident(far.id), homeless: await resident() };
      admin = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
    });

    const search = async (who: string, start = '10:00', end = '11:00') => {
      const query = new URLSearchParams({ startAt: at(DAY, start), endAt: at(DAY, end), features: 'openness_probe' });
      const res = await t.app.inject({ url: `/api/v1/availability/search?${query}`, headers: bearer(who) });
      expect(res.statusCode).toBe(200);
      return res.json().items.map((i: { space: { id: string } }) => i.space.id).sort();
    };

    it.each([
      ['a resident of the district', 'ofHome', ['neighbourDistrict', 'farOpen']],
      ['a resident of the other district', 'ofFar', ['farDistrict', 'farOpen']],
      ['a resident without a home site', 'homeless', ['farOpen']],
    ] as const)('a search by %s leaves out the spaces not open to them', async (_label, who, expected) => {
      expect(await search(residents[who])).toEqual(expected.map((k) => spaces[k]).sort());
    });

    it('staff search every space, whoever it is open to', async () => {
      expect(await search(admin)).toEqual(Object.values(spaces).sort());
    });

    it('a resident refused because a room is taken is offered only nearby rooms open to them', async () => {
      await t.db.insert(schema.bookings).values({ orgId: org.id, siteId: farSiteId, spaceId: spaces.farOpen, exclusive: true, startAt: new Date(at(DAY, '16:00')), endAt: new Date(at(DAY, '17:00')), status: 'confirmed' });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        headers: bearer(residents.ofHome),
        payload: { spaceId: spaces.farOpen, startAt: at(DAY, '16:00'), endAt: at(DAY, '17:00'), partySize: 2 },
      });
      expect(res.json().code).toBe('SLOT_TAKEN');
      const nearby = res.json().details.alternatives.filter((a: { kind: string }) => a.kind === 'nearby_space').map((a: { spaceId: string }) => a.spaceId);
      expect(nearby).toContain(spaces.neighbourDistrict);
      expect(nearby).not.toContain(spaces.neighbourOwn);
      expect(nearby).not.toContain(spaces.farDistrict);
    });
  });

  it('a search that finds nothing is recorded as unmet demand', async () => {
    const query = new URLSearchParams({ startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00'), partySize: '9999' });
    expect((await get(`/availability/search?${query}`)).json().items).toEqual([]);
    const demand = await t.db.select().from(schema.demandEvents);
    expect(demand.some((d) => d.kind === 'search_empty' && d.orgId === org.id)).toBe(true);
  });
});
