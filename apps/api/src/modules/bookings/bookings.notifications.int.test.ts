/**
 * Who hears what when a booking changes (issue #13): each path records its notification in the transaction of the
 * change, to the right person with the facts they need (where, with the site's address; when; what to do by when),
 * and the booking's reminders (pg-boss jobs) are scheduled when it is confirmed, move with it and vanish when it does
 * not take place. The worker is off here: what the transaction wrote is asserted; waitlist.notifications.int.test.ts
 * follows an offer all the way to the inbox.
 */
import { newId, schema } from '@linli/db';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { jobsOf } from '../notifications/testing/fixtures.ts';
import { REMINDER_QUEUE } from '../outbox/job-queue.ts';
import { findBookingById } from '../claims/claims.repository.ts';
import { transitionBooking } from '../claims/space-transitions.ts';
import { runLifecycleSweep } from './lifecycle.service.ts';

const { notifications, notificationDeliveries } = schema;

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let manager: Awaited<ReturnType<typeof createUser>>;
let staff: Awaited<ReturnType<typeof createUser>>;
let admin: Awaited<ReturnType<typeof createUser>>;
let staffToken: string;
const NOW = at('2027-03-01', '09:00'); // a Monday in Shanghai
const DAY = '2027-03-02';
const SITE = { name: '滨江邻里中心', address: '滨江路 88 号' };

beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id, ...SITE });
  manager = await createUser(t.db, { orgId: org.id, role: 'site_manager', siteIds: [site.id] });
  staff = await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] });
  admin = await createUser(t.db, { orgId: org.id, role: 'org_admin' });
  staffToken = tokenFor(t.app, staff);
});
afterAll(() => t.close());

async function resident() {
  const user = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: site.id });
  return { user, token: tokenFor(t.app, user) };
}
const post = (token: string, url: string, payload: object = {}) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), payload });
const patch = (token: string, url: string, payload: object, version?: number) =>
  t.app.inject({ method: 'PATCH', url: `/api/v1${url}`, headers: { ...bearer(token), ...(version ? { 'if-match': `"${version}"` } : {}) }, payload });
async function book(token: string, payload: object) {
  const res = await post(token, '/bookings', payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; status: string };
}

interface Recorded {
  kind: string;
  facts: Record<string, unknown>;
  linkPath: string;
  dedupeKey: string;
}
/** What was recorded for a person (about one booking, when given), oldest first. */
async function notificationsOf(user: { id: string }, bookingId?: string): Promise<Recorded[]> {
  const rows = await t.db
    .select({ kind: notifications.kind, facts: notifications.facts, linkPath: notifications.linkPath, dedupeKey: notifications.dedupeKey })
    .from(notifications)
    .where(eq(notifications.recipientId, user.id))
    .orderBy(asc(notifications.createdAt));
  return bookingId ? rows.filter((row) => row.facts.bookingId === bookingId) : rows;
}
const kindsOf = async (user: { id: string }, bookingId?: string) => (await notificationsOf(user, bookingId)).map((n) => n.kind);

/** A booking's pending reminder jobs by name (`reminder`, `check-in`): when they fire and what they will record. */
async function remindersOf(bookingId: string) {
  const jobs = (await jobsOf(t.db, REMINDER_QUEUE)).filter((job) => job.singletonKey?.startsWith(`booking:${bookingId}:`) && ['created', 'retry'].includes(job.state));
  return Object.fromEntries(
    jobs.map((job) => {
      const intent = (job.data as { intent: { kind: string; recipientId: string; facts: Record<string, unknown> } }).intent;
      return [job.singletonKey!.split(':')[2], { id: job.id, at: new Date(job.startAfter).toISOString(), kind: intent.kind, recipientId: intent.recipientId, facts: intent.facts }];
    }),
  );
}

const placeFacts = (space: { name: string }) => ({ siteName: SITE.name, siteAddress: SITE.address, siteZone: 'Asia/Shanghai', spaceName: space.name });

