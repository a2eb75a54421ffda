/**
 * The demo operator: 申城邻里, 36 community spaces across 8 Shanghai districts, with staff, residents, closures,
 * a fortnight of bookings around now, and an activity programme (demo-activities.ts). Planned from a fixed seed, so
 * every demo database looks the same.
 */
import type { PolicyRules, Role } from '@linli/contracts';
import { addDaysToLocalDate, localDateOf } from '@linli/domain';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Database, Transaction } from '../client.ts';
import {
  activities,
  activityCategories,
  activityFeedback,
  activityRegistrations,
  activitySessions,
  activityWaitlistEntries,
  activityWalkIns,
  bookingEvents,
  bookings,
  closures,
  equipmentHoldingEvents,
  equipmentHoldings,
  equipmentLoanEvents,
  equipmentLoanItems,
  equipmentLoans,
  equipmentRefusals,
  equipmentSettings,
  equipmentTypes,
  organizations,
  partnerOrganizations,
  registrationEvents,
  sites,
  spaces,
  userSites,
  users,
} from '../schema.ts';
import { chunksOf } from './batches.ts';
import { type DemoProgramme, planDemoProgramme } from './demo-activities.ts';
import { type PlannedBooking, type PlannedBookingEvent, planDemoBookings } from './demo-bookings.ts';
import { DEMO_EMAIL_DOMAIN, type PlannedUser, type PlannedUserSite, planDemoPeople } from './demo-people.ts';
import { type DemoEquipment, planDemoEquipment } from './equipment-plan.ts';
import { SeedRefusedError } from './errors.ts';
import { hashPassword } from '../passwords.ts';
import { planSites, planSpaces } from './portfolio-plan.ts';
import { SeededRandom } from './random.ts';
import { databaseHasData, deleteAllTenantData } from './reset.ts';

export { databaseHasData } from './reset.ts';

export const DEMO_ORG_SLUG = 'demo';
export const DEMO_PASSWORD = 'linli-demo';
const DEMO_ORG_NAME = '申城邻里 Shanghai Community Spaces';
const DEMO_RANDOM_SEED = 20_240_601;
/**
 * The equipment pool draws from a stream of its own: the bookings before it draw a number of times that depends on
 * `now`, and the inventory should be the same whatever day the demo is seeded.
 */
const DEMO_EQUIPMENT_SEED = DEMO_RANDOM_SEED + 12;
const DEMO_SITE_COUNT = 36;

/** A city-wide entitlement: ten bookings a week per resident across every site, booked up to two weeks ahead. */
const DEMO_ORG_POLICY: PolicyRules = {
  slotMinutes: 30,
  horizonDays: 14,
  cancelCutoffMinutes: 60,
  noShowAfterMinutes: 15,
  quotaPerWeekCount: 10,
  waitlistMode: 'offer',
  offerHoldMinutes: 30,
};

export interface DemoSeedOptions {
  /** Delete all existing data first instead of refusing. */
  force?: boolean;
  /** The instant demo bookings are placed around; defaults to the current time. */
  now?: Date;
  log?: (line: string) => void;
}

export interface DemoLogin {
  role: Role;
  login: string;
  password: string;
}

export interface DemoSummary {
  orgSlug: string;
  sites: number;
  spaces: number;
  users: number;
  bookings: number;
  activities: number;
  logins: DemoLogin[];
}

type SiteRow = typeof sites.$inferInsert & { id: string };
type SpaceRow = typeof spaces.$inferInsert & { id: string };
type ClosureRow = typeof closures.$inferInsert;

/** Everything the demo writes, planned before the transaction opens. */
interface DemoPortfolio {
  organization: typeof organizations.$inferInsert & { id: string };
  sites: SiteRow[];
  spaces: SpaceRow[];
  closures: ClosureRow[];
  users: PlannedUser[];
  userSites: PlannedUserSite[];
  /** Every booking, the activity sessions' included. */
  bookings: PlannedBooking[];
  bookingEvents: PlannedBookingEvent[];
  /** The activity programme; its bookings are in `bookings` above. */
  programme: DemoProgramme;
  /** The equipment pool and its loans, some for the programme's sessions. */
  equipment: DemoEquipment;
}

