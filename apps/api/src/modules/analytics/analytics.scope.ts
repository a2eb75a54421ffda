/**
 * Analytics scope: the sites and spaces a caller may see, narrowed by the query, and their open time laid out once
 * per pattern (zone, hours and closures).
 */
import type { WeeklyHours } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import {
  type ClosureDates,
  type LocalDay,
  type LocalPeriod,
  type OpenPiece,
  addDays,
  dayNumberOf,
  localDaysOf,
  openMinutesBefore,
  openPieces,
} from '@linli/domain';
import { type SQL, and, eq, gt, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { findVisibleSite } from '../sites/sites.service.ts';

const { sites, spaces, closures } = schema;

// ---------------------------------------------------------------------------------------------------------------
// Scope: the sites and spaces the caller may see, narrowed by the query.

export interface ScopeFilters {
  siteId?: string | undefined;
  kind?: string | undefined;
  district?: string | undefined;
}

export interface ScopeSite {
  id: string;
  name: string;
  kind: string;
  district: string;
  timezone: string;
  openingHours: WeeklyHours;
  policy: Record<string, unknown>;
  archivedAt: number | null;
  closures: ClosureDates[];
}

export interface ScopeSpace {
  id: string;
  siteId: string;
  name: string;
  bookingMode: 'exclusive' | 'shared_capacity';
  capacity: number;
  policy: Record<string, unknown>;
  /** The earlier of the space's and its site's archive instants. */
  archivedAt: number | null;
}

export interface Scope {
  orgId: string;
  sites: ScopeSite[];
  /** Spaces counted in the period (not archived before it). */
  spaces: ScopeSpace[];
  /** Every space of the sites, archived or not: what bookings may refer to, and what the rollup depends on. */
  allSpaces: ScopeSpace[];
  siteById: Map<string, ScopeSite>;
}

/**
 * Site staff see their sites; org admins the whole organization. A site id outside that answers 404, like every
 * other endpoint, so another site's numbers are never returned. Sites and spaces archived before the period are
 * left out; those archived during it count until they were archived.
 */
export async function loadScope(db: Database | Transaction, actor: Actor, filters: ScopeFilters, period: LocalPeriod): Promise<Scope> {
  // Archived a day before the period starts anywhere on Earth: certainly before it.
  const archivedBefore = new Date(dayNumberOf(period.from) * 86_400_000 - 2 * 86_400_000);
  const siteFilters: (SQL | undefined)[] = [
    eq(sites.orgId, actor.orgId),
    or(isNull(sites.archivedAt), gt(sites.archivedAt, archivedBefore)),
  ];
  if (actor.role !== 'org_admin') siteFilters.push(actor.siteIds.length ? inArray(sites.id, actor.siteIds) : sql`false`);
  if (filters.siteId) siteFilters.push(eq(sites.id, filters.siteId));
  if (filters.kind) siteFilters.push(eq(sites.kind, filters.kind));
  if (filters.district) siteFilters.push(eq(sites.district, filters.district));
  const siteRows = await db
    .select({
      id: sites.id,
      name: sites.name,
      kind: sites.kind,
      district: sites.district,
      timezone: sites.timezone,
      openingHours: sites.openingHours,
      policy: sites.policy,
      archivedAt: sites.archivedAt,
    })
    .from(sites)
    .where(and(...siteFilters))
    .orderBy(sites.name, sites.id);
  if (siteRows.length === 0) {
    // Nothing in scope: for a site asked for by id, tell "not yours / not there" (404) from "archived before" (empty).
    if (filters.siteId) await findVisibleSite(db as Database, actor, filters.siteId);
    return { orgId: actor.orgId, sites: [], spaces: [], allSpaces: [], siteById: new Map() };
  }

  const siteIds = siteRows.map((s) => s.id);
  const districts = [...new Set(siteRows.map((s) => s.district))];
  const [spaceRows, closureRows] = await Promise.all([
    db
      .select({
        id: spaces.id,
        siteId: spaces.siteId,
        name: spaces.name,
        bookingMode: spaces.bookingMode,
        capacity: spaces.capacity,
        policy: spaces.policy,
        archivedAt: spaces.archivedAt,
      })
      .from(spaces)
      .where(and(eq(spaces.orgId, actor.orgId), inArray(spaces.siteId, siteIds)))
      .orderBy(spaces.name, spaces.id),
    db
      .select({
        scope: closures.scope,
        district: closures.district,
        siteId: closures.siteId,
        startDate: closures.startDate,
        endDate: closures.endDate,
      })
      .from(closures)
      .where(
        and(
          eq(closures.orgId, actor.orgId),
          gte(closures.endDate, addDays(period.from, -1)),
          lte(closures.startDate, addDays(period.to, 1)),
          or(
            eq(closures.scope, 'org'),
            and(eq(closures.scope, 'district'), inArray(closures.district, districts)),
            inArray(closures.siteId, siteIds),
          ),
        ),
      ),
  ]);

  const scopeSites: ScopeSite[] = siteRows.map((s) => ({
    ...s,
    policy: s.policy as Record<string, unknown>,
    archivedAt: s.archivedAt?.getTime() ?? null,
    closures: closureRows
      .filter((c) => c.scope === 'org' || (c.scope === 'district' && c.district === s.district) || c.siteId === s.id)
      .map((c) => ({ startDate: c.startDate, endDate: c.endDate }))
      .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.endDate.localeCompare(b.endDate)),
  }));
  const siteById = new Map(scopeSites.map((s) => [s.id, s]));
  const allSpaces: ScopeSpace[] = spaceRows.map((sp) => {
    const siteArchived = siteById.get(sp.siteId)!.archivedAt;
    const own = sp.archivedAt?.getTime() ?? null;
    return {
      ...sp,
      bookingMode: sp.bookingMode as ScopeSpace['bookingMode'],
      policy: sp.policy as Record<string, unknown>,
      archivedAt: own === null ? siteArchived : siteArchived === null ? own : Math.min(own, siteArchived),
    };
  });
  const counted = allSpaces.filter((sp) => sp.archivedAt === null || sp.archivedAt > archivedBefore.getTime());
  return { orgId: actor.orgId, sites: scopeSites, spaces: counted, allSpaces, siteById };
}

