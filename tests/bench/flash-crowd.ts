/**
 * (r) A flash crowd on one activity session (issue #11, point 11; docs/performance.md): 1,000 residents, each with
 * a token of their own, ask for one of 30 places at once (200 connections) through the real API. Every request must
 * answer 201 (a place) or 202 (a place in line), exactly 30 places must be taken, and the throughput is read against
 * the bare INSERT ceiling of the (a) pair, measured again in the same run.
 *
 * The activity, session and residents are written straight into the database (as registrations.factories.ts does
 * for tests) and removed again at the end, so the portfolio stays what every run measures.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { createSigner } from 'fast-jwt';
import { type Database, newId, schema } from '@linli/db';
import { HOLDING_STATUSES, addDaysToLocalDate, localDateOf, localDayRange, openRanges } from '@linli/domain';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';

const RESIDENTS = 1_000;
const CONNECTIONS = 200;
const PLACES = 30;
const DAYS_AHEAD = 30;
const SESSION_MS = 2 * 3_600_000;
const CATEGORY = 'bench-flash-crowd';

/**
 * The API process the bench starts gets an explicit key, issuer and audience (spread into its env), so the bench can
 * sign residents' tokens itself instead of logging 1,000 people in. A fresh key per run: nothing outlives it.
 */
export const BENCH_JWT_ENV = { JWT_SECRET: randomBytes(32).toString('hex'), JWT_ISSUER: 'linli', JWT_AUDIENCE: 'linli-api' };

export interface Throughput {
  rps: number;
  p50: number;
  p99: number;
}

export interface FlashCrowdResult {
  sent: number;
  admitted: number;
  waitlisted: number;
  statuses: Map<number, number>;
  errors5xx: number;
  crowd: Throughput;
  ceiling: Throughput;
  /** One-minute load average just before and just after the crowd: the machine is shared, so say how busy it was. */
  load: { before: number; after: number };
}

interface CrowdSession {
  activityId: string;
  sessionId: string;
  bookingId: string;
}

/** An exclusive room, preferably one that seats the places, with nothing holding two hours 30 days ahead. */
async function findFreeSlot(db: Database, orgId: string) {
  const spaces = await db
    .select({ space: schema.spaces, site: schema.sites })
    .from(schema.spaces)
    .innerJoin(schema.sites, eq(schema.sites.id, schema.spaces.siteId))
    .where(and(eq(schema.spaces.orgId, orgId), eq(schema.spaces.bookingMode, 'exclusive'), gte(schema.spaces.capacity, PLACES)))
    .limit(50);
  for (const { space, site } of spaces) {
    const date = addDaysToLocalDate(localDateOf(Date.now(), site.timezone), DAYS_AHEAD);
    for (const open of openRanges(site.openingHours, site.timezone, localDayRange(date, site.timezone))) {
      for (let start = open.start; start + SESSION_MS <= open.end; start += SESSION_MS) {
        const range = sql`tstzrange(${new Date(start).toISOString()}::timestamptz, ${new Date(start + SESSION_MS).toISOString()}::timestamptz, '[)')`;
        const taken = await db
          .select({ id: schema.bookings.id })
          .from(schema.bookings)
          .where(and(eq(schema.bookings.spaceId, space.id), inArray(schema.bookings.status, [...HOLDING_STATUSES]), sql`${schema.bookings.during} && ${range}`))
          .limit(1);
        if (!taken.length) return { space, site, startAt: new Date(start), endAt: new Date(start + SESSION_MS) };
      }
    }
  }
  throw new Error(`no exclusive space seating ${PLACES} has two free hours ${DAYS_AHEAD} days ahead`);
}