export async function seedDemoPortfolio(db: Database, options: DemoSeedOptions = {}): Promise<DemoSummary> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  if (!options.force && (await databaseHasData(db))) throw refusal();

  const demo = planDemoPortfolio(options.now ?? new Date());
  const passwordHash = await hashPassword(DEMO_PASSWORD); // one hash, shared by every demo user
  await db.transaction(async (tx) => {
    if (options.force) {
      log('deleting existing data (--force)');
      await deleteAllTenantData(tx);
    } else if (await databaseHasData(tx)) {
      throw refusal(); // someone seeded between the first check and now
    }
    await insertDemoPortfolio(tx, demo, passwordHash, log);
  });
  // Statistics now, not when autovacuum gets round to it: the first analytics queries would be planned for empty tables.
  await db.execute(sql`ANALYZE`);
  log(`demo seeded in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  return {
    orgSlug: DEMO_ORG_SLUG,
    sites: demo.sites.length,
    spaces: demo.spaces.length,
    users: demo.users.length,
    bookings: demo.bookings.length,
    activities: demo.programme.activities.length,
    logins: [
      { role: 'org_admin', login: `admin@${DEMO_EMAIL_DOMAIN}`, password: DEMO_PASSWORD },
      { role: 'site_manager', login: `manager1@${DEMO_EMAIL_DOMAIN}`, password: DEMO_PASSWORD },
      { role: 'staff', login: `staff1@${DEMO_EMAIL_DOMAIN}`, password: DEMO_PASSWORD },
      { role: 'resident', login: `resident1@${DEMO_EMAIL_DOMAIN}`, password: DEMO_PASSWORD },
      { role: 'resident', login: demo.users.find((u) => u.role === 'resident')?.phone ?? '', password: DEMO_PASSWORD },
    ],
  };
}

function refusal(): SeedRefusedError {
  return new SeedRefusedError(
    'Refusing to seed the demo: the database already has an organization. Pass --force to delete ALL data and reseed.',
  );
}

/** Pure planning: ids, rows and relations, with no I/O. Only the bookings depend on `now`. */
export function planDemoPortfolio(now: Date): DemoPortfolio {
  const random = new SeededRandom(DEMO_RANDOM_SEED);
  const orgId = uuidv7();
  const organization = { id: orgId, slug: DEMO_ORG_SLUG, name: DEMO_ORG_NAME, policy: DEMO_ORG_POLICY };
  const sitePlans = planSites(random, DEMO_SITE_COUNT).map((plan) => ({ id: uuidv7(), orgId, ...plan }));
  const spacePlans = sitePlans.flatMap((site) =>
    planSpaces(random, site.kind).map((plan) => ({ id: uuidv7(), orgId, siteId: site.id, ...plan })),
  );
  const people = planDemoPeople(random, orgId, sitePlans);
  const demoClosures = planDemoClosures(orgId, sitePlans, now);
  const demoBookings = planDemoBookings(random, {
    orgId,
    now,
    sites: sitePlans,
    spaces: spacePlans,
    closures: demoClosures,
    residents: people.residents,
    staffBySite: people.staffBySite,
  });
  const programme = planDemoProgramme(random, {
    orgId,
    now,
    sites: sitePlans,
    spaces: spacePlans,
    closures: demoClosures,
    residents: people.residents,
    staffBySite: people.staffBySite,
    bookings: demoBookings.bookings,
  });
  const equipment = planDemoEquipment(new SeededRandom(DEMO_EQUIPMENT_SEED), {
    orgId,
    now,
    sites: sitePlans,
    staffBySite: people.staffBySite,
    adminId: people.users.find((u) => u.role === 'org_admin')!.id,
    sessions: programme.sessions,
    activities: programme.activities,
  });
  return {
    organization,
    sites: sitePlans,
    spaces: spacePlans,
    closures: demoClosures,
    users: people.users.map((user) => ({ ...user, birthYear: programme.birthYears.get(user.id) ?? null })),
    userSites: people.userSites,
    bookings: [...demoBookings.bookings, ...programme.bookings],
    bookingEvents: [...demoBookings.events, ...programme.bookingEvents],
    programme,
    equipment,
  };
}

/**
 * One closure of each scope: the next New Year's Day for the whole org, New Year's Eve in 黄浦区 (the Bund
 * countdown closes the district's sites), and three days of maintenance at one centre starting ten days from
 * now, so it shows on the calendar without touching the demo bookings.
 */
function planDemoClosures(orgId: string, demoSites: readonly SiteRow[], now: Date): ClosureRow[] {
  const zone = demoSites[0]?.timezone ?? 'Asia/Shanghai';
  const today = localDateOf(now.getTime(), zone);
  const year = Number(today.slice(0, 4));
  const newYear = today.endsWith('-01-01') ? today : `${year + 1}-01-01`;
  const newYearsEve = addDaysToLocalDate(newYear, -1);
  const maintained = demoSites.find((s) => s.kind === 'neighborhood_center' && s.district === '静安区') ?? demoSites[0]!;
  return [
    { id: uuidv7(), orgId, scope: 'org', startDate: newYear, endDate: newYear, reason: '元旦 New Year’s Day' },
    {
      id: uuidv7(),
      orgId,
      scope: 'district',
      district: '黄浦区',
      startDate: newYearsEve,
      endDate: newYearsEve,
      reason: '外滩跨年活动安保，区内站点闭馆',
    },
    {
      id: uuidv7(),
      orgId,
      scope: 'site',
      siteId: maintained.id,
      startDate: addDaysToLocalDate(today, 10),
      endDate: addDaysToLocalDate(today, 12),
      reason: '空调系统检修',
    },
  ];
}

/** Parents before children, a few multi-row statements per table. */
async function insertDemoPortfolio(
  tx: Transaction,
  demo: DemoPortfolio,
  passwordHash: string,
  log: (line: string) => void,
): Promise<void> {
  await tx.insert(organizations).values(demo.organization);
  await tx.insert(sites).values(demo.sites);
  await tx.insert(closures).values(demo.closures);
  await tx.insert(spaces).values(demo.spaces);
  log(`organization "${DEMO_ORG_SLUG}", ${demo.sites.length} sites, ${demo.spaces.length} spaces, ${demo.closures.length} closures`);
  await tx.insert(users).values(demo.users.map((user) => ({ ...user, passwordHash })));
  await tx.insert(userSites).values(demo.userSites);
  log(`${demo.users.length} users, ${demo.userSites.length} staff-site links`);
  for (const part of chunksOf(demo.bookings)) await tx.insert(bookings).values(part);
  for (const part of chunksOf(demo.bookingEvents)) await tx.insert(bookingEvents).values(part);
  log(`${demo.bookings.length} bookings, ${demo.bookingEvents.length} booking events`);
  await insertDemoProgramme(tx, demo.programme, log);
  await insertDemoEquipment(tx, demo.equipment, log);
}

/** After the bookings its sessions hold rooms through; registrations before what refers to them. */
async function insertDemoProgramme(tx: Transaction, programme: DemoProgramme, log: (line: string) => void): Promise<void> {
  await tx.insert(activityCategories).values(programme.categories);
  await tx.insert(partnerOrganizations).values(programme.partners);
  await tx.insert(activities).values(programme.activities);
  await tx.insert(activitySessions).values(programme.sessions);
  for (const part of chunksOf(programme.registrations)) await tx.insert(activityRegistrations).values(part);
  for (const part of chunksOf(programme.registrationEvents)) await tx.insert(registrationEvents).values(part);
  // One statement, rows in arrival order: the database numbers `arrival` as it inserts them.
  if (programme.waitlistEntries.length > 0) await tx.insert(activityWaitlistEntries).values(programme.waitlistEntries);
  if (programme.feedback.length > 0) await tx.insert(activityFeedback).values(programme.feedback);
  if (programme.walkIns.length > 0) await tx.insert(activityWalkIns).values(programme.walkIns);
  log(
    `${programme.activities.length} activities in ${new Set(programme.activities.map((a) => a.category)).size} categories, ` +
      `${programme.sessions.length} sessions, ${programme.registrations.length} registrations, ` +
      `${programme.waitlistEntries.length} waiting, ${programme.feedback.length} ratings, ${programme.walkIns.length} walk-ins`,
  );
}

/** Types and holdings before the loans; a holding's damage event names the loan it came back from. */
async function insertDemoEquipment(tx: Transaction, equipment: DemoEquipment, log: (line: string) => void): Promise<void> {
  await tx.insert(equipmentSettings).values(equipment.settings);
  await tx.insert(equipmentTypes).values(equipment.types);
  await tx.insert(equipmentHoldings).values(equipment.holdings);
  await tx.insert(equipmentLoans).values(equipment.loans);
  if (equipment.loanItems.length > 0) await tx.insert(equipmentLoanItems).values(equipment.loanItems);
  await tx.insert(equipmentLoanEvents).values(equipment.loanEvents);
  await tx.insert(equipmentHoldingEvents).values(equipment.holdingEvents);
  if (equipment.refusals.length > 0) await tx.insert(equipmentRefusals).values(equipment.refusals);
  const units = equipment.holdings.reduce((n, h) => n + h.inService + h.damaged, 0);
  log(`${units} equipment units in ${equipment.holdings.length} holdings, ${equipment.loans.length} loans, ${equipment.refusals.length} refusals`);
}
