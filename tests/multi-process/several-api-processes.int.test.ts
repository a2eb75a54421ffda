/**
 * Every API process is disposable and several share one PostgreSQL: two real server processes (`npm start`'s
 * entry point) run side by side against this file's database and must behave as one service. Timed work runs
 * once, a waitlist is promoted once, a catalogue change made through one is seen by the other, and the login
 * rate limit counts attempts made through both. PostgreSQL only: the embedded database serves one process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type DatabaseHandle, schema } from '@linli/db';
import { openIsolatedDatabase } from '@linli/db/testing';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { buildApp } from '../../apps/api/src/app.ts';
import { loadConfig } from '../../apps/api/src/config.ts';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../apps/api/src/test/factories.ts';

const template = inject('databaseTemplate');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RATE_LIMIT = 4;
const DAY_MS = 86_400_000;

interface ApiProcess {
  child: ChildProcess;
  base: string;
}

/** Starts `apps/api/src/server.ts` as its own process on a free port and waits until it serves. */
async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API process did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Linli is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`API process exited (${code}):\n${output}`)));
  });
  return { child, base };
}

async function call(api: ApiProcess, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${api.base}/api/v1${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(template.kind === 'postgres')('several API processes on one PostgreSQL', () => {
  let database: DatabaseHandle & { url?: string };
  let signer: FastifyInstance;
  let first: ApiProcess;
  let second: ApiProcess;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let site: Awaited<ReturnType<typeof createSite>>;
  let tokens: { admin: string; residents: string[] };
  const day = new Date(Date.now() + 3 * DAY_MS).toISOString().slice(0, 10);

  beforeAll(async () => {
    database = await openIsolatedDatabase(template);
    const env = {
      DATABASE_URL: database.url!,
      NODE_ENV: 'test',
      PORT: '0',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      SWEEP_INTERVAL_MS: '200',
      AUTH_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      ADMIN_DIST_DIR: '/nonexistent',
      DB_POOL_SIZE: '4',
    };
    // Tokens signed with the processes' own key, without spending login attempts.
    signer = await buildApp({ config: loadConfig(env), db: database.db, ping: database.ping, now: () => new Date() }, { logger: false });
    org = await createOrg(database.db);
    site = await createSite(database.db, { orgId: org.id });
    const admin = await createUser(database.db, { orgId: org.id, role: 'org_admin' });
    const residents = await Promise.all([1, 2, 3].map(() => createUser(database.db, { orgId: org.id, role: 'resident', homeSiteId: site.id })));
    tokens = { admin: tokenFor(signer, admin), residents: residents.map((r) => tokenFor(signer, r)) };
    [first, second] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  }, 120_000);

  afterAll(async () => {
    for (const api of [first, second]) api?.child.kill('SIGTERM');
    await signer?.close();
    await database?.close();
  });

  test('a catalogue change made through one process is judged by the other on its next request', async () => {
    const space = await createSpace(database.db, { orgId: org.id, siteId: site.id });
    // Both processes have read the catalogue before the change.
    for (const api of [first, second]) expect((await call(api, 'GET', `/spaces/${space.id}`, { token: tokens.admin })).status).toBe(200);

    const renamed = await call(first, 'PATCH', `/spaces/${space.id}`, { token: tokens.admin, body: { name: '改名后的活动室', policy: { approvalRequired: true } } });
    expect(renamed.status).toBe(200);

    expect((await call(second, 'GET', `/spaces/${space.id}`, { token: tokens.admin })).body.name).toBe('改名后的活动室');
    const booked = await call(second, 'POST', '/bookings', {
      token: tokens.residents[0],
      body: { spaceId: space.id, startAt: at(day, '10:00'), endAt: at(day, '11:00'), partySize: 2 },
    });
    expect(booked.status).toBe(201);
    expect(booked.body.status).toBe('pending');
  });

  test('the lifecycle sweep changes each booking once although both processes sweep', async () => {
    const space = await createSpace(database.db, { orgId: org.id, siteId: site.id });
    const hourAgo = Date.now() - 3_600_000;
    const ended = await database.db
      .insert(schema.bookings)
      .values(
        Array.from({ length: 20 }, (_, i) => ({
          orgId: org.id,
          siteId: site.id,
          spaceId: space.id,
          exclusive: true,
          partySize: 1,
          startAt: new Date(hourAgo - (i + 1) * 3_600_000),
          endAt: new Date(hourAgo - i * 3_600_000),
          status: 'confirmed',
          source: 'staff',
          checkInCode: 'ABCDEF',
        })),
      )
      .returning({ id: schema.bookings.id });
    const ids = ended.map((b) => b.id);

    await waitFor(async () => {
      const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(schema.bookings).where(and(eq(schema.bookings.spaceId, space.id), eq(schema.bookings.status, 'completed')));
      return row!.n === ids.length;
    });
    // Give the other process a few more rounds to (wrongly) do the same work again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const events = await database.db
      .select({ bookingId: schema.bookingEvents.bookingId, n: sql<number>`count(*)::int` })
      .from(schema.bookingEvents)
      .where(and(eq(schema.bookingEvents.toStatus, 'completed'), sql`${schema.bookingEvents.bookingId} = ANY(${`{${ids.join(',')}}`}::uuid[])`))
      .groupBy(schema.bookingEvents.bookingId);
    expect(events).toHaveLength(ids.length);
    expect(events.every((e) => e.n === 1)).toBe(true);
  });

  test('a lapsed offer passes to the next person exactly once although both processes sweep', async () => {
    const space = await createSpace(database.db, { orgId: org.id, siteId: site.id, policy: { waitlistMode: 'offer', offerHoldMinutes: 30 } });
    const slot = { spaceId: space.id, startAt: at(day, '15:00'), endAt: at(day, '16:00'), partySize: 1 };
    const [holder, nextInLine, last] = tokens.residents as [string, string, string];
    const held = await call(first, 'POST', '/bookings', { token: holder, body: slot });
    expect(held.status).toBe(201);
    expect((await call(first, 'POST', '/waitlist', { token: nextInLine, body: slot })).status).toBe(201);
    expect((await call(second, 'POST', '/waitlist', { token: last, body: slot })).status).toBe(201);

    expect((await call(second, 'POST', `/bookings/${held.body.id}/cancel`, { token: holder, body: {} })).status).toBe(200);
    const offers = () => database.db.select().from(schema.bookings).where(and(eq(schema.bookings.spaceId, space.id), eq(schema.bookings.source, 'waitlist')));
    expect(await offers()).toHaveLength(1);
    // The first offer lapses; both processes' sweeps see it.
    await database.db.update(schema.bookings).set({ offerExpiresAt: new Date(Date.now() - 1_000) }).where(eq(schema.bookings.spaceId, space.id));

    await waitFor(async () => (await offers()).length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const all = await offers();
    expect(all).toHaveLength(2);
    expect(all.filter((b) => b.status === 'pending')).toHaveLength(1);
    expect(all.filter((b) => b.status === 'expired')).toHaveLength(1);
  });

  test('a member of staff deactivated through one process is refused by the other within seconds', async () => {
    const member = await createUser(database.db, { orgId: org.id, role: 'staff', siteIds: [site.id] });
    const token = tokenFor(signer, member);
    // The second process has read the account's access version before the change.
    expect((await call(second, 'GET', '/me', { token })).status).toBe(200);
    expect((await call(first, 'POST', `/users/${member.id}/deactivate`, { token: tokens.admin })).status).toBe(200);
    // The process that made the change refuses the token at once; the other once its cached version lapses (2 s).
    expect((await call(first, 'GET', '/me', { token })).status).toBe(401);
    const changedAt = Date.now();
    await waitFor(async () => (await call(second, 'GET', '/me', { token })).status === 401, 10_000);
    expect(Date.now() - changedAt).toBeLessThan(5_000);
  });

  test('the login rate limit counts attempts made through both processes', async () => {
    const attempt = (api: ApiProcess) => call(api, 'POST', '/auth/login', { body: { org: org.slug, login: 'nobody@test.linli.dev', password: 'wrong-password' } });
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) statuses.push((await attempt(i % 2 === 0 ? first : second)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    // Each process has seen only half the limit; together they have seen all of it.
    expect((await attempt(first)).status).toBe(429);
    expect((await attempt(second)).status).toBe(429);
  });
});
