/**
 * What a waiting resident hears when the place they wait for comes free (issue #13): an offer to accept by its
 * expiry, with the link that accepts it, or the booking made for them; the resident who freed it by cancelling
 * hears nothing, and a site's manager is asked when the promoted booking still needs approval. The worker runs in
 * this app (NOTIFICATIONS_WORKER=inline), so an offer is followed all the way to the resident's inbox.
 */
import { schema } from '@linli/db';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';
import { runLifecycleSweep } from '../bookings/lifecycle.service.ts';
import { jobsOf } from '../notifications/testing/fixtures.ts';
import { eventually } from '../notifications/testing/smtp-sink.ts';
import { REMINDER_QUEUE } from '../outbox/job-queue.ts';

const { notifications } = schema;

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let manager: Awaited<ReturnType<typeof createUser>>;
let staffToken: string;
const NOW = at('2027-03-01', '09:00'); // a Monday in Shanghai
const DAY = '2027-03-02';

beforeAll(async () => {
  t = await startTestApp({ now: NOW, env: { NOTIFICATIONS_WORKER: 'inline', NOTIFICATION_POLL_SECONDS: '0.5' } });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id, name: '滨江邻里中心', address: '滨江路 88 号' });
  manager = await createUser(t.db, { orgId: org.id, role: 'site_manager', siteIds: [site.id] });
  staffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
});
afterAll(() => t.close());

