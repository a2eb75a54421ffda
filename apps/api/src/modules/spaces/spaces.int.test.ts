import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER, schema } from '@linli/db';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

const seatArea = (siteId: string) => ({
  siteId,
  name: '自习区 A',
  kind: 'study_area',
  bookingMode: 'shared_capacity',
  capacity: 80,
  features: ['power_outlets', 'quiet_zone'],
});

async function addBooking(spaceId: string, siteId: string, startAt: Date, status = 'confirmed') {
  const [row] = await t.db
    .insert(schema.bookings)
    .values({ orgId: p.org.id, siteId, spaceId, exclusive: true, startAt, endAt: new Date(startAt.getTime() + 3_600_000), status })
    .returning();
  return row!;
}

describe('spaces', () => {
  it('a site manager creates a shared-capacity seat area at their site', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: bearer(p.tokens.manager), payload: seatArea(p.siteA.id) });
    expect(res.statusCode).toBe(201);
    expect(bodyOf(res)).toMatchObject({ bookingMode: 'shared_capacity', capacity: 80, bookableBy: 'residents', openTo: 'everyone' });
  });

  it.each([
    ['capacity 0', { capacity: 0 }, 'body.capacity'],
    ['negative capacity', { capacity: -5 }, 'body.capacity'],
    ['an unknown booking mode', { bookingMode: 'first_come' }, 'body.bookingMode'],
    ['a policy with an unknown rule', { policy: { maxPeople: 3 } }, 'body.policy'],
    ['a slot size that does not divide a day', { policy: { slotMinutes: 7 } }, 'body.policy.slotMinutes'],
  ])('refuses %s with a 400 naming the field', async (_label, patch, path) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: bearer(p.tokens.admin), payload: { ...seatArea(p.siteA.id), ...patch } });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('staff cannot create spaces and a manager cannot create one at another site', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: bearer(p.tokens.staff), payload: seatArea(p.siteA.id) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: bearer(p.tokens.manager), payload: seatArea(p.siteB.id) })).statusCode).toBe(404);
  });

  it('residents do not see staff-only or archived spaces', async () => {
    const staffOnly = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, bookableBy: 'staff_only' });
    const archived = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, archivedAt: new Date() });
    const list = bodyOf(await t.app.inject({ url: `/api/v1/spaces?siteId=${p.siteA.id}&limit=200`, headers: bearer(p.tokens.resident) }));
    const ids = list.items.map((s: { id: string }) => s.id);
    expect(ids).toContain(p.spaceA.id);
    expect(ids).not.toContain(staffOnly.id);
    expect(ids).not.toContain(archived.id);
    expect((await t.app.inject({ url: `/api/v1/spaces/${staffOnly.id}`, headers: bearer(p.tokens.resident) })).statusCode).toBe(404);
  });

  it('a space that bookings refer to is archived, not deleted, and its bookings stay', async () => {
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id });
    await addBooking(space.id, p.siteA.id, new Date('2026-01-05T02:00:00Z'), 'completed');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/spaces/${space.id}`, headers: bearer(p.tokens.admin) });
    expect(del.statusCode).toBe(409);
    const archived = await t.app.inject({ method: 'POST', url: `/api/v1/spaces/${space.id}/archive`, headers: bearer(p.tokens.admin) });
    expect(bodyOf(archived).archivedAt).toEqual(expect.any(String));
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${space.id}`, headers: bearer(p.tokens.admin), payload: { name: 'x' } });
    expect(edit.statusCode).toBe(409);
    const unused = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/spaces/${unused.id}`, headers: bearer(p.tokens.admin) })).statusCode).toBe(200);
  });

  it('archiving a room cancels the bookings that would start after it, each with an event; history and bookings under way stay', async () => {
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id });
    const hour = 3_600_000;
    const soon = (hours: number) => new Date(Date.now() + hours * hour);
    const past = await addBooking(space.id, p.siteA.id, soon(-48), 'completed');
    const earlierCancelled = await addBooking(space.id, p.siteA.id, soon(24), 'cancelled');
    const underWay = await addBooking(space.id, p.siteA.id, soon(-0.5), 'confirmed');
    const checkedIn = await addBooking(space.id, p.siteA.id, soon(0.6), 'checked_in');
    const confirmed = await addBooking(space.id, p.siteA.id, soon(2), 'confirmed');
    const offer = await addBooking(space.id, p.siteA.id, soon(30), 'pending');
    const resident = p.resident.id;
    await t.db.insert(schema.waitlistEntries).values({ orgId: p.org.id, siteId: p.siteA.id, spaceId: space.id, userId: resident, startAt: offer.startAt, endAt: offer.endAt, status: 'offered', bookingId: offer.id });

    const res = await t.app.inject({ method: 'POST', url: `/api/v1/spaces/${space.id}/archive`, headers: bearer(p.tokens.manager) });
    expect(res.statusCode, res.body).toBe(200);
    expect(bodyOf(res)).toMatchObject({ id: space.id, archivedAt: expect.any(String), cancelledBookings: 2 });

    const statusOf = new Map((await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, space.id))).map((b) => [b.id, b.status]));
    expect(Object.fromEntries([past, earlierCancelled, underWay, checkedIn, confirmed, offer].map((b) => [b.id, statusOf.get(b.id)]))).toEqual({
      [past.id]: 'completed',
      [earlierCancelled.id]: 'cancelled',
      [underWay.id]: 'confirmed',
      [checkedIn.id]: 'checked_in',
      [confirmed.id]: 'cancelled',
      [offer.id]: 'cancelled',
    });
    const events = await t.db.select().from(schema.bookingEvents).where(inArray(schema.bookingEvents.bookingId, [...statusOf.keys()]));
    expect(events.map((e) => [e.bookingId, e.fromStatus, e.toStatus, e.reason, e.actorId]).sort()).toEqual(
      [
        [confirmed.id, 'confirmed', 'cancelled', 'space archived', p.manager.id],
        [offer.id, 'pending', 'cancelled', 'space archived', p.manager.id],
      ].sort(),
    );
    const [entry] = await t.db.select().from(schema.waitlistEntries).where(eq(schema.waitlistEntries.bookingId, offer.id));
    expect(entry!.status).toBe('expired');

    // Archiving again changes nothing: the first archive instant stands and there is nothing left to cancel.
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/spaces/${space.id}/archive`, headers: bearer(p.tokens.manager) });
    expect(bodyOf(again)).toMatchObject({ archivedAt: bodyOf(res).archivedAt, cancelledBookings: 0 });
  });

  it('migration 0008: a space archived before archiving cancelled bookings has its later ones cancelled, with events', async () => {
    const archivedAt = new Date(Date.now() - 86_400_000);
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, archivedAt });
    const before = await addBooking(space.id, p.siteA.id, new Date(archivedAt.getTime() - 7_200_000), 'completed');
    const after = await addBooking(space.id, p.siteA.id, new Date(Date.now() + 86_400_000), 'confirmed');
    await t.db.execute(sql.raw(await readFile(join(MIGRATIONS_FOLDER, '0008_series_and_archive.sql'), 'utf8')));

    const rows = await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, space.id));
    expect(Object.fromEntries(rows.map((b) => [b.id, b.status]))).toEqual({ [before.id]: 'completed', [after.id]: 'cancelled' });
    const events = await t.db.select().from(schema.bookingEvents).where(eq(schema.bookingEvents.bookingId, after.id));
    expect(events).toMatchObject([{ fromStatus: 'confirmed', toStatus: 'cancelled', reason: 'space archived', actorId: null }]);
    expect(events[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a space with upcoming bookings cannot switch booking mode or shrink (promises already made)', async () => {
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, capacity: 20 });
    await addBooking(space.id, p.siteA.id, new Date(Date.now() + 86_400_000));
    const mode = await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${space.id}`, headers: bearer(p.tokens.admin), payload: { bookingMode: 'shared_capacity' } });
    expect(mode.statusCode).toBe(409);
    const shrink = await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${space.id}`, headers: bearer(p.tokens.admin), payload: { capacity: 10 } });
    expect(shrink.statusCode).toBe(409);
    const grow = await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${space.id}`, headers: bearer(p.tokens.admin), payload: { capacity: 30, features: ['projector'] } });
    expect(bodyOf(grow)).toMatchObject({ capacity: 30, features: ['projector'] });
  });
});

describe('effective policy', () => {
  it('each rule comes from the most specific level that sets it, and says which level that is', async () => {
    const admin = bearer(p.tokens.admin);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/organization', headers: admin, payload: { policy: { horizonDays: 14, quotaPerWeekCount: 10, slotMinutes: 30 } } });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/sites/${p.siteA.id}`, headers: admin, payload: { policy: { horizonDays: 21, approvalRequired: true } } });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${p.spaceA.id}`, headers: admin, payload: { policy: { approvalRequired: false, maxDurationMinutes: 120 } } });

    const res = await t.app.inject({ url: `/api/v1/spaces/${p.spaceA.id}/policy`, headers: bearer(p.tokens.resident) });
    expect(res.statusCode).toBe(200);
    const policy = bodyOf(res);
    expect(policy.values).toMatchObject({ horizonDays: 21, quotaPerWeekCount: 10, approvalRequired: false, maxDurationMinutes: 120, bufferMinutes: 0 });
    expect(policy.sources).toMatchObject({ horizonDays: 'site', quotaPerWeekCount: 'org', approvalRequired: 'space', maxDurationMinutes: 'space', bufferMinutes: 'default' });
    expect(policy.levels.site).toEqual({ horizonDays: 21, approvalRequired: true });
    // Without the space's own rules, the site's approval and the default maximum length would apply.
    expect(policy.inherited).toMatchObject({ approvalRequired: true, horizonDays: 21, quotaPerWeekCount: 10 });
    expect(policy.inherited.maxDurationMinutes).not.toBe(120);
    expect(policy.inheritedSources).toMatchObject({ approvalRequired: 'site', horizonDays: 'site', quotaPerWeekCount: 'org', maxDurationMinutes: 'default' });

    // The same view one level up, for editing a site's or the organization's own rules.
    const site = bodyOf(await t.app.inject({ url: `/api/v1/sites/${p.siteA.id}/policy`, headers: admin }));
    expect(site).toMatchObject({ level: 'site', own: { horizonDays: 21, approvalRequired: true } });
    expect(site.values).toMatchObject({ horizonDays: 21, approvalRequired: true, quotaPerWeekCount: 10 });
    expect(site.inherited).toMatchObject({ horizonDays: 14, quotaPerWeekCount: 10 });
    expect(site.inheritedSources).toMatchObject({ horizonDays: 'org', approvalRequired: 'default' });
    const org = bodyOf(await t.app.inject({ url: '/api/v1/organization/policy', headers: admin }));
    expect(org).toMatchObject({ level: 'org', own: { horizonDays: 14, quotaPerWeekCount: 10, slotMinutes: 30 } });
    expect(org.values.horizonDays).toBe(14);
    expect(org.inheritedSources.horizonDays).toBe('default');
    expect(org.inherited.horizonDays).not.toBe(14);
  });
});

describe('what residents read about a space before booking (#14.6)', () => {
  const post = (payload: object, token = p.tokens.admin) => t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: bearer(token), payload });
  const patch = (id: string, payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${id}`, headers: bearer(p.tokens.admin), payload });

  it('a space keeps its description (several lines) and an https photo, and a resident reads them', async () => {
    const created = await post({ ...seatArea(p.siteA.id), description: '安静的自习区。\n提供电源插座。', photoUrl: 'https://images.example.com/study-a.jpg' });
    expect(created.statusCode, created.body).toBe(201);
    const seen = bodyOf(await t.app.inject({ url: `/api/v1/spaces/${bodyOf(created).id}`, headers: bearer(p.tokens.resident) }));
    expect(seen).toMatchObject({ description: '安静的自习区。\n提供电源插座。', photoUrl: 'https://images.example.com/study-a.jpg' });

    // Emptied, they are gone (null), not an empty string the app would show as a blank picture.
    const cleared = await patch(bodyOf(created).id, { description: '  ', photoUrl: null });
    expect(bodyOf(cleared)).toMatchObject({ description: null, photoUrl: null });
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:image/png;base64,iVBORw0KGgo='],
    ['plain http', 'http://images.example.com/a.jpg'],
    ['a relative path', '/uploads/a.jpg'],
    ['credentials in the address', 'https://user:pw@images.example.com/a.jpg'],
    ['an address over 500 characters', `https://images.example.com/${'a'.repeat(480)}.jpg`],
    ['a line break', 'https://images.example.com/a.jpg\nX-Injected: 1'],
  ])('refuses a photo address that is %s', async (_, photoUrl) => {
    const created = await post({ ...seatArea(p.siteA.id), photoUrl });
    expect(created.statusCode).toBe(400);
    expect(bodyOf(created).errors.map((e: { path: string }) => e.path)).toContain('body.photoUrl');
    expect((await patch(p.spaceA.id, { photoUrl })).statusCode).toBe(400);
  });

  it('refuses a description over 2000 characters or with control characters', async () => {
    expect((await patch(p.spaceA.id, { description: 'x'.repeat(2001) })).statusCode).toBe(400);
    expect((await patch(p.spaceA.id, { description: 'a\u0007b' })).statusCode).toBe(400);
    expect((await patch(p.spaceA.id, { description: 'x'.repeat(2000) })).statusCode).toBe(200);
  });

  it("staff cannot describe a space; another organization's space is 404", async () => {
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${p.spaceA.id}`, headers: bearer(p.tokens.staff), payload: { description: 'x' } })).statusCode).toBe(403);
    expect((await patch(p.otherSpace.id, { description: 'x' })).statusCode).toBe(404);
  });
});
