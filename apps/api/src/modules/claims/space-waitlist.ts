/**
 * The space waitlist's part of the claims core: when a space is released (cancelled, rejected, expired, no-show),
 * the freed time is offered to the residents waiting for it, first come first served, under the same space lock
 * as the release, so two releases never promote into the same place. Joining and leaving the waitlist is the
 * waitlist feature's; promotion belongs to the release, so every feature that releases a space calls down here.
 * Each promoted resident is told in the same transaction: an offer to accept by its expiry, or the booking made.
 */
import { type Database, type Transaction, schema } from '@linli/db';
import type { InstantRange } from '@linli/domain';
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { type NotificationIntent, recordNotifications } from '../outbox/outbox.ts';
import { recordBookingEvent } from './claims.repository.ts';
import { checkPolicy } from './quotas.ts';
import { findAvailabilityRefusal, newBookingRow, rangeOf } from './space-claims.ts';
import { loadSpaceContext } from './space-context.ts';
import { noticePromotion } from './space-notices.ts';

const { waitlistEntries, bookings } = schema;
type Db = Database | Transaction;
const MINUTE_MS = 60_000;
type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;

/** Entries of a space whose time overlaps `range`. */
export function activeEntriesOverlapping(spaceId: string, range: InstantRange) {
  return and(
    eq(waitlistEntries.spaceId, spaceId),
    lt(waitlistEntries.startAt, new Date(range.end)),
    gt(waitlistEntries.endAt, new Date(range.start)),
  );
}

/** Entries still waiting for time on a space that overlaps `range` and starts after `now`, first come first. */
export async function findWaitingEntries(db: Db, spaceId: string, range: InstantRange, now: Date): Promise<WaitlistEntryRow[]> {
  return db
    .select()
    .from(waitlistEntries)
    .where(and(activeEntriesOverlapping(spaceId, range), eq(waitlistEntries.status, 'waiting'), gt(waitlistEntries.startAt, now)))
    .orderBy(asc(waitlistEntries.createdAt), asc(waitlistEntries.id));
}

/** The booking a promotion writes (its event is written by the caller, in the same transaction). */
export async function insertPromotedBooking(tx: Transaction, row: typeof bookings.$inferInsert) {
  const [booking] = await tx.insert(bookings).values(row).returning();
  return booking!;
}

export async function updateWaitlistEntry(
  tx: Transaction,
  entryId: string,
  change: Pick<typeof waitlistEntries.$inferInsert, 'status' | 'bookingId' | 'promotedAt'>,
): Promise<void> {
  await tx.update(waitlistEntries).set(change).where(eq(waitlistEntries.id, entryId));
}

/** Sets the status of the entry behind a waitlist booking. */
export async function updateEntryStatusByBooking(tx: Transaction, bookingId: string, status: string): Promise<void> {
  await tx.update(waitlistEntries).set({ status }).where(eq(waitlistEntries.bookingId, bookingId));
}

/**
 * Offers freed time on a space to the waiting entries that overlap it, oldest first. Each entry that now fits
 * (availability and policy, judged for that resident) is booked outright or offered with a hold, per the space's
 * policy; later entries see the places earlier ones took. The caller holds the space lock. The promoted residents'
 * notifications are recorded here, or added to `notices` when the caller records its transaction's at once.
 */
export async function promoteWaitlist(
  tx: Transaction,
  freed: { spaceId: string; range: InstantRange; now: Date },
  notices?: NotificationIntent[],
): Promise<number> {
  const waiting = await findWaitingEntries(tx, freed.spaceId, freed.range, freed.now);
  const collected = notices ?? [];
  let promoted = 0;
  for (const entry of waiting) {
    const resident: Actor = { userId: entry.userId, orgId: entry.orgId, role: 'resident', siteIds: [] };
    const range = rangeOf(entry.startAt, entry.endAt);
    let ctx;
    try {
      ctx = await loadSpaceContext(tx, resident, entry.spaceId);
    } catch {
      break; // The space was archived: nobody can be promoted into it.
    }
    if (await findAvailabilityRefusal(tx, ctx, range, entry.partySize)) continue;
    const refusals = (await checkPolicy(tx, ctx, { actor: resident, bookerId: entry.userId, range, partySize: entry.partySize, now: freed.now }))
      // Booking late is the point of a waitlist: lead time does not apply to a promotion.
      .filter((r) => r.code !== 'LEAD_TIME_NOT_MET');
    if (refusals.length) continue;

    const policy = ctx.policy.values;
    const offer = policy.waitlistMode === 'offer';
    const status = offer || policy.approvalRequired ? 'pending' : 'confirmed';
    const offerExpiresAt = offer ? new Date(Math.min(freed.now.getTime() + policy.offerHoldMinutes * MINUTE_MS, range.start)) : null;
    const booking = await insertPromotedBooking(
      tx,
      newBookingRow(ctx, {
        range,
        bookerId: entry.userId,
        createdById: null,
        partySize: entry.partySize,
        purpose: entry.purpose,
        status,
        source: 'waitlist',
        offerExpiresAt,
        now: freed.now,
      }),
    );
    await recordBookingEvent(tx, booking, { actorId: null, from: null, to: status, reason: offer ? 'waitlist offer' : 'promoted from waitlist' });
    await updateWaitlistEntry(tx, entry.id, { status: offer ? 'offered' : 'booked', bookingId: booking.id, promotedAt: freed.now });
    await noticePromotion(tx, booking, ctx, freed.now, collected);
    promoted++;
  }
  if (!notices) await recordNotifications(tx, collected, { now: freed.now });
  return promoted;
}


/** Keeps the entry behind a waitlist booking in step: an accepted offer is 'booked', a lapsed one 'expired'. */
export async function settleWaitlistEntry(tx: Transaction, bookingId: string, bookingStatus: string): Promise<void> {
  const status = bookingStatus === 'confirmed' ? 'booked' : ['expired', 'cancelled', 'rejected'].includes(bookingStatus) ? 'expired' : null;
  if (!status) return;
  await updateEntryStatusByBooking(tx, bookingId, status);
}
