/**
 * What people hear about claims on a space (docs/notifications.md), decided here for every path that changes a
 * booking: the facts of its messages, who is told, and the reminders that follow a confirmed booking (scheduled when
 * it is confirmed, moved with it, gone once it is not). The booker hears what someone else did to their booking and
 * gets a receipt when it is confirmed; a site's managers hear of requests waiting for them. A session's room (source
 * 'activity') is never announced as a booking: the session's registrants hear about the session instead.
 * Part of the claims core: it calls down into the outbox and imports no feature. Callers collect the intents of one
 * transaction and record them with one recordNotifications call at its end.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import { type BookingFacts, CHECK_IN_OPENS_MINUTES_BEFORE_START, type PolicyValues, checkInClosesAt, getEffectivePolicy } from '@linli/domain';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../lib/sql.ts';
import { type NotificationIntent, cancelReminder, notify, scheduleNewReminders, scheduleReminder } from '../outbox/outbox.ts';
import type { BookingRow, SiteRow, SpaceRow } from './space-context.ts';

const { spaces, sites, organizations } = schema;
type Db = Database | Transaction;
const MINUTE_MS = 60_000;

/** How long before a confirmed booking starts its "coming up" reminder goes out. */
const BOOKING_REMINDER_LEAD_MINUTES = 120;

/** The place a booking's messages name and the rules they quote (cancel by, check in from); a SpaceContext is one. */
export interface BookingPlace {
  space: Pick<SpaceRow, 'name'>;
  site: Pick<SiteRow, 'name' | 'address' | 'timezone'>;
  policy: { values: Pick<PolicyValues, 'cancelCutoffMinutes' | 'checkInRequired' | 'noShowAfterMinutes'> };
}

/** The fields of a booking its messages and reminders are made from. */
export type NoticedBooking = Pick<BookingRow, 'id' | 'orgId' | 'siteId' | 'spaceId' | 'bookerId' | 'startAt' | 'endAt' | 'status' | 'source' | 'version' | 'offerExpiresAt'>;

/** A booking is announced to its booker: a session's room is not, nor a booking staff made for nobody in particular. */
const isAnnounced = (booking: Pick<NoticedBooking, 'source' | 'bookerId'>) => booking.source !== 'activity' && booking.bookerId !== null;

export function bookingFacts(booking: NoticedBooking, place: BookingPlace): BookingFacts {
  return {
    bookingId: booking.id,
    siteName: place.site.name,
    siteAddress: place.site.address,
    siteZone: place.site.timezone,
    spaceName: place.space.name,
    startAt: booking.startAt.toISOString(),
    endAt: booking.endAt.toISOString(),
  };
}

/** Until when the booker may cancel it themselves: the policy's cut-off before the start. */
const cancelDeadlineOf = (booking: NoticedBooking, place: BookingPlace) => booking.startAt.getTime() - place.policy.values.cancelCutoffMinutes * MINUTE_MS;
const cancelUntilOf = (booking: NoticedBooking, place: BookingPlace) => new Date(cancelDeadlineOf(booking, place)).toISOString();

const toBooker = (booking: NoticedBooking) => ({ orgId: booking.orgId, recipientId: booking.bookerId! });

// ---- reading what the messages need ---------------------------------------------------------------------------------

/** The place of a booking on `spaceId`, for paths that have no SpaceContext at hand (an archived space included). */
export async function findBookingPlace(db: Db, spaceId: string): Promise<BookingPlace> {
  const [row] = await db
    .select({ space: spaces, site: sites, orgPolicy: organizations.policy })
    .from(spaces)
    .innerJoin(sites, eq(sites.id, spaces.siteId))
    .innerJoin(organizations, eq(organizations.id, spaces.orgId))
    .where(eq(spaces.id, spaceId));
  if (!row) throw new Error(`space ${spaceId} of a booking does not exist`);
  return { space: row.space, site: row.site, policy: getEffectivePolicy({ org: row.orgPolicy, site: row.site.policy, space: row.space.policy }) };
}

/**
 * Who is asked to approve a request at a site, and the requester's name, in one read. The site's managers are
 * asked; the organization's admins only when nobody (enabled) manages the site. Staff may approve too, but they
 * work from the approvals list rather than a message per request.
 */
