/**
 * usage_changes (the markers that tell the analytics rollup a site's day changed) must not grow without limit,
 * and dropping markers must never leave a stale rollup row looking fresh.
 */
import { schema } from '@linli/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { USAGE_CHANGE_RETENTION_MS, removeSettledUsageChanges } from './usage-changes.repository.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
const NOW = new Date('2026-06-10T12:00:00Z');

beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

const markerCount = async () => (await t.db.select({ n: sql<number>`count(*)::int` }).from(schema.usageChanges))[0]!.n;
const ageMarkers = () => t.db.update(schema.usageChanges).set({ recordedAt: new Date(NOW.getTime() - USAGE_CHANGE_RETENTION_MS - 1_000) });
const bookedMinutes = async (siteId: string, date: string) => {
  const response = await t.app.inject({ url: `/api/v1/analytics/utilization?from=${date}&to=${date}&siteId=${siteId}`, headers: bearer(p.tokens.admin) });
  expect(response.statusCode).toBe(200);
  return bodyOf(response).rows[0].bookedMinutes as number;
};

async function insertBooking(spaceId: string, start: string, hours = 1) {
  const [row] = await t.db
    .insert(schema.bookings)
    .values({ orgId: p.org.id, siteId: p.siteA.id, spaceId, exclusive: true, partySize: 1, startAt: new Date(start), endAt: new Date(Date.parse(start) + hours * 3_600_000), status: 'confirmed' })
    .returning();
  return row!;
}

describe('usage_changes stays bounded', () => {
  it('booking churn on days nobody reports on leaves no markers once they are older than any transaction', async () => {
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id });
    const before = await markerCount();
    for (let day = 0; day < 30; day++) {
      const booking = await insertBooking(space.id, `2026-08-${String(day + 1).padStart(2, '0')}T02:00:00Z`);
      await t.db.update(schema.bookings).set({ status: 'cancelled' }).where(eq(schema.bookings.id, booking.id));
    }
    expect(await markerCount()).toBeGreaterThanOrEqual(before + 30);

    // Recent markers stay: a rollup being computed right now may still need them.
    await removeSettledUsageChanges(t.db, NOW);
    expect(await markerCount()).toBeGreaterThanOrEqual(30);

    await ageMarkers();
    await removeSettledUsageChanges(t.db, NOW);
    expect(await markerCount()).toBe(0);
  });

  it('a rollup row made stale by an old marker is dropped with it, so the report is recomputed, not served stale', async () => {
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id });
    const date = '2026-06-01';
    const booking = await insertBooking(space.id, `${date}T02:00:00Z`, 2);
    const first = await bookedMinutes(p.siteA.id, date);
    const [{ n: rolled }] = (await t.db.select({ n: sql<number>`count(*)::int` }).from(schema.siteUsageDaily).where(eq(schema.siteUsageDaily.siteId, p.siteA.id))) as [{ n: number }];
    expect(rolled).toBeGreaterThan(0);

    await t.db.update(schema.bookings).set({ status: 'cancelled' }).where(eq(schema.bookings.id, booking.id));
    await ageMarkers();
    const removed = await removeSettledUsageChanges(t.db, NOW);
    expect(removed.staleRollups).toBeGreaterThan(0);
    expect(await markerCount()).toBe(0);
    expect(await bookedMinutes(p.siteA.id, date)).toBe(first - 120);
  });
});
