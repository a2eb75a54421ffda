/**
 * Creating and changing bookings. The promise: a holding booking of an exclusive space never overlaps another,
 * a shared space never holds more people than its capacity, and a retried request creates nothing twice.
 * The code checks first to say precisely why; the database (exclusion constraint, row lock) guarantees it.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Booking, BookingAlternative, BookingCheck, CreateBookingBody, ListBookingsQuery, UpdateBookingBody } from '@linli/contracts';
import { type Database, SQLSTATE, type Transaction, newId, schema, sqlStateOf, queryPrepared } from '@linli/db';
import { type InstantRange, type Refusal, exceedsQuota, peakOccupancy } from '@linli/domain';
import { type SQL, and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import type { AppDeps } from '../../lib/context.ts';
import { cachedCatalogue, confirmCatalogueError, readCatalogue, reloadCatalogue } from '../catalogue/catalogue.ts';
import { suggestAlternatives } from '../availability/availability.service.ts';
import { promoteWaitlist } from '../waitlist/waitlist.service.ts';
import {
  type BookingFields,
  type BookingRow,
  type SpaceContext,
  QUOTA_KEYS,
  checkPolicy,
  findHoldingOverlaps,
  homeSiteOf,
  loadSpaceContext,
  policyRefusals,
  quotaMeasures,
  quotaRefusal,
  spaceContextOf,
  quotaRefusals,
  lockForBooking,
  toBooking,
} from './booking-context.ts';

const { bookings, bookingEvents, idempotencyKeys, demandEvents, users } = schema;
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
): typeof bookings.$inferInsert {
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

/**
 * Whether the space can take this party for this range, given the bookings already holding it. Exclusive spaces
 * keep `bufferMinutes` free around each booking; shared spaces count people at the busiest instant.
 */
export async function findAvailabilityRefusal(
  db: Database | Transaction,
  ctx: SpaceContext,
  range: InstantRange,
  partySize: number,
  excludeBookingId?: string,
): Promise<Refusal | null> {
  const bufferMs = ctx.space.bookingMode === 'exclusive' ? ctx.policy.values.bufferMinutes * MINUTE_MS : 0;
  const holding = await findHoldingOverlaps(db, ctx.space.id, range, { bufferMs, excludeBookingId });
  return availabilityRefusal(ctx, range, partySize, holding);
}

/** The same decision from bookings already fetched (they must include everything near `range`). */
export function availabilityRefusal(
  ctx: Pick<SpaceContext, 'space' | 'policy'>,
  range: InstantRange,
  partySize: number,
  holding: Pick<BookingRow, 'startAt' | 'endAt' | 'partySize'>[],
): Refusal | null {
  if (ctx.space.bookingMode === 'exclusive') {
    const bufferMs = ctx.policy.values.bufferMinutes * MINUTE_MS;
    const widened = { start: range.start - bufferMs, end: range.end + bufferMs };
    const clash = holding.some((b) => b.startAt.getTime() < widened.end && b.endAt.getTime() > widened.start);
    return clash ? { code: 'SLOT_TAKEN' as Refusal['code'] } : null;
  }
  const peak = peakOccupancy(
    holding.map((b) => ({ range: rangeOf(b.startAt, b.endAt), partySize: b.partySize })),
    range,
  );
  if (peak + partySize <= ctx.space.capacity) return null;
  return { code: 'CAPACITY_FULL' as Refusal['code'], params: { capacity: ctx.space.capacity, taken: peak, remaining: Math.max(0, ctx.space.capacity - peak) } };
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

export async function recordBookingEvent(
  tx: Transaction,
  booking: { id: string; orgId: string },
  change: { actorId: string | null; from: string | null; to: string; reason?: string | null; at: Date },
) {
  await tx.insert(bookingEvents).values({
    orgId: booking.orgId,
    bookingId: booking.id,
    actorId: change.actorId,
    fromStatus: change.from,
    toStatus: change.to,
    reason: change.reason ?? null,
    at: change.at,
  });
}

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

type IdempotentOutcome = { replayed: true; statusCode: number; booking: Booking } | { replayed: false; booking: Booking };

/**
 * Claims an Idempotency-Key inside the booking transaction. A concurrent duplicate blocks on the primary key
 * until the first commits, then finds its answer; if the first failed and rolled back, the retry proceeds.
 */
async function claimIdempotencyKey(tx: Transaction, actor: Actor, key: string, requestHash: string) {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ orgId: actor.orgId, userId: actor.userId, key, requestHash, statusCode: 0, response: {} })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length) return null;
  const [prior] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, key)));
  if (!prior || prior.requestHash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return prior;
}

