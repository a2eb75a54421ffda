/**
 * Places under a crowd, on PostgreSQL (PGlite has one connection, so nothing there is concurrent): the session lock
 * admits exactly the places there are, queues the rest in the order they got the lock, and answers no 5xx.
 */
import { type Database, newId, schema } from '@linli/db';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { createActivity, createSession } from './registrations.factories.ts';

const template = inject('databaseTemplate');
const DAY = '2027-03-10';

describe.runIf(template.kind === 'postgres')('registration under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    // A thousand requests queue behind one session lock; on a loaded CI machine the last can wait longer than the
    // service's 10 s request timeout. This test is about what the lock admits, so the timeout is out of the way.
    t = await startTestApp({ now: at('2027-03-01', '09:00'), env: { REQUEST_TIMEOUT_MS: '120000' } });
    org = await createOrg(t.db);
    site = await createSite(t.db, { orgId: org.id });
  });
  afterAll(() => t.close());

  async function sessionWith(places: number, activityInput: Partial<Parameters<typeof createActivity>[1]> = {}) {
    const space = await createSpace(t.db, { orgId: org.id, siteId: site.id });
    const activity = await createActivity(t.db, { orgId: org.id, places, ...activityInput });
    return createSession(t.db, { activity, siteId: site.id, spaceId: space.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') });
  }

  /** Residents inserted in one statement: argon2 for 1,000 users would take minutes. */
  async function manyResidents(db: Database, n: number) {
    const rows = Array.from({ length: n }, (_, i) => ({ id: newId(), orgId: org.id, role: 'resident', email: `crowd-${newId()}-${i}@test.linli.dev`, passwordHash: 'x', displayName: `居民 ${i}` }));
    await db.insert(schema.users).values(rows);
    return rows.map((u) => tokenFor(t.app, { id: u.id, orgId: org.id, role: 'resident', siteIds: [] }));
  }

  const register = (token: string, sessionId: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/activity-sessions/${sessionId}/registrations`, headers: bearer(token), payload: { partySize: 1 } });

  it('flash crowd: 1,000 residents in the same second for 30 places: exactly 30 registered, 970 in line in lock order, no 5xx', async () => {
    const session = await sessionWith(30);
    const tokens = await manyResidents(t.db, 1000);
    const answers = await Promise.all(tokens.map((token) => register(token, session.id)));

    expect(answers.filter((r) => r.statusCode >= 500).map((r) => r.json().code)).toEqual([]);
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(30);
    const queued = answers.filter((r) => r.statusCode === 202).map((r) => r.json().waitlisted);
    expect(queued).toHaveLength(970);

    const holding = await t.db
      .select({ partySize: schema.activityRegistrations.partySize })
      .from(schema.activityRegistrations)
      .where(and(eq(schema.activityRegistrations.sessionId, session.id), inArray(schema.activityRegistrations.status, ['pending', 'confirmed', 'checked_in'])));
    expect(holding.reduce((sum, r) => sum + r.partySize, 0)).toBe(30);

    // Each request learned its place in line under the lock: positions are 1..970 once each, and the arrival
    // numbers drawn under the lock rise with them, so the line is the order in which requests got the lock.
    expect(queued.map((e) => e.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 970 }, (_, i) => i + 1));
    const entries = await t.db.select().from(schema.activityWaitlistEntries).where(eq(schema.activityWaitlistEntries.sessionId, session.id));
    const arrivalOf = new Map(entries.map((e) => [e.id, e.arrival]));
    const byPosition = [...queued].sort((a, b) => a.position - b.position).map((e) => arrivalOf.get(e.id)!);
    expect(byPosition.every((arrival, i) => i === 0 || arrival > byPosition[i - 1]!)).toBe(true);
  }, 120_000);

  it('two cancellations at once with one resident waiting promote them exactly once', async () => {
    const session = await sessionWith(2, { waitlistMode: 'auto_book' });
    const holders = await Promise.all([1, 2].map(() => createUser(t.db, { orgId: org.id, role: 'resident' })));
    const held = [];
    for (const holder of holders) held.push({ token: tokenFor(t.app, holder), id: (await register(tokenFor(t.app, holder), session.id)).json().registration.id });
    const waiter = await createUser(t.db, { orgId: org.id, role: 'resident' });
    expect((await register(tokenFor(t.app, waiter), session.id)).statusCode).toBe(202);

    const answers = await Promise.all(held.map((h) => t.app.inject({ method: 'POST', url: `/api/v1/registrations/${h.id}/cancel`, headers: bearer(h.token), payload: {} })));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200]);

    const promoted = await t.db
      .select()
      .from(schema.activityRegistrations)
      .where(and(eq(schema.activityRegistrations.sessionId, session.id), eq(schema.activityRegistrations.userId, waiter.id)));
    expect(promoted.map((r) => r.status)).toEqual(['confirmed']);
    const [entry] = await t.db.select().from(schema.activityWaitlistEntries).where(eq(schema.activityWaitlistEntries.userId, waiter.id));
    expect(entry).toMatchObject({ status: 'registered', registrationId: promoted[0]!.id });
  });
});
