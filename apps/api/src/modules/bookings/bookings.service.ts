/**
 * Creating and changing bookings. The promise: a holding booking of an exclusive space never overlaps another,
 * a shared space never holds more people than its capacity, and a retried request creates nothing twice.
 * The code checks first to say precisely why; the database (exclusion constraint, row lock) guarantees it.
 */
import { createHash } from 'node:crypto';
import { type Booking, type BookingAlternative, type BookingCheck, type BookingStatus, type CreateBookingBody, type EquipmentNeed, type EquipmentNeedStanding, type UpdateBookingBody } from '@linli/contracts';
import { type Database, SQLSTATE, newId, schema, sqlStateOf } from '@linli/db';
import { type InstantRange, type Refusal, changeNeedsApproval, exceedsQuota } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { cachedCatalogue, confirmCatalogueError, readCatalogue, reloadCatalogue, spaceContextOf } from '../catalogue/catalogue.ts';
import { StaleCatalogue, bookSpace, changesBetween, findBookingById, lockForBooking, recordBookingEvent, updateBookingAtVersion } from '../claims/claims.repository.ts';
import { QUOTA_KEYS, checkPolicy, policyRefusals, quotaMeasures, quotaRefusal, quotaRefusals } from '../claims/quotas.ts';
import { type LenderStanding, findEquipmentType, findPoolStanding } from '../claims/equipment-claims.ts';
import {
  claimEquipmentWithRoom,
  findAvailabilityRefusal,
  followClaimMove,
  initialStatus,
  newBookingRow,
  rangeOf,
  recordEquipmentShortfall,
  refusalError,
} from '../claims/space-claims.ts';
import { type BookingFields, type ResidentHome, type SpaceContext, loadSpaceContext, residentHomeOf, toBooking } from '../claims/space-context.ts';
import { suggestAlternatives } from '../availability/availability.service.ts';
import { noticeChange, noticeNewBookings } from '../claims/space-notices.ts';
import { promoteWaitlist } from '../claims/space-waitlist.ts';
import { loanRequestIntents } from '../claims/equipment-claims.ts';
import { type NotificationIntent, recordNotifications } from '../outbox/outbox.ts';
import { type IdempotentOutcome, claimIdempotencyKey, findCompletedIdempotentAnswer, saveIdempotentAnswer } from './bookings.idempotency.ts';
import { bookerIdentityOf, mayKnowBooker } from '../claims/booking-answers.ts';
import { answerBooking, resolveBooker, resolveBookerWithColumns } from '../claims/booker.repository.ts';
import { assertVersion, findVisibleBooking, recordWalkIn } from './bookings.repository.ts';

const { demandEvents } = schema;
/** Staff are not bound by who a space is open to, so their home is not read. */
const NOWHERE: ResidentHome = { homeSiteId: null, homeDistrict: null };

/** Unmet demand is kept for analytics even though the refused transaction rolled back. */
async function recordUnmetDemand(db: Database, actor: Actor, ctx: SpaceContext, range: InstantRange, code: string, at: Date) {
  await db.insert(demandEvents).values({
    orgId: actor.orgId,
    siteId: ctx.site.id,
    spaceId: ctx.space.id,
    userId: actor.userId,
    kind: code === 'CAPACITY_FULL' ? 'refused_full' : 'refused_taken',
    requestedStart: new Date(range.start),
    requestedEnd: new Date(range.end),
    at,
  });
}

const isTakenState = (error: unknown) => {
  const state = sqlStateOf(error);
  return state === SQLSTATE.exclusionViolation || state === SQLSTATE.deadlockDetected || state === SQLSTATE.serializationFailure;
};

/**
 * POST /bookings. The decision is made in two steps:
 * 1. Policy (hours, closures, grid, durations, timing, who may book) from the in-memory catalogue, before any lock.
 * 2. The critical section in one database round trip (`linli_book_space`, migration 0005): lock the space, check
 *    the catalogue is still current, judge its holding bookings, insert the booking and its first event.
 * Resident quotas, Idempotency-Keys and equipment need reads and writes of their own under the same locks, so those
 * requests wrap step 2 in a transaction that takes the booker lock and claims the key first, and claims the equipment
 * loans after the booking is written: a need the pool cannot meet refuses the booking too (EQUIPMENT_SHORTFALL).
 * So does a booking someone must hear of (its booker's receipt and reminders, or the managers' approval request),
 * recorded in that transaction: only a booking staff make for nobody in particular stays one round trip.
 */