/** A published activity with one session of PLACES places, holding its room through a confirmed booking. */
async function createCrowdSession(db: Database, orgId: string): Promise<CrowdSession> {
  const slot = await findFreeSlot(db, orgId);
  return db.transaction(async (tx) => {
    await tx.insert(schema.activityCategories).values({ orgId, slug: CATEGORY, nameZh: '压力测试', nameEn: 'Benchmark' }).onConflictDoNothing();
    const [activity] = await tx
      .insert(schema.activities)
      .values({ orgId, title: 'Flash crowd', category: CATEGORY, places: PLACES, maxPartySize: 1, status: 'published' })
      .returning({ id: schema.activities.id });
    const [booking] = await tx
      .insert(schema.bookings)
      .values({ id: newId(), orgId, siteId: slot.site.id, spaceId: slot.space.id, exclusive: true, startAt: slot.startAt, endAt: slot.endAt, purpose: 'activity', status: 'confirmed', source: 'activity' })
      .returning({ id: schema.bookings.id });
    const [session] = await tx
      .insert(schema.activitySessions)
      .values({ orgId, activityId: activity!.id, siteId: slot.site.id, spaceId: slot.space.id, bookingId: booking!.id, startAt: slot.startAt, endAt: slot.endAt, places: PLACES })
      .returning({ id: schema.activitySessions.id });
    return { activityId: activity!.id, sessionId: session!.id, bookingId: booking!.id };
  });
}

/** RESIDENTS residents in one statement; nobody logs in, so one cheap fixed string stands in for a password hash. */
async function createResidents(db: Database, orgId: string): Promise<string[]> {
  const run = randomBytes(4).toString('hex');
  const rows = Array.from({ length: RESIDENTS }, (_, i) => ({
    orgId,
    role: 'resident',
    email: `flash-${run}-${i}@bench.invalid`,
    passwordHash: 'bench-flash-crowd-no-login',
    displayName: `Flash ${i}`,
  }));
  const inserted = await db.insert(schema.users).values(rows).returning({ id: schema.users.id });
  return inserted.map((u) => u.id);
}

/** Access tokens the API accepts: the claims plugins/access.ts requires (iss, aud, exp, sub, org, role). */
function signResidentTokens(orgId: string, residentIds: string[]): string[] {
  const sign = createSigner({ key: BENCH_JWT_ENV.JWT_SECRET, algorithm: 'HS256', iss: BENCH_JWT_ENV.JWT_ISSUER, aud: BENCH_JWT_ENV.JWT_AUDIENCE, expiresIn: 15 * 60_000 });
  return residentIds.map((sub) => sign({ sub, org: orgId, role: 'resident', sites: [] }));
}

