/**
 * Where and when a party can be: free slots of one space, and the alternatives offered when a request is
 * refused as taken or full (the same space at the nearest free times, and equivalent spaces at nearby sites).
 */
import type { BookingAlternative, SearchSpacesQuery, SearchSpacesResponse, SpaceAvailability, SpaceAvailabilityQuery } from '@linli/contracts';
import type { Database, Transaction } from '@linli/db';
import {
  type InstantRange,
  type FreeSlot,
  bookingHorizon,
  distanceKm,
  isWithinOpenRanges,
  listFreeSlots,
  localDatesBetween,
  localDayRange,
  openRanges,
  peakOccupancy,
} from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import type { AppDeps } from '../../lib/context.ts';
import { AppError } from '../../lib/app-error.ts';
import { toSpace } from '../spaces/spaces.service.ts';
import { findHoldingClaims } from '../claims/claims.repository.ts';
import { opennessRefusalFor, policyRefusals } from '../claims/quotas.ts';
import { availabilityRefusal, holdingWindow, refusalError } from '../claims/space-claims.ts';
import { type SiteRow, type SpaceContext, type SpaceRow, loadSpaceContext, residentHomeOf } from '../claims/space-context.ts';
import { catalogueVersionSql, readCatalogue, readWithCatalogue } from '../catalogue/catalogue.ts';
import { findHoldingBySpace, insertDemandEvent } from './availability.repository.ts';

const ALTERNATIVES_PER_KIND = 3;
/** Open sites whose bookings are read per round of a ranked search. */
const SEARCH_SITE_CHUNK = 8;
const SAME_SPACE_DAYS = 3;
/** How many nearby candidate spaces are checked in full before giving up. */
const NEARBY_CANDIDATES = 15;

type Db = Database | Transaction;

type SlotOptions = { durationMinutes: number; partySize: number; now: Date };

/** Free slots of a space over local dates [fromDate, toDate] in the site's zone, for this actor. */
export async function findFreeSlots(db: Db, actor: Actor, ctx: SpaceContext, window: InstantRange, options: SlotOptions): Promise<FreeSlot[]> {
  const { grid, busy } = await slotGridOf(db, actor, ctx, window, options);
  return listFreeSlots({ ...grid, busy });
}

/**
 * Free slots and taken ones: the same grid laid out twice, once without the bookings, so "taken" means exactly
 * "this actor could book it (hours, closures, policy, lead time, horizon) but for other people's bookings".
 */
async function findFreeAndTakenSlots(db: Db, actor: Actor, ctx: SpaceContext, window: InstantRange, options: SlotOptions) {
  const { grid, busy } = await slotGridOf(db, actor, ctx, window, options);
  const free = listFreeSlots({ ...grid, busy });
  const freeStarts = new Set(free.map((slot) => slot.range.start));
  const taken = listFreeSlots({ ...grid, busy: [] })
    .filter((slot) => !freeStarts.has(slot.range.start))
    .map((slot) => slot.range);
  return { free, taken };
}

/** What laying out a space's slot grid for this actor takes: its rules and hours, and the bookings holding it. */
async function slotGridOf(db: Db, actor: Actor, ctx: SpaceContext, window: InstantRange, options: SlotOptions) {
  const policy = ctx.policy.values;
  const isStaff = actor.role !== 'resident';
  const holding = await findHoldingClaims(db, ctx.space.id, holdingWindow(ctx, window));
  const grid = {
    open: openRanges(ctx.site.openingHours, ctx.site.timezone, window, ctx.closures),
    mode: ctx.space.bookingMode as 'exclusive' | 'shared_capacity',
    capacity: ctx.space.capacity,
    partySize: options.partySize,
    slotMinutes: policy.slotMinutes,
    durationMinutes: options.durationMinutes,
    bufferMinutes: policy.bufferMinutes,
    zone: ctx.site.timezone,
    now: options.now.getTime(),
    leadTimeMinutes: isStaff ? 0 : policy.leadTimeMinutes,
    horizonEnd: isStaff ? Infinity : bookingHorizon({ now: options.now.getTime(), horizonDays: policy.horizonDays, zone: ctx.site.timezone }).end,
  };
  const busy = holding.map((b) => ({ range: { start: b.startAt.getTime(), end: b.endAt.getTime() }, partySize: b.partySize }));
  return { grid, busy };
}