export async function createBooking(
  deps: AppDeps,
  actor: Actor,
  body: CreateBookingBody,
  idempotencyKey?: string,
): Promise<IdempotentOutcome> {
  const { db } = deps;
  const now = deps.now();
  const range = rangeOf(body.startAt, body.endAt);
  const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  // A retry of a request that already succeeded replays its answer, even if its time has since passed.
  if (idempotencyKey) {
    const prior = await findCompletedIdempotentAnswer(db, actor, idempotencyKey, requestHash);
    if (prior) return { replayed: true, statusCode: prior.statusCode, booking: prior.response as Booking };
  }
  assertWalkInByStaff(actor, body);
  // Whom it is for, checked and read once: the answer shows their name, and a resident's home decides openness.
  const { bookerId, booker } = await resolveBookerWithColumns(db, actor, body.bookerId);
  const request = { actor, bookerId, range, partySize: body.partySize, now };
  const home = actor.role === 'resident' ? { homeSiteId: booker.bookerHomeSiteId, homeDistrict: booker.homeDistrict } : NOWHERE;
  // A walk-in has no account, so no resident quota can count their bookings: only residents' own bookings are
  // counted against quotas (hasQuota), and a walk-in booking is always made by staff.
  const hasQuota = (ctx: SpaceContext) => actor.role === 'resident' && QUOTA_KEYS.some((k) => ctx.policy.values[k] !== null);
  const equipment = body.equipment ?? [];

  let catalogue = await cachedCatalogue(db, actor.orgId);
  let verified = false;
  for (;;) {
    let ctx: SpaceContext;
    try {
      ctx = spaceContextOf(catalogue, actor, body.spaceId);
      const policyProblems = policyRefusals(ctx, request, home);
      if (policyProblems.length) throw refusalError(policyProblems);
    } catch (error) {
      // A refusal read from a snapshot nobody has checked yet is confirmed against the current catalogue first.
      if (verified) throw error;
      catalogue = await confirmCatalogueError(db, actor.orgId, catalogue, error);
      verified = true;
      continue;
    }
    const row = {
      ...newBookingRow(ctx, { range, bookerId, createdById: actor.userId, partySize: body.partySize, purpose: body.purpose ?? null, status: initialStatus(ctx, actor), source: actor.role === 'resident' ? 'resident' : 'staff', now }),
      id: newId(),
    };
    const fields = { ...row, purpose: row.purpose ?? null, checkedInAt: null, walkInName: body.walkIn?.name ?? null, walkInPhone: body.walkIn?.phone ?? null, version: 1 } as BookingFields;
    const booking = toBooking(fields, {
      booker: mayKnowBooker(actor, fields) ? bookerIdentityOf(fields, booker) : null,
      noShowAfterMinutes: ctx.policy.values.noShowAfterMinutes,
    });
    try {
      if (!idempotencyKey && !hasQuota(ctx) && equipment.length === 0 && bookerId === null && !body.walkIn) {
        const refusal = await bookSpace(db, ctx, row, catalogue.version, { actorId: actor.userId, reason: 'created' });
        if (refusal) throw refusalError([refusal]);
        return { replayed: false, booking };
      }
      return await db.transaction(async (tx): Promise<IdempotentOutcome> => {
        if (idempotencyKey) {
          const prior = await claimIdempotencyKey(tx, actor, idempotencyKey, requestHash);
          if (prior) return { replayed: true, statusCode: prior.statusCode, booking: prior.response as Booking };
        }
        // Quota usage is read under the booker lock, so two simultaneous requests cannot both take the last unit.
        if (hasQuota(ctx)) {
          await lockForBooking(tx, [], bookerId);
          const quotaProblems = await quotaRefusals(tx, ctx, request);
          if (quotaProblems.length) throw refusalError(quotaProblems);
        }
        const refusal = await bookSpace(tx, ctx, row, catalogue.version, { actorId: actor.userId, reason: 'created' });
        if (refusal) throw refusalError([refusal]);
        // linli_book_space writes the claim itself; who the walk-in is goes on the same row in the same transaction.
        if (body.walkIn) await recordWalkIn(tx, row.id, { name: fields.walkInName!, phone: fields.walkInPhone });
        const notices: NotificationIntent[] = [];
        await noticeNewBookings(tx, [{ ...row, version: 1 }], ctx, { now }, notices);
        if (equipment.length) {
          const loans = await claimEquipmentWithRoom(tx, { bookingId: row.id }, equipment, { orgId: actor.orgId, siteId: ctx.site.id, use: range, actorId: actor.userId, now });
          // The lending sites hear of what the booking asks them for, in the same message batch as its receipt.
          notices.push(...(await loanRequestIntents(tx, loans, actor.userId)));
        }
        await recordNotifications(tx, notices, { now });
        if (idempotencyKey) {
          await saveIdempotentAnswer(tx, actor, idempotencyKey, 201, booking);
        }
        return { replayed: false, booking };
      });
    } catch (error) {
      if (!(error instanceof StaleCatalogue)) {
        await recordEquipmentShortfall(db, error);
        throw await explainRefusal(deps, actor, ctx, range, body.partySize, error, now);
      }
      // The space, site or policies changed since the snapshot was taken (nothing was written): decide again.
      catalogue = await reloadCatalogue(db, actor.orgId);
      verified = true;
    }
  }
}

