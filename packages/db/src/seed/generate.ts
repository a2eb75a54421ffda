/**
 * A large portfolio for benchmarks: e.g. 200 sites, 2,000 spaces and 1,000,000 bookings over a year, in its own
 * organization next to the demo. Sites, spaces and people are planned in TypeScript like the demo's; bookings
 * are made by PostgreSQL itself with INSERT ... SELECT over generate_series, 50,000 rows a statement, because
 * sending a million rows as bind parameters would spend most of the time in the driver.
 *
 * Rows are deterministic for a seed and `now`. Bookings never overlap on exclusive spaces and never exceed a
 * shared space's capacity (see booking-grid.ts), so the database constraints accept every row.
 */
import { eq, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../client.ts';
import { organizations, sites, spaces, userSites, users } from '../schema.ts';
import { chunksOf } from './batches.ts';
import { type BenchPortfolio, type BenchSettings, planBenchPortfolio } from './bench-plan.ts';
import { SeedRefusedError } from './errors.ts';
import { hashPassword } from '../passwords.ts';
import { queryRows } from './query-rows.ts';
import { databaseHasData, deleteAllTenantData } from './reset.ts';

export const BENCH_PASSWORD = 'linli-bench';
const DEFAULT_BATCH_ROWS = 50_000;

export interface GenerateOptions {
  sites: number;
  /** Default 10. */
  spacesPerSite?: number;
  bookings: number;
  /** Seeds the plan and every booking's time, status and booker. Default 1. */
  seed?: number;
  /** Days of bookings, ending a few weeks after `now` (at most 30 days ahead). Default 365. */
  days?: number;
  /** Default: the current time. Bookings before it are history, after it upcoming. */
  now?: Date;
  /** Default 'bench'. */
  orgSlug?: string;
  /**
   * Delete ALL data first (every organization, the demo's too) instead of refusing when the slug is taken.
   * Not just this one organization: the history triggers of migration 0003 refuse to DELETE bookings, and
   * TRUNCATE of every tenant table is the one way they allow.
   */
  force?: boolean;
  /** Also write one booking_event per booking, recording its current status (about a quarter more time). */
  events?: boolean;
  /** Bookings per INSERT statement. Default 50,000. */
  batchRows?: number;
  log?: (line: string) => void;
}

export interface GenerateSummary {
  orgSlug: string;
  orgId: string;
  sites: number;
  spaces: number;
  users: number;
  bookings: number;
  bookingEvents: number;
  seconds: number;
  bookingsPerSecond: number;
}

export async function generatePortfolio(db: Database, options: GenerateOptions): Promise<GenerateSummary> {
  const log = options.log ?? (() => {});
  const settings = validateOptions(options);
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

  if (!settings.force && (await organizationExists(db, settings.orgSlug))) throw refusal(settings.orgSlug);

  const portfolio = planBenchPortfolio(settings);
  log(
    `planned ${portfolio.sites.length} sites, ${portfolio.spaces.length} spaces, ${portfolio.users.length} users; ` +
      `${portfolio.templates.length} opening-hours patterns, ${portfolio.templates.reduce((n, t) => n + t.blocks.length, 0)} booking blocks`,
  );
  const passwordHash = await hashPassword(BENCH_PASSWORD);

  // One transaction: a failed or interrupted run leaves nothing half-made, and temp tables live on one connection.
  await db.transaction(async (tx) => {
    if (settings.force && (await databaseHasData(tx))) {
      log('deleting all existing data (--force)');
      await deleteAllTenantData(tx);
    } else if (await organizationExists(tx, settings.orgSlug)) {
      throw refusal(settings.orgSlug); // made by someone else since the first check
    }
    await insertBenchPortfolio(tx, portfolio, passwordHash);
    log(`sites, spaces and users written ${elapsed()}`);
    await stageBookingPlan(tx, portfolio);
    for (let from = 0; from < settings.bookings; from += settings.batchRows) {
      const to = Math.min(from + settings.batchRows, settings.bookings) - 1;
      await insertBookingBatch(tx, portfolio, settings, from, to);
      const done = to + 1;
      log(`bookings ${done}/${settings.bookings} (${Math.round((done / settings.bookings) * 100)}%) ${elapsed()}`);
    }
    await expectBookingCount(tx, portfolio.orgId, settings.bookings);
  });
  // Fresh statistics for every table written (bookings, events, users, spaces), so the first benchmark queries are
  // planned for a million rows, not an empty table; autovacuum would get there only minutes later.
  await db.execute(sql`ANALYZE`);
  const seconds = (performance.now() - started) / 1000;
  log(`done in ${seconds.toFixed(1)}s`);
  return {
    orgSlug: settings.orgSlug,
    orgId: portfolio.orgId,
    sites: portfolio.sites.length,
    spaces: portfolio.spaces.length,
    users: portfolio.users.length,
    bookings: settings.bookings,
    bookingEvents: settings.events ? settings.bookings : 0,
    seconds,
    bookingsPerSecond: Math.round(settings.bookings / seconds),
  };
}

async function organizationExists(db: Database | Transaction, slug: string): Promise<boolean> {
  const rows = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug));
  return rows.length > 0;
}