/**
 * The same space, same length, at the free times nearest the one asked for: that day first, and the following
 * days only while fewer than three were found (this runs on every refusal, so it does no more than it must).
 */
async function sameSpaceAlternatives(deps: AppDeps, actor: Actor, ctx: SpaceContext, range: InstantRange, partySize: number) {
  const zone = ctx.site.timezone;
  const [firstDate] = localDatesBetween(range, zone);
  let day = localDayRange(firstDate!, zone);
  const found: FreeSlot[] = [];
  for (let i = 0; i < SAME_SPACE_DAYS && found.length < ALTERNATIVES_PER_KIND; i++) {
    const slots = await findFreeSlots(deps.db, actor, ctx, day, {
      durationMinutes: Math.round((range.end - range.start) / 60_000),
      partySize,
      now: deps.now(),
    });
    found.push(...slots.sort((a, b) => Math.abs(a.range.start - range.start) - Math.abs(b.range.start - range.start)));
    day = localDayRange(localDatesBetween({ start: day.end, end: day.end + 1 }, zone)[0]!, zone);
  }
  return found
    .slice(0, ALTERNATIVES_PER_KIND)
    .sort((a, b) => a.range.start - b.range.start)
    .map(
      (slot): BookingAlternative => ({
        spaceId: ctx.space.id,
        siteId: ctx.site.id,
        spaceName: ctx.space.name,
        siteName: ctx.site.name,
        startAt: new Date(slot.range.start).toISOString(),
        endAt: new Date(slot.range.end).toISOString(),
        kind: 'same_space',
        distanceKm: 0,
      }),
    );
}

type Candidate = { space: SpaceRow; site: SiteRow };

/** Whether the actor may book in the space at all, before any time rule: the catalogue-side filters of a search. */
function mayBook(actor: Actor, space: SpaceRow, site: SiteRow): boolean {
  if (space.archivedAt || site.archivedAt) return false;
  if (actor.role === 'resident') return space.bookableBy === 'residents';
  return actor.role === 'org_admin' || actor.siteIds.includes(site.id);
}

/**
 * Cross-site substitution: spaces of the same kind and mode, big enough, with at least the same features, free
 * for exactly the requested time and bookable by this actor, nearest first. Judged in memory from four queries,
 * because this runs on every refusal and refusals come in bursts. Quotas are judged when the alternative is booked.
 */
async function nearbySpaceAlternatives(deps: AppDeps, actor: Actor, ctx: SpaceContext, range: InstantRange, partySize: number) {
  const catalogue = await readCatalogue(deps.db, actor.orgId);
  const origin = ctx.site.lat !== null && ctx.site.lng !== null ? { lat: ctx.site.lat, lng: ctx.site.lng } : null;
  const ranked: (Candidate & { distance: number | null })[] = [];
  for (const space of catalogue.spaces.values()) {
    const site = catalogue.sites.get(space.siteId);
    if (!site || space.id === ctx.space.id || !mayBook(actor, space, site)) continue;
    if (space.kind !== ctx.space.kind || space.bookingMode !== ctx.space.bookingMode || space.capacity < partySize) continue;
    if (!ctx.space.features.every((f) => space.features.includes(f))) continue;
    const distance = origin && site.lat !== null && site.lng !== null ? distanceKm(origin, { lat: site.lat, lng: site.lng }) : null;
    ranked.push({ space, site, distance });
  }
  ranked.sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity));
  const nearest = ranked.slice(0, NEARBY_CANDIDATES);
  if (!nearest.length) return [];

  const [{ holdingBySpace }, home] = await Promise.all([
    findHoldingBySpace(deps.db, nearest.map((c) => c.space.id), range, catalogueVersionSql(actor.orgId)),
    residentHomeOf(deps.db, actor),
  ]);
  const alternatives: BookingAlternative[] = [];
  for (const candidate of nearest) {
    if (alternatives.length >= ALTERNATIVES_PER_KIND) break;
    const candidateCtx = catalogue.contextOf(candidate.space);
    if (policyRefusals(candidateCtx, { actor, range, partySize, now: deps.now() }, home).length) continue;
    if (availabilityRefusal(candidateCtx, range, partySize, holdingBySpace.get(candidate.space.id) ?? [])) continue;
    alternatives.push({
      spaceId: candidate.space.id,
      siteId: candidate.site.id,
      spaceName: candidate.space.name,
      siteName: candidate.site.name,
      startAt: new Date(range.start).toISOString(),
      endAt: new Date(range.end).toISOString(),
      kind: 'nearby_space',
      distanceKm: candidate.distance === null ? null : Math.round(candidate.distance * 10) / 10,
    });
  }
  return alternatives;
}