async function findApprovalAudience(db: Db, request: { orgId: string; siteId: string; requesterId: string }): Promise<{ approverIds: string[]; requesterName: string }> {
  const [row] = await queryRows<{ approverIds: string[] | null; requesterName: string | null }>(
    db,
    sql`SELECT
          (SELECT display_name FROM users WHERE id = ${request.requesterId}) AS "requesterName",
          COALESCE(
            (SELECT array_agg(u.id::text ORDER BY u.id) FROM user_sites us JOIN users u ON u.id = us.user_id
              WHERE us.site_id = ${request.siteId} AND u.org_id = ${request.orgId} AND u.role = 'site_manager' AND u.disabled_at IS NULL),
            (SELECT array_agg(u.id::text ORDER BY u.id) FROM users u
              WHERE u.org_id = ${request.orgId} AND u.role = 'org_admin' AND u.disabled_at IS NULL)
          ) AS "approverIds"`,
  );
  return { approverIds: row?.approverIds ?? [], requesterName: row?.requesterName ?? '' };
}

// ---- messages -------------------------------------------------------------------------------------------------------

/**
 * Asks the site's managers to approve `booking`. Each request is its own event (the key names the booking's
 * version), so a confirmed booking changed back into a request asks again; a series passes one key for all.
 */
export async function approvalRequests(tx: Transaction, booking: NoticedBooking, place: BookingPlace, eventKey?: string): Promise<NotificationIntent[]> {
  if (!isAnnounced(booking)) return [];
  const { approverIds, requesterName } = await findApprovalAudience(tx, { orgId: booking.orgId, siteId: booking.siteId, requesterId: booking.bookerId! });
  const facts = { ...bookingFacts(booking, place), requesterName };
  const key = eventKey ?? `staff.approval_request:${booking.id}:v${booking.version}`;
  return approverIds.map((recipientId) => notify.staffApprovalRequest({ orgId: booking.orgId, recipientId, facts, eventKey: key }));
}

function confirmedNotice(booking: NoticedBooking, place: BookingPlace, eventKey?: string): NotificationIntent {
  return notify.bookingConfirmed({ ...toBooker(booking), facts: { ...bookingFacts(booking, place), cancelUntil: cancelUntilOf(booking, place) }, ...(eventKey ? { eventKey } : {}) });
}

export function cancelledByStaffNotice(booking: NoticedBooking, place: BookingPlace, reason: string | null, eventKey?: string): NotificationIntent {
  return notify.bookingCancelledByStaff({ ...toBooker(booking), facts: { ...bookingFacts(booking, place), reason }, ...(eventKey ? { eventKey } : {}) });
}

export function movedNotice(before: NoticedBooking, after: NoticedBooking, place: BookingPlace, previousSpaceName: string, eventKey?: string): NotificationIntent {
  const facts = { ...bookingFacts(after, place), previousSpaceName, previousStartAt: before.startAt.toISOString(), previousEndAt: before.endAt.toISOString() };
  return notify.bookingMoved({ ...toBooker(after), facts, ...(eventKey ? { eventKey } : {}) });
}

/** Whether a change put the booking somewhere else or at another time (what the booker must hear of). */
export const isMove = (before: NoticedBooking, after: NoticedBooking) =>
  before.spaceId !== after.spaceId || before.startAt.getTime() !== after.startAt.getTime() || before.endAt.getTime() !== after.endAt.getTime();

// ---- reminders ------------------------------------------------------------------------------------------------------

const reminderKeyOf = (bookingId: string) => `booking:${bookingId}:reminder`;
const checkInKeyOf = (bookingId: string) => `booking:${bookingId}:check-in`;

/** A confirmed booking's reminders: "coming up" ahead of its start and, where check-in is required, "check-in is open". */
function remindersOf(booking: NoticedBooking, place: BookingPlace): { key: string; at: Date; intent: NotificationIntent }[] {
  const start = booking.startAt.getTime();
  const { checkInRequired, noShowAfterMinutes } = place.policy.values;
  const facts = bookingFacts(booking, place);
  const remindAt = start - BOOKING_REMINDER_LEAD_MINUTES * MINUTE_MS;
  const checkInFrom = start - CHECK_IN_OPENS_MINUTES_BEFORE_START * MINUTE_MS;
  const cancelDeadline = cancelDeadlineOf(booking, place);
  const reminders: { key: string; at: Date; intent: NotificationIntent }[] = [
    {
      key: reminderKeyOf(booking.id),
      at: new Date(remindAt),
      intent: notify.bookingReminder({
        ...toBooker(booking),
        // A deadline already behind the reader when the reminder arrives is left out rather than quoted.
        facts: { ...facts, checkInFrom: checkInRequired ? new Date(checkInFrom).toISOString() : null, cancelUntil: cancelDeadline > remindAt ? new Date(cancelDeadline).toISOString() : null },
      }),
    },
  ];
  if (checkInRequired) {
    const checkInUntil = new Date(checkInClosesAt({ start, end: booking.endAt.getTime(), noShowAfterMinutes })).toISOString();
    reminders.push({ key: checkInKeyOf(booking.id), at: new Date(checkInFrom), intent: notify.bookingCheckInOpen({ ...toBooker(booking), facts: { ...facts, checkInUntil } }) });
  }
  return reminders;
}

