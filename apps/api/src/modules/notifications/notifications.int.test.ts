/**
 * The in-app inbox (the bell), a person's choices and what they change, and an app without an SMTP server.
 * Notifications are triggered by recording intents in a test transaction (the hook-ins come later).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { notify } from '../outbox/outbox.ts';
import {
  type NotificationWorld,
  bookingConfirmed,
  bookingFacts,
  createNotificationWorld,
  createRecipient,
  deliveriesOf,
  recordInTransaction,
} from './testing/fixtures.ts';
import { eventually } from './testing/smtp-sink.ts';

let t: TestApp;
let world: NotificationWorld;

beforeAll(async () => {
  // No SMTP_URL: email deliveries are skipped with the reason, the inbox works.
  t = await startTestApp({ env: { NOTIFICATIONS_WORKER: 'inline', NOTIFICATION_POLL_SECONDS: '0.5' } });
  world = await createNotificationWorld(t.db);
});
afterAll(() => t?.close());

const headersOf = (user: { id: string; orgId: string; role: string }) => bearer(tokenFor(t.app, { ...user, siteIds: [] }));
const allSettled = (userId: string, count: number) =>
  eventually('every delivery settled', async () => {
    const rows = await deliveriesOf(t.db, userId);
    return rows.length === count && rows.every((d) => d.status !== 'queued') ? rows : null;
  });

describe('the inbox', () => {
  it('lists messages newest first in the reader\'s language, counts the unread and marks them read', async () => {
    const resident = await createRecipient(t.db, world, { locale: 'en' });
    const headers = headersOf(resident);
    const older = bookingFacts(world, { spaceName: 'Room one' });
    const newer = bookingFacts(world, { spaceName: 'Room two' });
    await recordInTransaction(t.db, [bookingConfirmed(world, resident, older)]);
    await recordInTransaction(t.db, [notify.bookingCancelledByStaff({ orgId: world.org.id, recipientId: resident.id, facts: { ...newer, reason: 'Burst pipe' } })]);
    await allSettled(resident.id, 4);

    const list = await t.app.inject({ url: '/api/v1/me/notifications', headers });
    expect(list.statusCode).toBe(200);
    const { items } = bodyOf(list);
    expect(items.map((i: { subject: string }) => i.subject)).toEqual(['Booking cancelled by staff: Room two', 'Booking confirmed: Room one']);
    expect(items[0]).toMatchObject({ kind: 'booking.cancelled_by_staff', category: 'booking', actionLabel: 'View details', link: `/my-bookings?booking=${newer.bookingId}`, readAt: null });
    expect(items[0].lines).toContain('Reason: Burst pipe');
    expect(items[0].lines).toContain(`Where: ${world.site.name}, ${world.site.address}`);

    const unread = async () => bodyOf(await t.app.inject({ url: '/api/v1/me/notifications/unread-count', headers })).unread;
    expect(await unread()).toBe(2);
    const read = await t.app.inject({ method: 'POST', url: `/api/v1/me/notifications/${items[0].id}/read`, headers });
    expect(read.json()).toEqual({ marked: 1 });
    expect(await unread()).toBe(1);
    const unreadOnly = bodyOf(await t.app.inject({ url: '/api/v1/me/notifications?unread=true', headers })).items;
    expect(unreadOnly.map((i: { id: string }) => i.id)).toEqual([items[1].id]);
    expect(bodyOf(await t.app.inject({ method: 'POST', url: '/api/v1/me/notifications/read-all', headers }))).toEqual({ marked: 1 });
    expect(await unread()).toBe(0);

    const firstPage = bodyOf(await t.app.inject({ url: '/api/v1/me/notifications?limit=1', headers }));
    expect(firstPage.items).toHaveLength(1);
    const secondPage = bodyOf(await t.app.inject({ url: `/api/v1/me/notifications?limit=1&cursor=${firstPage.nextCursor}`, headers }));
    expect(secondPage.items.map((i: { id: string }) => i.id)).toEqual([items[1].id]);
    expect(secondPage.nextCursor).toBeNull();
  });

  it("nobody reads or marks someone else's messages", async () => {
    const owner = await createRecipient(t.db, world);
    const other = await createRecipient(t.db, world);
    await recordInTransaction(t.db, [bookingConfirmed(world, owner)]);
    await allSettled(owner.id, 2);
    const [item] = bodyOf(await t.app.inject({ url: '/api/v1/me/notifications', headers: headersOf(owner) })).items;
    expect(bodyOf(await t.app.inject({ url: '/api/v1/me/notifications', headers: headersOf(other) })).items).toEqual([]);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/me/notifications/${item.id}/read`, headers: headersOf(other) });
    expect(res.statusCode).toBe(404);
    expect(bodyOf(await t.app.inject({ url: '/api/v1/me/notifications/unread-count', headers: headersOf(owner) })).unread).toBe(1);
  });

  it('without SMTP_URL the email is skipped with the reason, and the inbox still gets it', async () => {
    const resident = await createRecipient(t.db, world);
    await recordInTransaction(t.db, [bookingConfirmed(world, resident)]);
    const rows = await allSettled(resident.id, 2);
    expect(rows.map((d) => [d.channel, d.status, d.lastError])).toEqual([
      ['email', 'skipped', 'SMTP_URL is not set'],
      ['inbox', 'sent', null],
    ]);
  });
});

describe("a person's choices", () => {
  it('start from the defaults: quiet hours 22:00-08:00, everything on, booking messages locked on in the app', async () => {
    // A person who never saved a choice has no preferences row.
    const fresh = await createUser(t.db, { orgId: world.org.id, role: 'resident', homeSiteId: world.site.id });
    const res = await t.app.inject({ url: '/api/v1/me/notification-preferences', headers: headersOf(fresh) });
    expect(res.statusCode).toBe(200);
    const prefs = res.json();
    expect(prefs).toMatchObject({ language: 'zh-CN', timezone: null, effectiveTimezone: world.site.timezone, quietHours: { start: '22:00', end: '08:00' }, nightOffersByEmail: false, staffDigest: false });
    expect(prefs.channels).toContainEqual({ category: 'booking', channel: 'inbox', enabled: true, locked: true });
    expect(prefs.channels).toContainEqual({ category: 'reminder', channel: 'inbox', enabled: true, locked: false });
    expect(prefs.channels.every((c: { enabled: boolean }) => c.enabled)).toBe(true);
  });

  it('turning categories off changes what is recorded; booking messages cannot be turned off in the app', async () => {
    const resident = await createRecipient(t.db, world);
    const headers = headersOf(resident);
    const body = {
      timezone: 'Europe/Berlin',
      quietHours: { start: '23:00', end: '07:30' },
      nightOffersByEmail: true,
      staffDigest: false,
      disabled: [
        { category: 'booking', channel: 'email' },
        { category: 'reminder', channel: 'inbox' },
        { category: 'reminder', channel: 'email' },
      ],
    };
    const saved = await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers, payload: body });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ timezone: 'Europe/Berlin', effectiveTimezone: 'Europe/Berlin', quietHours: { start: '23:00', end: '07:30' }, nightOffersByEmail: true });
    expect(saved.json().channels).toContainEqual({ category: 'booking', channel: 'email', enabled: false, locked: false });

    await recordInTransaction(t.db, [bookingConfirmed(world, resident)]);
    await recordInTransaction(t.db, [notify.bookingReminder({ orgId: world.org.id, recipientId: resident.id, facts: { ...bookingFacts(world), checkInFrom: null } })]);
    const rows = await allSettled(resident.id, 1);
    expect(rows.map((d) => d.channel)).toEqual(['inbox']);

    const locked = await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers, payload: { ...body, disabled: [{ category: 'booking', channel: 'inbox' }] } });
    expect(locked.statusCode).toBe(422);
    expect(locked.json().code).toBe('NOTIFICATION_SETTING_LOCKED');
  });

  it('refuses quiet hours that start when they end, an unknown zone, or an unknown category', async () => {
    const resident = await createRecipient(t.db, world);
    const base = { timezone: null, quietHours: null, nightOffersByEmail: false, staffDigest: false, disabled: [] };
    for (const payload of [
      { ...base, quietHours: { start: '22:00', end: '22:00' } },
      { ...base, quietHours: { start: '25:00', end: '08:00' } },
      { ...base, timezone: 'Mars/Olympus' },
      { ...base, disabled: [{ category: 'spam', channel: 'email' }] },
      { ...base, disabled: [{ category: 'booking', channel: 'pigeon' }] },
    ]) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/v1/me/notification-preferences', headers: headersOf(resident), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('staff on the daily digest get requests in the app only, not one email each', async () => {
    const staff = await createUser(t.db, { orgId: world.org.id, role: 'staff', siteIds: [world.site.id] });
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      headers: headersOf(staff),
      payload: { timezone: null, quietHours: null, nightOffersByEmail: false, staffDigest: true, disabled: [] },
    });
    expect(res.statusCode).toBe(200);
    await recordInTransaction(t.db, [notify.staffApprovalRequest({ orgId: world.org.id, recipientId: staff.id, facts: { ...bookingFacts(world), requesterName: '王小明' } })]);
    expect((await deliveriesOf(t.db, staff.id)).map((d) => d.channel)).toEqual(['inbox']);
  });
});