export async function suggestAlternatives(
  deps: AppDeps,
  actor: Actor,
  ctx: SpaceContext,
  range: InstantRange,
  partySize: number,
): Promise<BookingAlternative[]> {
  return [
    ...(await sameSpaceAlternatives(deps, actor, ctx, range, partySize)),
    ...(await nearbySpaceAlternatives(deps, actor, ctx, range, partySize)),
  ];
}

/**
 * GET /spaces/:id/availability: free and taken slots over local dates in the site's zone (the contract bounds the
 * dates); a taken slot is one a resident can join the waitlist for. A
 * space kept for its own site or district answers a resident from elsewhere with the reason booking would give,
 * rather than free times they could never book.
 */
export async function getSpaceAvailability(deps: AppDeps, actor: Actor, spaceId: string, query: SpaceAvailabilityQuery): Promise<SpaceAvailability> {
  const [ctx, home] = await Promise.all([loadSpaceContext(deps.db, actor, spaceId), residentHomeOf(deps.db, actor)]);
  const closed = opennessRefusalFor(ctx, actor, home);
  if (closed) throw refusalError([closed]);
  const zone = ctx.site.timezone;
  const window = { start: localDayRange(query.from, zone).start, end: localDayRange(query.to, zone).end };
  const durationMinutes = query.durationMinutes ?? Math.max(ctx.policy.values.minDurationMinutes, ctx.policy.values.slotMinutes);
  const { free, taken } = await findFreeAndTakenSlots(deps.db, actor, ctx, window, { durationMinutes, partySize: query.partySize, now: deps.now() });
  return {
    spaceId,
    timezone: zone,
    durationMinutes,
    slots: free.map((s) => ({
      startAt: new Date(s.range.start).toISOString(),
      endAt: new Date(s.range.end).toISOString(),
      remaining: s.remaining ?? null,
    })),
    // Only the times: whose booking fills them is not the asker's business.
    takenSlots: taken.map((range) => ({ startAt: new Date(range.start).toISOString(), endAt: new Date(range.end).toISOString() })),
  };
}

/**
 * Portfolio search: every space this actor may book that is free for exactly [startAt, endAt) with room for the
 * party and all the features asked for, judged against opening hours, closures and policy. Sites, spaces and
 * policies come from the in-memory catalogue; the database is asked only for the candidates' bookings, a chunk of
 * sites at a time, best-ranked first, until the page is full.
 * Ranked by distance when a point is given, otherwise by how snugly the space fits the party.
 */