describe('a booking confirmed at once', () => {
  it("the resident gets a receipt (where, when, cancel by) and a reminder two hours before; the email is queued too", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '多功能室 A', policy: { cancelCutoffMinutes: 60 } });
    const { user, token } = await resident();
    const booking = await book(token, { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') });
    expect(await notificationsOf(user)).toEqual([
      {
        kind: 'booking.confirmed',
        facts: { bookingId: booking.id, ...placeFacts(room), startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00'), cancelUntil: at(DAY, '13:00') },
        linkPath: `/my-bookings?booking=${booking.id}`,
        dedupeKey: `booking.confirmed:${booking.id}`,
      },
    ]);
    const channels = await t.db.select({ channel: notificationDeliveries.channel }).from(notificationDeliveries).where(eq(notificationDeliveries.recipientId, user.id));
    expect(channels.map((d) => d.channel).sort()).toEqual(['email', 'inbox']);
    // No check-in in this room: one reminder, no check-in reminder.
    expect(await remindersOf(booking.id)).toEqual({
      reminder: {
        id: expect.any(String),
        at: at(DAY, '12:00'),
        kind: 'booking.reminder',
        recipientId: user.id,
        facts: { bookingId: booking.id, ...placeFacts(room), startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00'), checkInFrom: null, cancelUntil: at(DAY, '13:00') },
      },
    });
  });

  it('staff booking on behalf of a resident notify the resident, not themselves; a booking for nobody notifies nobody', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { user } = await resident();
    const forResident = await book(staffToken, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00'), bookerId: user.id });
    expect(await kindsOf(user, forResident.id)).toEqual(['booking.confirmed']);
    expect(await kindsOf(staff, forResident.id)).toEqual([]);
    expect(Object.keys(await remindersOf(forResident.id))).toEqual(['reminder']);
    const forNobody = await book(staffToken, { spaceId: room.id, startAt: at(DAY, '12:00'), endAt: at(DAY, '13:00') });
    expect(await t.db.select().from(notifications).where(eq(notifications.dedupeKey, `booking.confirmed:${forNobody.id}`))).toEqual([]);
    expect(await remindersOf(forNobody.id)).toEqual({});
  });

  it('in a room that needs check-in, a "check-in is open" reminder at the window with its deadline; a no-show tells the resident', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { checkInRequired: true, noShowAfterMinutes: 15 } });
    const { user, token } = await resident();
    const booking = await book(token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') });
    const reminders = await remindersOf(booking.id);
    expect(reminders.reminder).toMatchObject({ at: at(DAY, '08:00'), facts: { checkInFrom: at(DAY, '09:45') } });
    expect(reminders['check-in']).toMatchObject({ at: at(DAY, '09:45'), kind: 'booking.check_in_open', recipientId: user.id, facts: { checkInUntil: at(DAY, '10:15') } });

    await runLifecycleSweep(t.db, new Date(at(DAY, '10:16')));
    expect(await notificationsOf(user, booking.id)).toEqual([
      expect.objectContaining({ kind: 'booking.confirmed' }),
      expect.objectContaining({ kind: 'booking.no_show', facts: { bookingId: booking.id, ...placeFacts(room), startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') } }),
    ]);
    expect(await remindersOf(booking.id)).toEqual({});
  });
});

describe('requests that need approval', () => {
  it("ask the site's manager (not its staff, not the admins); approval tells the resident and schedules the reminder", async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '大礼堂', policy: { approvalRequired: true } });
    const { user, token } = await resident();
    const request = await book(token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') });
    expect(request.status).toBe('pending');
    expect(await notificationsOf(manager, request.id)).toEqual([
      {
        kind: 'staff.approval_request',
        facts: { bookingId: request.id, ...placeFacts(hall), startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00'), requesterName: user.displayName },
        linkPath: `/approvals?booking=${request.id}`,
        dedupeKey: `staff.approval_request:${request.id}:v1`,
      },
    ]);
    expect(await kindsOf(staff, request.id)).toEqual([]);
    expect(await kindsOf(admin, request.id)).toEqual([]);
    expect(await kindsOf(user, request.id)).toEqual([]);
    expect(await remindersOf(request.id)).toEqual({});

    expect((await post(staffToken, `/bookings/${request.id}/approve`)).statusCode).toBe(200);
    expect(await notificationsOf(user, request.id)).toEqual([
      expect.objectContaining({ kind: 'booking.approved', facts: expect.objectContaining({ spaceName: '大礼堂', startAt: at(DAY, '14:00'), cancelUntil: at(DAY, '14:00') }) }),
    ]);
    expect(await remindersOf(request.id)).toMatchObject({ reminder: { at: at(DAY, '12:00'), recipientId: user.id } });
  });

  it('a rejection tells the resident the reason staff gave, and schedules nothing', async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { approvalRequired: true } });
    const { user, token } = await resident();
    const request = await book(token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') });
    expect((await post(staffToken, `/bookings/${request.id}/reject`, { reason: '场地已安排社区活动' })).statusCode).toBe(200);
    expect(await notificationsOf(user, request.id)).toEqual([expect.objectContaining({ kind: 'booking.rejected', facts: expect.objectContaining({ reason: '场地已安排社区活动' }) })]);
    expect(await remindersOf(request.id)).toEqual({});
  });

  it('a site nobody manages asks the organization admins instead', async () => {
    const unmanaged = await createSite(t.db, { orgId: org.id });
    const hall = await createSpace(t.db, { orgId: org.id, siteId: unmanaged.id, policy: { approvalRequired: true } });
    const { token } = await resident();
    const request = await book(token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') });
    expect(await kindsOf(admin, request.id)).toEqual(['staff.approval_request']);
    expect(await kindsOf(manager, request.id)).toEqual([]);
  });
});

