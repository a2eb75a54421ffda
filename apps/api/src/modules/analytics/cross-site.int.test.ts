/**
 * Cross-site service (`/analytics/cross-site`): which sites serve which sites' residents, against a hand-computed
 * fixture. Bookings are inserted directly: this is about counting them, not about the booking engine.
 */
import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
const sites = {} as Record<'a' | 'b' | 'berlin', { id: string; name: string }>;
const tokens = {} as Record<'admin' | 'staffOfB' | 'staffOfA' | 'resident', string>;
const PERIOD = 'from=2027-03-01&to=2027-03-07';

beforeAll(async () => {
  t = await startTestApp({ now: '2027-03-20T00:00:00Z' });
  org = await createOrg(t.db);
  sites.a = await createSite(t.db, { orgId: org.id, name: 'A 站', district: '徐汇区' });
  sites.b = await createSite(t.db, { orgId: org.id, name: 'B 站', district: '静安区' });
  sites.berlin = await createSite(t.db, { orgId: org.id, name: 'C 站 柏林', district: 'Mitte', timezone: 'Europe/Berlin' });
  const roomA = await createSpace(t.db, { orgId: org.id, siteId: sites.a.id });
  const roomB = await createSpace(t.db, { orgId: org.id, siteId: sites.b.id });
  const seatsB = await createSpace(t.db, { orgId: org.id, siteId: sites.b.id, bookingMode: 'shared_capacity', capacity: 40 });
  const roomBerlin = await createSpace(t.db, { orgId: org.id, siteId: sites.berlin.id });

  const resident = (homeSiteId?: string) => createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId });
  const [ofA1, ofA2, ofB, homeless] = [await resident(sites.a.id), await resident(sites.a.id), await resident(sites.b.id), await resident()];
  const staffOfA = await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [sites.a.id] });
  tokens.admin = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
  tokens.staffOfA = tokenFor(t.app, staffOfA);
  tokens.staffOfB = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [sites.b.id] }));
  tokens.resident = tokenFor(t.app, ofA1);

  const book = (space: { id: string; siteId: string }, bookerId: string | null, start: string, end: string, status: string, partySize = 1) =>
    t.db.insert(schema.bookings).values({
      orgId: org.id,
      siteId: space.siteId,
      spaceId: space.id,
      exclusive: space.id !== seatsB.id,
      partySize,
      bookerId,
      startAt: new Date(start),
      endAt: new Date(end),
      status,
    });
  // Site A, period 2027-03-01..07 in Shanghai: [2027-02-28T16:00Z, 2027-03-07T16:00Z).
  await book(roomA, ofA1.id, '2027-03-02T10:00+08:00', '2027-03-02T11:00+08:00', 'confirmed'); // A <- A: 60
  await book(roomA, ofB.id, '2027-03-02T14:00+08:00', '2027-03-02T16:00+08:00', 'completed'); // A <- B: 120
  await book(roomA, ofB.id, '2027-03-03T10:00+08:00', '2027-03-03T11:30+08:00', 'no_show'); // A <- B: 90 (it held the room)
  await book(roomA, ofB.id, '2027-02-28T23:00+08:00', '2027-03-01T01:00+08:00', 'completed'); // A <- B: 60 of 120 inside
  await book(roomA, ofB.id, '2027-03-04T10:00+08:00', '2027-03-04T11:00+08:00', 'cancelled'); // not counted
  await book(roomA, ofB.id, '2027-03-08T10:00+08:00', '2027-03-08T11:00+08:00', 'confirmed'); // after the period
  await book(roomA, homeless.id, '2027-03-05T10:00+08:00', '2027-03-05T10:30+08:00', 'pending'); // A <- none: 30
  await book(roomA, null, '2027-03-06T10:00+08:00', '2027-03-06T11:00+08:00', 'confirmed'); // a staff block: no resident
  await book(roomA, staffOfA.id, '2027-03-06T14:00+08:00', '2027-03-06T15:00+08:00', 'confirmed'); // booked by staff for themselves
  // Site B: two residents of A; party size does not weigh.
  await book(seatsB, ofA1.id, '2027-03-02T10:00+08:00', '2027-03-02T12:00+08:00', 'confirmed', 3); // B <- A: 120
  await book(roomB, ofA2.id, '2027-03-03T10:00+08:00', '2027-03-03T11:00+08:00', 'completed'); // B <- A: 60
  await book(roomB, ofA1.id, '2027-03-07T23:00+08:00', '2027-03-08T01:00+08:00', 'confirmed'); // B <- A: 60 of 120 inside
  // Berlin's period is Berlin's dates: 2027-03-07 22:00-23:30 there is 2027-03-08 05:00 in Shanghai, yet inside.
  await book(roomBerlin, ofA1.id, '2027-03-07T22:00+01:00', '2027-03-07T23:30+01:00', 'confirmed'); // C <- A: 90
});
afterAll(() => t.close());