async function resident() {
  const user = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: site.id });
  return { user, token: tokenFor(t.app, user) };
}
const post = (token: string, url: string, payload: object = {}) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), payload });
async function created(token: string, url: string, payload: object) {
  const res = await post(token, url, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
}
const bookingsOf = async (token: string) => (await t.app.inject({ url: '/api/v1/bookings', headers: bearer(token) })).json().items as { id: string; status: string }[];

async function notificationsOf(user: { id: string }) {
  return t.db
    .select({ kind: notifications.kind, facts: notifications.facts, linkPath: notifications.linkPath })
    .from(notifications)
    .where(eq(notifications.recipientId, user.id))
    .orderBy(asc(notifications.createdAt));
}
const kindsOf = async (user: { id: string }) => (await notificationsOf(user)).map((n) => n.kind);
const reminderKeysOf = async (bookingId: string) =>
  (await jobsOf(t.db, REMINDER_QUEUE)).filter((job) => job.singletonKey?.startsWith(`booking:${bookingId}:`) && job.state === 'created').map((job) => job.singletonKey);

/** A room whose `slot` is held by `holder`, with `waiting` residents in line for it, oldest first. */
async function heldRoom(policy: Record<string, unknown>, waiting: number, from = '19:00', to = '20:00') {
  const room = await createSpace(t.db, { orgId: org.id, siteId: site.id, name: `候补房间 ${from}`, policy });
  const slot = { spaceId: room.id, startAt: at(DAY, from), endAt: at(DAY, to) };
  const holder = await resident();
  const booking = await created(holder.token, '/bookings', slot);
  const line = [];
  for (let i = 0; i < waiting; i++) {
    const person = await resident();
    await created(person.token, '/waitlist', slot);
    line.push(person);
  }
  return { room, slot, holder, booking, line };
}

describe('a place comes free in offer mode', () => {
  it('the first in line is offered it until its expiry, with the link that accepts it; the canceller hears nothing', async () => {
    const { room, slot, holder, booking, line } = await heldRoom({ waitlistMode: 'offer', offerHoldMinutes: 30 }, 2);
    expect((await post(holder.token, `/bookings/${booking.id}/cancel`)).statusCode).toBe(200);
    const [offer] = await bookingsOf(line[0]!.token);
    expect(await notificationsOf(line[0]!.user)).toEqual([
      {
        kind: 'booking.waitlist_offer',
        facts: {
          bookingId: offer!.id,
          siteName: '滨江邻里中心',
          siteAddress: '滨江路 88 号',
          siteZone: 'Asia/Shanghai',
          spaceName: room.name,
          startAt: slot.startAt,
          endAt: slot.endAt,
          offerExpiresAt: at('2027-03-01', '09:30'),
        },
        linkPath: `/my-bookings?offer=${offer!.id}`,
      },
    ]);
    expect(await kindsOf(holder.user)).toEqual(['booking.confirmed']);
    expect(await kindsOf(line[1]!.user)).toEqual([]);
    // An offer is not yet a booking to be reminded of.
    expect(await reminderKeysOf(offer!.id)).toEqual([]);
  });

  it('an offer that lapses passes to the next in line, who is offered it in turn; accepting it brings the receipt and the reminder', async () => {
    const { line } = await heldRoom({ waitlistMode: 'offer', offerHoldMinutes: 30 }, 2, '15:00', '16:00').then(async (room) => {
      await post(room.holder.token, `/bookings/${room.booking.id}/cancel`);
      return room;
    });
    await runLifecycleSweep(t.db, new Date(at('2027-03-01', '09:31')));
    expect(await kindsOf(line[0]!.user)).toEqual(['booking.waitlist_offer']);
    const [second] = await bookingsOf(line[1]!.token);
    expect((await notificationsOf(line[1]!.user)).map((n) => [n.kind, n.facts.offerExpiresAt])).toEqual([['booking.waitlist_offer', at('2027-03-01', '10:01')]]);

    expect((await post(line[1]!.token, `/bookings/${second!.id}/accept-offer`)).json().status).toBe('confirmed');
    expect(await kindsOf(line[1]!.user)).toEqual(['booking.waitlist_offer', 'booking.confirmed']);
    expect(await reminderKeysOf(second!.id)).toEqual([`booking:${second!.id}:reminder`]);
  });

  it('an offer accepted in a room that needs approval asks the manager', async () => {
    const { holder, booking, line } = await heldRoom({ waitlistMode: 'offer', approvalRequired: true }, 1, '17:00', '18:00');
    expect((await post(staffToken, `/bookings/${booking.id}/approve`)).statusCode).toBe(200);
    await post(holder.token, `/bookings/${booking.id}/cancel`);
    const [offer] = await bookingsOf(line[0]!.token);
    expect((await post(line[0]!.token, `/bookings/${offer!.id}/accept-offer`)).json().status).toBe('pending');
    const asked = (await notificationsOf(manager)).filter((n) => n.facts.bookingId === offer!.id);
    expect(asked.map((n) => [n.kind, n.facts.requesterName])).toEqual([['staff.approval_request', line[0]!.user.displayName]]);
  });
});

describe('a place comes free in auto-book mode', () => {
  it('staff cancelling: the booker hears why, the first in line that they are booked, with a reminder', async () => {
    const { holder, booking, line } = await heldRoom({ waitlistMode: 'auto_book' }, 2, '12:00', '13:00');
    expect((await post(staffToken, `/bookings/${booking.id}/cancel`, { reason: '临时维修' })).statusCode).toBe(200);
    expect((await notificationsOf(holder.user)).at(-1)).toMatchObject({ kind: 'booking.cancelled_by_staff', facts: { reason: '临时维修' } });
    const [promoted] = await bookingsOf(line[0]!.token);
    expect(promoted!.status).toBe('confirmed');
    expect(await notificationsOf(line[0]!.user)).toEqual([
      expect.objectContaining({ kind: 'booking.promoted', linkPath: `/my-bookings?booking=${promoted!.id}`, facts: expect.objectContaining({ startAt: at(DAY, '12:00'), cancelUntil: at(DAY, '12:00') }) }),
    ]);
    expect(await reminderKeysOf(promoted!.id)).toEqual([`booking:${promoted!.id}:reminder`]);
    expect(await kindsOf(line[1]!.user)).toEqual([]);
  });

  it('into a room that needs approval: the resident is told, and the manager asked', async () => {
    const { holder, booking, line } = await heldRoom({ waitlistMode: 'auto_book', approvalRequired: true }, 1, '10:00', '11:00');
    await post(staffToken, `/bookings/${booking.id}/approve`);
    await post(holder.token, `/bookings/${booking.id}/cancel`);
    const [promoted] = await bookingsOf(line[0]!.token);
    expect(promoted!.status).toBe('pending');
    expect(await kindsOf(line[0]!.user)).toEqual(['booking.promoted']);
    expect((await notificationsOf(manager)).filter((n) => n.facts.bookingId === promoted!.id).map((n) => n.kind)).toEqual(['staff.approval_request']);
    expect(await reminderKeysOf(promoted!.id)).toEqual([]);
  });
});

describe('end to end', () => {
  it("an offer reaches the resident's inbox, in their language, with the link that accepts it", async () => {
    const { room, holder, booking, line } = await heldRoom({ waitlistMode: 'offer', offerHoldMinutes: 30 }, 1, '20:00', '21:00');
    await post(holder.token, `/bookings/${booking.id}/cancel`);
    const [offer] = await bookingsOf(line[0]!.token);
    const inbox = await eventually('the offer in the inbox', async () => {
      const res = await t.app.inject({ url: '/api/v1/me/notifications', headers: bearer(line[0]!.token) });
      const items = bodyOf<{ items: { kind: string; subject: string; link: string; actionLabel: string }[] }>(res).items;
      return items.length ? items : null;
    });
    expect(inbox).toEqual([
      expect.objectContaining({
        kind: 'booking.waitlist_offer',
        subject: `候补名额：${room.name}，请在2027年3月1日（周一）09:30前确认`,
        actionLabel: '接受名额',
        link: `/my-bookings?offer=${offer!.id}`,
      }),
    ]);
    const unread = await t.app.inject({ url: '/api/v1/me/notifications/unread-count', headers: bearer(line[0]!.token) });
    expect(unread.json()).toEqual({ unread: 1 });
  });
});
