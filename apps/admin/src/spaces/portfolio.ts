/**
 * The sites and spaces the signed-in person may see, and their organization (whose zone stands in where no site
 * is known yet), read once through TanStack Query and shared by every page that names them (timeline rows, booking
 * details, search results). Setup edits call `invalidatePortfolio()`.
 */
import type { Organization, Site, Space } from '@linli/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

export interface Portfolio {
  sites: Site[];
  spaces: Space[];
  siteById: Map<string, Site>;
  spaceById: Map<string, Space>;
  /** The organization's own zone: times of an org-wide thing (a programme not yet at a site) are read in it. */
  organizationZone: string;
}

/** What usePortfolio gives: the query's state under the names the pages used before TanStack Query. */
export interface PortfolioState {
  data: Portfolio | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** The API's largest page; a portfolio is read page after page up to this many pages. */
const PAGE_SIZE = 200;
const MAX_PAGES = 50;

export const portfolioKey = ['portfolio'] as const;

async function listEverySite(signal: AbortSignal): Promise<Site[]> {
  const sites: Site[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await data(api.GET('/api/v1/sites', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } }, signal }));
    sites.push(...(result.items as Site[]));
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return sites;
}

async function listEverySpace(signal: AbortSignal): Promise<Space[]> {
  const spaces: Space[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await data(api.GET('/api/v1/spaces', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } }, signal }));
    spaces.push(...(result.items as Space[]));
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return spaces;
}

async function loadPortfolio(signal: AbortSignal): Promise<Portfolio> {
  const [sites, spaces, organization] = await Promise.all([
    listEverySite(signal),
    listEverySpace(signal),
    data(api.GET('/api/v1/organization', { signal })) as Promise<Organization>,
  ]);
  return {
    sites,
    spaces,
    siteById: new Map(sites.map((site) => [site.id, site])),
    spaceById: new Map(spaces.map((space) => [space.id, space])),
    organizationZone: organization.timezone,
  };
}

export const portfolioQuery = queryOptions({
  queryKey: portfolioKey,
  queryFn: ({ signal }) => loadPortfolio(signal),
  // Sites and spaces change when someone sets them up (which invalidates), not minute by minute.
  staleTime: 5 * 60_000,
});

/** The portfolio outside React (e.g. in an event handler): the cached one, or read now. */
export function getPortfolio(): Promise<Portfolio> {
  return queryClient.fetchQuery(portfolioQuery);
}

/** After setup changed sites or spaces: every page showing them reads them again. */
export function invalidatePortfolio(): void {
  void queryClient.invalidateQueries({ queryKey: portfolioKey });
}

export function usePortfolio(): PortfolioState {
  const query = useQuery(portfolioQuery);
  return { data: query.data, error: query.error, loading: query.isFetching, reload: () => void query.refetch() };
}

/**
 * "Site · Space", and the zone its times are shown in: the site's, the organization's for a space not in the
 * portfolio (archived since), undefined while the portfolio is still loading (callers wait or show nothing).
 */
export function placeOf(portfolio: Portfolio | undefined, spaceId: string): { siteName: string; spaceName: string; zone: string | undefined } {
  const space = portfolio?.spaceById.get(spaceId);
  const site = space ? portfolio?.siteById.get(space.siteId) : undefined;
  return { siteName: site?.name ?? '', spaceName: space?.name ?? '', zone: site?.timezone ?? portfolio?.organizationZone };
}

/** The zone a site's times are read in: its own, else the organization's; undefined until the portfolio is read. */
export function zoneOf(portfolio: Portfolio | undefined, siteId: string | null | undefined): string | undefined {
  return (siteId ? portfolio?.siteById.get(siteId)?.timezone : undefined) ?? portfolio?.organizationZone;
}
