/**
 * Factories make unique rows straight in the database, so tests can run side by side without colliding.
 * They bypass the API on purpose: a test of sites should not depend on the users endpoint working.
 */
import { randomBytes } from 'node:crypto';
import type { PolicyRules, Role, WeeklyHours } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import type { FastifyInstance } from 'fastify';
import type { AccessTokenClaims } from '../plugins/access.ts';
import { hashPassword } from '../modules/auth/auth.service.ts';

export const TEST_PASSWORD = 'correct-horse-battery';
let passwordHash: Promise<string> | undefined;

const unique = () => randomBytes(4).toString('hex');

export const ALL_DAY_EVERY_DAY: WeeklyHours = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '08:00', end: '22:00' }]]),
) as WeeklyHours;

export async function createOrg(db: Database, overrides: { policy?: PolicyRules; timezone?: string } = {}) {
  const [org] = await db
    .insert(schema.organizations)
    .values({ slug: `org-${unique()}`, name: `Test operator ${unique()}`, ...overrides })
    .returning();
  return org!;
}

export async function createSite(
  db: Database,
  input: { orgId: string } & Partial<typeof schema.sites.$inferInsert>,
) {
  const [site] = await db
    .insert(schema.sites)
    .values({
      name: `测试邻里中心 ${unique()}`,
      kind: 'neighborhood_center',
      district: '徐汇区',
      subdistrict: '田林街道',
      lat: 31.17,
      lng: 121.43,
      openingHours: ALL_DAY_EVERY_DAY,
      ...input,
    })
    .returning();
  return site!;
}

export async function createSpace(
  db: Database,
  input: { orgId: string; siteId: string } & Partial<typeof schema.spaces.$inferInsert>,
) {
  const [space] = await db
    .insert(schema.spaces)
    .values({ name: `活动室 ${unique()}`, kind: 'activity_room', bookingMode: 'exclusive', capacity: 12, ...input })
    .returning();
  return space!;
}

export async function createUser(
  db: Database,
  input: { orgId: string; role: Role; siteIds?: string[]; homeSiteId?: string; email?: string; phone?: string },
) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const [user] = await db
    .insert(schema.users)
    .values({
      orgId: input.orgId,
      role: input.role,
      email: input.email ?? `${input.role}-${unique()}@test.linli.dev`,
      phone: input.phone ?? null,
      passwordHash: await passwordHash,
      displayName: `${input.role} ${unique()}`,
      homeSiteId: input.homeSiteId ?? null,
    })
    .returning();
  if (input.siteIds?.length) {
    await db
      .insert(schema.userSites)
      .values(input.siteIds.map((siteId) => ({ orgId: input.orgId, userId: user!.id, siteId })));
  }
  return { ...user!, siteIds: input.siteIds ?? [] };
}

/** An access token as login would issue it, without paying for argon2 in every test. */
export function tokenFor(app: FastifyInstance, user: { id: string; orgId: string; role: string; siteIds: string[]; accessVersion?: number }) {
  const claims: AccessTokenClaims = { sub: user.id, org: user.orgId, role: user.role as Role, sites: user.siteIds, ver: user.accessVersion ?? 1 };
  return app.jwt.sign(claims);
}

/**
 * One operator with two sites (A and B) and a user of every role: the manager and staff work at site A only.
 * Plus a second operator with a site of its own, to prove nothing crosses organizations.
 */
export async function createPortfolio(app: FastifyInstance, db: Database) {
  const org = await createOrg(db);
  const siteA = await createSite(db, { orgId: org.id, name: `A 站 ${unique()}` });
  const siteB = await createSite(db, { orgId: org.id, name: `B 站 ${unique()}`, district: '静安区' });
  const spaceA = await createSpace(db, { orgId: org.id, siteId: siteA.id });
  const spaceB = await createSpace(db, { orgId: org.id, siteId: siteB.id });
  const admin = await createUser(db, { orgId: org.id, role: 'org_admin' });
  const manager = await createUser(db, { orgId: org.id, role: 'site_manager', siteIds: [siteA.id] });
  const staff = await createUser(db, { orgId: org.id, role: 'staff', siteIds: [siteA.id] });
  const resident = await createUser(db, { orgId: org.id, role: 'resident', homeSiteId: siteA.id });

  const otherOrg = await createOrg(db);
  const otherSite = await createSite(db, { orgId: otherOrg.id });
  const otherSpace = await createSpace(db, { orgId: otherOrg.id, siteId: otherSite.id });
  const otherAdmin = await createUser(db, { orgId: otherOrg.id, role: 'org_admin' });

  const tokens = {
    admin: tokenFor(app, admin),
    manager: tokenFor(app, manager),
    staff: tokenFor(app, staff),
    resident: tokenFor(app, resident),
    otherAdmin: tokenFor(app, otherAdmin),
  };
  return { org, siteA, siteB, spaceA, spaceB, admin, manager, staff, resident, otherOrg, otherSite, otherSpace, otherAdmin, tokens };
}

/** An ISO instant in Shanghai local time, e.g. at('2027-03-01', '10:00'). */
export const at = (date: string, time: string, offset = '+08:00') => new Date(`${date}T${time}:00${offset}`).toISOString();