// ---------------------------------------------------------------------------------------------------------------
// Open time: sites sharing zone, hours and closures share one pattern, laid out once.

export interface BucketedPiece extends OpenPiece {
  bucket: number;
}

export interface OpenTime {
  patternOfSite: Map<string, number>;
  piecesOfPattern: BucketedPiece[][];
  /** Open minutes per pattern and bucket (for spaces not archived during the period). */
  minutesOfPattern: Map<number, number>[];
}

export interface PeriodLayout {
  period: LocalPeriod;
  /** Bucket of a piece. */
  bucketOf: (piece: OpenPiece) => number;
}

export function layOutOpenTime(scopeSites: ScopeSite[], layouts: PeriodLayout[], split: 'day' | 'hour'): OpenTime {
  const patternOfSite = new Map<string, number>();
  const patternByKey = new Map<string, number>();
  const piecesOfPattern: BucketedPiece[][] = [];
  const daysByZone = new Map<string, LocalDay[][]>();
  for (const site of scopeSites) {
    const key = `${site.timezone}|${JSON.stringify(site.openingHours)}|${JSON.stringify(site.closures)}`;
    let pattern = patternByKey.get(key);
    if (pattern === undefined) {
      pattern = piecesOfPattern.length;
      patternByKey.set(key, pattern);
      let days = daysByZone.get(site.timezone);
      if (!days) {
        days = layouts.map((l) => localDaysOf(l.period, site.timezone));
        daysByZone.set(site.timezone, days);
      }
      const pieces: BucketedPiece[] = [];
      layouts.forEach((layout, i) => {
        const laidOut = openPieces({ hours: site.openingHours, zone: site.timezone, days: days[i]!, closures: site.closures, split });
        for (const piece of laidOut) pieces.push({ ...piece, bucket: layout.bucketOf(piece) });
      });
      piecesOfPattern.push(pieces);
    }
    patternOfSite.set(site.id, pattern);
  }
  const minutesOfPattern = piecesOfPattern.map((pieces) => {
    const minutes = new Map<number, number>();
    for (const p of pieces) minutes.set(p.bucket, (minutes.get(p.bucket) ?? 0) + (p.end - p.start) / 60_000);
    return minutes;
  });
  return { patternOfSite, piecesOfPattern, minutesOfPattern };
}

/** A space's open minutes per bucket: its site's, cut off when it was archived. */
export function openMinutesOfSpace(space: ScopeSpace, open: OpenTime): Map<number, number> {
  const pattern = open.patternOfSite.get(space.siteId)!;
  if (space.archivedAt === null) return open.minutesOfPattern[pattern]!;
  const byBucket = new Map<number, BucketedPiece[]>();
  for (const p of open.piecesOfPattern[pattern]!) byBucket.set(p.bucket, [...(byBucket.get(p.bucket) ?? []), p]);
  return new Map([...byBucket].map(([bucket, pieces]) => [bucket, openMinutesBefore(pieces, space.archivedAt)]));
}

/** Open space-minutes of each site's spaces, per bucket. */
export function openMinutesBySite(scope: Scope, open: OpenTime): Map<string, Map<number, number>> {
  const bySite = new Map<string, Map<number, number>>();
  for (const space of scope.spaces) {
    const minutes = bySite.get(space.siteId) ?? new Map<number, number>();
    for (const [bucket, m] of openMinutesOfSpace(space, open)) minutes.set(bucket, (minutes.get(bucket) ?? 0) + m);
    bySite.set(space.siteId, minutes);
  }
  return bySite;
}
