/**
 * The catalogue's queries: the organization's catalogue version (as a lookup, and as a scalar expression other
 * reads select alongside their rows) and the rows a snapshot is built from. catalogue.ts decides when a snapshot
 * is trusted; this file reads.
 */
import { type Database, schema } from '@linli/db';
import { type SQL, eq, sql } from 'drizzle-orm';

const { catalogueVersions, organizations, sites, spaces, closures } = schema;

/** The organization's catalogue version, 0 before its first change. */
export async function findCatalogueVersion(db: Database, orgId: string): Promise<number> {
  const [row] = await db.select({ version: catalogueVersions.version }).from(catalogueVersions).where(eq(catalogueVersions.orgId, orgId));
  return row?.version ?? 0;
}

/** The organization's current catalogue version as a scalar SQL expression, to read alongside other rows. */
export const catalogueVersionSql = (orgId: string): SQL => sql`(SELECT version FROM catalogue_versions WHERE org_id = ${orgId})`;

/** The rows a catalogue snapshot is built from: the organization's policy, and all its sites, spaces and closures. */
export async function findCatalogueRows(db: Database, orgId: string) {
  const [orgRows, siteRows, spaceRows, closureRows] = await Promise.all([
    db.select({ policy: organizations.policy }).from(organizations).where(eq(organizations.id, orgId)),
    db.select().from(sites).where(eq(sites.orgId, orgId)),
    db.select().from(spaces).where(eq(spaces.orgId, orgId)),
    db.select().from(closures).where(eq(closures.orgId, orgId)),
  ]);
  return { orgPolicy: orgRows[0]?.policy ?? {}, siteRows, spaceRows, closureRows };
}
