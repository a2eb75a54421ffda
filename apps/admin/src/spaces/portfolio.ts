/**
 * The sites and spaces the signed-in person may see, loaded once and shared by every page that names them
 * (timeline rows, booking details, search results). Setup edits call `invalidatePortfolio()`.
 */
import type { Site, Space } from '@linli/contracts';
import { useResource, type Resource } from '../api/useResource.ts';
import { listSites } from '../sites/sites.api.ts';
import { listAllSpaces } from './spaces.api.ts';

export interface Portfolio {
  sites: Site[];
  spaces: Space[];
  siteById: Map<string, Site>;
  spaceById: Map<string, Space>;
}

let cached: Promise<Portfolio> | null = null;

async function loadPortfolio(): Promise<Portfolio> {
  const [sites, spaces] = await Promise.all([listSites(), listAllSpaces(undefined)]);
  return {
    sites: sites.items,
    spaces,
    siteById: new Map(sites.items.map((site) => [site.id, site])),
    spaceById: new Map(spaces.map((space) => [space.id, space])),
  };
}

export function getPortfolio(): Promise<Portfolio> {
  cached ??= loadPortfolio().catch((error: unknown) => {
    cached = null;
    throw error;
  });
  return cached;
}

export function invalidatePortfolio(): void {
  cached = null;
}

export function usePortfolio(): Resource<Portfolio> {
  return useResource(() => getPortfolio(), []);
}

/** "Site · Space", and the zone its times are shown in. */
export function placeOf(portfolio: Portfolio | undefined, spaceId: string): { siteName: string; spaceName: string; zone: string } {
  const space = portfolio?.spaceById.get(spaceId);
  const site = space ? portfolio?.siteById.get(space.siteId) : undefined;
  return { siteName: site?.name ?? '', spaceName: space?.name ?? '', zone: site?.timezone ?? 'Asia/Shanghai' };
}
