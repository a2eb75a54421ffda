/**
 * New claims on a space: the row every way of booking writes (single, series, waitlist, later activities), its
 * first status, and whether it fits beside the claims already holding the space (the pure judgement is
 * `judgeClaim` in packages/domain/src/claims.ts; linli_book_space repeats it under the space lock). Also the
 * equipment a booking or session asks for with its room: claimed from the pool with it, and moved with it.
 */
import { randomInt } from 'node:crypto';
import type { EquipmentNeed } from '@linli/contracts';
import type { Database, Transaction } from '@linli/db';
import { type ClaimableResource, type InstantRange, type Refusal, judgeClaim } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import { type NewBookingRow, findHoldingClaims } from './claims.repository.ts';
import { type LoanRow, cancelLoansOf, claimLoanRequest, findLoansOf, moveLoansOf, recordEquipmentRefusal } from './equipment-claims.ts';
import type { BookingRow, SpaceContext } from './space-context.ts';

const MINUTE_MS = 60_000;
// No 0/O or 1/I: the code is read aloud and typed on phones.
const CHECK_IN_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const newCheckInCode = () => Array.from({ length: 6 }, () => CHECK_IN_ALPHABET[randomInt(CHECK_IN_ALPHABET.length)]).join('');

/** A new booking waits for staff where the space needs approval, unless staff made it. */
export function initialStatus(ctx: SpaceContext, actor: Pick<Actor, 'role'>): 'pending' | 'confirmed' {
  return ctx.policy.values.approvalRequired && actor.role === 'resident' ? 'pending' : 'confirmed';
}

/** A new booking's row, with every column the insert would otherwise leave to a default spelled out. */
export type NewBooking = Omit<NewBookingRow, 'id'> &
  Pick<BookingRow, 'bookerId' | 'createdById' | 'partySize' | 'purpose' | 'source' | 'seriesId' | 'checkInCode' | 'offerExpiresAt' | 'createdAt' | 'updatedAt'>;

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
): NewBooking {
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

/** Whose loans equipment asked for with a room are: a booking's, or an activity session's. */
export type EquipmentOwner = { bookingId: string } | { sessionId: string };

interface EquipmentRefusalRecord {
  orgId: string;
  typeId: string;
  borrowerSiteId: string;
  quantity: number;
  shortfall: number;
  use: InstantRange;
}

/**
 * A need of a claim on a space that the pool cannot meet: answered as EQUIPMENT_SHORTFALL (naming the type and the
 * window, which tells recurring sessions apart), and kept as unmet demand once the refused transaction has rolled back.
 */
export class EquipmentShortfall extends AppError {
  constructor(
    refused: AppError,
    readonly refusal: EquipmentRefusalRecord,
  ) {
    const window = { startAt: new Date(refusal.use.start).toISOString(), endAt: new Date(refusal.use.end).toISOString() };
    super('EQUIPMENT_SHORTFALL', { ...refused.options, details: { ...refused.options.details, typeId: refusal.typeId, ...window } });
  }
}

/**
 * Claims the equipment a booking or session asks for with its room, in the caller's transaction, borrowed by the
 * room's site over the claim's window. All or nothing: a need the pool cannot meet throws EquipmentShortfall.
 */
export async function claimEquipmentWithRoom(
  tx: Transaction,
  owner: EquipmentOwner,
  needs: readonly EquipmentNeed[],
  claim: { orgId: string; siteId: string; use: InstantRange; actorId: string | null; now: Date; reason?: string },
): Promise<LoanRow[]> {
  const loans: LoanRow[] = [];
  // Types in one order everywhere, so two claims asking for the same kinds of equipment never lock in a circle.
  for (const need of [...needs].sort((a, b) => a.typeId.localeCompare(b.typeId))) {
    const request = { orgId: claim.orgId, typeId: need.typeId, borrowerSiteId: claim.siteId, quantity: need.quantity, use: claim.use };
    try {
      loans.push(...(await claimLoanRequest(tx, { ...request, ...owner, actorId: claim.actorId, now: claim.now, reason: claim.reason ?? ('bookingId' in owner ? 'booking' : 'session') })));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'EQUIPMENT_SHORTFALL') throw error;
      // A lender refusing under its lock after the plan was made may leave a shortfall of 0 overall: count its part.
      const shortfall = Number(error.options.details?.shortfall) || Number(error.options.details?.requested) || need.quantity;
      throw new EquipmentShortfall(error, { ...request, shortfall });
    }
  }
  return loans;
}

/** Keeps a refused claim's unmet equipment need; call it after the refused transaction has rolled back. */
export async function recordEquipmentShortfall(db: Database | Transaction, error: unknown): Promise<void> {
  if (error instanceof EquipmentShortfall) await recordEquipmentRefusal(db, error.refusal);
}

/**
 * Keeps a claim's not-yet-dispatched loans with it when it moves. At the same site each loan moves to the new window
 * (one that no longer fits is cancelled as `no_longer_available`). To another site the loans are withdrawn and asked
 * again for the new site, each type in a savepoint, so what the pool cannot give there is left cancelled (and kept as
 * unmet demand) rather than refusing the move. Dispatched units stay on their loans: they must come back.
 */
export async function followClaimMove(
  tx: Transaction,
  owner: EquipmentOwner,
  move: { orgId: string; fromSiteId: string; toSiteId: string; use: InstantRange; actorId: string | null; now: Date },
): Promise<void> {
  const change = { actorId: move.actorId, now: move.now };
  if (move.fromSiteId === move.toSiteId) {
    await moveLoansOf(tx, owner, { ...change, use: move.use });
    return;
  }
  const open = (await findLoansOf(tx, owner)).filter((loan) => loan.status === 'requested' || loan.status === 'approved');
  if (open.length === 0) return;
  await cancelLoansOf(tx, owner, { ...change, reason: 'moved_to_another_site' });
  const quantities = new Map<string, number>();
  for (const loan of open) quantities.set(loan.typeId, (quantities.get(loan.typeId) ?? 0) + loan.quantity);
  for (const [typeId, quantity] of [...quantities].sort(([a], [b]) => a.localeCompare(b))) {
    const claim = { ...change, orgId: move.orgId, siteId: move.toSiteId, use: move.use, reason: 'moved_to_another_site' };
    try {
      await tx.transaction((savepoint) => claimEquipmentWithRoom(savepoint, owner, [{ typeId, quantity }], claim));
    } catch (error) {
      // A type archived or short at the new site leaves its loan cancelled; anything else is a real failure.
      if (!(error instanceof AppError)) throw error;
      await recordEquipmentShortfall(tx, error);
    }
  }
}