/** Only staff book for a walk-in (a person without an account); residents book for themselves. */
function assertWalkInByStaff(actor: Actor, body: CreateBookingBody) {
  if (body.walkIn && actor.role === 'resident') throw new AppError('FORBIDDEN', { detail: 'Residents book for themselves; only staff book for walk-ins.' });
}

/**
 * POST /bookings/check: whether this booking would be accepted now, with every reason if not and where the booker
 * stands against each quota. The same rules as createBooking, read without locks, and nothing is written: a
 * booking made a moment later can still be refused if someone else got there first. Equipment asked for is reported
 * beside the verdict (which sites could lend how many, and any shortfall), not as one of its reasons.
 */
export async function checkBooking(deps: AppDeps, actor: Actor, body: CreateBookingBody): Promise<BookingCheck> {
  const { db } = deps;
  const range = rangeOf(body.startAt, body.endAt);
  assertWalkInByStaff(actor, body);
  const bookerId = await resolveBooker(db, actor, body.bookerId);
  const ctx = spaceContextOf(await readCatalogue(db, actor.orgId), actor, body.spaceId);
  const home = await residentHomeOf(db, actor);
  const request = { actor, bookerId, range, partySize: body.partySize, now: deps.now() };
  const quotas = await quotaMeasures(db, ctx, request);
  const reasons: Refusal[] = [...policyRefusals(ctx, request, home), ...quotas.filter(exceedsQuota).map(quotaRefusal)];
  const taken = await findAvailabilityRefusal(db, ctx, range, body.partySize);
  if (taken) reasons.push(taken);
  const equipment = await findEquipmentStanding(db, ctx, range, body.equipment ?? [], request.now);
  return { bookable: reasons.length === 0, reasons, quotas, equipment };
}

/** What the pool could lend the booking's site for each need over its window, nearest lenders first. */
async function findEquipmentStanding(db: Database, ctx: SpaceContext, range: InstantRange, needs: readonly EquipmentNeed[], now: Date): Promise<EquipmentNeedStanding[]> {
  const standings: EquipmentNeedStanding[] = [];
  for (const need of needs) {
    const type = await findEquipmentType(db, ctx.space.orgId, need.typeId);
    // An archived type is lent by nobody: a booking asking for it would be refused.
    if (type.archivedAt) {
      standings.push({ ...need, totalFree: 0, shortfall: need.quantity, lenders: [] });
      continue;
    }
    const standing = await findPoolStanding(db, { orgId: ctx.space.orgId, typeId: need.typeId, destinationSiteId: ctx.site.id, use: range, quantity: need.quantity, now });
    standings.push({ ...need, totalFree: standing.totalFree, shortfall: standing.shortfall, lenders: standing.lenders.map(toLenderAvailability) });
  }
  return standings;
}

const toLenderAvailability = (lender: LenderStanding) => ({
  siteId: lender.siteId,
  siteName: lender.siteName,
  district: lender.district,
  distanceKm: lender.distanceKm,
  transitMinutes: Math.round(lender.transitMs / 60_000),
  free: lender.free,
  claimStart: new Date(lender.claim.start).toISOString(),
  claimEnd: new Date(lender.claim.end).toISOString(),
});

/**
 * A refusal for "taken" or "full" (from the check or from the constraint as the last line of defence) carries
 * bookable alternatives and is logged as unmet demand; anything else passes through unchanged.
 */
async function explainRefusal(
  deps: AppDeps,
  actor: Actor,
  ctx: SpaceContext | undefined,
  range: InstantRange,
  partySize: number,
  error: unknown,
  now: Date,
): Promise<unknown> {
  const code = error instanceof AppError ? error.code : isTakenState(error) ? 'SLOT_TAKEN' : null;
  if (!ctx || (code !== 'SLOT_TAKEN' && code !== 'CAPACITY_FULL')) return error;
  await recordUnmetDemand(deps.db, actor, ctx, range, code, now);
  let alternatives: BookingAlternative[] = [];
  try {
    alternatives = await suggestAlternatives(deps, actor, ctx, range, partySize);
  } catch {
    // Alternatives are a courtesy; failing to compute them must not hide the refusal itself.
  }
  const reasons = error instanceof AppError ? (error.options.details?.reasons as Refusal[]) : [{ code }];
  return new AppError(code, { details: { reasons, alternatives } });
}

