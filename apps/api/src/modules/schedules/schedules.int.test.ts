import { schema } from '@linli/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createPortfolio } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

describe('site schedule', () => {
  it("a week of a site's spaces and bookings with open hours and closures, for its staff", async () => {
    await t.db.insert(schema.bookings).values([
      { orgId: p.org.id, siteId: p.siteA.id, spaceId: p.spaceA.id, exclusive: true, startAt: new Date(at('2027-03-02', '10:00')), endAt: new Date(at('2027-03-02', '11:00')), status: 'confirmed' },
      { orgId: p.org.id, siteId: p.siteA.id, spaceId: p.spaceA.id, exclusive: true, startAt: new Date(at('2027-03-02', '12:00')), endAt: new Date(at('2027-03-02', '13:00')), status: 'cancelled' },
      { orgId: p.org.id, siteId: p.siteA.id, spaceId: p.spaceA.id, exclusive: true, startAt: new Date(at('2027-03-09', '10:00')), endAt: new Date(at('2027-03-09', '11:00')), status: 'confirmed' },
    ]);
    await t.db.insert(schema.closures).values({ orgId: p.org.id, scope: 'site', siteId: p.siteA.id, startDate: '2027-03-04', endDate: '2027-03-04', reason: '设备检修' });
    const res = await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/schedule?date=2027-03-01&days=7`, headers: bearer(p.tokens.staff) });
    expect(res.statusCode).toBe(200);
    const schedule = res.json();
    expect(schedule.spaces.map((s: { id: string }) => s.id)).toEqual([p.spaceA.id]);
    expect(schedule.bookings).toHaveLength(1);
    expect(schedule.closures.map((c: { reason: string }) => c.reason)).toEqual(['设备检修']);
    // Seven days open 08:00-22:00, minus the closed Thursday.
    expect(schedule.openRanges).toHaveLength(6);
    expect(schedule.from).toBe(at('2027-03-01', '00:00'));
    expect(schedule.to).toBe(at('2027-03-08', '00:00'));
  });

  it("another site's schedule is 404 for its staff, and residents may not read schedules", async () => {
    expect((await t.app.inject({ url: `/api/v1/sites/${p.siteB.id}/schedule?date=2027-03-01`, headers: bearer(p.tokens.staff) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/schedule?date=2027-03-01`, headers: bearer(p.tokens.resident) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/schedule?date=2027-13-01`, headers: bearer(p.tokens.staff) })).statusCode).toBe(400);
  });

  it('lists each booking as the booking itself reads, without its check-in code (the SQL-built entry matches toBooking)', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { ...bearer(p.tokens.staff), 'idempotency-key': 'schedule-shape' },
      payload: { spaceId: p.spaceA.id, startAt: at('2027-03-03', '14:00'), endAt: at('2027-03-03', '15:30'), partySize: 3, purpose: '读书会', bookerId: p.resident.id },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    // Sub-millisecond instants read the same both ways (truncated to the millisecond).
    await t.db.update(schema.bookings).set({ startAt: new Date('2027-03-03T06:00:00.000Z') }).where(eq(schema.bookings.id, id));
    await t.db.execute(sql`UPDATE bookings SET end_at = end_at + interval '123456 microseconds' WHERE id = ${id}`);
    const schedule = (await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/schedule?date=2027-03-03`, headers: bearer(p.tokens.staff) })).json();
    const { events: _events, ...single } = (await t.app.inject({ url: `/api/v1/bookings/${id}`, headers: bearer(p.tokens.staff) })).json();
    const entry = schedule.bookings.find((b: { id: string }) => b.id === id);
    expect(Object.keys(entry).sort()).toEqual(['bookerId', 'endAt', 'id', 'partySize', 'purpose', 'seriesId', 'siteId', 'spaceId', 'startAt', 'status', 'version']);
    expect(entry).toEqual(Object.fromEntries(Object.keys(entry).map((k) => [k, single[k]])));
    expect(entry).not.toHaveProperty('checkInCode');
  });

  it('a day without bookings answers an empty list', async () => {
    const res = await t.app.inject({ url: `/api/v1/sites/${p.siteB.id}/schedule?date=2027-06-01`, headers: bearer(p.tokens.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json().bookings).toEqual([]);
  });
});
