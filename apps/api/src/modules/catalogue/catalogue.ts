/**
 * An organization's catalogue — its own policy, its sites, spaces and closures — held in memory per database.
 *
 * These rows change rarely (an operator edits a site, adds a closure) but every booking decision, search and
 * schedule reads them; re-reading and re-parsing a few thousand rows per request was most of what those requests
 * cost. A snapshot is trusted only while the organization's catalogue version (bumped by triggers in the same
 * transaction as any change, migration 0005) is unchanged:
 * - reads check the version first (`readCatalogue`, one primary-key lookup instead of several queries);
 * - booking creation skips that check because `linli_book_space` re-checks the version under the space lock and
 *   refuses a stale snapshot, after which the caller reloads (`reloadCatalogue`) and decides again.
 */
import type { PolicyRules } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import type { Actor } from '../../plugins/access.ts';
import { notFound } from '../../lib/app-error.ts';
import { type SiteRow, type SpaceContext, type SpaceRow, assertBookableSpace, buildSpaceContext } from '../claims/space-context.ts';
import { catalogueVersionSql, findCatalogueRows, findCatalogueVersion } from './catalogue.repository.ts';

export { catalogueVersionSql };

export type ClosureRow = typeof schema.closures.$inferSelect;

export interface Catalogue {
  orgId: string;
  /** The catalogue version the rows are at least as new as. */
  version: number;
  orgPolicy: PolicyRules;
  /** Every site and space, archived ones included (callers decide what an archived row means for them). */
  sites: ReadonlyMap<string, SiteRow>;
  spaces: ReadonlyMap<string, SpaceRow>;
  closures: readonly ClosureRow[];
  /** Active spaces of each site, by name. */
  activeSpacesBySite: ReadonlyMap<string, readonly SpaceRow[]>;
  /** Closures that apply to a site: its own, its district's and the organization's. Worked out once per site. */
  closuresOf(site: Pick<SiteRow, 'id' | 'district'>): readonly ClosureRow[];
  /** A space's booking context (effective policy, closures), worked out once per space; no access check. */
  contextOf(space: SpaceRow): SpaceContext;
}

/** One cache per database handle, so two apps (or two test databases) in one process never share snapshots. */
const caches = new WeakMap<Database, Map<string, Catalogue>>();
const inFlight = new WeakMap<Database, Map<string, Promise<Catalogue>>>();

function cacheOf<T>(store: WeakMap<Database, Map<string, T>>, db: Database): Map<string, T> {
  let cache = store.get(db);
  if (!cache) store.set(db, (cache = new Map()));
  return cache;
}

/** The organization's catalogue as of now: the cached snapshot if its version is still current, else a fresh one. */
export async function readCatalogue(db: Database, orgId: string): Promise<Catalogue> {
  const cached = cacheOf(caches, db).get(orgId);
  if (cached && cached.version === (await findCatalogueVersion(db, orgId))) return cached;
  return reloadCatalogue(db, orgId);
}

/**
 * A read that depends on the catalogue, checked in the same round trip: `read` runs against the cached snapshot
 * and also returns the version the database saw (select `catalogueVersionSql`); if that differs from the
 * snapshot's, the snapshot is reloaded and the read runs again. Saves the separate version query of
 * `readCatalogue` on hot reads.
 */
export async function readWithCatalogue<T>(db: Database, orgId: string, read: (catalogue: Catalogue) => Promise<{ result: T; version: number | null }>): Promise<T> {
  let catalogue = await cachedCatalogue(db, orgId);
  let verified = false;
  for (let attempt = 1; ; attempt++) {
    let answer: { result: T; version: number | null };
    try {
      answer = await read(catalogue);
    } catch (error) {
      if (verified) throw error;
      catalogue = await confirmCatalogueError(db, orgId, catalogue, error);
      verified = true;
      continue;
    }
    // Under a storm of catalogue edits, the third answer stands: it was read against a snapshot reloaded just before.
    if ((answer.version ?? 0) === catalogue.version || attempt === 3) return answer.result;
    catalogue = await reloadCatalogue(db, orgId);
    verified = true;
  }
}

