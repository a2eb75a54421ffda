/**
 * (equipment) The equipment pool at scale (issue #12, point 9; docs/performance.md, "Equipment pool"). On the bench
 * portfolio (200 sites) it writes a pool of ~20,000 units of six types (counted stock and tracked items) and ~10,000
 * loans over the year around now, each lender's loans of a type one after another so none over-commits, then:
 *
 * - loads GET /api/v1/equipment/availability (one type, a week, a random destination) with autocannon, beside the
 *   bare-read ceiling of the (b)/(c) pairs measured again in the same run;
 * - runs rounds of a 50-way race of POST /api/v1/equipment/loans for the last 3 units of a type: every other unit of
 *   it is claimed over the race window, so exactly 3 requests must answer 201 and 47 must answer 409
 *   EQUIPMENT_SHORTFALL, and the database must hold exactly 3 new units with no lender over-committed.
 *
 * Everything is written straight into the database and removed at the end (loans and their events refuse DELETE by
 * trigger, so the cleanup skips triggers for its own transaction, like the other scenarios'; it needs a superuser).
 */
import { type Database, newId, schema } from '@linli/db';
import { DEFAULT_TRANSIT, type InstantRange, claimWindow, siteDistanceKm, transitMs } from '@linli/domain';
import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RACERS = 50;
const LAST_UNITS = 3;
const RACE_ROUNDS = 5;
/** Existing loans run from this many days back to this many ahead; the race windows lie beyond them. */
const LOANS_FROM_DAYS = -300;
const LOANS_TO_DAYS = 60;
const RACE_FIRST_DAY = 150;
/** The API caps transit at two days each way: a race claim never reaches past the window by more. */
const WIDEST_TRANSIT_MS = 2 * DAY;
const INSERT_ROWS = 1000;

interface BenchType {
  key: string;
  nameZh: string;
  nameEn: string;
  tracked: boolean;
  /** Share of the sites that own any. */
  owners: number;
  units: { min: number; max: number; step: number };
}

/** ~20,000 units in all: chairs are most of them, as in any community network. */
const TYPES: readonly BenchType[] = [
  { key: 'folding_chair', nameZh: '折叠椅', nameEn: 'Folding chair', tracked: false, owners: 1, units: { min: 50, max: 120, step: 10 } },
  { key: 'round_table', nameZh: '折叠圆桌', nameEn: 'Round table', tracked: false, owners: 0.75, units: { min: 6, max: 14, step: 1 } },
  { key: 'board_game_kit', nameZh: '桌游套装', nameEn: 'Board-game kit', tracked: false, owners: 0.5, units: { min: 3, max: 9, step: 1 } },
  { key: 'tent', nameZh: '活动帐篷', nameEn: 'Event tent', tracked: false, owners: 0.6, units: { min: 2, max: 6, step: 1 } },
  { key: 'projector', nameZh: '投影仪', nameEn: 'Projector', tracked: true, owners: 1, units: { min: 1, max: 3, step: 1 } },
  { key: 'wheelchair', nameZh: '轮椅', nameEn: 'Wheelchair', tracked: true, owners: 0.75, units: { min: 1, max: 2, step: 1 } },
];
const AVAILABILITY_TYPE = 'folding_chair';
const RACE_TYPE = 'tent';

/** What run.ts's load() reports for one autocannon run. */
export interface LoadFigures {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors5xx: number;
}
type Load = (requests: () => { method: 'GET' | 'POST'; path: string; headers?: Record<string, string> }) => Promise<LoadFigures>;

export interface RaceRound {
  created: number;
  refused: number;
  /** Statuses other than 201 and 409 EQUIPMENT_SHORTFALL. */
  other: Map<string, number>;
  /** Units the round's winning loans hold in the database, and over-committed lender instants. */
  unitsHeld: number;
  overCommitted: number;
  wallMs: number;
}