/**
 * Reschedule, move to another space, or change the party. Checked exactly like a new booking, ignoring the
 * booking itself; the time it leaves behind may promote someone on the waitlist. A resident's change that goes
 * beyond what was confirmed in a space needing approval goes back to pending (changeNeedsApproval), still
 * holding its new slot. Equipment it asked for and that is not yet dispatched follows it (followClaimMove). The
 * booker hears of a move someone else made, the managers of a change that needs approval, and its reminders move.
 */
export async function updateBooking(
  deps: AppDeps,
  actor: Actor,
  bookingId: string,
  body: UpdateBookingBody,
  expectedVersion: number,
): Promise<Booking> {
  const { db } = deps;
  const now = deps.now();
  const current = await findVisibleBooking(db, actor, bookingId);
  const target = {
    spaceId: body.spaceId ?? current.spaceId,
    range: rangeOf(body.startAt ?? current.startAt, body.endAt ?? current.endAt),
    partySize: body.partySize ?? current.partySize,
    purpose: body.purpose ?? current.purpose,
  };
  let ctx: SpaceContext | undefined;
  try {
    const changed = await db.transaction(async (tx) => {
      await lockForBooking(tx, [current.spaceId, target.spaceId], actor.role === 'resident' ? current.bookerId : null);
      const row = await findBookingById(tx, bookingId);
      assertVersion(row!, expectedVersion);
      if (!['pending', 'confirmed'].includes(row!.status) || row!.startAt.getTime() <= now.getTime()) {
        throw new AppError('INVALID_TRANSITION', { detail: 'Only upcoming pending or confirmed bookings can be changed.' });
      }
      // Accepting an offer is what confirms it, so an offer moved first could skip the approval of its new space.
      if (row!.offerExpiresAt) throw new AppError('INVALID_TRANSITION', { detail: 'Accept the waitlist offer before changing it.' });
      ctx = await loadSpaceContext(tx, actor, target.spaceId);
      const check = { actor, bookerId: row!.bookerId, range: target.range, partySize: target.partySize, now, excludeBookingId: row!.id };
      const refusals = await checkPolicy(tx, ctx, check);
      if (refusals.length) throw refusalError(refusals);
      const taken = await findAvailabilityRefusal(tx, ctx, target.range, target.partySize, row!.id);
      if (taken) throw refusalError([taken]);

      const needsApproval = changeNeedsApproval({
        approvalRequired: ctx.policy.values.approvalRequired,
        actorRole: actor.role,
        status: row!.status as BookingStatus,
        current: { spaceId: row!.spaceId, range: rangeOf(row!.startAt, row!.endAt), partySize: row!.partySize, purpose: row!.purpose },
        requested: { ...target, spaceId: ctx.space.id },
      });
      const updated = await updateBookingAtVersion(tx, row!, {
        spaceId: ctx.space.id,
        siteId: ctx.site.id,
        exclusive: ctx.space.bookingMode === 'exclusive',
        startAt: new Date(target.range.start),
        endAt: new Date(target.range.end),
        partySize: target.partySize,
        purpose: target.purpose,
        status: needsApproval ? 'pending' : row!.status,
        updatedAt: now,
      });
      if (!updated) throw new AppError('VERSION_MISMATCH');
      const reason = needsApproval ? 'change needs approval' : body.spaceId && body.spaceId !== row!.spaceId ? 'moved' : 'rescheduled';
      await recordBookingEvent(tx, updated, { actorId: actor.userId, from: row!.status, to: updated.status, reason, changes: changesBetween(row!, updated) });
      if (updated.startAt.getTime() !== row!.startAt.getTime() || updated.endAt.getTime() !== row!.endAt.getTime() || updated.siteId !== row!.siteId) {
        await followClaimMove(tx, { bookingId: row!.id }, { orgId: row!.orgId, fromSiteId: row!.siteId, toSiteId: updated.siteId, use: target.range, actorId: actor.userId, now });
      }
      const notices: NotificationIntent[] = [];
      await noticeChange(tx, row!, updated, ctx, { actorId: actor.userId, tell: true, now }, notices);
      await promoteWaitlist(tx, { spaceId: row!.spaceId, range: rangeOf(row!.startAt, row!.endAt), now }, notices);
      await recordNotifications(tx, notices, { now });
      return updated;
    });
    return await answerBooking(db, actor, changed);
  } catch (error) {
    throw await explainRefusal(deps, actor, ctx, target.range, target.partySize, error, now);
  }
}
