import type { ArchivedSpace, CreateSpaceBody, EffectivePolicyResponse, ListSpacesQuery, Space, UpdateSpaceBody } from '@linli/contracts';
import type { Database, Transaction } from '@linli/db';
import { describePolicyLevel } from '@linli/domain';
import { cancelClaimsStartingAfter } from '../claims/claims.repository.ts';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { toPage } from '../../lib/pagination.ts';
import { assertPoliciesCoherent } from '../catalogue/policy-coherence.ts';
import { findManageableSite } from '../sites/sites.service.ts';
import {
  type SpaceRow,
  archiveSpaceRow,
  deleteSpaceRow,
  expireWaitlistEntriesOfBookings,
  findPolicyLevels,
  findVisibleSpaceRow,
  hasBookingsOnSpace,
  insertSpace,
  listVisibleSpaces,
  updateSpaceRow,
} from './spaces.repository.ts';

export function toSpace(row: SpaceRow): Space {
  return {
    id: row.id,
    siteId: row.siteId,
    name: row.name,
    kind: row.kind,
    bookingMode: row.bookingMode as Space['bookingMode'],
    capacity: row.capacity,
    features: row.features,
    bookableBy: row.bookableBy as Space['bookableBy'],
    openTo: row.openTo,
    policy: row.policy,
    description: row.description,
    photoUrl: row.photoUrl,
    archivedAt: toIso(row.archivedAt),
    createdAt: toIso(row.createdAt),
  };
}

/** An emptied description or photo is no description or photo. */
function presentationOf(body: { description?: string | null; photoUrl?: string | null }) {
  return {
    ...(body.description !== undefined ? { description: body.description || null } : {}),
    ...(body.photoUrl !== undefined ? { photoUrl: body.photoUrl || null } : {}),
  };
}

export async function listSpaces(db: Database, actor: Actor, query: ListSpacesQuery) {
  const rows = await listVisibleSpaces(db, actor, query);
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toSpace), nextCursor: page.nextCursor };
}

export async function findVisibleSpace(db: Database, actor: Actor, spaceId: string): Promise<SpaceRow> {
  const row = await findVisibleSpaceRow(db, actor, spaceId);
  if (!row) throw notFound('Space');
  return row;
}

export async function getSpace(db: Database, actor: Actor, spaceId: string): Promise<Space> {
  return toSpace(await findVisibleSpace(db, actor, spaceId));
}

export async function createSpace(db: Database, actor: Actor, body: CreateSpaceBody): Promise<Space> {
  const site = await findManageableSite(db, actor, body.siteId);
  if (site.archivedAt) throw new AppError('ARCHIVED', { detail: 'The site is archived.' });
  await assertPoliciesCoherent(db, actor.orgId, { level: 'space', id: null, name: body.name, siteId: site.id, policy: body.policy });
  const row = await insertSpace(db, { ...body, ...presentationOf(body), orgId: actor.orgId });
  return toSpace(row);
}

export async function updateSpace(
  db: Database,
  actor: Actor,
  spaceId: string,
  body: UpdateSpaceBody,
  now: Date,
): Promise<Space> {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  if (current.archivedAt) throw new AppError('ARCHIVED', { detail: 'Unarchive the space before editing it.' });
  if (body.policy) {
    await assertPoliciesCoherent(db, actor.orgId, { level: 'space', id: spaceId, name: body.name ?? current.name, siteId: current.siteId, policy: body.policy });
  }
  // Switching mode or shrinking capacity could break promises already made; move those bookings first.
  const risky =
    (body.bookingMode && body.bookingMode !== current.bookingMode) ||
    (body.capacity !== undefined && body.capacity < current.capacity);
  if (risky && (await hasBookingsOnSpace(db, spaceId, { holdingEndingAfter: now }))) {
    throw new AppError('CONFLICT', {
      detail: 'The space has upcoming bookings; its booking mode cannot change and its capacity cannot shrink.',
    });
  }
  const row = await updateSpaceRow(db, { id: spaceId, orgId: actor.orgId }, { ...body, ...presentationOf(body), updatedAt: now });
  return toSpace(row!);
}

/**
 * Archiving ends the space's open time, so the bookings that would start after it are cancelled in the same
 * transaction (each with its event); bookings already under way stay. Archiving again keeps the first instant.
 */
export async function archiveSpace(db: Database, actor: Actor, spaceId: string, now: Date): Promise<ArchivedSpace> {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  return db.transaction(async (tx) => {
    // Updating the row locks it first, as booking does, so no booking can slip in behind the cancellation.
    const row = await archiveSpaceRow(tx, spaceId, now);
    const cancelledBookings = await cancelBookingsAfter(tx, row!, actor.userId, row!.archivedAt!, now);
    return { ...toSpace(row!), cancelledBookings };
  });
}

export async function unarchiveSpace(db: Database, actor: Actor, spaceId: string, now: Date): Promise<Space> {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  const row = await updateSpaceRow(db, { id: spaceId }, { archivedAt: null, updatedAt: now });
  return toSpace(row!);
}

const SPACE_ARCHIVED_REASON = 'space archived';

/**
 * Cancels the space's pending and confirmed bookings starting after `after`, writing each one's booking_event and
 * settling a waitlist offer it came from. The caller holds the space row lock. Written here rather than through
 * the lifecycle module, which would offer the freed time to the waitlist of a space nobody may book any more.
 */
async function cancelBookingsAfter(tx: Transaction, space: SpaceRow, actorId: string, after: Date, now: Date): Promise<number> {
  const ids = await cancelClaimsStartingAfter(tx, space, after, { actorId, reason: SPACE_ARCHIVED_REASON, now });
  // As a cancellation settles the offer a booking came from (waitlist settleWaitlistEntry).
  if (ids.length) await expireWaitlistEntriesOfBookings(tx, ids);
  return ids.length;
}

/** A space any booking refers to keeps its history: it is archived, never deleted. */
export async function deleteSpace(db: Database, actor: Actor, spaceId: string): Promise<void> {
  const current = await findVisibleSpace(db, actor, spaceId);
  await findManageableSite(db, actor, current.siteId);
  if (await hasBookingsOnSpace(db, spaceId)) throw new AppError('CONFLICT', { detail: 'Bookings refer to this space; archive it instead of deleting it.' });
  await deleteSpaceRow(db, spaceId);
}

export async function getSpaceEffectivePolicy(db: Database, actor: Actor, spaceId: string): Promise<EffectivePolicyResponse> {
  const space = await findVisibleSpace(db, actor, spaceId);
  const levels = await findPolicyLevels(db, space.siteId);
  const described = describePolicyLevel({ org: levels!.org, site: levels!.site, space: space.policy }, 'space');
  return {
    spaceId,
    values: described.values,
    sources: described.sources,
    inherited: described.inherited,
    inheritedSources: described.inheritedSources,
    levels: { org: levels!.org, site: levels!.site, space: space.policy },
  };
}