const get = (query: string, token = tokens.admin) => t.app.inject({ url: `/api/v1/analytics/cross-site?${query}`, headers: bearer(token) });

describe('cross-site service', () => {
  it('counts residents\' bookings at each site by their home site, clipped to the period in the serving site\'s zone', async () => {
    const res = await get(PERIOD);
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({
      from: '2027-03-01',
      to: '2027-03-07',
      rows: [
        { servingSiteId: sites.a.id, servingSiteName: 'A 站', homeSiteId: sites.b.id, homeSiteName: 'B 站', bookings: 3, bookedMinutes: 270, residents: 1 },
        { servingSiteId: sites.a.id, servingSiteName: 'A 站', homeSiteId: sites.a.id, homeSiteName: 'A 站', bookings: 1, bookedMinutes: 60, residents: 1 },
        { servingSiteId: sites.a.id, servingSiteName: 'A 站', homeSiteId: null, homeSiteName: null, bookings: 1, bookedMinutes: 30, residents: 1 },
        { servingSiteId: sites.b.id, servingSiteName: 'B 站', homeSiteId: sites.a.id, homeSiteName: 'A 站', bookings: 3, bookedMinutes: 240, residents: 2 },
        { servingSiteId: sites.berlin.id, servingSiteName: 'C 站 柏林', homeSiteId: sites.a.id, homeSiteName: 'A 站', bookings: 1, bookedMinutes: 90, residents: 1 },
      ],
    });
  });

  it('site staff see only what their own sites served, whoever the residents were; another site by id is a 404', async () => {
    const rows = bodyOf(await get(PERIOD, tokens.staffOfB)).rows;
    expect(rows).toEqual([expect.objectContaining({ servingSiteId: sites.b.id, homeSiteId: sites.a.id, bookings: 3 })]);
    expect((await get(`${PERIOD}&siteId=${sites.b.id}`, tokens.staffOfA)).statusCode).toBe(404);
  });

  it('siteId and district narrow the serving site', async () => {
    expect(bodyOf(await get(`${PERIOD}&siteId=${sites.berlin.id}`)).rows.map((r: { bookedMinutes: number }) => r.bookedMinutes)).toEqual([90]);
    expect(bodyOf(await get(`${PERIOD}&district=${encodeURIComponent('静安区')}`)).rows).toHaveLength(1);
  });

  it('a one-day period counts only the part of each booking inside that day', async () => {
    const rows = bodyOf(await get('from=2027-03-01&to=2027-03-01')).rows;
    expect(rows).toEqual([{ servingSiteId: sites.a.id, servingSiteName: 'A 站', homeSiteId: sites.b.id, homeSiteName: 'B 站', bookings: 1, bookedMinutes: 60, residents: 1 }]);
  });

  it('exports the rows as CSV with a BOM, the JSON field names as header', async () => {
    const res = await get(`${PERIOD}&siteId=${sites.b.id}&format=csv`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="linli-cross-site-2027-03-01-2027-03-07.csv"');
    expect(res.body).toBe(
      `\uFEFFservingSiteId,servingSiteName,homeSiteId,homeSiteName,bookings,bookedMinutes,residents\r\n${sites.b.id},B 站,${sites.a.id},A 站,3,240,2\r\n`,
    );
  });

  it('residents get 403; a period over 13 months, a reversed one or an unknown parameter gets 400', async () => {
    expect((await get(PERIOD, tokens.resident)).statusCode).toBe(403);
    expect((await get('from=2026-01-01&to=2027-03-01')).statusCode).toBe(400);
    expect((await get('from=2027-03-07&to=2027-03-01')).statusCode).toBe(400);
    expect((await get(`${PERIOD}&groupBy=site`)).statusCode).toBe(400);
  });
});