function refusal(slug: string): SeedRefusedError {
  return new SeedRefusedError(
    `Refusing to generate: organization "${slug}" already exists. Pass --force to delete ALL data (every organization) and generate.`,
  );
}

type Settings = BenchSettings & { force: boolean; events: boolean; batchRows: number };

function validateOptions(options: GenerateOptions): Settings {
  const settings: Settings = {
    sites: options.sites,
    spacesPerSite: options.spacesPerSite ?? 10,
    bookings: options.bookings,
    seed: options.seed ?? 1,
    days: options.days ?? 365,
    now: options.now ?? new Date(),
    orgSlug: options.orgSlug ?? 'bench',
    force: options.force ?? false,
    events: options.events ?? false,
    batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS,
  };
  const positive = ['sites', 'spacesPerSite', 'days', 'batchRows'] as const;
  for (const key of positive) {
    if (!Number.isInteger(settings[key]) || settings[key] < 1) throw new Error(`${key} must be a positive integer`);
  }
  if (!Number.isInteger(settings.bookings) || settings.bookings < 0) throw new Error('bookings must be a whole number');
  if (!/^[a-z0-9][a-z0-9-]{1,39}$/.test(settings.orgSlug)) throw new Error('orgSlug must be a lowercase slug');
  return settings;
}

async function insertBenchPortfolio(tx: Transaction, portfolio: BenchPortfolio, passwordHash: string): Promise<void> {
  await tx.insert(organizations).values(portfolio.organization);
  for (const part of chunksOf(portfolio.sites)) await tx.insert(sites).values(part);
  for (const part of chunksOf(portfolio.spaces)) await tx.insert(spaces).values(part);
  for (const part of chunksOf(portfolio.users)) await tx.insert(users).values(part.map((u) => ({ ...u, passwordHash })));
  for (const part of chunksOf(portfolio.userSites)) await tx.insert(userSites).values(part);
}

/**
 * The per-space plan, the time blocks and the residents go into temp tables once, with keys, so each batch
 * statement joins by index instead of re-sending them. ON COMMIT DROP: nothing is left behind.
 */
async function stageBookingPlan(tx: Transaction, portfolio: BenchPortfolio): Promise<void> {
  await tx.execute(sql`
    CREATE TEMP TABLE seed_space_load (
      ordinal int PRIMARY KEY, space_id uuid NOT NULL, site_id uuid NOT NULL, staff_id uuid NOT NULL,
      staff_only boolean NOT NULL, exclusive boolean NOT NULL, approval boolean NOT NULL, template int NOT NULL, slot_count int NOT NULL,
      slot_minutes int NOT NULL, lanes int NOT NULL, per_lane int NOT NULL, max_party int NOT NULL
    ) ON COMMIT DROP`);
  await tx.execute(sql`
    INSERT INTO seed_space_load
    SELECT * FROM jsonb_to_recordset(${JSON.stringify(portfolio.loads)}::jsonb) AS l(
      ordinal int, space_id uuid, site_id uuid, staff_id uuid, staff_only boolean, exclusive boolean, approval boolean, template int,
      slot_count int, slot_minutes int, lanes int, per_lane int, max_party int)`);

  await tx.execute(sql`
    CREATE TEMP TABLE seed_time_block (
      template int NOT NULL, idx int NOT NULL, start_at timestamptz NOT NULL, minutes int NOT NULL,
      PRIMARY KEY (template, idx)
    ) ON COMMIT DROP`);
  const blocks = portfolio.templates.flatMap((t) =>
    t.blocks.map((b, idx) => ({ template: t.index, idx, start_at: new Date(b.start).toISOString(), minutes: b.minutes })),
  );
  for (const part of chunksOf(blocks, 20_000)) {
    await tx.execute(sql`
      INSERT INTO seed_time_block
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(part)}::jsonb) AS b(template int, idx int, start_at timestamptz, minutes int)`);
  }

  await tx.execute(sql`CREATE TEMP TABLE seed_resident (idx int PRIMARY KEY, id uuid NOT NULL) ON COMMIT DROP`);
  await tx.execute(sql`
    INSERT INTO seed_resident
    SELECT (ordinality - 1)::int, id::uuid FROM jsonb_array_elements_text(${JSON.stringify(portfolio.residentIds)}::jsonb) WITH ORDINALITY AS r(id, ordinality)`);
  await tx.execute(sql`ANALYZE seed_space_load, seed_time_block, seed_resident`);
}