export interface EquipmentBenchResult {
  pool: { units: number; holdings: number; loans: number; sites: number; seedSeconds: number };
  availability: LoadFigures;
  ceiling: LoadFigures;
  rounds: RaceRound[];
  race: { p50: number; p99: number; max: number };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const between = (min: number, max: number, step = 1) => min + step * Math.floor(Math.random() * (Math.floor((max - min) / step) + 1));

type SiteRow = { id: string; lat: number | null; lng: number | null };
type HoldingRow = typeof schema.equipmentHoldings.$inferInsert & { id: string; siteId: string; typeId: string; inService: number; lendable: boolean };
type LoanRow = typeof schema.equipmentLoans.$inferInsert;

async function insertInBatches<T>(rows: readonly T[], insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await insert(rows.slice(i, i + INSERT_ROWS));
}

/** Loans, their events and items, refusals, holdings and their events, types and settings of the organization. */
async function removePool(db: Database, orgId: string) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    for (const table of ['equipment_loan_events', 'equipment_loan_items', 'equipment_holding_events', 'equipment_refusals', 'equipment_loans', 'equipment_holdings', 'equipment_types', 'equipment_settings']) {
      await tx.execute(sql`DELETE FROM ${sql.identifier(table)} WHERE org_id = ${orgId}`);
    }
  });
}

/** The nearest sites to each site, to borrow from: neighbours lend to neighbours. */
function neighboursOf(sites: readonly SiteRow[], count: number): Map<string, SiteRow[]> {
  return new Map(
    sites.map((site) => [
      site.id,
      sites
        .filter((other) => other.id !== site.id)
        .map((other) => ({ other, km: siteDistanceKm(site, other) ?? Number.POSITIVE_INFINITY }))
        .sort((a, b) => a.km - b.km)
        .slice(0, count)
        .map((n) => n.other),
    ]),
  );
}

const transitBetween = (lender: SiteRow, borrower: SiteRow) => Math.min(WIDEST_TRANSIT_MS, transitMs(lender.id === borrower.id, siteDistanceKm(lender, borrower), DEFAULT_TRANSIT));

