/**
 * Usage analytics (docs/metrics.md): utilization by space, site, kind, district and portfolio; the hour-of-week
 * heatmap; site ranking within kind; booking behaviour; unmet demand. Computed on the fly: open time in TypeScript
 * (packages/domain, DST-correct, per site zone), bookings aggregated in one read-only SQL query against it.
 */
import type {
  BehaviourQuery,
  BehaviourResponse,
  BehaviourRow,
  HeatmapCell,
  HeatmapQuery,
  HeatmapResponse,
  SiteRankingQuery,
  SiteRankingResponse,
  SiteRankingRow,
  UnmetDemandQuery,
  UnmetDemandResponse,
  UnmetDemandRow,
  UtilizationQuery,
  UtilizationResponse,
  UtilizationRow,
  WeeklyHours,
} from '@linli/contracts';
import { createHash } from 'node:crypto';
import { type Database, SQLSTATE, type Transaction, schema, sqlStateOf } from '@linli/db';
import {
  type ClosureDates,
  HOURS_PER_WEEK,
  type LocalDay,
  type LocalPeriod,
  type OpenPiece,
  type UsageTotals,
  addDays,
  bucketIndexByDate,
  bucketsOf,
  dayNumberOf,
  distributionOf,
  getEffectivePolicy,
  hourOfWeekCell,
  localDaysOf,
  openMinutesBefore,
  openPieces,
  peakCells,
  periodRange,
  previousPeriod,
  rankDescending,
  utilizationOf,
} from '@linli/domain';
import { type SQL, and, eq, gt, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { AppError } from '../../lib/app-error.ts';
import type { Actor } from '../../plugins/access.ts';
import { findVisibleSite } from '../sites/sites.service.ts';
import {
  type BehaviourSqlRow,
  type PieceParams,
  type RollupRow,
  type UnmetDemandSqlRow,
  type UsageRow,
  behaviourSql,
  freshRollupSql,
  queryRows,
  sealRollupSql,
  unmetDemandSql,
  usageSql,
} from './analytics.sql.ts';

const { sites, spaces, closures, organizations } = schema;

/** A table bigger than this is refused: narrow it by site, kind or district, or use a coarser interval. */
export const MAX_ANALYTICS_ROWS = 20_000;
/** A cancellation less than this long before the start is late, whatever the cut-off (see docs/metrics.md). */
export const LATE_CANCEL_MINUTES = 24 * 60;

// ---------------------------------------------------------------------------------------------------------------
// Scope: the sites and spaces the caller may see, narrowed by the query.

interface ScopeFilters {
  siteId?: string | undefined;
  kind?: string | undefined;
  district?: string | undefined;
}

interface ScopeSite {
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

interface ScopeSpace {
  id: string;
  siteId: string;
  name: string;
  bookingMode: 'exclusive' | 'shared_capacity';
  capacity: number;
  policy: Record<string, unknown>;
  /** The earlier of the space's and its site's archive instants. */
  archivedAt: number | null;
}

interface Scope {
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
async function loadScope(db: Database | Transaction, actor: Actor, filters: ScopeFilters, period: LocalPeriod): Promise<Scope> {
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

interface BucketedPiece extends OpenPiece {
  bucket: number;
}

interface OpenTime {
  patternOfSite: Map<string, number>;
  piecesOfPattern: BucketedPiece[][];
  /** Open minutes per pattern and bucket (for spaces not archived during the period). */
  minutesOfPattern: Map<number, number>[];
}

interface PeriodLayout {
  period: LocalPeriod;
  /** Bucket of a piece. */
  bucketOf: (piece: OpenPiece) => number;
}

function layOutOpenTime(scopeSites: ScopeSite[], layouts: PeriodLayout[], split: 'day' | 'hour'): OpenTime {
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
function openMinutesOfSpace(space: ScopeSpace, open: OpenTime): Map<number, number> {
  const pattern = open.patternOfSite.get(space.siteId)!;
  if (space.archivedAt === null) return open.minutesOfPattern[pattern]!;
  const byBucket = new Map<number, BucketedPiece[]>();
  for (const p of open.piecesOfPattern[pattern]!) byBucket.set(p.bucket, [...(byBucket.get(p.bucket) ?? []), p]);
  return new Map([...byBucket].map(([bucket, pieces]) => [bucket, openMinutesBefore(pieces, space.archivedAt)]));
}

/** Open space-minutes of each site's spaces, per bucket. */
function openMinutesBySite(scope: Scope, open: OpenTime): Map<string, Map<number, number>> {
  const bySite = new Map<string, Map<number, number>>();
  for (const space of scope.spaces) {
    const minutes = bySite.get(space.siteId) ?? new Map<number, number>();
    for (const [bucket, m] of openMinutesOfSpace(space, open)) minutes.set(bucket, (minutes.get(bucket) ?? 0) + m);
    bySite.set(space.siteId, minutes);
  }
  return bySite;
}

/** Occupied minutes from SQL, keyed `${space or site id}|${bucket}`. */
async function queryUsage(
  tx: Transaction,
  scope: Scope,
  open: OpenTime,
  level: 'space' | 'site',
): Promise<Map<string, { booked: number; used: number }>> {
  const pieces: PieceParams = { patterns: [], days: [], startMs: [], endMs: [], buckets: [] };
  // The bookings scanned are those overlapping the pieces, so only the stale days of a mostly stored month are read.
  let start = Infinity;
  let end = -Infinity;
  open.piecesOfPattern.forEach((list, pattern) => {
    for (const p of list) {
      pieces.patterns.push(pattern);
      pieces.days.push(dayNumberOf(p.date));
      pieces.startMs.push(p.start);
      pieces.endMs.push(p.end);
      pieces.buckets.push(p.bucket);
      start = Math.min(start, p.start);
      end = Math.max(end, p.end);
    }
  });
  const usage = new Map<string, { booked: number; used: number }>();
  if (pieces.patterns.length === 0) return usage;
  const rows = await queryRows<UsageRow>(
    tx,
    usageSql({
      orgId: scope.orgId,
      sites: {
        siteIds: scope.sites.map((s) => s.id),
        patterns: scope.sites.map((s) => open.patternOfSite.get(s.id)!),
        zones: scope.sites.map((s) => s.timezone),
      },
      pieces,
      start,
      end,
      sharedCapacities: sharedCapacitiesOf(scope),
      level,
    }),
  );
  for (const row of rows) usage.set(`${row.key}|${row.bucket}`, { booked: row.booked_minutes, used: row.used_minutes });
  return usage;
}

function sharedCapacitiesOf(scope: Scope): Map<string, number> {
  return new Map(scope.allSpaces.filter((s) => s.bookingMode === 'shared_capacity').map((s) => [s.id, s.capacity]));
}

/**
 * One transaction per request, with PostgreSQL's JIT off (it misjudges the unnested row sets and spends more
 * compiling than the query takes), no merge joins (bookings joined to a few hundred open pieces were sorted for a
 * merge join instead of probing a hash of the pieces) and room to sort in memory. Read-only, except where the daily
 * rollup may be written: those run in REPEATABLE READ, so the snapshot stamped on a rollup row is the one its
 * numbers came from.
 */
async function inAnalyticsTransaction<T>(
  db: Database,
  mode: 'read' | 'rollup',
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return db.transaction(
    async (tx) => {
      await tx.execute(
        sql`SELECT set_config('jit', 'off', true), set_config('enable_mergejoin', 'off', true), set_config('work_mem', '64MB', true)`,
      );
      return work(tx);
    },
    mode === 'read' ? { accessMode: 'read only' } : { isolationLevel: 'repeatable read' },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The daily rollup: occupied minutes per site and local date, reused until a booking change or a change of the
// site's hours, closures or spaces makes them stale (docs/metrics.md, "How it is computed").

/**
 * A local date is written to the rollup from three days after the same UTC date began: it has then been over for at
 * least a day and a half in any zone, and its check-ins, completions and no-shows have settled.
 */
const ROLLUP_AFTER_DAYS = 3;
/** Failures that only mean another request wrote the same rows first, or a read-only replica: skip writing. */
const ROLLUP_WRITE_SKIPPED = new Set<string>([SQLSTATE.serializationFailure, SQLSTATE.deadlockDetected, SQLSTATE.uniqueViolation, '25006']);

/** What a site's daily numbers depend on besides its bookings: zone, hours, spaces, and whether the date is closed. */
function rollupFingerprints(scope: Scope): Map<string, { open: string; closed: string }> {
  const spacesOfSite = new Map<string, string[]>();
  for (const sp of scope.allSpaces) {
    spacesOfSite.set(sp.siteId, [...(spacesOfSite.get(sp.siteId) ?? []), `${sp.id}:${sp.bookingMode}:${sp.capacity}`]);
  }
  return new Map(
    scope.sites.map((site) => {
      const base = JSON.stringify([site.timezone, site.openingHours, (spacesOfSite.get(site.id) ?? []).sort()]);
      const hash = (closed: boolean) => createHash('sha1').update(`${base}|${closed}`).digest('hex').slice(0, 20);
      return [site.id, { open: hash(false), closed: hash(true) }];
    }),
  );
}

/**
 * Occupied minutes per site and bucket for open time split by day: from the rollup where its rows are fresh,
 * computed on the fly for the other site-dates, which are then written to the rollup if they have settled.
 */
async function siteUsageByBucket(
  tx: Transaction,
  scope: Scope,
  open: OpenTime,
  now: Date,
): Promise<Map<string, { booked: number; used: number }>> {
  const usage = new Map<string, { booked: number; used: number }>();
  const add = (siteId: string, bucket: number, booked: number, used: number) => {
    const key = `${siteId}|${bucket}`;
    const sum = usage.get(key) ?? { booked: 0, used: 0 };
    usage.set(key, { booked: sum.booked + booked, used: sum.used + used });
  };
  // The site-dates with open time, and the bucket each date adds to.
  const bucketOfDate = new Map<string, number>();
  const datesOfPattern = open.piecesOfPattern.map((pieces) => {
    for (const p of pieces) bucketOfDate.set(p.date, p.bucket);
    return [...new Set(pieces.map((p) => p.date))];
  });
  const allDates = [...bucketOfDate.keys()].sort();
  if (allDates.length === 0) return usage;

  const fingerprints = rollupFingerprints(scope);
  const fingerprintOf = (site: ScopeSite, date: string) =>
    site.closures.some((c) => c.startDate <= date && date <= c.endDate) ? fingerprints.get(site.id)!.closed : fingerprints.get(site.id)!.open;
  const fresh = new Set<string>();
  const rows = await queryRows<RollupRow>(
    tx,
    freshRollupSql({ siteIds: scope.sites.map((s) => s.id), from: allDates[0]!, to: allDates[allDates.length - 1]! }),
  );
  for (const row of rows) {
    const site = scope.siteById.get(row.site_id)!;
    const bucket = bucketOfDate.get(row.local_date);
    if (bucket === undefined || row.fingerprint !== fingerprintOf(site, row.local_date)) continue;
    fresh.add(`${row.site_id}|${row.local_date}`);
    add(row.site_id, bucket, row.booked_minutes, row.used_minutes);
  }

  // The rest on the fly, one row per site and date; sites with the same pattern and the same stale dates share pieces.
  const stale = new Map<string, string[]>();
  for (const site of scope.sites) {
    const dates = datesOfPattern[open.patternOfSite.get(site.id)!]!.filter((d) => !fresh.has(`${site.id}|${d}`));
    if (dates.length) stale.set(site.id, dates);
  }
  if (stale.size === 0) return usage;
  const staleSites = scope.sites.filter((s) => stale.has(s.id));
  const patternOfStale = new Map<string, number>();
  const stalePieces: BucketedPiece[][] = [];
  const stalePatternOfSite = new Map<string, number>();
  for (const site of staleSites) {
    const pattern = open.patternOfSite.get(site.id)!;
    const dates = stale.get(site.id)!;
    const key = `${pattern}|${dates.join(',')}`;
    let index = patternOfStale.get(key);
    if (index === undefined) {
      index = stalePieces.length;
      patternOfStale.set(key, index);
      const wanted = new Set(dates);
      stalePieces.push(open.piecesOfPattern[pattern]!.filter((p) => wanted.has(p.date)).map((p) => ({ ...p, bucket: dayNumberOf(p.date) })));
    }
    stalePatternOfSite.set(site.id, index);
  }
  const computed = await queryUsage(
    tx,
    { ...scope, sites: staleSites },
    { ...open, patternOfSite: stalePatternOfSite, piecesOfPattern: stalePieces },
    'site',
  );

  const sealable = { siteIds: [] as string[], dates: [] as string[], booked: [] as number[], used: [] as number[], fingerprints: [] as string[] };
  for (const site of staleSites) {
    for (const date of stale.get(site.id)!) {
      const value = computed.get(`${site.id}|${dayNumberOf(date)}`) ?? { booked: 0, used: 0 };
      add(site.id, bucketOfDate.get(date)!, value.booked, value.used);
      if ((dayNumberOf(date) + ROLLUP_AFTER_DAYS) * 86_400_000 <= now.getTime()) {
        sealable.siteIds.push(site.id);
        sealable.dates.push(date);
        sealable.booked.push(value.booked);
        sealable.used.push(value.used);
        sealable.fingerprints.push(fingerprintOf(site, date));
      }
    }
  }
  if (sealable.siteIds.length) await writeRollup(tx, { orgId: scope.orgId, ...sealable });
  return usage;
}

/** Writes settled site-dates to the rollup; a conflict with another request doing the same is not an error. */
async function writeRollup(tx: Transaction, rows: Parameters<typeof sealRollupSql>[0]): Promise<void> {
  try {
    await tx.transaction(async (savepoint) => {
      for (const statement of sealRollupSql(rows)) await savepoint.execute(statement);
    });
  } catch (error) {
    if (!ROLLUP_WRITE_SKIPPED.has(sqlStateOf(error) ?? '')) throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Utilization.

const round2 = (n: number) => Math.round(n * 100) / 100;
const round6 = (n: number | null) => (n === null ? null : Math.round(n * 1e6) / 1e6);

function usageFields(totals: UsageTotals) {
  const figures = utilizationOf(totals);
  return {
    openMinutes: round2(totals.openMinutes),
    bookedMinutes: round2(totals.bookedMinutes),
    usedMinutes: round2(totals.usedMinutes),
    utilization: round6(figures.utilization),
    usedUtilization: round6(figures.usedUtilization),
    noOpenHours: figures.noOpenHours,
  };
}

function tooManyRows(count: number): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `The table would have ${count} rows (at most ${MAX_ANALYTICS_ROWS}).`,
    errors: [{ path: 'querystring.interval', message: 'too fine-grained for this scope: narrow it by site, kind or district, or use a coarser interval' }],
  });
}

export async function getUtilization(db: Database, actor: Actor, query: UtilizationQuery, now: Date): Promise<UtilizationResponse> {
  const period = { from: query.from, to: query.to };
  const buckets = bucketsOf(period, query.interval);
  const bucketIndex = bucketIndexByDate(period, query.interval);

  return inAnalyticsTransaction(db, query.groupBy === 'space' ? 'read' : 'rollup', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    const groupCount = query.groupBy === 'space' ? scope.spaces.length : scope.sites.length;
    if (groupCount * buckets.length > MAX_ANALYTICS_ROWS) throw tooManyRows(groupCount * buckets.length);

    const open = layOutOpenTime(scope.sites, [{ period, bucketOf: (p) => bucketIndex.get(p.date)! }], 'day');
    const usage =
      query.groupBy === 'space' ? await queryUsage(tx, scope, open, 'space') : await siteUsageByBucket(tx, scope, open, now);

    // Open minutes come per space, occupied minutes per space (groupBy=space) or per site; both fold into groups.
    const groups = new Map<string, { row: GroupColumns; spaces: number; totals: UsageTotals[] }>();
    const groupOf = (site: ScopeSite | null, space: ScopeSpace | null) => {
      const { key, row } = groupIdentity(query.groupBy, site, space);
      let group = groups.get(key);
      if (!group) {
        group = { row, spaces: 0, totals: buckets.map(() => ({ openMinutes: 0, bookedMinutes: 0, usedMinutes: 0 })) };
        groups.set(key, group);
      }
      return group;
    };
    const addOccupied = (totals: UsageTotals[], key: string) =>
      buckets.forEach((_, b) => {
        const occupied = usage.get(`${key}|${b}`);
        totals[b]!.bookedMinutes += occupied?.booked ?? 0;
        totals[b]!.usedMinutes += occupied?.used ?? 0;
      });
    if (query.groupBy !== 'space') for (const site of scope.sites) addOccupied(groupOf(site, null).totals, site.id);
    for (const space of scope.spaces) {
      const group = groupOf(scope.siteById.get(space.siteId)!, space);
      group.spaces += 1;
      for (const [b, minutes] of openMinutesOfSpace(space, open)) group.totals[b]!.openMinutes += minutes;
      if (query.groupBy === 'space') addOccupied(group.totals, space.id);
    }
    if (query.groupBy === 'portfolio' && groups.size === 0) groupOf(null, null);

    const ordered = [...groups.values()].sort((a, b) => groupLabel(a.row).localeCompare(groupLabel(b.row), 'zh-CN'));
    const rows: UtilizationRow[] = ordered.flatMap((group) =>
      buckets.map((bucket, b) => ({
        ...group.row,
        bucketStart: bucket.start,
        bucketEnd: bucket.end,
        spaces: group.spaces,
        ...usageFields(group.totals[b]!),
      })),
    );
    return { from: query.from, to: query.to, groupBy: query.groupBy, interval: query.interval, rows };
  });
}

type GroupColumns = Pick<
  UtilizationRow,
  'spaceId' | 'spaceName' | 'bookingMode' | 'capacity' | 'siteId' | 'siteName' | 'kind' | 'district'
>;

/** The group a space (or, for site-level numbers, a site) adds to, and the columns that name it. */
function groupIdentity(groupBy: UtilizationQuery['groupBy'], site: ScopeSite | null, space: ScopeSpace | null): { key: string; row: GroupColumns } {
  const row: GroupColumns = { spaceId: null, spaceName: null, bookingMode: null, capacity: null, siteId: null, siteName: null, kind: null, district: null };
  if (!site || groupBy === 'portfolio') return { key: '', row };
  if (groupBy === 'kind') return { key: site.kind, row: { ...row, kind: site.kind } };
  if (groupBy === 'district') return { key: site.district, row: { ...row, district: site.district } };
  const siteRow = { ...row, siteId: site.id, siteName: site.name, kind: site.kind, district: site.district };
  if (groupBy === 'site' || !space) return { key: site.id, row: siteRow };
  return {
    key: space.id,
    row: { ...siteRow, spaceId: space.id, spaceName: space.name, bookingMode: space.bookingMode, capacity: space.capacity },
  };
}

function groupLabel(row: GroupColumns) {
  return [row.siteName, row.spaceName, row.kind, row.district].filter(Boolean).join('\u0000');
}

// ---------------------------------------------------------------------------------------------------------------
// Heatmap.

export async function getHeatmap(db: Database, actor: Actor, query: HeatmapQuery): Promise<HeatmapResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    const open = layOutOpenTime(scope.sites, [{ period, bucketOf: (p) => hourOfWeekCell(p.weekday, p.hour!) }], 'hour');
    const usage = await queryUsage(tx, scope, open, 'site');
    const totals: UsageTotals[] = Array.from({ length: HOURS_PER_WEEK }, () => ({ openMinutes: 0, bookedMinutes: 0, usedMinutes: 0 }));
    for (const site of scope.sites) {
      for (let cell = 0; cell < HOURS_PER_WEEK; cell++) {
        const used = usage.get(`${site.id}|${cell}`);
        totals[cell]!.bookedMinutes += used?.booked ?? 0;
        totals[cell]!.usedMinutes += used?.used ?? 0;
      }
    }
    for (const space of scope.spaces) {
      for (const [cell, minutes] of openMinutesOfSpace(space, open)) totals[cell]!.openMinutes += minutes;
    }
    const cells: HeatmapCell[] = totals.map((t, cell) => ({ weekday: Math.floor(cell / 24), hour: cell % 24, ...usageFields(t) }));
    const peaks = peakCells(cells, 5).map((c) => ({ weekday: c.weekday, hour: c.hour, utilization: c.utilization! }));
    return { from: query.from, to: query.to, siteId: query.siteId ?? null, sites: scope.sites.length, cells, peaks };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Site ranking.

export async function getSiteRanking(db: Database, actor: Actor, query: SiteRankingQuery, now: Date): Promise<SiteRankingResponse> {
  const period = { from: query.from, to: query.to };
  const previous = previousPeriod(period);
  return inAnalyticsTransaction(db, 'rollup', async (tx) => {
    const scope = await loadScope(tx, actor, query, { from: previous.from, to: period.to });
    const open = layOutOpenTime(
      scope.sites,
      [
        { period, bucketOf: () => 0 },
        { period: previous, bucketOf: () => 1 },
      ],
      'day',
    );
    const usage = await siteUsageByBucket(tx, scope, open, now);
    const openOfSite = openMinutesBySite(scope, open);
    const totalsOf = (siteId: string, bucket: number): UsageTotals => {
      const used = usage.get(`${siteId}|${bucket}`);
      return { openMinutes: openOfSite.get(siteId)?.get(bucket) ?? 0, bookedMinutes: used?.booked ?? 0, usedMinutes: used?.used ?? 0 };
    };

    const measured = scope.sites.map((site) => {
      const current = usageFields(totalsOf(site.id, 0));
      const before = utilizationOf(totalsOf(site.id, 1));
      return { site, current, previousUtilization: round6(before.utilization) };
    });
    const kinds = [...new Set(scope.sites.map((s) => s.kind))].sort();
    const rows: SiteRankingRow[] = [];
    const kindDistributions = kinds.map((kind) => {
      const ofKind = measured.filter((m) => m.site.kind === kind);
      const ranks = rankDescending(ofKind.map((m) => m.current.utilization));
      const rankedCount = ranks.filter((r) => r !== null).length;
      ofKind.forEach((m, i) =>
        rows.push({
          siteId: m.site.id,
          siteName: m.site.name,
          kind: m.site.kind,
          district: m.site.district,
          rankInKind: ranks[i]!,
          sitesRankedInKind: rankedCount,
          ...m.current,
          previousUtilization: m.previousUtilization,
          change:
            m.current.utilization === null || m.previousUtilization === null
              ? null
              : round6(m.current.utilization - m.previousUtilization),
        }),
      );
      return { kind, ...roundDistribution(ofKind.map((m) => m.current.utilization)) };
    });
    rows.sort(
      (a, b) =>
        a.kind.localeCompare(b.kind) ||
        (a.rankInKind ?? Infinity) - (b.rankInKind ?? Infinity) ||
        a.siteName.localeCompare(b.siteName, 'zh-CN'),
    );
    return {
      from: period.from,
      to: period.to,
      previousFrom: previous.from,
      previousTo: previous.to,
      portfolio: roundDistribution(measured.map((m) => m.current.utilization)),
      kinds: kindDistributions,
      rows,
    };
  });
}

function roundDistribution(values: (number | null)[]) {
  const d = distributionOf(values.filter((v): v is number => v !== null));
  return { count: d.count, p25: round6(d.p25), median: round6(d.median), p75: round6(d.p75), p90: round6(d.p90) };
}

// ---------------------------------------------------------------------------------------------------------------
// Behaviour.

const ratio = (part: number, whole: number) => (whole > 0 ? round6(part / whole) : null);

export async function getBehaviour(db: Database, actor: Actor, query: BehaviourQuery): Promise<BehaviourResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    const [org] = await tx.select({ policy: organizations.policy }).from(organizations).where(eq(organizations.id, actor.orgId));
    const ranges = scope.sites.map((s) => periodRange(period, s.timezone));
    const rows =
      scope.sites.length === 0
        ? []
        : await queryRows<BehaviourSqlRow>(
            tx,
            behaviourSql({
              orgId: scope.orgId,
              sites: { siteIds: scope.sites.map((s) => s.id), startMs: ranges.map((r) => r.start), endMs: ranges.map((r) => r.end) },
              lateCancel: {
                spaceIds: scope.spaces.map((s) => s.id),
                minutes: scope.spaces.map((s) => {
                  const site = scope.siteById.get(s.siteId)!;
                  const cutoff = getEffectivePolicy({ org: org?.policy, site: site.policy, space: s.policy }).values.cancelCutoffMinutes;
                  return Math.max(cutoff, LATE_CANCEL_MINUTES);
                }),
              },
            }),
          );
    const bySite = new Map(rows.map((r) => [r.site_id, r]));
    const toRow = (siteId: string | null, siteName: string | null, r: BehaviourSqlRow | undefined): BehaviourRow => ({
      siteId,
      siteName,
      bookings: r?.bookings ?? 0,
      cancelled: r?.cancelled ?? 0,
      lateCancelled: r?.late_cancelled ?? 0,
      noShows: r?.no_shows ?? 0,
      cancellationRate: ratio(r?.cancelled ?? 0, r?.not_refused ?? 0),
      lateCancellationRate: ratio(r?.late_cancelled ?? 0, r?.not_refused ?? 0),
      noShowRate: ratio(r?.no_shows ?? 0, r?.outcome_known ?? 0),
      approvalsDecided: r?.approvals_decided ?? 0,
      medianApprovalMinutes: r?.median_approval_minutes == null ? null : round2(r.median_approval_minutes),
      medianLeadMinutes: r?.median_lead_minutes == null ? null : round2(r.median_lead_minutes),
      residentsServed: r?.residents_served ?? 0,
      repeatResidents: r?.repeat_residents ?? 0,
      repeatVisitRate: ratio(r?.repeat_residents ?? 0, r?.residents_served ?? 0),
      crossSiteBookings: r?.cross_site_bookings ?? 0,
      crossSiteShare: ratio(r?.cross_site_bookings ?? 0, r?.resident_bookings ?? 0),
    });
    return {
      from: query.from,
      to: query.to,
      rows: [...scope.sites.map((s) => toRow(s.id, s.name, bySite.get(s.id))), toRow(null, null, bySite.get(null))],
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Unmet demand.

export async function getUnmetDemand(db: Database, actor: Actor, query: UnmetDemandQuery, now: Date): Promise<UnmetDemandResponse> {
  const period = { from: query.from, to: query.to };
  return inAnalyticsTransaction(db, 'read', async (tx) => {
    const scope = await loadScope(tx, actor, query, period);
    // Searches that named no site belong to the whole organization: only an org admin asking for all of it sees them.
    const includeSiteless = actor.role === 'org_admin' && !query.siteId && !query.kind && !query.district;
    const [org] = await tx.select({ timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, actor.orgId));
    const orgRange = periodRange(period, org!.timezone);
    const ranges = scope.sites.map((s) => periodRange(period, s.timezone));
    const rows =
      scope.sites.length === 0 && !includeSiteless
        ? []
        : await queryRows<UnmetDemandSqlRow>(
            tx,
            unmetDemandSql({
              orgId: scope.orgId,
              sites: {
                siteIds: scope.sites.map((s) => s.id),
                startMs: ranges.map((r) => r.start),
                endMs: ranges.map((r) => r.end),
                zones: scope.sites.map((s) => s.timezone),
              },
              siteless: includeSiteless ? { zone: org!.timezone, startMs: orgRange.start, endMs: orgRange.end } : null,
              nowMs: now.getTime(),
            }),
          );
    const nameOf = (siteId: string | null) => (siteId === null ? null : (scope.siteById.get(siteId)?.name ?? null));
    const counts = (r: Omit<UnmetDemandSqlRow, 'site_id' | 'hour'>) => ({
      refusedTaken: r.refused_taken,
      refusedFull: r.refused_full,
      waitlistUnserved: r.waitlist_unserved,
      searchEmpty: r.search_empty,
      total: r.refused_taken + r.refused_full + r.waitlist_unserved + r.search_empty,
    });
    const order = new Map<string | null, number>(scope.sites.map((s, i) => [s.id, i]));
    const sortKey = (siteId: string | null) => order.get(siteId) ?? scope.sites.length;
    const hourRows: UnmetDemandRow[] = rows
      .map((r) => ({ siteId: r.site_id, siteName: nameOf(r.site_id), hour: r.hour, ...counts(r) }))
      .sort((a, b) => sortKey(a.siteId) - sortKey(b.siteId) || a.hour - b.hour);
    const perSite = new Map<string | null, Omit<UnmetDemandSqlRow, 'site_id' | 'hour'>>();
    for (const r of rows) {
      const sum = perSite.get(r.site_id) ?? { refused_taken: 0, refused_full: 0, waitlist_unserved: 0, search_empty: 0 };
      sum.refused_taken += r.refused_taken;
      sum.refused_full += r.refused_full;
      sum.waitlist_unserved += r.waitlist_unserved;
      sum.search_empty += r.search_empty;
      perSite.set(r.site_id, sum);
    }
    const siteTotals = [...perSite]
      .map(([siteId, sum]) => ({ siteId, siteName: nameOf(siteId), ...counts(sum) }))
      .sort((a, b) => sortKey(a.siteId) - sortKey(b.siteId));
    return { from: query.from, to: query.to, rows: hourRows, sites: siteTotals };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CSV.

export interface CsvTable {
  filename: string;
  csv: string;
}

/**
 * RFC 4180 CSV with a UTF-8 byte order mark (Excel reads BOM-less UTF-8 as the local code page and garbles Chinese).
 * Text starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    let text = typeof value === 'string' ? value : String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The table a CSV export of each endpoint holds, and its file name. */
export function utilizationCsv(r: UtilizationResponse): CsvTable {
  return table(`utilization-${r.groupBy}-${r.interval}`, r, r.rows, Object.keys(UTILIZATION_COLUMNS));
}
export function heatmapCsv(r: HeatmapResponse): CsvTable {
  return table('heatmap', r, r.cells, ['weekday', 'hour', 'openMinutes', 'bookedMinutes', 'usedMinutes', 'utilization', 'usedUtilization', 'noOpenHours']);
}
export function siteRankingCsv(r: SiteRankingResponse): CsvTable {
  return table('site-ranking', r, r.rows, [
    'kind', 'rankInKind', 'sitesRankedInKind', 'siteId', 'siteName', 'district', 'openMinutes', 'bookedMinutes', 'usedMinutes',
    'utilization', 'usedUtilization', 'noOpenHours', 'previousUtilization', 'change',
  ]);
}
export function behaviourCsv(r: BehaviourResponse): CsvTable {
  return table('behaviour', r, r.rows, [
    'siteId', 'siteName', 'bookings', 'cancelled', 'lateCancelled', 'noShows', 'cancellationRate', 'lateCancellationRate',
    'noShowRate', 'approvalsDecided', 'medianApprovalMinutes', 'medianLeadMinutes', 'residentsServed', 'repeatResidents',
    'repeatVisitRate', 'crossSiteBookings', 'crossSiteShare',
  ]);
}
export function unmetDemandCsv(r: UnmetDemandResponse): CsvTable {
  return table('unmet-demand', r, r.rows, ['siteId', 'siteName', 'hour', 'refusedTaken', 'refusedFull', 'waitlistUnserved', 'searchEmpty', 'total']);
}

const UTILIZATION_COLUMNS: Record<keyof UtilizationRow, true> = {
  siteId: true,
  siteName: true,
  spaceId: true,
  spaceName: true,
  bookingMode: true,
  capacity: true,
  kind: true,
  district: true,
  bucketStart: true,
  bucketEnd: true,
  spaces: true,
  openMinutes: true,
  bookedMinutes: true,
  usedMinutes: true,
  utilization: true,
  usedUtilization: true,
  noOpenHours: true,
};

function table(name: string, period: { from: string; to: string }, rows: readonly object[], columns: string[]): CsvTable {
  return { filename: `linli-${name}-${period.from}-${period.to}.csv`, csv: toCsv(rows as Record<string, unknown>[], columns) };
}