/**
 * Keeps a booking's reminders in step with it. While it is confirmed (and announced) they are scheduled, and
 * scheduling a key again moves it; a reminder whose time has already come is not sent (the booker was just told
 * everything it would say). Once it is not confirmed, reminders it may have are removed. `scheduled`: whether the
 * booking may already have reminders (it was confirmed before this change), so a new booking costs no look-up.
 */
/** The reminders a booking should have now: those of a confirmed, announced booking still ahead. */
function dueReminders(booking: NoticedBooking, place: BookingPlace | null, now: Date) {
  return booking.status === 'confirmed' && isAnnounced(booking) && place ? remindersOf(booking, place).filter((r) => r.at.getTime() > now.getTime()) : [];
}

export async function syncBookingReminders(tx: Transaction, booking: NoticedBooking, place: BookingPlace | null, options: { now: Date; scheduled: boolean }): Promise<void> {
  const due = dueReminders(booking, place, options.now);
  for (const reminder of due) await scheduleReminder(tx, reminder, { now: options.now });
  if (!options.scheduled) return;
  for (const key of [reminderKeyOf(booking.id), checkInKeyOf(booking.id)]) {
    if (!due.some((r) => r.key === key)) await cancelReminder(tx, key);
  }
}

// ---- what each kind of change tells whom ----------------------------------------------------------------------------

/**
 * New bookings: the booker gets a receipt when they are confirmed (made by them or for them), the managers a request
 * when they wait for approval, and each confirmed one its reminders. A series passes all its occurrences and its id:
 * one message for the series (naming its first occurrence), reminders for every occurrence.
 */
export async function noticeNewBookings(
  tx: Transaction,
  bookings: readonly NoticedBooking[],
  place: BookingPlace,
  options: { now: Date; seriesId?: string },
  notices: NotificationIntent[],
): Promise<void> {
  const first = bookings[0];
  if (!first || !isAnnounced(first)) return;
  const series = options.seriesId;
  if (first.status === 'confirmed') notices.push(confirmedNotice(first, place, series ? `booking.confirmed:series:${series}` : undefined));
  if (first.status === 'pending') notices.push(...(await approvalRequests(tx, first, place, series ? `staff.approval_request:series:${series}` : undefined)));
  // New bookings have no reminders yet: all of them in one insert (a series has hundreds).
  await scheduleNewReminders(tx, bookings.flatMap((booking) => dueReminders(booking, place, options.now)), { now: options.now });
}

type TransitionNews = 'booking.confirmed' | 'booking.approved' | 'booking.rejected' | 'booking.cancelled_by_staff' | 'booking.no_show';

/** What a status change is news of to the booker: what someone else did, or the receipt of an offer they accepted. */
function transitionNewsOf(before: NoticedBooking, after: NoticedBooking, actorId: string | null): TransitionNews | null {
  const byOther = actorId !== after.bookerId;
  switch (after.status) {
    case 'confirmed':
      if (before.offerExpiresAt) return 'booking.confirmed';
      return byOther ? 'booking.approved' : null;
    case 'rejected':
      return byOther ? 'booking.rejected' : null;
    case 'cancelled':
      return byOther ? 'booking.cancelled_by_staff' : null;
    case 'no_show':
      return 'booking.no_show';
    default:
      return null;
  }
}

function transitionNotice(kind: TransitionNews, booking: NoticedBooking, place: BookingPlace, reason: string | null): NotificationIntent {
  const facts = bookingFacts(booking, place);
  const to = toBooker(booking);
  switch (kind) {
    case 'booking.confirmed':
      return confirmedNotice(booking, place);
    case 'booking.approved':
      return notify.bookingApproved({ ...to, facts: { ...facts, cancelUntil: cancelUntilOf(booking, place) } });
    case 'booking.rejected':
      return notify.bookingRejected({ ...to, facts: { ...facts, reason } });
    case 'booking.cancelled_by_staff':
      return cancelledByStaffNotice(booking, place, reason);
    case 'booking.no_show':
      return notify.bookingNoShow({ ...to, facts });
  }
}

