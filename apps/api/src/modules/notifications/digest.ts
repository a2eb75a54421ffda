/**
 * The staff daily digest: at 07:30 in each organization's zone, every staff member who chose it (preferences
 * `staffDigest`) gets one message with today's counts for their sites: bookings to approve, loan requests to
 * answer, today's bookings and activity sessions, loans to send and to receive, loans overdue. Staff who choose it
 * get requests in the app only (planDeliveries), so this is their one email a day.
 *
 * A pg-boss schedule per organization (cron in its zone) adds a job to DIGEST_QUEUE; the worker records the digests
 * in one transaction. Each is keyed by the local date, so a job run twice (a retry, two workers) notifies once.
 */
import { type Database, schema } from '@linli/db';
import { CONSUMING_STATUSES, LOAN_OUT_STATUSES, type NotificationFacts, localDateOf, localDayRange } from '@linli/domain';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { PgBoss } from 'pg-boss';
import { arrayLiteral, queryRows } from '../../lib/sql.ts';
import { type NotificationIntent, notify, recordNotifications } from '../outbox/outbox.ts';

export const DIGEST_QUEUE = 'notification-digest';
/** Every day at 07:30, read in the organization's zone: before the sites open, after quiet hours end. */
export const DIGEST_CRON = '30 7 * * *';

export interface DigestJob {
  orgId: string;
}

/** What is counted per site; overdue loans are counted per reader (a loan between two of their sites is one). */
type SiteCounts = Required<Omit<NotificationFacts['staff.daily_digest'], 'date' | 'siteNames' | 'overdueLoans'>>;
const COUNT_NAMES = ['pendingApprovals', 'pendingLoanRequests', 'bookingsToday', 'sessionsToday', 'loansToDispatch', 'loansToReceive'] as const satisfies readonly (keyof SiteCounts)[];

const { organizations, sites, users, userSites, notificationPreferences } = schema;
const STAFF_ROLES = ['org_admin', 'site_manager', 'staff'];

/**
 * Records today's digest (today in the organization's zone at `now`) for each of its staff who chose it, in one
 * transaction. Org admins' digests cover every open site, under the organization's name; other staff's their own
 * sites. Returns how many deliveries were enqueued.
 */
export async function recordDailyDigests(db: Database, orgId: string, now: Date): Promise<number> {
  const [org] = await db.select({ name: organizations.name, timezone: organizations.timezone }).from(organizations).where(eq(organizations.id, orgId));
  if (!org) return 0;
  const readers = await findDigestReaders(db, orgId);
  if (readers.length === 0) return 0;
  const openSites = await db.select({ id: sites.id, name: sites.name, timezone: sites.timezone }).from(sites).where(and(eq(sites.orgId, orgId), isNull(sites.archivedAt)));
  const [counts, overdue] = await Promise.all([countSiteWork(db, openSites, now), findOverdueLoans(db, orgId, now)]);
  const date = localDateOf(now.getTime(), org.timezone);
  const intents: NotificationIntent[] = [];
  for (const reader of readers) {
    const own = reader.role === 'org_admin' ? openSites : openSites.filter((site) => reader.siteIds.includes(site.id));
    if (own.length === 0) continue;
    const ids = new Set(own.map((site) => site.id));
    const totals = Object.fromEntries(COUNT_NAMES.map((name) => [name, own.reduce((sum, site) => sum + (counts.get(site.id)?.[name] ?? 0), 0)])) as SiteCounts;
    // A loan between two of the reader's sites is one overdue loan, not two.
    const overdueLoans = overdue.filter((loan) => ids.has(loan.lenderSiteId) || ids.has(loan.borrowerSiteId)).length;
    const siteNames = reader.role === 'org_admin' ? [org.name] : own.map((site) => site.name).sort((a, b) => a.localeCompare(b, 'zh-CN'));
    intents.push(notify.staffDailyDigest({ orgId, recipientId: reader.id, facts: { date, siteNames, ...totals, overdueLoans } }));
  }
  return db.transaction((tx) => recordNotifications(tx, intents, { now }));
}

// ---- what the digest reads ---------------------------------------------------------------------------------------

/** Staff of the organization who chose the digest, with the sites they work at. */
async function findDigestReaders(db: Database, orgId: string) {
  const rows = await db
    .select({ id: users.id, role: users.role, siteIds: sql<string[]>`ARRAY(SELECT ${userSites.siteId} FROM ${userSites} WHERE ${userSites.userId} = ${users.id})` })
    .from(users)
    .innerJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .where(and(eq(users.orgId, orgId), inArray(users.role, STAFF_ROLES), isNull(users.disabledAt), eq(notificationPreferences.staffDigest, true)));
  return rows.map((row) => ({ ...row, siteIds: [...row.siteIds] }));
}

/**
 * Each site's counts, "today" being the site's own local day at `now`: pending approvals (not waitlist offers) still
 * ahead, today's bookings (activity rooms are counted as sessions instead), today's scheduled sessions, loan
 * requests it is asked to answer while still useful, approved loans it must send out by the end of today, and units
 * coming to it (sent to it as borrower, or back to it as lender to be checked).
 */