/** Exactly one request per resident: with `amount`, autocannon builds each connection's next request only to send it. */
async function fireCrowd(apiUrl: string, sessionId: string, tokens: string[]) {
  const statuses = new Map<number, number>();
  let next = 0;
  const result = await autocannon({
    url: apiUrl,
    connections: CONNECTIONS,
    amount: tokens.length,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: `/api/v1/activity-sessions/${sessionId}/registrations`,
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ partySize: 1 }),
          headers: { ...req.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}`, 'content-type': 'application/json' },
        }),
        onResponse: (status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
      },
    ],
  });
  // A 1,000-request run lasts a few seconds, so requests.average (per whole second) would be skewed by the last one.
  const crowd = { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99 };
  return { statuses, crowd, sent: result.requests.sent, timeouts: result.timeouts, errors: result.errors };
}

/** What the database holds after the crowd: places taken (party sizes of holding registrations) and the line. */
async function countOutcome(db: Database, sessionId: string) {
  const { activityRegistrations: registrations, activityWaitlistEntries: line } = schema;
  const [places] = await db
    .select({ admitted: sql<number>`coalesce(sum(${registrations.partySize}), 0)::int` })
    .from(registrations)
    .where(and(eq(registrations.sessionId, sessionId), inArray(registrations.status, [...HOLDING_STATUSES])));
  const [waiting] = await db
    .select({ waitlisted: sql<number>`count(*)::int` })
    .from(line)
    .where(and(eq(line.sessionId, sessionId), eq(line.status, 'waiting')));
  return { admitted: Number(places!.admitted), waitlisted: Number(waiting!.waitlisted) };
}

/**
 * Registrations and their events are append-only (triggers refuse DELETE, as on bookings); like
 * removeBookingsWrittenByRuns, this bench-only cleanup skips triggers for its own transaction (superuser).
 */
async function removeCrowd(db: Database, orgId: string, crowd: CrowdSession | null, residentIds: string[]) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    if (crowd) {
      const registrations = sql`SELECT id FROM activity_registrations WHERE session_id = ${crowd.sessionId}`;
      await tx.execute(sql`DELETE FROM registration_events WHERE registration_id IN (${registrations})`);
      await tx.execute(sql`DELETE FROM activity_waitlist_entries WHERE session_id = ${crowd.sessionId}`);
      await tx.execute(sql`DELETE FROM activity_registrations WHERE session_id = ${crowd.sessionId}`);
      await tx.execute(sql`DELETE FROM activity_sessions WHERE id = ${crowd.sessionId}`);
      await tx.execute(sql`DELETE FROM booking_events WHERE booking_id = ${crowd.bookingId}`);
      await tx.execute(sql`DELETE FROM bookings WHERE id = ${crowd.bookingId}`);
      await tx.execute(sql`DELETE FROM activity_changes WHERE activity_id = ${crowd.activityId}`);
      await tx.execute(sql`DELETE FROM activities WHERE id = ${crowd.activityId}`);
      await tx.execute(sql`DELETE FROM activity_categories WHERE org_id = ${orgId} AND slug = ${CATEGORY} AND NOT EXISTS (SELECT 1 FROM activities WHERE org_id = ${orgId} AND category = ${CATEGORY})`);
    }
    if (residentIds.length) await tx.delete(schema.users).where(and(eq(schema.users.orgId, orgId), inArray(schema.users.id, residentIds)));
  });
}

/**
 * Sets up the session and residents, measures the INSERT ceiling, fires the crowd, reads the outcome from the
 * database and removes everything it wrote, whatever happened in between.
 */
export async function benchFlashCrowd(opts: { db: Database; orgId: string; apiUrl: string; measureCeiling: () => Promise<Throughput> }): Promise<FlashCrowdResult> {
  const { db, orgId } = opts;
  let crowd: CrowdSession | null = null;
  let residentIds: string[] = [];
  try {
    crowd = await createCrowdSession(db, orgId);
    residentIds = await createResidents(db, orgId);
    const tokens = signResidentTokens(orgId, residentIds);
    const ceiling = await opts.measureCeiling();
    const before = loadavg()[0]!;
    const fired = await fireCrowd(opts.apiUrl, crowd.sessionId, tokens);
    const after = loadavg()[0]!;
    if (fired.timeouts || fired.errors) console.log(`  (r) ${fired.timeouts} timeouts, ${fired.errors} connection errors`);
    const outcome = await countOutcome(db, crowd.sessionId);
    const errors5xx = [...fired.statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    return { sent: fired.sent, ...outcome, statuses: fired.statuses, errors5xx, crowd: fired.crowd, ceiling, load: { before, after } };
  } finally {
    await removeCrowd(db, orgId, crowd, residentIds);
  }
}

export function printFlashCrowd(r: FlashCrowdResult): void {
  const statuses = [...r.statuses].sort(([a], [b]) => a - b).map(([s, c]) => `${s}: ${c}`).join(', ');
  console.log(`\n(r) flash crowd: ${RESIDENTS.toLocaleString()} residents, ${CONNECTIONS} connections, one session of ${PLACES} places (load average ${r.load.before.toFixed(1)} before, ${r.load.after.toFixed(1)} after)`);
  console.log('| sent | admitted (places) | waitlisted | statuses | 5xx | p50 / p99 ms | req/s | INSERT ceiling req/s | ratio |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${r.sent} | ${r.admitted} ${r.admitted === PLACES ? '(exact)' : `(WRONG: must be ${PLACES})`} | ${r.waitlisted} | ${statuses} | ${r.errors5xx} | ${r.crowd.p50} / ${r.crowd.p99} | ${r.crowd.rps.toFixed(0)} | ${r.ceiling.rps.toFixed(0)} | ${((r.crowd.rps / r.ceiling.rps) * 100).toFixed(0)}% |`,
  );
}
