/**
 * Occupied minutes: aggregated from bookings in SQL over the open pieces, or, for open time split by day, read from
 * the daily rollup (site_usage_daily) where it is fresh and written back once settled.
 */
import { createHash } from 'node:crypto';
import { SQLSTATE, type Transaction, sqlStateOf } from '@linli/db';
import { dayNumberOf } from '@linli/domain';
import type { BucketedPiece, OpenTime, Scope, ScopeSite } from './analytics.scope.ts';
import {
  type PieceParams,
  type RollupRow,
  type UsageRow,
  freshRollupSql,
  queryRows,
  sealRollupSql,
  usageSql,
} from './analytics.sql.ts';

/** Occupied minutes of a space or site in a bucket; `activity` is the part held by activity sessions. */
export interface Occupied {
  booked: number;
  used: number;
  activity: number;
}

/** Occupied minutes from SQL, keyed `${space or site id}|${bucket}`. */
export async function queryUsage(
  tx: Transaction,
  scope: Scope,
  open: OpenTime,
  level: 'space' | 'site',
): Promise<Map<string, Occupied>> {
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
  const usage = new Map<string, Occupied>();
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
      archivedAt: archiveInstantsOf(scope),
      level,
    }),
  );
  for (const row of rows) usage.set(`${row.key}|${row.bucket}`, { booked: row.booked_minutes, used: row.used_minutes, activity: row.activity_minutes });
  return usage;
}

function sharedCapacitiesOf(scope: Scope): Map<string, number> {
  return new Map(scope.allSpaces.filter((s) => s.bookingMode === 'shared_capacity').map((s) => [s.id, s.capacity]));
}

/** Every archived space bookings may refer to, so no aggregate counts booked time after its open time ended. */
function archiveInstantsOf(scope: Scope): Map<string, number> {
  return new Map(scope.allSpaces.filter((s) => s.archivedAt !== null).map((s) => [s.id, s.archivedAt!]));
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

/**
 * What a site's daily numbers depend on besides its bookings: zone, hours, spaces (and when they were archived), and
 * whether the date is closed.
 */
function rollupFingerprints(scope: Scope): Map<string, { open: string; closed: string }> {
  const spacesOfSite = new Map<string, string[]>();
  for (const sp of scope.allSpaces) {
    // The archive instant ends a space's open time and clips its bookings; unarchived spaces keep their old key.
    const key = `${sp.id}:${sp.bookingMode}:${sp.capacity}${sp.archivedAt === null ? '' : `:${sp.archivedAt}`}`;
    spacesOfSite.set(sp.siteId, [...(spacesOfSite.get(sp.siteId) ?? []), key]);
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
export async function siteUsageByBucket(
  tx: Transaction,
  scope: Scope,
  open: OpenTime,
  now: Date,
): Promise<Map<string, Occupied>> {
  const usage = new Map<string, Occupied>();
  const add = (siteId: string, bucket: number, value: Occupied) => {
    const key = `${siteId}|${bucket}`;
    const sum = usage.get(key) ?? { booked: 0, used: 0, activity: 0 };
    usage.set(key, { booked: sum.booked + value.booked, used: sum.used + value.used, activity: sum.activity + value.activity });
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
    add(row.site_id, bucket, { booked: row.booked_minutes, used: row.used_minutes, activity: row.activity_minutes });
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

  const sealable = { siteIds: [] as string[], dates: [] as string[], booked: [] as number[], used: [] as number[], activity: [] as number[], fingerprints: [] as string[] };
  for (const site of staleSites) {
    for (const date of stale.get(site.id)!) {
      const value = computed.get(`${site.id}|${dayNumberOf(date)}`) ?? { booked: 0, used: 0, activity: 0 };
      add(site.id, bucketOfDate.get(date)!, value);
      if ((dayNumberOf(date) + ROLLUP_AFTER_DAYS) * 86_400_000 <= now.getTime()) {
        sealable.siteIds.push(site.id);
        sealable.dates.push(date);
        sealable.booked.push(value.booked);
        sealable.used.push(value.used);
        sealable.activity.push(value.activity);
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
