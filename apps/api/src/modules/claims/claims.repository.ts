/**
 * The claims core's queries: the lock that serializes claims on a resource, the one query for "claims holding this
 * resource in this window", the event written with every change, and the write-side guard (linli_book_space) that
 * locks, judges and inserts in one round trip. Services decide; this file reads and writes.
 */
import { BOOKING_CHANGE_FIELDS, type BookingChange } from '@linli/contracts';
import { type Database, type Transaction, newId, queryPrepared, schema } from '@linli/db';
import { HOLDING_STATUSES, type InstantRange, MAX_CLAIM_MS, type Refusal } from '@linli/domain';
import { and, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm';
import { type NotificationIntent, recordNotifications } from '../outbox/outbox.ts';
import { cancelLoansOf } from './equipment-claims.ts';
import type { BookingRow, SpaceContext } from './space-context.ts';
import { noticeStaffCancellations } from './space-notices.ts';

const { bookings, bookingEvents, equipmentLoans } = schema;
type Db = Database | Transaction;

/**
 * Serializes booking attempts on one space (and, for quota holders, one booker) inside the transaction, before
 * anything is read for the decision. Without it, concurrent inserts against the exclusion constraint deadlock
 * (40P01) and stall for seconds; with it, they queue for milliseconds. Locks are taken in a fixed order
 * (booker, then spaces by id) so two transactions never wait on each other in a cycle.
 */
export async function lockForBooking(tx: Transaction, spaceIds: string[], bookerId: string | null): Promise<void> {
  if (bookerId) await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`booker:${bookerId}`}, 0))`);
  for (const spaceId of [...new Set(spaceIds)].sort()) {
    await tx.execute(sql`SELECT id FROM spaces WHERE id = ${spaceId} FOR UPDATE`);
  }
}

/**
 * Holding claims (HOLDING_STATUSES) of these spaces that overlap `window` (already widened by any buffer). The one
 * holding query: single bookings, moves, series and the waitlist all read through it. A claim lasts at most
 * MAX_CLAIM_MS, so `start_at` is bounded from below and the (space_id, start_at) index serves the read.
 */
export async function findHoldingClaims(db: Db, spaceIds: string | readonly string[], window: InstantRange, options: { excludeBookingId?: string } = {}): Promise<BookingRow[]> {
  const ids = typeof spaceIds === 'string' ? [spaceIds] : [...spaceIds];
  return db
    .select()
    .from(bookings)
    .where(
      and(
        ids.length === 1 ? eq(bookings.spaceId, ids[0]!) : inArray(bookings.spaceId, ids),
        inArray(bookings.status, [...HOLDING_STATUSES]),
        lt(bookings.startAt, new Date(window.end)),
        gt(bookings.startAt, new Date(window.start - MAX_CLAIM_MS)),
        gt(bookings.endAt, new Date(window.start)),
        options.excludeBookingId ? ne(bookings.id, options.excludeBookingId) : undefined,
      ),
    );
}

/**
 * Writes the event of a change just made to `booking`, in the same transaction. The database stamps it with its
 * clock at the write and the booking's new version (migration 0007), so history lists changes as they committed.
 * A move or edit also says what it changed (`changes`, from `changesBetween`): history shows before -> after.
 */
export async function recordBookingEvent(
  tx: Transaction,
  booking: { id: string; orgId: string },
  change: {
    actorId: string | null;
    from: string | null;
    to: string;
    reason?: string | null;
    changes?: BookingChange[];
  },
) {
  await tx.insert(bookingEvents).values({
    orgId: booking.orgId,
    bookingId: booking.id,
    actorId: change.actorId,
    fromStatus: change.from,
    toStatus: change.to,
    reason: change.reason ?? null,
    ...(change.changes?.length ? { changes: change.changes } : {}),
  });
}

/** What a move or change changed, field by field, before -> after (instants as ISO strings); unchanged fields are left out. */
export function changesBetween(before: BookingRow, after: BookingRow): BookingChange[] {
  const valueOf = (row: BookingRow, field: BookingChange['field']) => {
    const value = row[field];
    return value instanceof Date ? value.toISOString() : value;
  };
  return BOOKING_CHANGE_FIELDS.flatMap((field) => {
    const from = valueOf(before, field);
    const to = valueOf(after, field);
    return from === to ? [] : [{ field, from, to }];
  });
}

/** The booking as it is now, read again under the space lock before a change is decided on it. */
export async function findBookingById(db: Database | Transaction, bookingId: string): Promise<BookingRow | undefined> {
  const [row] = await db.select().from(bookings).where(eq(bookings.id, bookingId));
  return row;
}

/**
 * Applies a change to a booking at the version it was read at, bumping the version; returns the updated row, or
 * undefined when someone changed it in between (the caller decides what that means).
 */
export async function updateBookingAtVersion(
  tx: Transaction,
  row: Pick<BookingRow, 'id' | 'version'>,
  change: Partial<typeof bookings.$inferInsert>,
): Promise<BookingRow | undefined> {
  const [updated] = await tx
    .update(bookings)
    .set({ version: row.version + 1, ...change })
    .where(and(eq(bookings.id, row.id), eq(bookings.version, row.version)))
    .returning();
  return updated;
}

/**
 * Cancels a space's pending and confirmed claims that start after `after` (the space leaves service), each with its
 * event and the equipment loans it had only been promised, tells their bookers (with `change.reason`) and removes
 * their reminders, and returns their ids. The caller holds the space lock; ongoing and checked-in claims are left
 * alone.
 */
export async function cancelClaimsStartingAfter(
  tx: Transaction,
  space: { id: string; orgId: string },
  after: Date,
  change: { actorId: string | null; reason: string; now: Date },
): Promise<string[]> {
  const doomed = await tx
    .select({
      id: bookings.id,
      orgId: bookings.orgId,
      siteId: bookings.siteId,
      spaceId: bookings.spaceId,
      bookerId: bookings.bookerId,
      startAt: bookings.startAt,
      endAt: bookings.endAt,
      status: bookings.status,
      source: bookings.source,
      version: bookings.version,
      offerExpiresAt: bookings.offerExpiresAt,
    })
    .from(bookings)
    .where(and(eq(bookings.spaceId, space.id), inArray(bookings.status, ['pending', 'confirmed']), gt(bookings.startAt, after)))
    .for('update');
  if (doomed.length === 0) return [];
  const ids = doomed.map((b) => b.id);
  await tx
    .update(bookings)
    .set({ status: 'cancelled', version: sql`${bookings.version} + 1`, updatedAt: change.now })
    .where(inArray(bookings.id, ids));
  await tx.insert(bookingEvents).values(
    doomed.map((b) => ({ orgId: space.orgId, bookingId: b.id, actorId: change.actorId, fromStatus: b.status, toStatus: 'cancelled', reason: change.reason })),
  );
  // One read finds the few cancelled bookings that asked for equipment, rather than one per booking.
  const borrowing = await tx
    .selectDistinct({ bookingId: equipmentLoans.bookingId })
    .from(equipmentLoans)
    .where(and(inArray(equipmentLoans.bookingId, ids), inArray(equipmentLoans.status, ['requested', 'approved'])));
  for (const { bookingId } of borrowing) {
    await cancelLoansOf(tx, { bookingId: bookingId! }, { actorId: change.actorId, reason: 'booking_cancelled', now: change.now });
  }
  const notices: NotificationIntent[] = [];
  await noticeStaffCancellations(tx, doomed, space.id, { actorId: change.actorId, reason: change.reason, now: change.now }, notices);
  await recordNotifications(tx, notices, { now: change.now });
  return ids;
}

/** linli_book_space found the caller's catalogue snapshot out of date; the transaction rolled back. */
export class StaleCatalogue extends Error {}

type BookSpaceOutcome = { refusal: 'STALE_CATALOGUE' | 'SLOT_TAKEN' | 'CAPACITY_FULL'; taken?: number } | null;

/** A new booking row with its id, as linli_book_space inserts it. */
export type NewBookingRow = typeof bookings.$inferInsert & { id: string };

/**
 * Runs linli_book_space (migrations 0005/0007), the write-side guard: lock the space, check the catalogue version,
 * judge the holding claims, insert the booking and its event. Returns the refusal (nothing written), or null when
 * booked; throws StaleCatalogue when the caller's snapshot is out of date. Arguments are passed by name, so two
 * ids of the same type cannot be swapped unnoticed.
 */
export async function bookSpace(
  conn: Database | Transaction,
  ctx: SpaceContext,
  row: NewBookingRow,
  catalogueVersion: number,
  event: { actorId: string | null; reason: string },
): Promise<Refusal | null> {
  const [result] = await queryPrepared<{ outcome: BookSpaceOutcome }>(
    conn,
    sql`SELECT linli_book_space(
      p_id => ${row.id}, p_org_id => ${row.orgId}, p_site_id => ${row.siteId}, p_space_id => ${row.spaceId},
      p_exclusive => ${row.exclusive}, p_booker_id => ${row.bookerId}, p_created_by_id => ${row.createdById},
      p_party_size => ${row.partySize}, p_start_at => ${row.startAt}, p_end_at => ${row.endAt},
      p_purpose => ${row.purpose}, p_status => ${row.status}, p_source => ${row.source}, p_series_id => ${row.seriesId},
      p_check_in_code => ${row.checkInCode}, p_offer_expires_at => ${row.offerExpiresAt}, p_now => ${row.createdAt},
      p_event_id => ${newId()}, p_actor_id => ${event.actorId}, p_reason => ${event.reason},
      p_buffer_minutes => ${ctx.policy.values.bufferMinutes}, p_capacity => ${ctx.space.capacity},
      p_catalogue_version => ${catalogueVersion}
    ) AS outcome`,
  );
  const outcome = result?.outcome;
  if (!outcome) return null;
  if (outcome.refusal === 'STALE_CATALOGUE') throw new StaleCatalogue();
  return outcomeRefusal(ctx, outcome);
}

function outcomeRefusal(ctx: SpaceContext, outcome: NonNullable<BookSpaceOutcome>): Refusal {
  if (outcome.refusal !== 'CAPACITY_FULL') return { code: outcome.refusal as Refusal['code'] };
  const taken = outcome.taken ?? 0;
  return { code: 'CAPACITY_FULL' as Refusal['code'], params: { capacity: ctx.space.capacity, taken, remaining: Math.max(0, ctx.space.capacity - taken) } };
}
