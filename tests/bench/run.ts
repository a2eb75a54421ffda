/**
 * `npm run bench` (needs PostgreSQL: DATABASE_URL=postgres://...). Not a test: it prints numbers.
 *
 * On a generated portfolio (200 sites, 2,000 spaces, 1,000,000 bookings over a year; generated once and reused),
 * each API endpoint is measured beside its ceiling in the same run on the same tables: a bare Fastify + pg server
 * doing the least the endpoint could do. The machine is small and noisy, so the ratio is the figure to read.
 *
 *   --sites 200 --bookings 1000000   portfolio size (generated if the 'bench' organization does not exist)
 *   --duration 10                    seconds per load run;  --connections 50
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { migrateDatabase, openDatabase, schema } from '@linli/db';
import { generatePortfolio } from '@linli/db/seed';
import { addDaysToLocalDate, localDayRange, openRanges } from '@linli/domain';
import { eq, sql } from 'drizzle-orm';
import { buildApp } from '../../apps/api/src/app.ts';
import { loadConfig } from '../../apps/api/src/config.ts';
import { benchAnalytics } from './analytics.ts';

const { values: args } = parseArgs({
  options: {
    sites: { type: 'string', default: '200' },
    bookings: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL?.startsWith('postgres')) {
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
  };
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
  const sites = await db.select().from(schema.sites).where(eq(schema.sites.orgId, org!.id));
  const spaces = await db.select().from(schema.spaces).where(eq(schema.spaces.orgId, org!.id));
  const [admin] = await db.select().from(schema.users).where(eq(schema.users.orgId, org!.id)).limit(1);
  const counted = await db.select({ count: sql<number>`count(*)::int` }).from(schema.bookings).where(eq(schema.bookings.orgId, org!.id));
  const count = counted[0]!.count;
  console.log(`Portfolio: ${sites.length} sites, ${spaces.length} spaces, ${Number(count).toLocaleString()} bookings`);

  // The real API, as `npm start` builds it, on PostgreSQL.
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', SEED_DEMO: 'false', PORT: '0', AUTH_RATE_LIMIT_PER_MINUTE: '100000' });
  const app = await buildApp({ config, db, ping: database.ping, now: () => new Date() }, { logger: false });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const adminUser = await db.select().from(schema.userSites).where(eq(schema.userSites.userId, admin!.id));
  const token = app.jwt.sign({ sub: admin!.id, org: org!.id, role: admin!.role, sites: adminUser.map((u) => u.siteId) });
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // The ceiling: a bare Fastify + pg server doing one statement per request on the same tables.
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 30 });
  const bare = Fastify();
  bare.post('/insert', async (request, reply) => {
    const b = JSON.parse(request.body as string) as { spaceId: string; siteId: string; startAt: string; endAt: string };
    try {
      const { rows } = await pool.query(
        `INSERT INTO bookings (id, org_id, site_id, space_id, exclusive, start_at, end_at, status, source)
         VALUES (gen_random_uuid(), $1, $2, $3, true, $4, $5, 'confirmed', 'staff') RETURNING id`,
        [org!.id, b.siteId, b.spaceId, b.startAt, b.endAt],
      );
      return reply.status(201).send(rows[0]);
    } catch {
      return reply.status(409).send({});
    }
  });
  bare.get('/rows', async (request) => {
    const q = request.query as { spaceId: string; from: string };
    const { rows } = await pool.query('SELECT * FROM bookings WHERE space_id = $1 AND start_at >= $2 ORDER BY start_at LIMIT 20', [q.spaceId, q.from]);
    return rows;
  });
  bare.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

  // Booking requests on the slot grid inside opening hours, 40-400 days ahead (empty time: most succeed).
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const exclusiveSpaces = spaces.filter((s) => s.bookingMode === 'exclusive');
  function bookingBody() {
    for (;;) {
      const space = random(exclusiveSpaces);
      const site = siteById.get(space.siteId)!;
      const date = addDaysToLocalDate(new Date().toISOString().slice(0, 10), 40 + Math.floor(Math.random() * 360));
      const open = openRanges(site.openingHours, site.timezone, localDayRange(date, site.timezone)).filter((r) => r.end - r.start >= 3_600_000);
      if (!open.length) continue;
      const range = random(open);
      const slots = Math.floor((range.end - range.start - 3_600_000) / 1_800_000);
      const start = range.start + Math.floor(Math.random() * (slots + 1)) * 1_800_000;
      return { spaceId: space.id, siteId: site.id, startAt: new Date(start).toISOString(), endAt: new Date(start + 3_600_000).toISOString() };
    }
  }
  const bodies = Array.from({ length: 50_000 }, bookingBody);
  let next = 0;
  const nextBody = () => bodies[next++ % bodies.length]!;
  const weekStart = () => addDaysToLocalDate(new Date().toISOString().slice(0, 10), -Math.floor(Math.random() * 300));

  const results: { pair: string; target: number; api: LoadResult; ceiling: LoadResult }[] = [];
  const measure = async (pair: string, target: number, api: () => Promise<LoadResult>, ceiling: () => Promise<LoadResult>) => {
    console.log(`\n${pair}`);
    const c = await ceiling();
    const a = await api();
    results.push({ pair, target, api: a, ceiling: c });
  };

  await measure(
    '(a) create a booking: POST /api/v1/bookings vs one INSERT',
    0.5,
    () => load('api', apiUrl, () => { const b = nextBody(); return { method: 'POST', path: '/api/v1/bookings', body: JSON.stringify({ spaceId: b.spaceId, startAt: b.startAt, endAt: b.endAt }), headers: auth }; }),
    () => load('bare', bareUrl, () => ({ method: 'POST', path: '/insert', body: JSON.stringify(nextBody()), headers: { 'content-type': 'application/json' } })),
  );
  await measure(
    '(b) portfolio availability search vs ~20 rows by index',
    0.4,
    () =>
      load('api', apiUrl, () => {
        const b = nextBody();
        const q = new URLSearchParams({ startAt: b.startAt, endAt: b.endAt, partySize: '4', nearSiteId: b.siteId, maxDistanceKm: '5' });
        return { method: 'GET', path: `/api/v1/availability/search?${q}`, headers: auth };
      }),
    () => load('bare', bareUrl, () => ({ method: 'GET', path: `/rows?spaceId=${random(spaces).id}&from=${weekStart()}` })),
  );
  await measure(
    "(c) one site's week schedule vs ~20 rows by index",
    0.4,
    () => load('api', apiUrl, () => ({ method: 'GET', path: `/api/v1/sites/${random(sites).id}/schedule?date=${weekStart()}&days=7`, headers: auth })),
    () => load('bare', bareUrl, () => ({ method: 'GET', path: `/rows?spaceId=${random(spaces).id}&from=${weekStart()}` })),
  );

  const analytics = await benchAnalytics({ baseUrl: apiUrl, token, siteId: random(sites).id, iterations: 30 });

  console.log('\n| measurement | API req/s | API p50 / p99 ms | ceiling req/s | ceiling p50 / p99 ms | ratio | target | non-2xx | 5xx |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const ratio = r.api.rps / r.ceiling.rps;
    console.log(
      `| ${r.pair} | ${r.api.rps.toFixed(0)} | ${r.api.p50} / ${r.api.p99} | ${r.ceiling.rps.toFixed(0)} | ${r.ceiling.p50} / ${r.ceiling.p99} | ${(ratio * 100).toFixed(0)}% | ≥ ${r.target * 100}% ${ratio >= r.target ? 'met' : 'MISSED'} | ${r.api.non2xx} | ${r.api.errors5xx} |`,
    );
  }
  console.log('\n| analytics endpoint | p50 ms | p99 ms |');
  console.log('|---|---|---|');
  for (const a of analytics) console.log(`| ${a.name} | ${a.p50.toFixed(1)} | ${a.p99.toFixed(1)} |`);

  await app.close();
  await bare.close();
  await pool.end();
  await database.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