/**
 * An error decided on an unchecked snapshot (a space not found, a site closed at that hour) may only reflect an
 * old snapshot: rethrows it if the snapshot is current, otherwise returns the current catalogue to decide again.
 */
export async function confirmCatalogueError(db: Database, orgId: string, snapshot: Catalogue, error: unknown): Promise<Catalogue> {
  const current = await readCatalogue(db, orgId);
  if (current === snapshot) throw error;
  return current;
}

/**
 * The cached snapshot without checking its version, for callers that verify it themselves in the same
 * transaction as their write (see linli_book_space). Loads one if none is cached.
 */
export async function cachedCatalogue(db: Database, orgId: string): Promise<Catalogue> {
  return cacheOf(caches, db).get(orgId) ?? reloadCatalogue(db, orgId);
}

/** Reads the catalogue afresh. Concurrent reloads of one organization share one set of queries. */
export function reloadCatalogue(db: Database, orgId: string): Promise<Catalogue> {
  const loads = cacheOf(inFlight, db);
  let load = loads.get(orgId);
  if (!load) {
    load = loadCatalogue(db, orgId).finally(() => loads.delete(orgId));
    loads.set(orgId, load);
  }
  return load;
}

async function loadCatalogue(db: Database, orgId: string): Promise<Catalogue> {
  // The version is read before the rows: rows read afterwards are at least that new, so a change committed in
  // between leaves the snapshot looking stale (and reloaded next time), never looking current while it is not.
  const version = await findCatalogueVersion(db, orgId);
  const { orgPolicy, siteRows, spaceRows, closureRows } = await findCatalogueRows(db, orgId);
  const catalogue = buildCatalogue(orgId, version, orgPolicy, siteRows, spaceRows, closureRows);
  const cache = cacheOf(caches, db);
  const cached = cache.get(orgId);
  // Two overlapping loads (one started after the other finished) must not replace a newer snapshot with an older one.
  if (!cached || cached.version <= version) cache.set(orgId, catalogue);
  return catalogue;
}

export function buildCatalogue(
  orgId: string,
  version: number,
  orgPolicy: PolicyRules,
  siteRows: SiteRow[],
  spaceRows: SpaceRow[],
  closureRows: ClosureRow[],
): Catalogue {
  const activeSpacesBySite = new Map<string, SpaceRow[]>();
  for (const space of [...spaceRows].sort((a, b) => a.name.localeCompare(b.name))) {
    if (space.archivedAt) continue;
    const list = activeSpacesBySite.get(space.siteId) ?? [];
    list.push(space);
    activeSpacesBySite.set(space.siteId, list);
  }
  const closuresBySite = new Map<string, ClosureRow[]>();
  const contexts = new Map<string, SpaceContext>();
  const sites = new Map(siteRows.map((s) => [s.id, s]));
  return {
    orgId,
    version,
    orgPolicy,
    sites,
    spaces: new Map(spaceRows.map((s) => [s.id, s])),
    closures: closureRows,
    activeSpacesBySite,
    closuresOf(site) {
      let found = closuresBySite.get(site.id);
      if (!found) {
        found = closureRows.filter((c) => c.scope === 'org' || (c.scope === 'district' && c.district === site.district) || c.siteId === site.id);
        closuresBySite.set(site.id, found);
      }
      return found;
    },
    contextOf(space) {
      let context = contexts.get(space.id);
      if (!context) {
        const site = sites.get(space.siteId)!;
        context = buildSpaceContext(space, site, orgPolicy, this.closuresOf(site));
        contexts.set(space.id, context);
      }
      return context;
    },
  };
}

/** A space's booking context from the organization's in-memory catalogue, as this actor may book it; no query. */
export function spaceContextOf(catalogue: Catalogue, actor: Actor, spaceId: string): SpaceContext {
  const space = catalogue.spaces.get(spaceId);
  const site = space && catalogue.sites.get(space.siteId);
  if (!space || !site || space.orgId !== actor.orgId) throw notFound('Space');
  assertBookableSpace(actor, space, site);
  return catalogue.contextOf(space);
}
