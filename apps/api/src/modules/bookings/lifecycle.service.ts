/**
 * Status changes after creation: cancel, approve, reject, check in, accept a waitlist offer, and the sweep that
 * turns time into status (no-shows, completions, expiries). Every change writes a booking_event in the same
 * transaction, and every change that releases the space gives the waitlist its chance; who must hear of a change
 * is told by the claims core's transition (space-notices.ts).
 */
import type { Booking, BookingStatus } from '@linli/contracts';
import type { Database, Transaction } from '@linli/db';
import { checkCancellation, checkInClosesAt, checkInWindow } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { expireStaleWaitlistEntries } from '../waitlist/waitlist.service.ts';
import { type TransitionSpec, transitionBooking } from '../claims/space-transitions.ts';
import { findBookingById, lockForBooking } from '../claims/claims.repository.ts';
import { refusalError } from '../claims/space-claims.ts';
import { type BookingRow, checkInTimesOf, loadSpacePolicy } from '../claims/space-context.ts';
import { answerBooking } from '../claims/booker.repository.ts';
import { assertVersion, findSweepCandidates, findVisibleBooking } from './bookings.repository.ts';

async function changeVisibleBooking(
  deps: AppDeps,
  actor: Actor,
  bookingId: string,
  expectedVersion: number | undefined,
  spec: (row: BookingRow, tx: Transaction) => TransitionSpec | Promise<TransitionSpec>,
): Promise<Booking> {
  const now = deps.now();
  const visible = await findVisibleBooking(deps.db, actor, bookingId);
  const changed = await deps.db.transaction(async (tx) => {
    await lockForBooking(tx, [visible.spaceId], null);
    const row = await findBookingById(tx, bookingId);
    assertVersion(row!, expectedVersion);
    return transitionBooking(tx, row!, actor.userId, await spec(row!, tx), now);
  });
  return answerBooking(deps.db, actor, changed);
}

export async function cancelBooking(deps: AppDeps, actor: Actor, bookingId: string, reason: string | undefined, expectedVersion?: number) {
  return changeVisibleBooking(deps, actor, bookingId, expectedVersion, () => ({
    from: ['pending', 'confirmed'],
    to: 'cancelled',
    reason: reason ?? 'cancelled',
    // The booker is shown the reason staff gave, not the log's default.
    notice: { reason: reason ?? null },
    guard: async (row, tx) => {
      const policy = await loadSpacePolicy(tx, row.spaceId);
      const refusal = checkCancellation({
        now: deps.now().getTime(),
        start: row.startAt.getTime(),
        cancelCutoffMinutes: policy.values.cancelCutoffMinutes,
        actorIsStaff: actor.role !== 'resident',
      });
      if (refusal) throw refusalError([refusal]);
    },
  }));
}

/** Approval is for requests awaiting staff; a waitlist offer is accepted by the resident instead. */
export async function approveBooking(deps: AppDeps, actor: Actor, bookingId: string, expectedVersion?: number) {
  return changeVisibleBooking(deps, actor, bookingId, expectedVersion, (row) => {
    if (row.offerExpiresAt) throw new AppError('INVALID_TRANSITION', { detail: 'This is a waitlist offer; the resident accepts it.' });
    return { from: ['pending'], to: 'confirmed', reason: 'approved' };
  });
}

export async function rejectBooking(deps: AppDeps, actor: Actor, bookingId: string, reason: string, expectedVersion?: number) {
  return changeVisibleBooking(deps, actor, bookingId, expectedVersion, () => ({ from: ['pending'], to: 'rejected', reason }));
}

/** Where a check-in was made: the booking's own page (with its code, for a resident), the desk, or the door's kiosk. */
export type CheckInPlace = 'booking' | 'desk' | 'kiosk';

const CHECK_IN_REASONS: Record<CheckInPlace, { resident: string; staff: string }> = {
  booking: { resident: 'self check-in', staff: 'checked in by staff' },
  desk: { resident: 'self check-in', staff: 'checked in at the desk' },
  kiosk: { resident: 'checked in at the kiosk', staff: 'checked in by staff' },
};

/**
 * Staff check anyone in; a resident checks in to their own booking with its code (at the kiosk, the door's token
 * has proved they are there, and the caller passes the booking's code). Either way only inside the window: from
 * 15 minutes before the start until the no-show deadline; outside it the problem says when it opens and closes.
 * The one check-in transition: the desk and the kiosk (front-desk module) come through here too.
 */
export async function checkInBooking(deps: AppDeps, actor: Actor, bookingId: string, code: string | undefined, place: CheckInPlace = 'booking') {
  const now = deps.now();
  return changeVisibleBooking(deps, actor, bookingId, undefined, (current) => {
    if (current.status === 'checked_in') {
      throw new AppError('ALREADY_CHECKED_IN', { details: { checkedInAt: current.checkedInAt?.toISOString() ?? null } });
    }
    return {
      from: ['confirmed'],
      to: 'checked_in',
      reason: CHECK_IN_REASONS[place][actor.role === 'resident' ? 'resident' : 'staff'],
      set: { checkedInAt: now },
      guard: async (row, tx) => {
        if (actor.role === 'resident' && (!code || code.toUpperCase() !== row.checkInCode)) throw new AppError('INVALID_CHECK_IN_CODE');
        const { noShowAfterMinutes } = (await loadSpacePolicy(tx, row.spaceId)).values;
        const window = checkInWindow({ now: now.getTime(), start: row.startAt.getTime(), end: row.endAt.getTime(), noShowAfterMinutes });
        if (window !== 'open') throw checkInNotOpen(window, checkInTimesOf(row, noShowAfterMinutes));
      },
    };
  });
}

