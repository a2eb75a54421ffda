/**
 * Activity sessions hold their rooms through bookings of source 'activity', so they count in utilization like any
 * booking; the report also says how much of the booked time they were, computed and from the daily rollup alike.
 */
import { schema } from '@linli/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio, createSite, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
let site: { id: string };
let room: { id: string };
const DAY = '2026-06-01';

beforeAll(async () => {
  t = await startTestApp({ now: '2026-06-10T12:00:00Z' });
  p = await createPortfolio(t.app, t.db);
  site = await createSite(t.db, { orgId: p.org.id, timezone: 'Asia/Shanghai' });
  room = await createSpace(t.db, { orgId: p.org.id, siteId: site.id });
  const booking = (start: string, end: string, source: string, status = 'completed') => ({
    orgId: p.org.id, siteId: site.id, spaceId: room.id, exclusive: true, partySize: 1, status, source,
    startAt: new Date(`${DAY}T${start}:00+08:00`), endAt: new Date(`${DAY}T${end}:00+08:00`),
  });
  await t.db.insert(schema.bookings).values([
    booking('09:00', '11:00', 'activity'), // a session: 120 minutes
    booking('14:00', '15:00', 'resident'), // an ordinary booking: 60 minutes
    booking('16:00', '17:00', 'activity', 'cancelled'), // a cancelled session holds nothing
  ]);
});
afterAll(() => t.close());

const utilization = async (groupBy: 'site' | 'space') => {
  const res = await t.app.inject({ url: `/api/v1/analytics/utilization?from=${DAY}&to=${DAY}&groupBy=${groupBy}&siteId=${site.id}`, headers: bearer(p.tokens.admin) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().rows[0];
};

describe('activity time in utilization', () => {
  it('splits the booked minutes held by activity sessions from ordinary bookings, per space and per site', async () => {
    expect(await utilization('space')).toMatchObject({ bookedMinutes: 180, activityMinutes: 120 });
    expect(await utilization('site')).toMatchObject({ bookedMinutes: 180, activityMinutes: 120 });
  });

  it('keeps the split when the day is read back from the settled rollup', async () => {
    await utilization('site');
    const [stored] = await t.db.select().from(schema.siteUsageDaily).where(eq(schema.siteUsageDaily.siteId, site.id));
    expect(stored).toMatchObject({ bookedMinutes: 180, activityMinutes: 120 });
    expect(await utilization('site')).toMatchObject({ bookedMinutes: 180, activityMinutes: 120 });
  });
});