describe('cancellations', () => {
  it('staff cancelling tells the resident with the reason given (none: no reason) and removes the reminders', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { checkInRequired: true } });
    const { user, token } = await resident();
    const withReason = await book(token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    const without = await book(token, { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') });
    expect(Object.keys(await remindersOf(withReason.id)).sort()).toEqual(['check-in', 'reminder']);
    expect((await post(staffToken, `/bookings/${withReason.id}/cancel`, { reason: '设备检修' })).statusCode).toBe(200);
    expect((await post(staffToken, `/bookings/${without.id}/cancel`)).statusCode).toBe(200);
    expect((await notificationsOf(user, withReason.id)).at(-1)).toMatchObject({ kind: 'booking.cancelled_by_staff', facts: { reason: '设备检修', startAt: at(DAY, '10:00') } });
    expect((await notificationsOf(user, without.id)).at(-1)).toMatchObject({ kind: 'booking.cancelled_by_staff', facts: { reason: null } });
    expect(await remindersOf(withReason.id)).toEqual({});
    expect(await remindersOf(without.id)).toEqual({});
  });

  it("a resident's own cancellation tells nobody, and its reminder vanishes", async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { user, token } = await resident();
    const booking = await book(token, { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') });
    expect((await post(token, `/bookings/${booking.id}/cancel`)).statusCode).toBe(200);
    expect(await kindsOf(user, booking.id)).toEqual(['booking.confirmed']);
    expect(await kindsOf(manager, booking.id)).toEqual([]);
    expect(await remindersOf(booking.id)).toEqual({});
  });

  it('archiving a room tells each booker it was cancelled, and their reminders vanish', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '将停用的房间' });
    const first = await resident();
    const second = await resident();
    const a = await book(first.token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    const b = await book(second.token, { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') });
    const archived = await post(tokenFor(t.app, manager), `/spaces/${room.id}/archive`);
    expect(archived.json().cancelledBookings).toBe(2);
    for (const [who, booking] of [[first, a], [second, b]] as const) {
      expect((await notificationsOf(who.user, booking.id)).at(-1)).toMatchObject({ kind: 'booking.cancelled_by_staff', facts: { spaceName: '将停用的房间', reason: 'space archived' } });
      expect(await remindersOf(booking.id)).toEqual({});
    }
  });
});

describe('refused and rolled-back bookings write nothing', () => {
  it('a slot already taken: the refused resident is told nothing', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const holder = await resident();
    const late = await resident();
    await book(holder.token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    expect((await post(late.token, '/bookings', { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') })).statusCode).toBe(409);
    expect(await notificationsOf(late.user)).toEqual([]);
  });

  it('a booking written and then refused for its equipment rolls back its receipt and its reminder with it', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const [projector] = await t.db.insert(schema.equipmentTypes).values({ orgId: org.id, key: `projector_${newId().slice(0, 8)}`, nameZh: '投影仪', nameEn: 'Projector' }).returning();
    const { user, token } = await resident();
    const refused = await post(token, '/bookings', { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00'), equipment: [{ typeId: projector!.id, quantity: 1 }] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('EQUIPMENT_SHORTFALL');
    expect(await t.db.select().from(schema.bookings).where(eq(schema.bookings.spaceId, room.id))).toEqual([]);
    expect(await notificationsOf(user)).toEqual([]);
    const reminders = (await jobsOf(t.db, REMINDER_QUEUE)).filter((job) => (job.data as { intent: { recipientId: string } }).intent.recipientId === user.id);
    expect(reminders).toEqual([]);
  });
});

describe('moves', () => {
  it('staff moving a booking to another room and time tell the resident the new and the old, and the reminder moves with it', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '小会议室' });
    const other = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: '大会议室' });
    const { user, token } = await resident();
    const booking = await book(token, { spaceId: room.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '11:00') });
    const before = await remindersOf(booking.id);
    const moved = await patch(staffToken, `/bookings/${booking.id}`, { spaceId: other.id, startAt: at(DAY, '15:00'), endAt: at(DAY, '16:00') }, booking.version);
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await notificationsOf(user, booking.id)).at(-1)).toEqual({
      kind: 'booking.moved',
      facts: {
        bookingId: booking.id,
        ...placeFacts(other),
        startAt: at(DAY, '15:00'),
        endAt: at(DAY, '16:00'),
        previousSpaceName: '小会议室',
        previousStartAt: at(DAY, '10:00'),
        previousEndAt: at(DAY, '11:00'),
      },
      linkPath: `/my-bookings?booking=${booking.id}`,
      dedupeKey: `booking.moved:${booking.id}:${at(DAY, '15:00')}:大会议室`,
    });
    const after = await remindersOf(booking.id);
    // The same job, now two hours before the new start and describing the new room.
    expect(after.reminder).toMatchObject({ id: before.reminder!.id, at: at(DAY, '13:00'), facts: { spaceName: '大会议室', startAt: at(DAY, '15:00') } });
  });

  it('a resident moving their own booking is told nothing, and the reminder still moves', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { user, token } = await resident();
    const booking = await book(token, { spaceId: room.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') });
    expect((await patch(token, `/bookings/${booking.id}`, { startAt: at(DAY, '17:00'), endAt: at(DAY, '18:00') }, booking.version)).statusCode).toBe(200);
    expect(await kindsOf(user, booking.id)).toEqual(['booking.confirmed']);
    expect(await remindersOf(booking.id)).toMatchObject({ reminder: { at: at(DAY, '15:00') } });
  });

  it("a resident's change needing approval again asks the manager, and the reminder waits for the approval", async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { approvalRequired: true } });
    const { user, token } = await resident();
    const request = await book(token, { spaceId: hall.id, startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') });
    const approved = (await post(staffToken, `/bookings/${request.id}/approve`)).json();
    expect(Object.keys(await remindersOf(request.id))).toEqual(['reminder']);
    const changed = await patch(token, `/bookings/${request.id}`, { startAt: at(DAY, '17:00'), endAt: at(DAY, '18:00') }, approved.version);
    expect(changed.json().status).toBe('pending');
    // A second request for the same booking: its own event, so the manager hears of it again.
    expect((await notificationsOf(manager, request.id)).map((n) => [n.kind, n.facts.startAt])).toEqual([
      ['staff.approval_request', at(DAY, '14:00')],
      ['staff.approval_request', at(DAY, '17:00')],
    ]);
    expect(await kindsOf(user, request.id)).toEqual(['booking.approved']);
    expect(await remindersOf(request.id)).toEqual({});
  });
});

