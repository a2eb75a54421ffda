/**
 * Equipment made straight in the database for loan tests, so they do not depend on the equipment module's routes:
 * types, counted stock and tracked items, transit settings, and an organization whose sites sit at known distances.
 */
import { randomBytes } from 'node:crypto';
import { type Database, newId, schema } from '@linli/db';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';

const unique = () => randomBytes(4).toString('hex');

export async function createEquipmentType(db: Database, input: { orgId: string } & Partial<typeof schema.equipmentTypes.$inferInsert>) {
  const key = `type-${unique()}`;
  const [type] = await db.insert(schema.equipmentTypes).values({ id: newId(), key, nameZh: `投影仪 ${key}`, nameEn: `Projector ${key}`, ...input }).returning();
  return type!;
}

/** A site's counted stock of a type (`units` in service), or one tracked item when `assetTag` is given. */
export async function createHolding(
  db: Database,
  input: { orgId: string; siteId: string; typeId: string; units?: number; assetTag?: string; lendable?: boolean; damaged?: number },
) {
  const [holding] = await db
    .insert(schema.equipmentHoldings)
    .values({
      id: newId(),
      orgId: input.orgId,
      siteId: input.siteId,
      typeId: input.typeId,
      assetTag: input.assetTag ?? null,
      inService: input.assetTag ? 1 : (input.units ?? 1),
      damaged: input.damaged ?? 0,
      lendable: input.lendable ?? true,
    })
    .returning();
  return holding!;
}

export async function setTransit(db: Database, orgId: string, transit: { transitBaseMinutes: number; transitMinutesPerKm: number }) {
  await db.insert(schema.equipmentSettings).values({ orgId, ...transit }).onConflictDoUpdate({ target: schema.equipmentSettings.orgId, set: transit });
}

/** The counted stock of a type at a site: in service, damaged, missing. */
export async function stockOf(db: Database, siteId: string, typeId: string) {
  const [row] = await db
    .select({
      inService: sql<number>`coalesce(sum(${schema.equipmentHoldings.inService}), 0)::int`,
      damaged: sql<number>`coalesce(sum(${schema.equipmentHoldings.damaged}), 0)::int`,
      missing: sql<number>`coalesce(sum(${schema.equipmentHoldings.missing}), 0)::int`,
    })
    .from(schema.equipmentHoldings)
    .where(and(eq(schema.equipmentHoldings.siteId, siteId), eq(schema.equipmentHoldings.typeId, typeId)));
  return { inService: Number(row!.inService), damaged: Number(row!.damaged), missing: Number(row!.missing) };
}

/** A confirmed staff booking of `space` over [startAt, endAt), for loans that name a booking. */
export async function createBooking(db: Database, space: { id: string; orgId: string; siteId: string }, range: { startAt: string; endAt: string }) {
  const [booking] = await db
    .insert(schema.bookings)
    .values({ id: newId(), orgId: space.orgId, siteId: space.siteId, spaceId: space.id, exclusive: true, startAt: new Date(range.startAt), endAt: new Date(range.endAt), status: 'confirmed', source: 'staff' })
    .returning();
  return booking!;
}

/** Latitude steps of ~1 km and ~10 km north of site A (a degree of latitude is about 111 km). */
const KM_NORTH = 1 / 111.19;

/**
 * One organization with three sites on a north-south line: A, B about 1 km from A, and C about 10 km from A, each
 * with a staff member of its own; an org admin; and a second organization with a site, a type and an admin.
 */
export async function createLoanWorld(app: FastifyInstance, db: Database) {
  const org = await createOrg(db);
  const place = (km: number) => ({ lat: 31.2 + km * KM_NORTH, lng: 121.4 });
  const siteA = await createSite(db, { orgId: org.id, name: `A 站 ${unique()}`, ...place(0) });
  const siteB = await createSite(db, { orgId: org.id, name: `B 站 ${unique()}`, ...place(1) });
  const siteC = await createSite(db, { orgId: org.id, name: `C 站 ${unique()}`, ...place(10) });
  const spaceA = await createSpace(db, { orgId: org.id, siteId: siteA.id });
  const spaceB = await createSpace(db, { orgId: org.id, siteId: siteB.id });
  const admin = await createUser(db, { orgId: org.id, role: 'org_admin' });
  const staffA = await createUser(db, { orgId: org.id, role: 'staff', siteIds: [siteA.id] });
  const staffB = await createUser(db, { orgId: org.id, role: 'staff', siteIds: [siteB.id] });
  const staffC = await createUser(db, { orgId: org.id, role: 'site_manager', siteIds: [siteC.id] });
  const resident = await createUser(db, { orgId: org.id, role: 'resident', homeSiteId: siteA.id });

  const otherOrg = await createOrg(db);
  const otherSite = await createSite(db, { orgId: otherOrg.id });
  const otherType = await createEquipmentType(db, { orgId: otherOrg.id });
  await createHolding(db, { orgId: otherOrg.id, siteId: otherSite.id, typeId: otherType.id, units: 50 });
  const otherAdmin = await createUser(db, { orgId: otherOrg.id, role: 'org_admin' });

  const tokens = {
    admin: tokenFor(app, admin),
    staffA: tokenFor(app, staffA),
    staffB: tokenFor(app, staffB),
    staffC: tokenFor(app, staffC),
    resident: tokenFor(app, resident),
    otherAdmin: tokenFor(app, otherAdmin),
  };
  return { org, siteA, siteB, siteC, spaceA, spaceB, admin, staffA, staffB, staffC, otherOrg, otherSite, otherType, tokens };
}
export type LoanWorld = Awaited<ReturnType<typeof createLoanWorld>>;