/**
 * Bookings number `from`..`to` (inclusive). Booking n is the k-th booking of the space whose run of numbers
 * holds n; in lane k mod lanes it is the j-th (j = k div lanes), placed on block j*blocks/perLane plus a
 * jitter smaller than the gap to the next, so a lane's blocks strictly increase and never overlap. The jitter is
 * hashed from (space, j), so a shared area's lanes sit in the same block: real concurrent seats.
 *
 * md5(seed:n) is the row's random source: its bytes pick duration, party, status, booker and purpose, and make
 * the random part of a UUIDv7 whose time part is created_at (ids sort by creation, like the app's).
 */
async function insertBookingBatch(
  tx: Transaction,
  portfolio: BenchPortfolio,
  settings: Settings,
  from: number,
  to: number,
): Promise<void> {
  // Spaces take consecutive runs of booking numbers (see bookingCountForSpace): the first `remainder` spaces
  // get perSpace + 1 bookings, the rest perSpace. Runs keep each batch's rows grouped by space and in time
  // order, which keeps index inserts local (about a quarter faster on PostgreSQL than scattering them).
  const spaceCount = portfolio.loads.length;
  const perSpace = Math.floor(settings.bookings / spaceCount);
  const remainder = settings.bookings % spaceCount;
  const bigShare = remainder * (perSpace + 1);
  const residentCount = portfolio.residentIds.length;
  const seed = String(settings.seed);
  const now = settings.now.toISOString();
  // MATERIALIZED: PostgreSQL would otherwise inline `h` into every get_byte and run md5 a dozen times a row.
  const generated = sql`
    numbered AS MATERIALIZED (
      SELECT g.n, l.*, d.k / l.lanes AS j, decode(md5(${seed} || ':' || g.n), 'hex') AS h
      FROM generate_series(${from}::bigint, ${to}::bigint) AS g(n)
      CROSS JOIN LATERAL (SELECT
        CASE WHEN g.n < ${bigShare} THEN g.n / ${perSpace + 1} ELSE ${remainder} + (g.n - ${bigShare}) / NULLIF(${perSpace}, 0) END AS ordinal,
        CASE WHEN g.n < ${bigShare} THEN g.n % ${perSpace + 1} ELSE (g.n - ${bigShare}) % NULLIF(${perSpace}, 0) END AS k
      ) d
      JOIN seed_space_load l ON l.ordinal = d.ordinal::int
    ),
    rolled AS MATERIALIZED (
      SELECT nb.*,
        (nb.j * nb.slot_count) / nb.per_lane
          + ('x' || left(md5(${seed} || ':' || nb.ordinal || ':' || nb.j), 4))::bit(16)::int
            % GREATEST(nb.slot_count / nb.per_lane, 1) AS idx,
        get_byte(nb.h, 2) % 3 AS length_roll,
        1 + get_byte(nb.h, 3) % nb.max_party AS party_size,
        (get_byte(nb.h, 4) * 256 + get_byte(nb.h, 5)) % 100 AS status_roll,
        (get_byte(nb.h, 6) * 65536 + get_byte(nb.h, 7) * 256 + get_byte(nb.h, 8)) % ${residentCount} AS booker_idx,
        nb.staff_only OR get_byte(nb.h, 9) % 10 = 0 AS by_staff,
        2 + get_byte(nb.h, 10) % 240 AS lead_hours,
        1 + get_byte(nb.h, 11) % 8 AS purpose_idx
      FROM numbered nb
    ),
    timed AS (
      SELECT r.*, b.start_at,
        b.start_at + make_interval(mins => (LEAST(
          CASE WHEN r.slot_minutes = 60 AND r.length_roll = 1 THEN 120 ELSE 60 + 30 * r.length_roll END,
          b.minutes) / r.slot_minutes) * r.slot_minutes) AS end_at
      FROM rolled r
      JOIN seed_time_block b ON b.template = r.template AND b.idx = r.idx
    ),
    statused AS (
      SELECT t.*,
        CASE
          WHEN t.end_at <= ${now}::timestamptz THEN CASE
            WHEN t.status_roll < 78 THEN 'completed' WHEN t.status_roll < 89 THEN 'cancelled'
            WHEN t.status_roll < 96 THEN 'no_show' WHEN t.approval AND t.status_roll < 98 THEN 'rejected'
            WHEN t.approval THEN 'expired' ELSE 'completed' END
          WHEN t.start_at <= ${now}::timestamptz THEN CASE WHEN t.status_roll < 85 THEN 'checked_in' ELSE 'confirmed' END
          ELSE CASE
            WHEN t.status_roll < 10 THEN 'cancelled' WHEN t.approval AND t.status_roll < 50 THEN 'pending'
            ELSE 'confirmed' END
        END AS status,
        LEAST(t.start_at - make_interval(hours => t.lead_hours), ${now}::timestamptz - interval '1 minute') AS created_at,
        res.id AS booker_id
      FROM timed t
      JOIN seed_resident res ON res.idx = t.booker_idx
    ),
    generated_rows AS (
      SELECT
        encode(set_bit(set_bit(set_bit(set_bit(set_bit(set_bit(
          overlay(s.h PLACING substring(int8send((extract(epoch FROM s.created_at) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
          52, 1), 53, 1), 54, 1), 55, 0), 70, 0), 71, 1), 'hex')::uuid AS id,
        ${portfolio.orgId}::uuid AS org_id, s.site_id, s.space_id, s.booker_id,
        CASE WHEN s.by_staff THEN s.staff_id ELSE s.booker_id END AS created_by_id,
        s.exclusive, s.party_size, s.start_at, s.end_at,
        CASE WHEN s.exclusive
          THEN (ARRAY['社区合唱团排练','读书会','亲子绘本共读','健康养生讲座','志愿者培训','项目例会','书法练习','瑜伽课'])[s.purpose_idx]
          ELSE '自习' END AS purpose,
        s.status,
        CASE WHEN s.by_staff THEN 'staff' ELSE 'resident' END AS source,
        CASE WHEN s.status IN ('pending', 'confirmed') THEN 1 WHEN s.status = 'completed' THEN 3 ELSE 2 END AS version,
        s.created_at,
        CASE WHEN s.status IN ('pending', 'confirmed') THEN s.created_at
          ELSE GREATEST(s.created_at, LEAST(s.end_at, ${now}::timestamptz)) END AS updated_at
      FROM statused s
    )`;
  const columns = sql.raw(
    'id, org_id, site_id, space_id, booker_id, created_by_id, exclusive, party_size, start_at, end_at, purpose, status, source, version, created_at, updated_at',
  );
  if (!settings.events) {
    await tx.execute(sql`WITH ${generated} INSERT INTO bookings (${columns}) SELECT ${columns} FROM generated_rows`);
    return;
  }
  // One event per booking, its current status; the id is the booking's with the last byte flipped (unique, v7).
  await tx.execute(sql`
    WITH ${generated},
    inserted AS (
      INSERT INTO bookings (${columns}) SELECT ${columns} FROM generated_rows
      RETURNING id, org_id, created_by_id, status, updated_at
    )
    INSERT INTO booking_events (id, org_id, booking_id, actor_id, from_status, to_status, reason, at)
    SELECT encode(set_byte(uuid_send(id), 15, get_byte(uuid_send(id), 15) # 255), 'hex')::uuid,
      org_id, id, created_by_id, NULL, status, 'generated', updated_at
    FROM inserted`);
}

async function expectBookingCount(tx: Transaction, orgId: string, expected: number): Promise<void> {
  const [row] = await queryRows<{ count: number }>(
    tx,
    sql`SELECT count(*)::int AS count FROM bookings WHERE org_id = ${orgId}::uuid`,
  );
  if (row?.count !== expected) throw new Error(`expected ${expected} generated bookings, found ${row?.count}`);
}