export async function searchSpaces(deps: AppDeps, actor: Actor, query: SearchSpacesQuery): Promise<SearchSpacesResponse> {
  const { db } = deps;
  // The contract refused a reversed range or one longer than a booking can be.
  const range = { start: Date.parse(query.startAt), end: Date.parse(query.endAt) };
  const now = deps.now();
  const home = await residentHomeOf(db, actor);
  const results = await readWithCatalogue(db, actor.orgId, async (catalogue) => {
    let origin: { lat: number; lng: number } | null = query.lat !== undefined && query.lng !== undefined ? { lat: query.lat, lng: query.lng } : null;
    if (query.nearSiteId) {
      const near = catalogue.sites.get(query.nearSiteId);
      if (!near) throw new AppError('NOT_FOUND', { detail: 'Site not found' });
      if (near.lat !== null && near.lng !== null) origin = { lat: near.lat, lng: near.lng };
    }
    const isSiteStaff = actor.role === 'site_manager' || actor.role === 'staff';
    const rankedSites = [...catalogue.sites.values()]
      .filter(
        (site) =>
          !site.archivedAt &&
          (!query.siteKind || site.kind === query.siteKind) &&
          (!query.district || site.district === query.district) &&
          (!isSiteStaff || actor.siteIds.includes(site.id)),
      )
      .map((site) => ({ site, distance: origin && site.lat !== null && site.lng !== null ? distanceKm(origin, { lat: site.lat, lng: site.lng }) : null }))
      .filter((c) => query.maxDistanceKm === undefined || (c.distance !== null && c.distance <= query.maxDistanceKm))
      .sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity));
    // Without a point to rank by, the ranking is by fit across all spaces, so all sites form one chunk.
    const chunkSize = origin ? SEARCH_SITE_CHUNK : Math.max(1, rankedSites.length);
    const wanted = (space: SpaceRow, site: SiteRow) =>
      space.capacity >= query.partySize &&
      (!query.kind || space.kind === query.kind) &&
      (!query.features?.length || query.features.every((f) => space.features.includes(f))) &&
      mayBook(actor, space, site);
    // Spaces of one site without policy overrides of their own get the same verdict for the same request, so it is
    // worked out once: the policy check (calendar math in the site's zone) is the costly part of judging a space.
    const verdicts = new Map<string, boolean>();
    const policyAllows = (ctx: SpaceContext) => {
      const { space } = ctx;
      // Capacity enters the policy check only as "does the party fit"; candidates were filtered on that already.
      const key = `${space.siteId}|${space.capacity >= query.partySize}|${space.bookableBy}|${space.openTo}|${JSON.stringify(space.policy)}`;
      let allowed = verdicts.get(key);
      if (allowed === undefined) {
        allowed = policyRefusals(ctx, { actor, range, partySize: query.partySize, now }, home).length === 0;
        verdicts.set(key, allowed);
      }
      return allowed;
    };
    const found: (Candidate & { distance: number | null; remaining: number | null })[] = [];
    let catalogueVersion: number | null = null;
    // A site closed at that time (its hours or a closure) has nothing to offer: such sites are passed over before
    // any booking is read, so a late-evening search does not query site after closed site.
    const isOpen = ({ site }: { site: SiteRow }) =>
      isWithinOpenRanges(range, openRanges(site.openingHours, site.timezone, range, catalogue.closuresOf(site)));
    for (let i = 0; i < rankedSites.length && found.length < query.limit; ) {
      const chunk: typeof rankedSites = [];
      for (; i < rankedSites.length && chunk.length < chunkSize; i++) if (isOpen(rankedSites[i]!)) chunk.push(rankedSites[i]!);
      const ranked = chunk
        .flatMap(({ site, distance }) => (catalogue.activeSpacesBySite.get(site.id) ?? []).filter((space) => wanted(space, site)).map((space) => ({ space, site, distance })))
        .sort((a, b) =>
          origin
            ? (a.distance ?? Infinity) - (b.distance ?? Infinity)
            : a.space.capacity - query.partySize - (b.space.capacity - query.partySize) || a.site.name.localeCompare(b.site.name),
        );
      if (!ranked.length) continue;
      const loaded = await findHoldingBySpace(db, ranked.map((c) => c.space.id), range, catalogueVersionSql(actor.orgId));
      catalogueVersion ??= loaded.catalogueVersion;
      // Judged best-ranked first and only until the page is full.
      for (const c of ranked) {
        if (found.length >= query.limit) break;
        const spaceHolding = loaded.holdingBySpace.get(c.space.id) ?? [];
        const ctx = catalogue.contextOf(c.space);
        if (availabilityRefusal(ctx, range, query.partySize, spaceHolding)) continue;
        if (!policyAllows(ctx)) continue;
        const remaining =
          c.space.bookingMode === 'shared_capacity'
            ? c.space.capacity - peakOccupancy(spaceHolding.map((b) => ({ range: { start: b.startAt.getTime(), end: b.endAt.getTime() }, partySize: b.partySize })), range)
            : null;
        found.push({ ...c, remaining });
      }
    }
    // No candidate at all means no query ran: the snapshot's verdict is checked on its own.
    catalogueVersion ??= (await readCatalogue(db, actor.orgId)).version;
    return { result: found, version: catalogueVersion };
  });
  const items = results.slice(0, query.limit).map((r) => ({
    space: toSpace(r.space),
    site: { id: r.site.id, name: r.site.name, kind: r.site.kind, district: r.site.district, subdistrict: r.site.subdistrict, address: r.site.address, lat: r.site.lat, lng: r.site.lng, timezone: r.site.timezone },
    distanceKm: r.distance === null ? null : Math.round(r.distance * 10) / 10,
    remaining: r.remaining,
  }));
  if (items.length === 0) {
    // A search that found nothing is unmet demand, by district (or site) and hour.
    await insertDemandEvent(db, {
      orgId: actor.orgId,
      siteId: query.nearSiteId ?? null,
      userId: actor.userId,
      kind: 'search_empty',
      requestedStart: new Date(range.start),
      requestedEnd: new Date(range.end),
      at: now,
    });
  }
  return { items };
}
