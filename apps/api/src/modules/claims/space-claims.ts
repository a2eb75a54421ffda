/**
 * New claims on a space: the row every way of booking writes (single, series, waitlist, later activities), its
 * first status, and whether it fits beside the claims already holding the space (the pure judgement is
 * `judgeClaim` in packages/domain/src/claims.ts; linli_book_space repeats it under the space lock).
 */
import { randomInt } from 'node:crypto';
import { type Database, type Transaction, schema } from '@linli/db';
import { type ClaimableResource, type InstantRange, type Refusal, judgeClaim } from '@linli/domain';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import { type NewBookingRow, findHoldingClaims } from './claims.repository.ts';
import type { BookingRow, SpaceContext } from './space-context.ts';

const { users } = schema;
const MINUTE_MS = 60_000;
// No 0/O or 1/I: the code is read aloud and typed on phones.
const CHECK_IN_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const newCheckInCode = () => Array.from({ length: 6 }, () => CHECK_IN_ALPHABET[randomInt(CHECK_IN_ALPHABET.length)]).join('');

/** A new booking waits for staff where the space needs approval, unless staff made it. */
export function initialStatus(ctx: SpaceContext, actor: Pick<Actor, 'role'>): 'pending' | 'confirmed' {
  return ctx.policy.values.approvalRequired && actor.role === 'resident' ? 'pending' : 'confirmed';
}

/** The row for a new booking of `ctx.space`; every way of creating bookings (single, series, waitlist) uses it. */
export function newBookingRow(
  ctx: SpaceContext,
  booking: {
    range: InstantRange;
    bookerId: string | null;
    createdById: string | null;
    partySize: number;
    purpose: string | null;
    status: string;
    source: string;
    now: Date;
    seriesId?: string;
    offerExpiresAt?: Date | null;
  },
): Omit<NewBookingRow, 'id'> {
  return {
    orgId: ctx.space.orgId,
    siteId: ctx.site.id,
    spaceId: ctx.space.id,
    exclusive: ctx.space.bookingMode === 'exclusive',
    bookerId: booking.bookerId,
    createdById: booking.createdById,
    partySize: booking.partySize,
    startAt: new Date(booking.range.start),
    endAt: new Date(booking.range.end),
    purpose: booking.purpose,
    status: booking.status,
    source: booking.source,
    seriesId: booking.seriesId ?? null,
    checkInCode: newCheckInCode(),
    offerExpiresAt: booking.offerExpiresAt ?? null,
    createdAt: booking.now,
    updatedAt: booking.now,
  };
}

/** Refusals become one problem: the first reason's code and status, every reason in `details.reasons`. */
export function refusalError(refusals: Refusal[], extra: Record<string, unknown> = {}): AppError {
  return new AppError(refusals[0]!.code, { details: { reasons: refusals, ...extra } });
}

export const rangeOf = (startAt: string | Date, endAt: string | Date): InstantRange => ({
  start: new Date(startAt).getTime(),
  end: new Date(endAt).getTime(),
});

/** A space as the claims engine sees it: exclusive (kept `bufferMinutes` apart) or counted up to its capacity. */
export function claimableSpace(ctx: Pick<SpaceContext, 'space' | 'policy'>): ClaimableResource {
  return ctx.space.bookingMode === 'exclusive'
    ? { mode: 'exclusive', bufferMs: ctx.policy.values.bufferMinutes * MINUTE_MS }
    : { mode: 'counted', capacity: ctx.space.capacity };
}

/** The window whose holding claims can stand in the way of `range`: widened by the buffer on both sides. */
export function holdingWindow(ctx: Pick<SpaceContext, 'space' | 'policy'>, range: InstantRange): InstantRange {
  const resource = claimableSpace(ctx);
  const bufferMs = resource.mode === 'exclusive' ? resource.bufferMs : 0;
  return { start: range.start - bufferMs, end: range.end + bufferMs };
}

/** Whether the space can take this party for this range, given the claims now holding it (read here). */
export async function findAvailabilityRefusal(
  db: Database | Transaction,
  ctx: SpaceContext,
  range: InstantRange,
  partySize: number,
  excludeBookingId?: string,
): Promise<Refusal | null> {
  const holding = await findHoldingClaims(db, ctx.space.id, holdingWindow(ctx, range), { excludeBookingId });
  return availabilityRefusal(ctx, range, partySize, holding);
}

/** The same decision from bookings already fetched (they must include everything in `holdingWindow`). */
export function availabilityRefusal(
  ctx: Pick<SpaceContext, 'space' | 'policy'>,
  range: InstantRange,
  partySize: number,
  holding: Pick<BookingRow, 'startAt' | 'endAt' | 'partySize'>[],
): Refusal | null {
  const claims = holding.map((b) => ({ range: rangeOf(b.startAt, b.endAt), quantity: b.partySize }));
  return judgeClaim(claimableSpace(ctx), range, partySize, claims) as Refusal | null;
}

export async function resolveBooker(db: Database, actor: Actor, requested: string | undefined): Promise<string | null> {
  if (actor.role === 'resident') {
    if (requested && requested !== actor.userId) throw new AppError('FORBIDDEN', { detail: 'Residents book for themselves.' });
    return actor.userId;
  }
  if (!requested) return null;
  const [user] = await db.select({ id: users.id }).from(users).where(and(eq(users.id, requested), eq(users.orgId, actor.orgId)));
  if (!user) throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.bookerId', message: 'no such user' }] });
  return user.id;
}
