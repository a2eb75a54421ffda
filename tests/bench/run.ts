/**
 * `npm run bench` (needs PostgreSQL: DATABASE_URL=postgres://...). Not a test: it prints numbers.
 *
 * On a generated portfolio (200 sites, 2,000 spaces, 1,000,000 bookings over a year; generated once and reused),
 * each API endpoint is measured beside its ceiling in the same run on the same tables: a bare Fastify + pg server
 * doing the least the endpoint could do. The machine is small and noisy, so the ratio is the figure to read.
 *
 *   --sites 200 --bookings 1000000   portfolio size (generated if the 'bench' organization does not exist)
 *   --duration 10                    seconds per load run;  --connections 50
 *   --only a,c                       run only these (a: booking, o: booking for a resident, told through the
 *                                    outbox, vs for no one; b: search, c: schedule, p: 1 vs 2 API
 *                                    processes, r: a flash crowd on one activity session, analytics,
 *                                    equipment: pool availability and a race for the last units,
 *                                    notifications: the outbox's write-path cost and its worker's dispatch)
 *   --cpu-prof DIR                   write a V8 CPU profile of the API process to DIR (node --cpu-prof)
 */
import { parseArgs } from 'node:util';
import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { type DatabaseHandle, migrateDatabase, openDatabase, schema } from '@linli/db';
import { BENCH_PASSWORD, generatePortfolio } from '@linli/db/seed';
import { addDaysToLocalDate, localDayRange, openRanges } from '@linli/domain';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { DEAD_DELIVERY_QUEUE, DELIVERY_QUEUE, REMINDER_QUEUE } from '../../apps/api/src/modules/outbox/job-queue.ts';
import { benchAnalytics } from './analytics.ts';
import { benchEquipment, printEquipment } from './equipment.ts';
import { BENCH_JWT_ENV, benchFlashCrowd, printFlashCrowd } from './flash-crowd.ts';
import { benchNotifications, printNotifications } from './notifications.ts';

const { values: args } = parseArgs({
  options: {
    sites: { type: 'string', default: '200' },
    bookings: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: 'a,o,b,c,p,r,analytics,equipment,notifications' },
    'cpu-prof': { type: 'string' },
  },
});
const DATABASE_URL = process.env.DATABASE_URL ?? '';
if (!DATABASE_URL.startsWith('postgres')) {
  console.error('npm run bench needs PostgreSQL: set DATABASE_URL=postgres://...');
  process.exit(64);
}
const duration = Number(args.duration);
const connections = Number(args.connections);
const random = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors5xx: number;
  /** Every status seen and how often, e.g. "201×1200 409×40": a run that is mostly refusals measures refusals. */
  statuses: string;
}

async function load(name: string, url: string, requests: () => { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> }): Promise<LoadResult> {
  const statuses = new Map<number, number>();
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        setupRequest: (req) => {
          const next = requests();
          return { ...req, method: next.method, path: next.path, body: next.body, headers: { ...req.headers, ...next.headers } };
        },
        onResponse: (status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
      },
    ],
  });
  const count = (predicate: (s: number) => boolean) => [...statuses].filter(([s]) => predicate(s)).reduce((n, [, c]) => n + c, 0);
  return {
    name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: count((s) => s >= 300),
    errors5xx: count((s) => s >= 500),
    statuses: [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' '),
  };
}

function startServer(entry: string, env: Record<string, string>, nodeOptions: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  process.once('exit', () => child.kill('SIGTERM'));
  return child;
}