async function findCompletedIdempotentAnswer(db: Database, actor: Actor, key: string, requestHash: string) {
  const [prior] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, key)));
  if (!prior) return null;
  if (prior.requestHash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return prior.statusCode ? prior : null;
}

/**
 * POST /bookings. The decision is made in two steps:
 * 1. Policy (hours, closures, grid, durations, timing, who may book) from the in-memory catalogue, before any lock.
 * 2. The critical section in one database round trip (`linli_book_space`, migration 0005): lock the space, check
 *    the catalogue is still current, judge its holding bookings, insert the booking and its first event.
 * Resident quotas and Idempotency-Keys need reads and writes of their own under the same locks, so those requests
 * wrap step 2 in a transaction that takes the booker lock and claims the key first.
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
  const bookerId = await resolveBooker(db, actor, body.bookerId);
  const request = { actor, bookerId, range, partySize: body.partySize, now };
  const homeSiteId = actor.role === 'resident' ? await homeSiteOf(db, actor.userId) : null;
  const hasQuota = (ctx: SpaceContext) => actor.role === 'resident' && QUOTA_KEYS.some((k) => ctx.policy.values[k] !== null);

  let catalogue = await cachedCatalogue(db, actor.orgId);
  let verified = false;
  for (;;) {
    let ctx: SpaceContext;
    try {
      ctx = spaceContextOf(catalogue, actor, body.spaceId);
      const policyProblems = policyRefusals(ctx, request, homeSiteId);
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
    const booking = toBooking({ ...row, purpose: row.purpose ?? null, checkedInAt: null, version: 1 } as BookingFields);
    try {
      if (!idempotencyKey && !hasQuota(ctx)) {
        await bookSpace(db, ctx, row, catalogue.version, { actorId: actor.userId, reason: 'created' });
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
        await bookSpace(tx, ctx, row, catalogue.version, { actorId: actor.userId, reason: 'created' });
        if (idempotencyKey) {
          await tx
            .update(idempotencyKeys)
            .set({ statusCode: 201, response: booking })
            .where(and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, idempotencyKey)));
        }
        return { replayed: false, booking };
      });
    } catch (error) {
      if (!(error instanceof StaleCatalogue)) throw await explainRefusal(deps, actor, ctx, range, body.partySize, error, now);
      // The space, site or policies changed since the snapshot was taken (nothing was written): decide again.
      catalogue = await reloadCatalogue(db, actor.orgId);
      verified = true;
    }
  }
}

/** linli_book_space found the caller's catalogue snapshot out of date; the transaction rolled back. */
class StaleCatalogue extends Error {}

type BookSpaceOutcome = { refusal: 'STALE_CATALOGUE' | 'SLOT_TAKEN' | 'CAPACITY_FULL'; taken?: number } | null;

/** Runs linli_book_space (migration 0005): lock, check, insert the booking and its event; throws a refusal. */
async function bookSpace(
  conn: Database | Transaction,
  ctx: SpaceContext,
  row: ReturnType<typeof newBookingRow> & { id: string },
  catalogueVersion: number,
  event: { actorId: string | null; reason: string },
): Promise<void> {
  const [result] = await queryPrepared<{ outcome: BookSpaceOutcome }>(
    conn,
    sql`SELECT linli_book_space(
      ${row.id}, ${row.orgId}, ${row.siteId}, ${row.spaceId}, ${row.exclusive},
      ${row.bookerId}, ${row.createdById}, ${row.partySize}, ${row.startAt}, ${row.endAt},
      ${row.purpose}, ${row.status}, ${row.source}, ${row.seriesId}, ${row.checkInCode}, ${row.offerExpiresAt},
      ${row.createdAt}, ${newId()}, ${event.actorId}, ${event.reason},
      ${ctx.policy.values.bufferMinutes}, ${ctx.space.capacity}, ${catalogueVersion}
    ) AS outcome`,
  );
  const outcome = result?.outcome;
  if (!outcome) return;
  if (outcome.refusal === 'STALE_CATALOGUE') throw new StaleCatalogue();
  throw refusalError([outcomeRefusal(ctx, outcome)]);
}