async function countSiteWork(db: Database, openSites: readonly { id: string; timezone: string }[], now: Date): Promise<Map<string, SiteCounts>> {
  if (openSites.length === 0) return new Map();
  const days = openSites.map((site) => {
    const day = localDayRange(localDateOf(now.getTime(), site.timezone), site.timezone);
    return { site_id: site.id, day_start: new Date(day.start).toISOString(), day_end: new Date(day.end).toISOString() };
  });
  const at = now.toISOString();
  const rows = await queryRows<{ siteId: string } & SiteCounts>(
    db,
    sql`SELECT d.site_id AS "siteId",
          (SELECT count(*)::int FROM bookings b
            WHERE b.site_id = d.site_id AND b.status = 'pending' AND b.offer_expires_at IS NULL AND b.end_at > ${at}::timestamptz) AS "pendingApprovals",
          (SELECT count(*)::int FROM bookings b
            WHERE b.site_id = d.site_id AND b.source <> 'activity' AND b.status = ANY(${arrayLiteral(CONSUMING_STATUSES)}::text[])
              AND b.start_at >= d.day_start AND b.start_at < d.day_end) AS "bookingsToday",
          (SELECT count(*)::int FROM activity_sessions s
            WHERE s.site_id = d.site_id AND s.status = 'scheduled' AND s.start_at >= d.day_start AND s.start_at < d.day_end) AS "sessionsToday",
          (SELECT count(*)::int FROM equipment_loans l
            WHERE l.lender_site_id = d.site_id AND l.status = 'requested' AND l.claim_end > ${at}::timestamptz) AS "pendingLoanRequests",
          (SELECT count(*)::int FROM equipment_loans l
            WHERE l.lender_site_id = d.site_id AND l.status = 'approved' AND l.claim_start < d.day_end) AS "loansToDispatch",
          (SELECT count(*)::int FROM equipment_loans l
            WHERE (l.borrower_site_id = d.site_id AND l.status = 'dispatched') OR (l.lender_site_id = d.site_id AND l.status = 'returned')) AS "loansToReceive"
        FROM jsonb_to_recordset(${JSON.stringify(days)}::jsonb) AS d(site_id uuid, day_start timestamptz, day_end timestamptz)`,
  );
  return new Map(rows.map(({ siteId, ...counts }) => [siteId, Object.fromEntries(COUNT_NAMES.map((name) => [name, Number(counts[name])])) as SiteCounts]));
}

/** The organization's loans whose units are still out after their claim window (isLoanOverdue), with both sides. */
async function findOverdueLoans(db: Database, orgId: string, now: Date) {
  return queryRows<{ lenderSiteId: string; borrowerSiteId: string }>(
    db,
    sql`SELECT lender_site_id AS "lenderSiteId", borrower_site_id AS "borrowerSiteId" FROM equipment_loans
        WHERE org_id = ${orgId} AND status = ANY(${arrayLiteral(LOAN_OUT_STATUSES)}::text[]) AND claim_end <= ${now.toISOString()}::timestamptz`,
  );
}

// ---- the schedule ------------------------------------------------------------------------------------------------

export interface DailyDigestRuntime {
  stop(): Promise<void>;
}

/**
 * Works DIGEST_QUEUE on the worker's `boss` and keeps each organization's 07:30 schedule; the worker's instance keeps
 * pg-boss's clock (outbox/job-queue.ts), turning due schedules into jobs.
 */
export async function startDailyDigest(options: { db: Database; boss: PgBoss; log: FastifyBaseLogger; pollingIntervalSeconds: number }): Promise<DailyDigestRuntime> {
  const { db, boss, log } = options;
  if (!(await boss.getQueue(DIGEST_QUEUE))) {
    await boss.createQueue(DIGEST_QUEUE, { retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 600 }).catch(async (error: unknown) => {
      // Another process created it between the read and here.
      if (!(await boss.getQueue(DIGEST_QUEUE))) throw error;
    });
  }
  await boss.work<DigestJob>(DIGEST_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds, batchSize: 1 }, async ([job]) => {
    const deliveries = await recordDailyDigests(db, job!.data.orgId, new Date());
    log.info({ orgId: job!.data.orgId, deliveries }, 'staff daily digest recorded');
  });
  await scheduleDigests(boss, db);
  // The worker's own instance stops with the worker; nothing of the digest's to stop apart from it.
  return { stop: async () => {} };
}

/**
 * One schedule per organization, keyed by its id, at 07:30 in its zone (written again at each start, so a changed
 * zone is taken up). A digest missed while no worker ran is sent once when one starts, with that day's counts as of
 * then. Organizations are never deleted; a job for one that is gone records nothing.
 */
export async function scheduleDigests(boss: PgBoss, db: Database): Promise<void> {
  const orgs = await db.select({ id: organizations.id, timezone: organizations.timezone }).from(organizations);
  for (const org of orgs) {
    await boss.schedule(DIGEST_QUEUE, DIGEST_CRON, { orgId: org.id } satisfies DigestJob, { key: org.id, tz: org.timezone, missed: 'once' });
  }
}