async function waitFor(url: string) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not come up`);
}

/**
 * Every run measures the same generated portfolio: the load tests insert tens of thousands of bookings into the
 * months the searches then read, and left in place they would make each run slower than the last. Generated
 * bookings were all created before the organization row (the generator dates them back), so anything newer is a
 * run's. History is append-only (triggers refuse DELETE on bookings and booking_events); this cleanup, for the
 * bench database only, sets session_replication_role = replica, which skips those triggers in its own transaction
 * (it needs a PostgreSQL superuser).
 */
async function removeBookingsWrittenByRuns(database: DatabaseHandle, org: { id: string; createdAt: Date }) {
  const removed = await database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    const written = sql`SELECT id FROM bookings WHERE org_id = ${org.id} AND created_at > ${org.createdAt.toISOString()}`;
    await tx.execute(sql`DELETE FROM booking_events WHERE booking_id IN (${written})`);
    await tx.execute(sql`DELETE FROM demand_events WHERE org_id = ${org.id} AND at > ${org.createdAt.toISOString()}`);
    const result = (await tx.execute(sql`DELETE FROM bookings WHERE org_id = ${org.id} AND created_at > ${org.createdAt.toISOString()}`)) as unknown as { rowCount: number | null };
    return result.rowCount ?? 0;
  });
  if (removed) console.log(`Removed ${removed.toLocaleString()} bookings written by benchmark runs`);
}

/** Residents for the (o) pair, in one statement; nobody logs in as them, so a fixed string stands in for a hash. */
async function createBenchResidents(db: DatabaseHandle['db'], orgId: string, count: number): Promise<string[]> {
  const run = Math.random().toString(36).slice(2, 10);
  const rows = Array.from({ length: count }, (_, i) => ({ orgId, role: 'resident', email: `outbox-${run}-${i}@bench.invalid`, passwordHash: 'bench-no-login', displayName: `Outbox ${i}` }));
  return (await db.insert(schema.users).values(rows).returning({ id: schema.users.id })).map((u) => u.id);
}

/**
 * The (o) residents, their bookings, notifications and queued jobs, gone. Bookings and their history refuse DELETE
 * by trigger; as in removeBookingsWrittenByRuns, this bench-only cleanup skips triggers in its own transaction.
 */
async function removeBenchResidents(database: DatabaseHandle, orgId: string, residentIds: string[]) {
  const ids = sql`ARRAY[${sql.join(residentIds.map((id) => sql`${id}::uuid`), sql`, `)}]`;
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await tx.execute(sql`DELETE FROM pgboss.job WHERE name IN (${DELIVERY_QUEUE}, ${DEAD_DELIVERY_QUEUE})
      AND data->>'deliveryId' IN (SELECT id::text FROM notification_deliveries WHERE recipient_id = ANY(${ids}))`);
    await tx.execute(sql`DELETE FROM pgboss.job WHERE name = ${REMINDER_QUEUE} AND (data->'intent'->>'recipientId')::uuid = ANY(${ids})`);
    await tx.execute(sql`DELETE FROM notifications WHERE recipient_id = ANY(${ids})`);
    const written = sql`SELECT id FROM bookings WHERE booker_id = ANY(${ids})`;
    await tx.execute(sql`DELETE FROM booking_events WHERE booking_id IN (${written})`);
    await tx.execute(sql`DELETE FROM bookings WHERE booker_id = ANY(${ids})`);
    await tx.delete(schema.users).where(and(eq(schema.users.orgId, orgId), inArray(schema.users.id, residentIds)));
  });
}

async function main() {
  const database = await openDatabase({ url: DATABASE_URL, poolSize: 30 });
  await migrateDatabase(database);
  const db = database.db;
  let [org] = await db.select().from(schema.organizations).where(eq(schema.organizations.slug, 'bench'));
  if (!org) {
    console.log(`Generating the benchmark portfolio (${args.sites} sites, ${args.bookings} bookings) ...`);
    await generatePortfolio(db, { sites: Number(args.sites), bookings: Number(args.bookings), log: (line) => console.log(`  ${line}`) });
    [org] = await db.select().from(schema.organizations).where(eq(schema.organizations.slug, 'bench'));
  }
  await removeBookingsWrittenByRuns(database, org!);
  // Fresh planner statistics, as after any bulk load, and the dead rows of the cleanup vacuumed now rather than by
  // autovacuum in the middle of a measurement.
  await db.execute(sql`VACUUM ANALYZE`);
  const sites = await db.select().from(schema.sites).where(eq(schema.sites.orgId, org!.id));
  const spaces = await db.select().from(schema.spaces).where(eq(schema.spaces.orgId, org!.id));
  const [admin] = await db.select().from(schema.users).where(and(eq(schema.users.orgId, org!.id), eq(schema.users.role, 'org_admin'))).limit(1);
  const counted = await db.select({ count: sql<number>`count(*)::int` }).from(schema.bookings).where(eq(schema.bookings.orgId, org!.id));
  const count = counted[0]!.count;
  console.log(`Portfolio: ${sites.length} sites, ${spaces.length} spaces, ${Number(count).toLocaleString()} bookings`);
  const only = new Set(args.only.split(','));
  // Before the API processes start: their inline notification workers would take this scenario's jobs.
  if (only.has('notifications')) printNotifications(await benchNotifications({ db, orgId: org!.id, databaseUrl: DATABASE_URL, seconds: duration }));

  // The real API as `npm start` runs it, and the bare ceiling, each in a process of its own (the load generator
  // lives in this one), on the same PostgreSQL tables.
  const apiUrl = 'http://127.0.0.1:3931';
  const bareUrl = 'http://127.0.0.1:3932';
  const children = [
    // The notification worker is off in the measured API: the (o) pair measures what the outbox adds to the booking's
    // own transaction; delivering is the notifications bench's figure, not a cost to hide in this one.
    startServer('apps/api/src/server.ts', { DATABASE_URL, PORT: '3931', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DB_POOL_SIZE: '30', AUTH_RATE_LIMIT_PER_MINUTE: '100000', NOTIFICATIONS_WORKER: 'off', ...BENCH_JWT_ENV }, args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : []),
    startServer('tests/bench/bare-server.ts', { DATABASE_URL, PORT: '3932', ORG_ID: org!.id }),
  ];
  await Promise.all([waitFor(`${apiUrl}/readyz`), waitFor(`${bareUrl}/healthz`)]);
  const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org: org!.slug, login: admin!.email, password: BENCH_PASSWORD }),
  });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // Booking requests on the slot grid inside opening hours, 40-400 days ahead (empty time: most succeed).
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const exclusiveSpaces = spaces.filter((s) => s.bookingMode === 'exclusive');
  function bookingBody(firstDay = 40, days = 360) {
    for (;;) {
      const space = random(exclusiveSpaces);
      const site = siteById.get(space.siteId)!;
      const date = addDaysToLocalDate(new Date().toISOString().slice(0, 10), firstDay + Math.floor(Math.random() * days));
      const open = openRanges(site.openingHours, site.timezone, localDayRange(date, site.timezone)).filter((r) => r.end - r.start >= 3_600_000);
      if (!open.length) continue;
      const range = random(open);
      const slots = Math.floor((range.end - range.start - 3_600_000) / 1_800_000);
      const start = range.start + Math.floor(Math.random() * (slots + 1)) * 1_800_000;
      return { spaceId: space.id, siteId: site.id, startAt: new Date(start).toISOString(), endAt: new Date(start + 3_600_000).toISOString() };
    }
  }
  const bodies = Array.from({ length: 50_000 }, () => bookingBody());
  let next = 0;
  const nextBody = () => bodies[next++ % bodies.length]!;
  // A booking made for a resident is held to the resident's horizon (30 days by default): (o) books 1-29 days
  // ahead, on both of its sides. (Before, it used (a)'s 40-400 days, and every booking for a resident was refused.)
  const nearBodies = Array.from({ length: 20_000 }, () => bookingBody(1, 29));
  let nextNear = 0;
  const nextNearBody = () => nearBodies[nextNear++ % nearBodies.length]!;
  const weekStart = () => addDaysToLocalDate(new Date().toISOString().slice(0, 10), -Math.floor(Math.random() * 300));

  const results: { pair: string; target: number | null; api: LoadResult; ceiling: LoadResult; prepared: LoadResult }[] = [];
  // The ceiling runs twice: as a plain pool.query (the bare endpoint the target is set against), and with a named
  // prepared statement (stricter: the API prepares its hot statements). Ceiling, API, then prepared ceiling.
  const measure = async (pair: string, target: number | null, api: () => Promise<LoadResult>, ceiling: (prepared: boolean) => Promise<LoadResult>) => {
    if (!only.has(pair.charAt(1))) return;
    console.log(`\n${pair}`);
    const c = await ceiling(false);
    const a = await api();
    const p = await ceiling(true);
    results.push({ pair, target, api: a, ceiling: c, prepared: p });
  };
  const preparedQuery = (prepared: boolean) => (prepared ? '&prepared=1' : '');
  const insertCeiling = (prepared: boolean) => load('bare', bareUrl, () => ({ method: 'POST', path: prepared ? '/insert?prepared=1' : '/insert', body: JSON.stringify(nextBody()), headers: { 'content-type': 'application/json' } }));
  const rowsRequest = (prepared: boolean) => () => ({ method: 'GET' as const, path: `/rows?spaceId=${random(spaces).id}&from=${weekStart()}${preparedQuery(prepared)}` });

  await measure(
    '(a) create a booking: POST /api/v1/bookings vs one INSERT',
    0.5,
    () => load('api', apiUrl, () => { const b = nextBody(); return { method: 'POST', path: '/api/v1/bookings', body: JSON.stringify({ spaceId: b.spaceId, startAt: b.startAt, endAt: b.endAt }), headers: auth }; }),
    insertCeiling,
  );
  // (o) The outbox on the API's booking path (issue #13, point 7): the same bookings as (a), made by the admin for a
  // resident (bookerId), who is told: a receipt (inbox + email rows, a delivery job) and the booking's reminders are
  // written in its transaction. Against it, the (a) request for no one, so no one is told. Both through the API, in
  // one run, alternating as every pair here: no-booker, with-booker, no-booker again (the "prepared" column). The
  // difference is not the outbox alone: a booking with a booker also takes the transactional path (booker lock),
  // which a booking for no one skips; docs/performance.md says so beside the figures.
  if (only.has('o')) {
    const residentIds = await createBenchResidents(db, org!.id, 2_000);
    try {
      await measure(
        '(o) book for a resident (told through the outbox) vs book for no one, both via the API',
        null, // a cost to report, not a target to meet
        () => load('api', apiUrl, () => { const b = nextNearBody(); return { method: 'POST', path: '/api/v1/bookings', body: JSON.stringify({ spaceId: b.spaceId, startAt: b.startAt, endAt: b.endAt, bookerId: random(residentIds) }), headers: auth }; }),
        () => load('api', apiUrl, () => { const b = nextNearBody(); return { method: 'POST', path: '/api/v1/bookings', body: JSON.stringify({ spaceId: b.spaceId, startAt: b.startAt, endAt: b.endAt }), headers: auth }; }),
      );
    } finally {
      await removeBenchResidents(database, org!.id, residentIds);
    }
  }
  await measure(
    '(b) portfolio availability search vs ~20 rows by index',
    0.4,
    () =>
      load('api', apiUrl, () => {
        const b = nextBody();
        const q = new URLSearchParams({ startAt: b.startAt, endAt: b.endAt, partySize: '4', nearSiteId: b.siteId, maxDistanceKm: '5' });
        return { method: 'GET', path: `/api/v1/availability/search?${q}`, headers: auth };
      }),
    (prepared) => load('bare', bareUrl, rowsRequest(prepared)),
  );
  await measure(
    "(c) one site's week schedule vs ~20 rows by index",
    0.4,
    () => load('api', apiUrl, () => ({ method: 'GET', path: `/api/v1/sites/${random(sites).id}/schedule?date=${weekStart()}&days=7`, headers: auth })),
    (prepared) => load('bare', bareUrl, rowsRequest(prepared)),
  );

  console.log('\n| measurement | API req/s | API p50 / p99 ms | ceiling req/s | ceiling p50 / p99 ms | ratio | target | prepared ceiling req/s | ratio to it | API non-2xx | API 5xx |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const ratio = r.api.rps / r.ceiling.rps;
    const percent = (x: number) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `| ${r.pair} | ${r.api.rps.toFixed(0)} | ${r.api.p50} / ${r.api.p99} | ${r.ceiling.rps.toFixed(0)} | ${r.ceiling.p50} / ${r.ceiling.p99} | ${percent(ratio)} | ${r.target === null ? '—' : `≥ ${percent(r.target)} ${ratio >= r.target ? 'met' : 'MISSED'}`} | ${r.prepared.rps.toFixed(0)} | ${percent(r.api.rps / r.prepared.rps)} | ${r.api.non2xx} | ${r.api.errors5xx} |`,
    );
  }
  for (const r of results) console.log(`${r.pair}: API statuses ${r.api.statuses}; ceiling ${r.ceiling.statuses}`);
  if (only.has('r')) printFlashCrowd(await benchFlashCrowd({ db, orgId: org!.id, apiUrl, measureCeiling: () => insertCeiling(false) }));
  if (only.has('equipment')) {
    printEquipment(await benchEquipment({ db, orgId: org!.id, apiUrl, token, load: (requests) => load('api', apiUrl, requests), measureCeiling: () => load('bare', bareUrl, rowsRequest(false)) }));
  }
  if (only.has('p')) children.push(await compareProcessCounts(apiUrl, { DATABASE_URL, token, sites, nextBody }));
  const analytics = only.has('analytics') ? await benchAnalytics({ baseUrl: apiUrl, token, siteId: random(sites).id, iterations: 30 }) : [];

  console.log('\n| analytics endpoint | p50 ms | p99 ms |');
  console.log('|---|---|---|');
  for (const a of analytics) console.log(`| ${a.name} | ${a.p50.toFixed(1)} | ${a.p99.toFixed(1)} |`);

  await removeBookingsWrittenByRuns(database, org!);
  // Wait for the servers to exit, so a CPU profile is written out.
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))));
  await database.close();
}

/**
 * The API is stateless, so a second process on the same machine should add throughput until the cores run out.
 * The same mix (search, schedule and booking requests in turn) against `npm start` with one process and with
 * WORKERS=2, in the same run; on a 2-core machine the load generator and PostgreSQL share those cores.
 */
async function compareProcessCounts(
  singleUrl: string,
  setup: { DATABASE_URL: string; token: string; sites: { id: string }[]; nextBody: () => { spaceId: string; siteId: string; startAt: string; endAt: string } },
): Promise<ChildProcess> {
  const multiUrl = 'http://127.0.0.1:3933';
  const multi = startServer('apps/api/src/server.ts', { DATABASE_URL: setup.DATABASE_URL, PORT: '3933', WORKERS: '2', SEED_DEMO: 'false', LOG_LEVEL: 'warn', DB_POOL_SIZE: '15', AUTH_RATE_LIMIT_PER_MINUTE: '100000', ...BENCH_JWT_ENV });
  await waitFor(`${multiUrl}/readyz`);
  const auth = { authorization: `Bearer ${setup.token}`, 'content-type': 'application/json' };
  let turn = 0;
  const mix = () => {
    const b = setup.nextBody();
    switch (turn++ % 3) {
      case 0:
        return { method: 'GET' as const, path: `/api/v1/availability/search?${new URLSearchParams({ startAt: b.startAt, endAt: b.endAt, partySize: '4', nearSiteId: b.siteId, maxDistanceKm: '5' })}`, headers: auth };
      case 1:
        return { method: 'GET' as const, path: `/api/v1/sites/${b.siteId}/schedule?date=${b.startAt.slice(0, 10)}&days=7`, headers: auth };
      default:
        return { method: 'POST' as const, path: '/api/v1/bookings', body: JSON.stringify({ spaceId: b.spaceId, startAt: b.startAt, endAt: b.endAt }), headers: auth };
    }
  };
  console.log('\n(p) 1 vs 2 API processes, the same request mix');
  const one = await load('1 process', singleUrl, mix);
  const two = await load('2 processes', multiUrl, mix);
  console.log('\n| API processes | req/s | p50 / p99 ms | 5xx |');
  console.log('|---|---|---|---|');
  for (const r of [one, two]) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} / ${r.p99} | ${r.errors5xx} |`);
  console.log(`2 processes / 1 process: ${(two.rps / one.rps).toFixed(2)}x`);
  return multi;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