function outcomeRefusal(ctx: SpaceContext, outcome: NonNullable<BookSpaceOutcome>): Refusal {
  if (outcome.refusal !== 'CAPACITY_FULL') return { code: outcome.refusal as Refusal['code'] };
  const taken = outcome.taken ?? 0;
  return { code: 'CAPACITY_FULL' as Refusal['code'], params: { capacity: ctx.space.capacity, taken, remaining: Math.max(0, ctx.space.capacity - taken) } };
}

/**
 * POST /bookings/check: whether this booking would be accepted now, with every reason if not and where the booker
 * stands against each quota. The same rules as createBooking, read without locks, and nothing is written: a
 * booking made a moment later can still be refused if someone else got there first.
 */
export async function checkBooking(deps: AppDeps, actor: Actor, body: CreateBookingBody): Promise<BookingCheck> {
  const { db } = deps;
  const range = rangeOf(body.startAt, body.endAt);
  const bookerId = await resolveBooker(db, actor, body.bookerId);
  const ctx = spaceContextOf(await readCatalogue(db, actor.orgId), actor, body.spaceId);
  const homeSiteId = actor.role === 'resident' ? await homeSiteOf(db, actor.userId) : null;
  const request = { actor, bookerId, range, partySize: body.partySize, now: deps.now() };
  const quotas = await quotaMeasures(db, ctx, request);
  const reasons: Refusal[] = [...policyRefusals(ctx, request, homeSiteId), ...quotas.filter(exceedsQuota).map(quotaRefusal)];
  const taken = await findAvailabilityRefusal(db, ctx, range, body.partySize);
  if (taken) reasons.push(taken);
  return { bookable: reasons.length === 0, reasons, quotas };
}

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

/** A booking the actor may see: their own as a resident, their sites' as staff, any as org admin. */
export async function findVisibleBooking(db: Database | Transaction, actor: Actor, bookingId: string): Promise<BookingRow> {
  const [row] = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.id, bookingId), eq(bookings.orgId, actor.orgId)));
  if (!row) throw notFound('Booking');
  const visible =
    actor.role === 'org_admin' ||
    (actor.role === 'resident' ? row.bookerId === actor.userId : actor.siteIds.includes(row.siteId));
  if (!visible) throw notFound('Booking');
  return row;
}

export async function getBookingWithHistory(db: Database, actor: Actor, bookingId: string) {
  const row = await findVisibleBooking(db, actor, bookingId);
  const events = await db
    .select({ event: bookingEvents, actorName: users.displayName })
    .from(bookingEvents)
    .leftJoin(users, eq(users.id, bookingEvents.actorId))
    .where(eq(bookingEvents.bookingId, row.id))
    .orderBy(asc(bookingEvents.at), asc(bookingEvents.id));
  // Residents see who acted only where it was themselves; staff names are for staff.
  const nameFor = (actorId: string | null, name: string | null) => (actor.role !== 'resident' || actorId === actor.userId ? name : null);
  return {
    ...toBooking(row),
    events: events.map(({ event: e, actorName }) => ({
      id: e.id,
      actorId: e.actorId,
      actorName: nameFor(e.actorId, actorName),
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      reason: e.reason,
      at: e.at.toISOString(),
    })),
  };
}