/**
 * A status change (transitionBooking): the booker's message (unless `tell` is false: the caller tells them itself),
 * a request to the managers when an accepted offer still needs approval, and the reminders. The place is read only
 * when something is to be said or scheduled.
 */
export async function noticeTransition(
  tx: Transaction,
  before: NoticedBooking,
  after: NoticedBooking,
  change: { actorId: string | null; reason: string | null; tell: boolean; now: Date },
  notices: NotificationIntent[],
): Promise<void> {
  if (!isAnnounced(after)) return;
  const news = change.tell ? transitionNewsOf(before, after, change.actorId) : null;
  const asksApproval = before.status === 'pending' && after.status === 'pending';
  const wasConfirmed = before.status === 'confirmed';
  const place = news || asksApproval || after.status === 'confirmed' ? await findBookingPlace(tx, after.spaceId) : null;
  if (news) notices.push(transitionNotice(news, after, place!, change.reason));
  if (asksApproval) notices.push(...(await approvalRequests(tx, after, place!)));
  if (wasConfirmed || after.status === 'confirmed') await syncBookingReminders(tx, after, place, { now: change.now, scheduled: wasConfirmed });
}

/**
 * A booking changed in place (time, space, party): the booker hears of a move someone else made, the managers of a
 * confirmed booking that must now be approved again, and the reminders follow it. `tell: false`: the caller (a
 * series) says it once for all its occurrences.
 */
export async function noticeChange(
  tx: Transaction,
  before: NoticedBooking,
  after: NoticedBooking,
  place: BookingPlace,
  change: { actorId: string | null; tell: boolean; now: Date },
  notices: NotificationIntent[],
): Promise<void> {
  if (!isAnnounced(after)) return;
  const moved = isMove(before, after);
  if (!moved && before.status === after.status) return;
  if (change.tell && moved && change.actorId !== after.bookerId) {
    const previousSpaceName = before.spaceId === after.spaceId ? place.space.name : (await findBookingPlace(tx, before.spaceId)).space.name;
    notices.push(movedNotice(before, after, place, previousSpaceName));
  }
  if (change.tell && after.status === 'pending' && before.status !== 'pending') notices.push(...(await approvalRequests(tx, after, place)));
  await syncBookingReminders(tx, after, place, { now: change.now, scheduled: before.status === 'confirmed' });
}

/**
 * A waiting resident was promoted into `booking`: an offer to accept before it expires, or a booking made for them
 * (with its reminders once confirmed, or a request to the managers where the space needs approval).
 */
export async function noticePromotion(tx: Transaction, booking: NoticedBooking, place: BookingPlace, now: Date, notices: NotificationIntent[]): Promise<void> {
  if (!isAnnounced(booking)) return;
  if (booking.offerExpiresAt) {
    notices.push(notify.bookingWaitlistOffer({ ...toBooker(booking), facts: { ...bookingFacts(booking, place), offerExpiresAt: booking.offerExpiresAt.toISOString() } }));
    return;
  }
  notices.push(notify.bookingPromoted({ ...toBooker(booking), facts: { ...bookingFacts(booking, place), cancelUntil: cancelUntilOf(booking, place) } }));
  if (booking.status === 'pending') notices.push(...(await approvalRequests(tx, booking, place)));
  await syncBookingReminders(tx, booking, place, { now, scheduled: false });
}

/**
 * Bookings cancelled together by staff (a space leaving service): each booker hears of it, unless they did it
 * themselves, and confirmed ones lose their reminders.
 */
export async function noticeStaffCancellations(
  tx: Transaction,
  cancelled: readonly NoticedBooking[],
  spaceId: string,
  change: { actorId: string | null; reason: string | null; now: Date },
  notices: NotificationIntent[],
): Promise<void> {
  const announced = cancelled.filter(isAnnounced);
  if (!announced.length) return;
  const place = await findBookingPlace(tx, spaceId);
  for (const booking of announced) {
    if (booking.bookerId !== change.actorId) notices.push(cancelledByStaffNotice({ ...booking, status: 'cancelled' }, place, change.reason));
    if (booking.status === 'confirmed') await syncBookingReminders(tx, { ...booking, status: 'cancelled' }, null, { now: change.now, scheduled: true });
  }
}
