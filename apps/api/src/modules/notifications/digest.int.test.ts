/**
 * The staff daily digest: one message a day per staff member who chose it, with today's counts for their sites
 * (today on each site's clock), recorded once however often the job runs; and the schedule the worker keeps, 07:30
 * in each organization's zone, whose job records the digests.
 */
import { newId, schema } from '@linli/db';
import { localDateOf } from '@linli/domain';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser } from '../../test/factories.ts';
import { type TestApp, startTestApp } from '../../test/harness.ts';
import { queryRows } from '../../lib/sql.ts';
import { DIGEST_CRON, DIGEST_QUEUE, type DigestJob, recordDailyDigests } from './digest.ts';
import { deliveriesOf } from './testing/fixtures.ts';
import { eventually } from './testing/smtp-sink.ts';
import { startNotifications } from './worker.ts';

const DAY = '2027-03-10';
const DIGEST_TIME = new Date(at(DAY, '07:30'));

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ now: DIGEST_TIME });
});
afterAll(() => t?.close());

/** A staff member (or anyone) who chose the digest, without quiet hours so its email goes at once. */
async function digestReader(orgId: string, role: 'org_admin' | 'site_manager' | 'staff' | 'resident', siteIds: string[] = []) {
  const user = await createUser(t.db, { orgId, role, siteIds });
  await t.db.insert(schema.notificationPreferences).values({ userId: user.id, orgId, staffDigest: true });
  return user;
}

async function digestsOf(userId: string) {
  return t.db
    .select({ facts: schema.notifications.facts, dedupeKey: schema.notifications.dedupeKey })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.recipientId, userId), eq(schema.notifications.kind, 'staff.daily_digest')));
}

/** Two sites, A and B, with today's work at A and a loan overdue between them; a third site C with none. */
async function busyOrganization() {
  const org = await createOrg(t.db);
  const [siteA, siteB, siteC] = [
    await createSite(t.db, { orgId: org.id, name: '滨江邻里中心' }),
    await createSite(t.db, { orgId: org.id, name: '城西白领驿站' }),
    await createSite(t.db, { orgId: org.id, name: '河东睦邻点' }),
  ];
  const rooms = [await createSpace(t.db, { orgId: org.id, siteId: siteA.id }), await createSpace(t.db, { orgId: org.id, siteId: siteA.id })];
  const booking = (spaceIndex: number, date: string, from: string, status: string, extra: Partial<typeof schema.bookings.$inferInsert> = {}) => ({
    id: newId(),
    orgId: org.id,
    siteId: siteA.id,
    spaceId: rooms[spaceIndex]!.id,
    exclusive: true,
    startAt: new Date(at(date, from)),
    endAt: new Date(Date.parse(at(date, from)) + 3_600_000),
    status,
    source: 'resident',
    ...extra,
  });
  const activityBooking = booking(1, DAY, '15:00', 'confirmed', { source: 'activity' });
  await t.db.insert(schema.bookings).values([
    booking(0, DAY, '09:00', 'confirmed'),
    booking(0, DAY, '14:00', 'pending'),
    booking(0, DAY, '16:00', 'cancelled'),
    booking(0, '2027-03-12', '10:00', 'pending'),
    booking(0, '2027-03-11', '10:00', 'confirmed'),
    booking(1, '2027-03-11', '09:00', 'pending', { offerExpiresAt: new Date(at(DAY, '12:00')) }),
    activityBooking,
  ]);
  await t.db.insert(schema.activityCategories).values({ orgId: org.id, slug: 'culture', nameZh: '文化', nameEn: 'Culture' }).onConflictDoNothing();
  const [activity] = await t.db.insert(schema.activities).values({ orgId: org.id, title: '亲子阅读', category: 'culture', places: 10, status: 'published' }).returning();
  await t.db.insert(schema.activitySessions).values({
    orgId: org.id,
    activityId: activity!.id,
    siteId: siteA.id,
    spaceId: rooms[1]!.id,
    bookingId: activityBooking.id,
    startAt: activityBooking.startAt,
    endAt: activityBooking.endAt,
    places: 10,
  });
  const [type] = await t.db.insert(schema.equipmentTypes).values({ orgId: org.id, key: `chair-${newId().slice(0, 8)}`, nameZh: '折叠椅', nameEn: 'Chair' }).returning();
  const loan = (lender: { id: string }, borrower: { id: string }, status: string, date: string) => ({
    orgId: org.id,
    typeId: type!.id,
    lenderSiteId: lender.id,
    borrowerSiteId: borrower.id,
    requestId: newId(),
    quantity: 2,
    useStart: new Date(at(date, '10:00')),
    useEnd: new Date(at(date, '12:00')),
    claimStart: new Date(at(date, '08:00')),
    claimEnd: new Date(at(date, '14:00')),
    status,
  });
  await t.db.insert(schema.equipmentLoans).values([
    loan(siteA, siteB, 'requested', '2027-03-12'), // A is asked to lend
    loan(siteA, siteC, 'approved', DAY), // A sends it out today
    loan(siteA, siteC, 'approved', '2027-03-15'), // ... but not this one yet
    loan(siteC, siteA, 'dispatched', DAY), // on its way to A
    loan(siteB, siteA, 'received', '2027-03-08'), // overdue, between A and B
  ]);
  return { org, siteA, siteB, siteC };
}