describe('series: one message for the series, a reminder for every occurrence', () => {
  const weekly = (spaceId: string) => ({ spaceId, startDate: DAY, startTime: '19:00', durationMinutes: 60, rule: 'FREQ=WEEKLY;COUNT=4' });

  it('created, moved and cancelled by staff on behalf of a resident: three messages, reminders following every occurrence', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const { user } = await resident();
    const created = await post(staffToken, '/series', { ...weekly(room.id), bookerId: user.id });
    expect(created.statusCode, created.body).toBe(201);
    const { seriesId, occurrences } = created.json() as { seriesId: string; occurrences: { bookingId: string; startAt: string }[] };
    expect(await notificationsOf(user)).toEqual([
      expect.objectContaining({ kind: 'booking.confirmed', dedupeKey: `booking.confirmed:series:${seriesId}`, facts: expect.objectContaining({ bookingId: occurrences[0]!.bookingId, startAt: at(DAY, '19:00') }) }),
    ]);
    for (const occurrence of occurrences) {
      expect((await remindersOf(occurrence.bookingId)).reminder?.at).toBe(new Date(Date.parse(occurrence.startAt) - 2 * 3_600_000).toISOString());
    }

    expect((await patch(staffToken, `/series/${seriesId}`, { scope: 'all', startTime: '20:00' })).statusCode).toBe(200);
    const moves = (await notificationsOf(user)).filter((n) => n.kind === 'booking.moved');
    expect(moves).toEqual([expect.objectContaining({ facts: expect.objectContaining({ startAt: at(DAY, '20:00'), previousStartAt: at(DAY, '19:00') }) })]);
    for (const occurrence of occurrences) {
      expect((await remindersOf(occurrence.bookingId)).reminder?.at).toBe(new Date(Date.parse(occurrence.startAt) - 3_600_000).toISOString());
    }

    expect((await post(staffToken, `/series/${seriesId}/cancel`, { scope: 'all', reason: '场馆装修' })).statusCode).toBe(200);
    expect((await notificationsOf(user)).filter((n) => n.kind === 'booking.cancelled_by_staff')).toEqual([
      expect.objectContaining({ facts: expect.objectContaining({ bookingId: occurrences[0]!.bookingId, reason: '场馆装修' }) }),
    ]);
    for (const occurrence of occurrences) expect(await remindersOf(occurrence.bookingId)).toEqual({});
  });

  it("a resident's series in a room needing approval asks the manager once", async () => {
    const hall = await createSpace(t.db, { orgId: org.id, siteId: site.id, policy: { approvalRequired: true } });
    const { user, token } = await resident();
    const created = await post(token, '/series', weekly(hall.id));
    expect(created.statusCode, created.body).toBe(201);
    const { seriesId, occurrences } = created.json() as { seriesId: string; occurrences: { bookingId: string }[] };
    const requests = (await notificationsOf(manager)).filter((n) => n.dedupeKey.includes(seriesId));
    expect(requests).toEqual([expect.objectContaining({ kind: 'staff.approval_request', facts: expect.objectContaining({ bookingId: occurrences[0]!.bookingId, requesterName: user.displayName }) })]);
    expect(await notificationsOf(user)).toEqual([]);
    for (const occurrence of occurrences) expect(await remindersOf(occurrence.bookingId)).toEqual({});
  });
});

describe("an activity session's room", () => {
  it('is never announced as a booking, even to a booker it names', async () => {
    const room = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const organizer = await resident();
    const [session] = await t.db
      .insert(schema.bookings)
      .values({ orgId: org.id, siteId: site.id, spaceId: room.id, exclusive: true, bookerId: organizer.user.id, startAt: new Date(at(DAY, '10:00')), endAt: new Date(at(DAY, '12:00')), status: 'confirmed', source: 'activity' })
      .returning();
    await t.db.transaction(async (tx) => {
      const row = await findBookingById(tx, session!.id);
      await transitionBooking(tx, row!, staff.id, { from: ['confirmed'], to: 'cancelled', reason: 'session cancelled' }, new Date(NOW));
    });
    expect(await notificationsOf(organizer.user)).toEqual([]);
  });
});