/** CHECK_IN_NOT_OPEN with when the window opens and closes, so the desk and the resident can be told when to come. */
export function checkInNotOpen(window: 'too_early' | 'closed', times: { opensAt: Date | null; closesAt: Date | null }) {
  return new AppError('CHECK_IN_NOT_OPEN', {
    details: { window, opensAt: times.opensAt?.toISOString() ?? null, closesAt: times.closesAt?.toISOString() ?? null },
  });
}

/**
 * The resident takes a held waitlist offer before it expires. If the space needs approval, the accepted offer
 * becomes an ordinary request (still holding the place) that waits for staff.
 */
export async function acceptOffer(deps: AppDeps, actor: Actor, bookingId: string) {
  const now = deps.now();
  return changeVisibleBooking(deps, actor, bookingId, undefined, async (row, tx) => {
    if (!row.offerExpiresAt) throw new AppError('INVALID_TRANSITION', { detail: 'This booking is not a waitlist offer.' });
    if (row.offerExpiresAt <= now) throw new AppError('OFFER_EXPIRED');
    const { approvalRequired } = (await loadSpacePolicy(tx, row.spaceId)).values;
    return approvalRequired
      ? { from: ['pending'], to: 'pending', reason: 'offer accepted; awaits approval', set: { offerExpiresAt: null } }
      : { from: ['pending'], to: 'confirmed', reason: 'offer accepted', set: { offerExpiresAt: null } };
  });
}

export interface SweepResult {
  noShows: number;
  completed: number;
  expired: number;
  waitlistExpired: number;
}

/**
 * Turns the passing of time into status changes. Runs every minute in the server (and directly in tests with a
 * fixed clock). Bookings are handled one by one, each in its own transaction under its space lock, so a sweep
 * never blocks booking for long and a failure affects one booking only.
 */
export async function runLifecycleSweep(db: Database, now: Date, pageSize = 500): Promise<SweepResult> {
  const result: SweepResult = { noShows: 0, completed: 0, expired: 0, waitlistExpired: 0 };
  // Ongoing confirmed bookings are candidates until they end, so walk every candidate page by (start, id).
  let after: { startAt: Date; id: string } | undefined;
  for (;;) {
    const page = await findSweepCandidates(db, now, after, pageSize);
    for (const candidate of page) {
      const outcome = await sweepOne(db, candidate, now);
      if (outcome === 'no_show') result.noShows++;
      else if (outcome === 'completed') result.completed++;
      else if (outcome === 'expired') result.expired++;
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!;
  }
  result.waitlistExpired = await expireStaleWaitlistEntries(db, now);
  return result;
}

async function sweepOne(db: Database, candidate: BookingRow, now: Date): Promise<BookingStatus | null> {
  const spec = await nextTimedStatus(db, candidate, now);
  if (!spec) return null;
  return db.transaction(async (tx) => {
    await lockForBooking(tx, [candidate.spaceId], null);
    const row = await findBookingById(tx, candidate.id);
    // Someone may have changed it since the page was read; decide again on the locked row.
    const current = await nextTimedStatus(tx, row!, now);
    if (!current) return null;
    await transitionBooking(tx, row!, null, current, now);
    return current.to;
  });
}

async function nextTimedStatus(db: Database | Transaction, row: BookingRow, now: Date): Promise<TransitionSpec | null> {
  const t = now.getTime();
  if (row.status === 'pending') {
    if (row.offerExpiresAt && row.offerExpiresAt.getTime() <= t) return { from: ['pending'], to: 'expired', reason: 'offer not accepted in time' };
    if (row.startAt.getTime() <= t) return { from: ['pending'], to: 'expired', reason: 'not approved before the start' };
    return null;
  }
  if (row.status === 'checked_in') {
    return row.endAt.getTime() <= t ? { from: ['checked_in'], to: 'completed', reason: 'ended' } : null;
  }
  if (row.status === 'confirmed') {
    const policy = await loadSpacePolicy(db, row.spaceId);
    if (policy.values.checkInRequired) {
      const closes = checkInClosesAt({ start: row.startAt.getTime(), end: row.endAt.getTime(), noShowAfterMinutes: policy.values.noShowAfterMinutes });
      // The record stays as no_show; only the space is released.
      return closes <= t ? { from: ['confirmed'], to: 'no_show', reason: 'not checked in; space released' } : null;
    }
    return row.endAt.getTime() <= t ? { from: ['confirmed'], to: 'completed', reason: 'ended' } : null;
  }
  return null;
}