describe('recording the digest', () => {
  it("each reader gets today's counts for their sites; org admins the whole organization; nobody else gets one", async () => {
    const { org, siteA, siteB, siteC } = await busyOrganization();
    const staffA = await digestReader(org.id, 'staff', [siteA.id]);
    const managerAB = await digestReader(org.id, 'site_manager', [siteA.id, siteB.id]);
    const staffC = await digestReader(org.id, 'staff', [siteC.id]);
    const admin = await digestReader(org.id, 'org_admin');
    const resident = await digestReader(org.id, 'resident');
    const notChosen = await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [siteA.id] });

    expect(await recordDailyDigests(t.db, org.id, DIGEST_TIME)).toBe(8);

    // Pending approvals are every one still ahead (today's and the 12th's), not only today's.
    const atA = { pendingApprovals: 2, bookingsToday: 2, sessionsToday: 1, pendingLoanRequests: 1, loansToDispatch: 1, loansToReceive: 1, overdueLoans: 1 };
    expect(await digestsOf(staffA.id)).toEqual([{ dedupeKey: `staff.daily_digest:${DAY}`, facts: { date: DAY, siteNames: ['滨江邻里中心'], ...atA } }]);
    // The overdue loan between A and B is one loan to this manager, not one per site.
    expect(await digestsOf(managerAB.id)).toMatchObject([{ facts: { siteNames: ['城西白领驿站', '滨江邻里中心'].sort((a, b) => a.localeCompare(b, 'zh-CN')), ...atA } }]);
    expect(await digestsOf(staffC.id)).toMatchObject([{ facts: { siteNames: ['河东睦邻点'], pendingLoanRequests: 0, loansToDispatch: 0, loansToReceive: 0, overdueLoans: 0, bookingsToday: 0 } }]);
    expect(await digestsOf(admin.id)).toMatchObject([{ facts: { siteNames: [org.name], ...atA } }]);
    expect(await digestsOf(resident.id)).toEqual([]);
    expect(await digestsOf(notChosen.id)).toEqual([]);
    expect((await deliveriesOf(t.db, staffA.id)).map((d) => d.channel)).toEqual(['email', 'inbox']);

    // The job run again the same day (a retry, a second worker) records nothing more.
    expect(await recordDailyDigests(t.db, org.id, new Date(at(DAY, '09:00')))).toBe(0);
    expect(await digestsOf(staffA.id)).toHaveLength(1);
  });

  it('"today" is the organization\'s local date: 23:30 UTC on the 9th is already the 10th in Shanghai', async () => {
    const org = await createOrg(t.db);
    const site = await createSite(t.db, { orgId: org.id });
    const reader = await digestReader(org.id, 'staff', [site.id]);
    await recordDailyDigests(t.db, org.id, new Date('2027-03-09T23:30:00Z'));
    expect(await digestsOf(reader.id)).toMatchObject([{ facts: { date: DAY } }]);
  });
});

describe('the schedule', () => {
  it("the worker schedules each organization's digest at 07:30 in its zone, and the job records the digests", async () => {
    const org = await createOrg(t.db, { timezone: 'Asia/Urumqi' });
    const site = await createSite(t.db, { orgId: org.id, timezone: 'Asia/Urumqi' });
    const reader = await digestReader(org.id, 'staff', [site.id]);
    const runtime = await startNotifications({ db: t.db, config: { ...t.app.deps.config, NOTIFICATION_POLL_SECONDS: 0.5 }, log: t.app.log, work: true });
    try {
      const schedules = await queryRows<{ cron: string; timezone: string; data: DigestJob }>(
        t.db,
        sql`SELECT cron, timezone, data FROM pgboss.schedule WHERE name = ${DIGEST_QUEUE} AND key = ${org.id}`,
      );
      expect(schedules).toEqual([{ cron: DIGEST_CRON, timezone: 'Asia/Urumqi', data: { orgId: org.id } }]);

      // What the cron sends at 07:30: the worker records today's digest (the real today: it runs on the clock).
      await runtime.boss.send(DIGEST_QUEUE, { orgId: org.id } satisfies DigestJob);
      const [digest] = await eventually('the digest recorded by the job', async () => {
        const rows = await digestsOf(reader.id);
        return rows.length ? rows : null;
      });
      expect(digest!.facts).toMatchObject({ date: localDateOf(Date.now(), 'Asia/Urumqi'), siteNames: [site.name] });
    } finally {
      await runtime.stop();
    }
  });
});