export async function listBookings(db: Database, actor: Actor, query: ListBookingsQuery) {
  const filters: (SQL | undefined)[] = [eq(bookings.orgId, actor.orgId)];
  if (actor.role === 'resident') filters.push(eq(bookings.bookerId, actor.userId));
  if (actor.role === 'site_manager' || actor.role === 'staff') {
    if (query.siteId && !actor.siteIds.includes(query.siteId)) throw notFound('Site');
    filters.push(inArray(bookings.siteId, actor.siteIds.length ? actor.siteIds : ['00000000-0000-0000-0000-000000000000']));
  }
  if (query.siteId) filters.push(eq(bookings.siteId, query.siteId));
  if (query.spaceId) filters.push(eq(bookings.spaceId, query.spaceId));
  if (query.bookerId) filters.push(eq(bookings.bookerId, query.bookerId));
  if (query.status?.length) filters.push(inArray(bookings.status, query.status));
  if (query.from) filters.push(gt(bookings.endAt, new Date(query.from)));
  if (query.to) filters.push(lt(bookings.startAt, new Date(query.to)));
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(bookings.id, after));
  const rows = await db
    .select()
    .from(bookings)
    .where(and(...filters))
    .orderBy(bookings.id)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toBooking), nextCursor: page.nextCursor };
}

/** `If-Match: "3"` (or 3, or W/"3") -> 3. Missing -> 428; not a version -> 400. */
export function parseIfMatch(header: string | undefined, required: boolean): number | undefined {
  if (header === undefined || header === '') {
    if (required) throw new AppError('PRECONDITION_REQUIRED');
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'headers.if-match', message: 'must be the booking version, e.g. "3"' }] });
  return Number(match[1]);
}

export function assertVersion(row: BookingRow, expected: number | undefined) {
  if (expected !== undefined && row.version !== expected) {
    throw new AppError('VERSION_MISMATCH', { details: { currentVersion: row.version } });
  }
}

/**
 * Reschedule, move to another space, or change the party. Checked exactly like a new booking, ignoring the
 * booking itself; the time it leaves behind may promote someone on the waitlist.
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
  };
  let ctx: SpaceContext | undefined;
  try {
    return await db.transaction(async (tx) => {
      await lockForBooking(tx, [current.spaceId, target.spaceId], actor.role === 'resident' ? current.bookerId : null);
      const [row] = await tx.select().from(bookings).where(eq(bookings.id, bookingId));
      assertVersion(row!, expectedVersion);
      if (!['pending', 'confirmed'].includes(row!.status) || row!.startAt.getTime() <= now.getTime()) {
        throw new AppError('INVALID_TRANSITION', { detail: 'Only upcoming pending or confirmed bookings can be changed.' });
      }
      ctx = await loadSpaceContext(tx, actor, target.spaceId);
      const check = { actor, bookerId: row!.bookerId, range: target.range, partySize: target.partySize, now, excludeBookingId: row!.id };
      const refusals = await checkPolicy(tx, ctx, check);
      if (refusals.length) throw refusalError(refusals);
      const taken = await findAvailabilityRefusal(tx, ctx, target.range, target.partySize, row!.id);
      if (taken) throw refusalError([taken]);

      const [updated] = await tx
        .update(bookings)
        .set({
          spaceId: ctx.space.id,
          siteId: ctx.site.id,
          exclusive: ctx.space.bookingMode === 'exclusive',
          startAt: new Date(target.range.start),
          endAt: new Date(target.range.end),
          partySize: target.partySize,
          purpose: body.purpose ?? row!.purpose,
          version: row!.version + 1,
          updatedAt: now,
        })
        .where(and(eq(bookings.id, row!.id), eq(bookings.version, row!.version)))
        .returning();
      if (!updated) throw new AppError('VERSION_MISMATCH');
      const reason = body.spaceId && body.spaceId !== row!.spaceId ? 'moved' : 'rescheduled';
      await recordBookingEvent(tx, updated, { actorId: actor.userId, from: row!.status, to: updated.status, reason, at: now });
      await promoteWaitlist(tx, { spaceId: row!.spaceId, range: rangeOf(row!.startAt, row!.endAt), now });
      return toBooking(updated);
    });
  } catch (error) {
    throw await explainRefusal(deps, actor, ctx, target.range, target.partySize, error, now);
  }
}
