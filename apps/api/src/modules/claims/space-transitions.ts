/**
 * Status changes of a claim on a space, in one place: the claims engine's transition table bounds every change, the
 * row changes at its version, the event is written in the same transaction, and a released space is offered to its
 * waitlist. Cancel, approve, reject, check-in, the sweep, series and activity sessions all change bookings here, and
 * a booking that ends without taking place withdraws the equipment loans it asked for here too. Whoever must hear of
 * the change (the booker, the waitlist's promoted residents) is notified in the same transaction (space-notices.ts).
 */
import type { BookingStatus } from '@linli/contracts';
import type { Transaction, schema } from '@linli/db';
import { canTransition, isHoldingStatus } from '@linli/domain';
import { AppError } from '../../lib/app-error.ts';
import { type NotificationIntent, recordNotifications } from '../outbox/outbox.ts';
import { recordBookingEvent, updateBookingAtVersion } from './claims.repository.ts';
import { cancelLoansOf } from './equipment-claims.ts';
import { rangeOf } from './space-claims.ts';
import type { BookingRow } from './space-context.ts';
import { noticeTransition } from './space-notices.ts';
import { promoteWaitlist, settleWaitlistEntry } from './space-waitlist.ts';

/** A booking ending in one of these will not use what it borrowed; a completed one keeps its loans to return. */
const LOAN_WITHDRAWING_STATUSES: readonly BookingStatus[] = ['cancelled', 'rejected', 'expired', 'no_show'];

export interface TransitionSpec {
  from: readonly BookingStatus[];
  to: BookingStatus;
  reason?: string | null;
  /** Checks that need the locked, current row (cut-offs, windows, codes). */
  guard?: (row: BookingRow, tx: Transaction) => Promise<void> | void;
  set?: Partial<typeof schema.bookings.$inferInsert>;
  /**
   * What the booker is told of a change someone else made: the reason to show them (defaults to `reason`; a default
   * written for the log is no reason to a person), or false when the caller tells the booker itself (a series says
   * it once for all its occurrences).
   */
  notice?: { reason: string | null } | false;
}

/**
 * Applies one status change under the space lock, on the current row: the version must match (when given), the
 * status must allow it, the event is written, and a released space is offered to the waitlist. Its notifications
 * are recorded here, or added to `notices` for a caller that changes several bookings in one transaction and
 * records them once.
 */
export async function transitionBooking(
  tx: Transaction,
  row: BookingRow,
  actorId: string | null,
  spec: TransitionSpec,
  now: Date,
  notices?: NotificationIntent[],
): Promise<BookingRow> {
  // `from` narrows what this action accepts; the claims engine's transition table is the outer bound for all.
  if (!spec.from.includes(row.status as BookingStatus) || !canTransition(row.status, spec.to)) {
    throw new AppError('INVALID_TRANSITION', { detail: `A ${row.status} booking cannot become ${spec.to}.`, details: { status: row.status } });
  }
  await spec.guard?.(row, tx);
  const updated = await updateBookingAtVersion(tx, row, { status: spec.to, updatedAt: now, ...spec.set });
  if (!updated) throw new AppError('VERSION_MISMATCH');
  await recordBookingEvent(tx, updated, { actorId, from: row.status, to: spec.to, reason: spec.reason ?? null });
  if (row.source === 'waitlist') await settleWaitlistEntry(tx, row.id, spec.to);
  // Equipment only promised for a booking that will not happen goes back to the pool; dispatched units must come back.
  if (LOAN_WITHDRAWING_STATUSES.includes(spec.to)) {
    await cancelLoansOf(tx, { bookingId: row.id }, { actorId, reason: `booking_${spec.to}`, now });
  }
  const collected = notices ?? [];
  const notice = spec.notice ?? { reason: spec.reason ?? null };
  await noticeTransition(tx, row, updated, { actorId, reason: notice ? notice.reason : null, tell: notice !== false, now }, collected);
  if (isHoldingStatus(row.status) && !isHoldingStatus(spec.to)) {
    // Only the part still ahead is worth offering (a no-show frees the rest of the slot).
    const range = rangeOf(row.startAt, row.endAt);
    if (range.end > now.getTime()) {
      await promoteWaitlist(tx, { spaceId: row.spaceId, range: { start: Math.max(range.start, now.getTime()), end: range.end }, now }, collected);
    }
  }
  if (!notices) await recordNotifications(tx, collected, { now });
  return updated;
}