/** 09:00-18:00 Shanghai time (UTC+8, no DST), `days` days from today. */
function dayWindow(now: number, days: number, length = 1): InstantRange {
  const midnight = Math.floor((now + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
  return { start: midnight + days * DAY + 9 * HOUR, end: midnight + (days + length - 1) * DAY + 18 * HOUR };
}

interface Pool {
  typeIds: Map<string, string>;
  holdings: HoldingRow[];
  loans: number;
  raceWindows: InstantRange[];
  /** The sites left with the race type's last units (one each). */
  lastUnitSites: string[];
}

/**
 * The pool, its history and upcoming loans, and the race's fill: over each race window every unit of the race type
 * is claimed except one at each of three sites, by approved loans whose windows cover any claim a racer could make.
 */
async function seedPool(db: Database, orgId: string, sites: readonly SiteRow[], now: number): Promise<Pool> {
  const typeIds = new Map(TYPES.map((t) => [t.key, newId()]));
  const created = new Date(now - 400 * DAY);
  await db.insert(schema.equipmentTypes).values(TYPES.map((t) => ({ id: typeIds.get(t.key)!, orgId, key: t.key, nameZh: t.nameZh, nameEn: t.nameEn, tracked: t.tracked, maxLoanDays: 14, createdAt: created })));

  const holdings: HoldingRow[] = [];
  sites.forEach((site, s) => {
    for (const type of TYPES) {
      if (Math.random() >= type.owners) continue;
      const typeId = typeIds.get(type.key)!;
      const units = between(type.units.min, type.units.max, type.units.step);
      // One site in ten keeps its stock for itself; not of the race type, whose every unit is the pool's.
      const lendable = type.key === RACE_TYPE || Math.random() >= 0.1;
      const base = { orgId, siteId: site.id, typeId, lendable, createdAt: created, updatedAt: created };
      if (!type.tracked) holdings.push({ ...base, id: newId(), inService: units });
      else for (let i = 1; i <= units; i++) holdings.push({ ...base, id: newId(), inService: 1, assetTag: `${type.key.slice(0, 2).toUpperCase()}-B${String(s + 1).padStart(3, '0')}-${String(i).padStart(2, '0')}` });
    }
  });
  await insertInBatches(holdings, (batch) => db.insert(schema.equipmentHoldings).values(batch));

  const siteById = new Map(sites.map((s) => [s.id, s]));
  const neighbours = neighboursOf(sites, 15);
  const loans: LoanRow[] = [];
  const items: (typeof schema.equipmentLoanItems.$inferInsert)[] = [];
  const stock = new Map<string, HoldingRow[]>();
  for (const h of holdings) if (h.lendable) stock.set(`${h.siteId}|${h.typeId}`, [...(stock.get(`${h.siteId}|${h.typeId}`) ?? []), h]);
  const loan = (lender: SiteRow, borrower: SiteRow, typeId: string, quantity: number, use: InstantRange, status: string): LoanRow & { id: string } => {
    const claim = claimWindow(use, transitBetween(lender, borrower));
    const id = newId();
    return { id, orgId, typeId, lenderSiteId: lender.id, borrowerSiteId: borrower.id, requestId: id, quantity, useStart: new Date(use.start), useEnd: new Date(use.end), claimStart: new Date(claim.start), claimEnd: new Date(claim.end), status, purpose: 'bench', createdAt: new Date(Math.min(now, use.start - 3 * DAY)), updatedAt: new Date(Math.min(now, claim.end + DAY)) };
  };

  // Each lender's loans of a type follow one another (every 15-45 days, 1-3 days long): never more than it lends.
  for (const [key, rows] of stock) {
    const [siteId, typeId] = key.split('|') as [string, string];
    const lender = siteById.get(siteId)!;
    const lendable = rows.reduce((n, h) => n + h.inService, 0);
    for (let day = LOANS_FROM_DAYS + between(0, 30); day < LOANS_TO_DAYS; day += between(15, 45)) {
      const use = dayWindow(now, day, between(1, 3));
      const past = use.end + WIDEST_TRANSIT_MS < now;
      if (!past && use.start - WIDEST_TRANSIT_MS <= now) continue; // nothing out right now: its items would need a dispatch
      const status = past ? (Math.random() < 0.05 ? 'cancelled' : 'checked') : Math.random() < 0.7 ? 'approved' : 'requested';
      const row = loan(lender, pick(neighbours.get(siteId)!), typeId, between(1, Math.max(1, Math.ceil(lendable / 2))), use, status);
      loans.push(row);
      if (status === 'checked' && rows[0]!.assetTag) for (const item of rows.slice(0, row.quantity)) items.push({ loanId: row.id, holdingId: item.id, orgId });
    }
  }
  const fillCount = loans.length;

  // The race: all of the race type's lendable units claimed over each window, but the last three.
  const raceTypeId = typeIds.get(RACE_TYPE)!;
  const raceStocks = [...stock].filter(([key]) => key.endsWith(`|${raceTypeId}`)).map(([key, rows]) => ({ siteId: key.split('|')[0]!, units: rows.reduce((n, h) => n + h.inService, 0) }));
  const lastUnitSites = raceStocks.filter((s) => s.units >= 2).slice(0, LAST_UNITS).map((s) => s.siteId);
  const raceWindows = Array.from({ length: RACE_ROUNDS }, (_, round) => dayWindow(now, RACE_FIRST_DAY + 7 * round));
  for (const window of raceWindows) {
    const covering = { start: window.start - WIDEST_TRANSIT_MS, end: window.end + WIDEST_TRANSIT_MS };
    for (const { siteId, units } of raceStocks) {
      const quantity = units - (lastUnitSites.includes(siteId) ? 1 : 0);
      if (quantity > 0) loans.push(loan(siteById.get(siteId)!, pick(neighbours.get(siteId)!), raceTypeId, quantity, covering, 'approved'));
    }
  }
  await insertInBatches(loans, (batch) => db.insert(schema.equipmentLoans).values(batch));
  await insertInBatches(items, (batch) => db.insert(schema.equipmentLoanItems).values(batch));
  console.log(`  equipment: ${holdings.length.toLocaleString()} holdings, ${fillCount.toLocaleString()} loans over the year, ${(loans.length - fillCount).toLocaleString()} filling the race windows`);
  return { typeIds, holdings, loans: loans.length, raceWindows, lastUnitSites };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** One round: 50 staff requests for one unit each at once, from 50 other sites, over the same window. */
async function raceOnce(db: Database, opts: { apiUrl: string; token: string; orgId: string }, typeId: string, window: InstantRange, borrowers: readonly string[], latencies: number[]): Promise<RaceRound> {
  const started = performance.now();
  const answers = await Promise.all(
    borrowers.map(async (borrowerSiteId) => {
      const sent = performance.now();
      const res = await fetch(`${opts.apiUrl}/api/v1/equipment/loans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ typeId, quantity: 1, borrowerSiteId, start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString(), purpose: 'bench race' }),
      });
      const body = (await res.json()) as { code?: string };
      latencies.push(performance.now() - sent);
      return res.status === 409 ? `409 ${body.code}` : String(res.status);
    }),
  );
  const wallMs = performance.now() - started;
  const other = new Map<string, number>();
  for (const a of answers) if (a !== '201' && a !== '409 EQUIPMENT_SHORTFALL') other.set(a, (other.get(a) ?? 0) + 1);
  const { equipmentLoans: loans } = schema;
  const [held] = await db
    .select({ units: sql<number>`coalesce(sum(${loans.quantity}), 0)::int` })
    .from(loans)
    .where(and(eq(loans.orgId, opts.orgId), eq(loans.typeId, typeId), eq(loans.status, 'requested'), inArray(loans.borrowerSiteId, [...borrowers]), lt(loans.useStart, new Date(window.end)), gt(loans.useEnd, new Date(window.start))));
  return { created: answers.filter((a) => a === '201').length, refused: answers.filter((a) => a === '409 EQUIPMENT_SHORTFALL').length, other, unitsHeld: Number(held!.units), overCommitted: await countOverCommitted(db, typeId), wallMs };
}

/** Lender instants where the loans holding a type's units outnumber the units in service, or lent out the units lent. */
async function countOverCommitted(db: Database, typeId: string): Promise<number> {
  const result = (await db.execute(sql`
    WITH holding AS (
      SELECT lender_site_id, borrower_site_id, quantity, claim_start, claim_end FROM equipment_loans
      WHERE type_id = ${typeId} AND status IN ('requested', 'approved', 'dispatched', 'received', 'returned')
    ),
    stock AS (
      SELECT site_id, sum(in_service)::int AS in_service, coalesce(sum(in_service) FILTER (WHERE lendable), 0)::int AS lendable
      FROM equipment_holdings WHERE type_id = ${typeId} GROUP BY site_id
    )
    SELECT count(*)::int AS count FROM (
      SELECT 1 FROM (SELECT DISTINCT lender_site_id, claim_start FROM holding) h
      JOIN holding o ON o.lender_site_id = h.lender_site_id AND o.claim_start <= h.claim_start AND h.claim_start < o.claim_end
      JOIN stock s ON s.site_id = h.lender_site_id
      GROUP BY h.lender_site_id, h.claim_start, s.in_service, s.lendable
      HAVING sum(o.quantity) > s.in_service OR coalesce(sum(o.quantity) FILTER (WHERE o.borrower_site_id <> o.lender_site_id), 0) > s.lendable
    ) over_committed`)) as unknown as { rows: { count: number }[] };
  return Number(result.rows[0]!.count);
}

export async function benchEquipment(opts: { db: Database; orgId: string; apiUrl: string; token: string; load: Load; measureCeiling: () => Promise<LoadFigures> }): Promise<EquipmentBenchResult> {
  const { db, orgId } = opts;
  const sites = await db.select({ id: schema.sites.id, lat: schema.sites.lat, lng: schema.sites.lng }).from(schema.sites).where(eq(schema.sites.orgId, orgId));
  await removePool(db, orgId);
  try {
    const seeding = performance.now();
    const now = Date.now();
    const pool = await seedPool(db, orgId, sites, now);
    await db.execute(sql`ANALYZE equipment_holdings, equipment_loans`);
    const seedSeconds = (performance.now() - seeding) / 1000;

    console.log('\n(equipment) pool availability for a type over a week vs ~20 rows by index');
    const ceiling = await opts.measureCeiling();
    const typeId = pool.typeIds.get(AVAILABILITY_TYPE)!;
    const availability = await opts.load(() => {
      const start = dayWindow(now, between(0, LOANS_TO_DAYS)).start;
      const q = new URLSearchParams({ typeId, quantity: String(between(20, 200, 10)), siteId: pick(sites).id, start: new Date(start).toISOString(), end: new Date(start + 7 * DAY).toISOString() });
      return { method: 'GET', path: `/api/v1/equipment/availability?${q}`, headers: { authorization: `Bearer ${opts.token}` } };
    });

    console.log(`(equipment) ${RACE_ROUNDS} rounds of a ${RACERS}-way race for the last ${LAST_UNITS} units of a type`);
    // Open the connections first, so the race measures the requests rather than TCP handshakes.
    await Promise.all(Array.from({ length: RACERS }, () => fetch(`${opts.apiUrl}/readyz`).then((r) => r.arrayBuffer())));
    const raceTypeId = pool.typeIds.get(RACE_TYPE)!;
    const latencies: number[] = [];
    const rounds: RaceRound[] = [];
    for (const window of pool.raceWindows) {
      const shuffled = sites.filter((s) => !pool.lastUnitSites.includes(s.id)).map((s) => ({ id: s.id, order: Math.random() })).sort((a, b) => a.order - b.order);
      const borrowers = shuffled.slice(0, RACERS).map((s) => s.id);
      rounds.push(await raceOnce(db, opts, raceTypeId, window, borrowers, latencies));
    }
    latencies.sort((a, b) => a - b);
    const units = pool.holdings.reduce((n, h) => n + h.inService, 0);
    return {
      pool: { units, holdings: pool.holdings.length, loans: pool.loans, sites: sites.length, seedSeconds },
      availability,
      ceiling,
      rounds,
      race: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1)! },
    };
  } finally {
    await removePool(db, orgId);
  }
}

/** Prints the figures; a race that did not end exactly 3 × 201 and 47 × 409 fails the run (exit code 1). */
export function printEquipment(r: EquipmentBenchResult): void {
  const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
  console.log(`\n(equipment) pool of ${r.pool.units.toLocaleString()} units (${r.pool.holdings.toLocaleString()} holdings) across ${r.pool.sites} sites, ${r.pool.loans.toLocaleString()} loans; written in ${r.pool.seedSeconds.toFixed(1)} s`);
  console.log('| measurement | API req/s | API p50 / p99 ms | ceiling req/s | ceiling p50 / p99 ms | ratio | API non-2xx | API 5xx |');
  console.log('|---|---|---|---|---|---|---|---|');
  const a = r.availability;
  console.log(`| pool availability, one type over a week | ${a.rps.toFixed(0)} | ${a.p50} / ${a.p99} | ${r.ceiling.rps.toFixed(0)} | ${r.ceiling.p50} / ${r.ceiling.p99} | ${percent(a.rps / r.ceiling.rps)} | ${a.non2xx} | ${a.errors5xx} |`);
  console.log(`\n| race round | 201 | 409 EQUIPMENT_SHORTFALL | other | units held | over-committed instants | wall ms | exact |`);
  console.log('|---|---|---|---|---|---|---|---|');
  let allExact = true;
  r.rounds.forEach((round, i) => {
    const exact = round.created === LAST_UNITS && round.refused === RACERS - LAST_UNITS && round.other.size === 0 && round.unitsHeld === LAST_UNITS && round.overCommitted === 0;
    allExact &&= exact;
    const other = [...round.other].map(([s, c]) => `${s}: ${c}`).join(', ') || '—';
    console.log(`| ${i + 1} | ${round.created} | ${round.refused} | ${other} | ${round.unitsHeld} | ${round.overCommitted} | ${round.wallMs.toFixed(0)} | ${exact ? 'yes' : `WRONG: must be ${LAST_UNITS} x 201, ${RACERS - LAST_UNITS} x 409`} |`);
  });
  // Requests per second of wall time while racing, beside the same bare-read ceiling.
  const raceRps = (r.rounds.length * RACERS) / (r.rounds.reduce((ms, round) => ms + round.wallMs, 0) / 1000);
  console.log(
    `race latency over ${r.rounds.length * RACERS} requests: p50 ${r.race.p50.toFixed(0)} ms, p99 ${r.race.p99.toFixed(0)} ms, max ${r.race.max.toFixed(0)} ms; ` +
      `${raceRps.toFixed(0)} requests/s while racing, ${percent(raceRps / r.ceiling.rps)} of the bare-read ceiling`,
  );
  if (!allExact) process.exitCode = 1;
}
