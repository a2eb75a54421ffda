import type { CreateSiteBody, ListSitesQuery, PolicyAtLevel, Site, UpdateSiteBody } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { describePolicyLevel } from '@linli/domain';
import { type SQL, and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { type Actor, canManageSite, canSeeSite } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { assertPoliciesCoherent } from '../catalogue/policy-coherence.ts';

const { sites, spaces, bookings } = schema;
type SiteRow = typeof sites.$inferSelect;

export function toSite(row: SiteRow): Site {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    district: row.district,
    subdistrict: row.subdistrict,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    timezone: row.timezone,
    openingHours: row.openingHours,
    policy: row.policy,
    archivedAt: toIso(row.archivedAt),
    createdAt: toIso(row.createdAt),
  };
}

/** Site staff see only their sites; residents see the active catalogue; org admins see everything. */
function visibleSitesFilter(actor: Actor): SQL[] {
  const filters: SQL[] = [eq(sites.orgId, actor.orgId)];
  if (actor.role === 'site_manager' || actor.role === 'staff') {
    filters.push(actor.siteIds.length ? inArray(sites.id, actor.siteIds) : sql`false`);
  }
  if (actor.role === 'resident') filters.push(isNull(sites.archivedAt));
  return filters;
}

export async function listSites(db: Database, actor: Actor, query: ListSitesQuery) {
  const filters = visibleSitesFilter(actor);
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(sites.id, after));
  if (query.kind) filters.push(eq(sites.kind, query.kind));
  if (query.district) filters.push(eq(sites.district, query.district));
  if (!query.includeArchived) filters.push(isNull(sites.archivedAt));
  const rows = await db
    .select()
    .from(sites)
    .where(and(...filters))
    .orderBy(sites.id)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toSite), nextCursor: page.nextCursor };
}

/** The site row if the actor may see it; otherwise 404, whether it is another org's or another site's. */
export async function findVisibleSite(db: Database, actor: Actor, siteId: string): Promise<SiteRow> {
  const [row] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, siteId), ...visibleSitesFilter(actor)));
  if (!row || !canSeeSite(actor, row.id)) throw notFound('Site');
  return row;
}

/** The same rule over the in-memory catalogue (see catalogue.ts). */
export function findVisibleSiteIn(catalogue: Catalogue, actor: Actor, siteId: string): SiteRow {
  const row = catalogue.sites.get(siteId);
  if (!row || row.orgId !== actor.orgId || !canSeeSite(actor, row.id) || (actor.role === 'resident' && row.archivedAt)) throw notFound('Site');
  return row;
}

/** A site's own booking rules beside what it inherits from the organization and the defaults. */
export async function getSitePolicy(db: Database, actor: Actor, siteId: string): Promise<PolicyAtLevel> {
  const site = await findVisibleSite(db, actor, siteId);
  const [org] = await db.select({ policy: schema.organizations.policy }).from(schema.organizations).where(eq(schema.organizations.id, actor.orgId));
  return { level: 'site', ...describePolicyLevel({ org: org?.policy ?? {}, site: site.policy }, 'site') };
}

export async function findManageableSite(db: Database, actor: Actor, siteId: string): Promise<SiteRow> {
  const row = await findVisibleSite(db, actor, siteId);
  if (!canManageSite(actor, row.id)) throw new AppError('FORBIDDEN');
  return row;
}

export async function getSite(db: Database, actor: Actor, siteId: string): Promise<Site> {
  return toSite(await findVisibleSite(db, actor, siteId));
}

export async function createSite(db: Database, actor: Actor, body: CreateSiteBody): Promise<Site> {
  await assertPoliciesCoherent(db, actor.orgId, { level: 'site', id: null, name: body.name, policy: body.policy });
  const [row] = await db
    .insert(sites)
    .values({
      orgId: actor.orgId,
      name: body.name,
      kind: body.kind,
      district: body.district,
      subdistrict: body.subdistrict ?? null,
      address: body.address ?? null,
      lat: body.lat ?? null,
      lng: body.lng ?? null,
      timezone: body.timezone,
      openingHours: body.openingHours,
      policy: body.policy,
    })
    .returning();
  return toSite(row!);
}

export async function updateSite(db: Database, actor: Actor, siteId: string, body: UpdateSiteBody): Promise<Site> {
  const current = await findManageableSite(db, actor, siteId);
  if (current.archivedAt) throw new AppError('ARCHIVED', { detail: 'Unarchive the site before editing it.' });
  if (body.policy) await assertPoliciesCoherent(db, actor.orgId, { level: 'site', id: siteId, name: body.name ?? current.name, policy: body.policy });
  const [row] = await db
    .update(sites)
    .set({ ...body, updatedAt: new Date() })
    .where(and(eq(sites.id, siteId), eq(sites.orgId, actor.orgId)))
    .returning();
  return toSite(row!);
}

export async function setSiteArchived(db: Database, actor: Actor, siteId: string, archived: boolean): Promise<Site> {
  await findVisibleSite(db, actor, siteId);
  const [row] = await db
    .update(sites)
    .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
    .where(and(eq(sites.id, siteId), eq(sites.orgId, actor.orgId)))
    .returning();
  return toSite(row!);
}

/** Only a site nothing refers to may be deleted; anything with spaces or bookings is archived instead. */
export async function deleteSite(db: Database, actor: Actor, siteId: string): Promise<void> {
  await findVisibleSite(db, actor, siteId);
  await db.transaction(async (tx) => {
    const [space] = await tx.select({ id: spaces.id }).from(spaces).where(eq(spaces.siteId, siteId)).limit(1);
    const [booking] = await tx.select({ id: bookings.id }).from(bookings).where(eq(bookings.siteId, siteId)).limit(1);
    if (space || booking) {
      throw new AppError('CONFLICT', { detail: 'The site has spaces or bookings; archive it instead of deleting it.' });
    }
    await tx.delete(schema.closures).where(eq(schema.closures.siteId, siteId));
    await tx.delete(schema.userSites).where(eq(schema.userSites.siteId, siteId));
    await tx.delete(sites).where(and(eq(sites.id, siteId), eq(sites.orgId, actor.orgId)));
  });
}
