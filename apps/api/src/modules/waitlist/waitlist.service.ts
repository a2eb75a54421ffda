/**
 * The waitlist: residents wait for a taken slot (or a full seat area); when the space frees up, entries are
 * promoted first come, first served, under the same space lock as the release, so two releases can never
 * promote the same place twice.
 */
import type { CreateWaitlistBody, WaitlistEntry } from '@linli/contracts';
import { type Database, SQLSTATE, sqlStateOf } from '@linli/db';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import type { AppDeps } from '../../lib/context.ts';
import { findHoldingClaims, lockForBooking } from '../claims/claims.repository.ts';
import { checkPolicy } from '../claims/quotas.ts';
import { findAvailabilityRefusal, rangeOf, refusalError } from '../claims/space-claims.ts';
import { loadSpaceContext } from '../claims/space-context.ts';
import {
  type WaitlistEntryRow,
  cancelWaitingEntry,
  expireUnplacedEntries,
  findActiveWaitlistEntry,
  findWaitlistEntryWithPosition,
  insertWaitlistEntry,
  listUserWaitlistEntries,
} from './waitlist.repository.ts';

function toWaitlistEntry(row: WaitlistEntryRow, position: number | null): WaitlistEntry {
  return {
    id: row.id,
    siteId: row.siteId,
    spaceId: row.spaceId,
    startAt: toIso(row.startAt),
    endAt: toIso(row.endAt),
    partySize: row.partySize,
    purpose: row.purpose,
    status: row.status as WaitlistEntry['status'],
    bookingId: row.bookingId,
    position,
    createdAt: toIso(row.createdAt),
  };
}

/**
 * Joining is for a slot that is valid by policy but taken by someone else; a free slot should simply be booked.
 * One active entry per resident, space and instant: a second one would let its owner jump the queue (the
 * exclusion constraint waitlist_one_active_entry guarantees it; the checks here say why first).
 */
export async function joinWaitlist(deps: AppDeps, actor: Actor, body: CreateWaitlistBody): Promise<WaitlistEntry> {
  const now = deps.now();
  const range = rangeOf(body.startAt, body.endAt);
  return deps.db.transaction(async (tx) => {
    await lockForBooking(tx, [body.spaceId], null);
    const ctx = await loadSpaceContext(tx, actor, body.spaceId);
    const refusals = (await checkPolicy(tx, ctx, { actor, bookerId: actor.userId, range, partySize: body.partySize, now }))
      // Quotas are judged when a place is offered, not while waiting.
      .filter((r) => r.code !== 'QUOTA_EXCEEDED');
    if (refusals.length) throw refusalError(refusals);
    if (await findActiveWaitlistEntry(tx, actor.userId, ctx.space.id, range)) throw new AppError('ALREADY_WAITLISTED');
    const held = await findHoldingClaims(tx, ctx.space.id, range);
    if (held.some((b) => b.bookerId === actor.userId)) throw new AppError('ALREADY_HOLDING');
    if (!(await findAvailabilityRefusal(tx, ctx, range, body.partySize))) {
      throw new AppError('CONFLICT', { detail: 'This time is free: book it instead of waiting.' });
    }
    try {
      const row = await insertWaitlistEntry(tx, {
        orgId: actor.orgId,
        siteId: ctx.site.id,
        spaceId: ctx.space.id,
        userId: actor.userId,
        startAt: new Date(range.start),
        endAt: new Date(range.end),
        partySize: body.partySize,
        purpose: body.purpose ?? null,
        createdAt: now,
      });
      // Read back under the space lock, so the place given is the one the queue holds.
      const placed = await findWaitlistEntryWithPosition(tx, row.id);
      return toWaitlistEntry(row, placed?.position ?? null);
    } catch (error) {
      // The space lock makes the check above answer first; the constraint is the last line of defence.
      if (sqlStateOf(error) === SQLSTATE.exclusionViolation) throw new AppError('ALREADY_WAITLISTED');
      throw error;
    }
  });
}

export async function listMyWaitlist(db: Database, actor: Actor): Promise<WaitlistEntry[]> {
  const rows = await listUserWaitlistEntries(db, actor.orgId, actor.userId);
  return rows.map(({ entry, position }) => toWaitlistEntry(entry, position));
}

export async function leaveWaitlist(db: Database, actor: Actor, entryId: string): Promise<WaitlistEntry> {
  const row = await cancelWaitingEntry(db, actor.orgId, actor.userId, entryId);
  if (!row) throw notFound('Waiting entry');
  // Out of the queue: no place in it.
  return toWaitlistEntry(row, null);
}


/** Waitlist entries whose time has come without a place: kept as 'expired' (unmet demand), not deleted. */
export async function expireStaleWaitlistEntries(db: Database, now: Date): Promise<number> {
  return expireUnplacedEntries(db, now);
}
