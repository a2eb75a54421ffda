/**
 * Spaces through the typed client and TanStack Query. Edits invalidate the space keys and the shared portfolio.
 */
import type { CreateSpaceBody, Space, UpdateSpaceBody } from '@linli/contracts';
import { queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';
import { invalidatePortfolio } from './portfolio.ts';

const PAGE_SIZE = 200;
const MAX_PAGES = 50;

export const spaceKeys = {
  all: ['spaces'] as const,
  ofSite: (siteId: string | undefined, includeArchived: boolean) => ['spaces', 'list', { siteId, includeArchived }] as const,
  one: (id: string) => ['spaces', id] as const,
  policy: (id: string) => ['spaces', id, 'policy'] as const,
};

/** Every space (of a site, or in scope), page after page. */
export async function listAllSpaces(siteId: string | undefined, signal?: AbortSignal, includeArchived = false): Promise<Space[]> {
  const items: Space[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = { limit: PAGE_SIZE, ...(siteId ? { siteId } : {}), ...(cursor ? { cursor } : {}), ...(includeArchived ? { includeArchived: 'true' } : {}) };
    const result = await data(api.GET('/api/v1/spaces', { params: { query }, signal }));
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export const spaceQueries = {
  ofSite: (siteId: string | undefined, includeArchived = false) =>
    queryOptions({ queryKey: spaceKeys.ofSite(siteId, includeArchived), queryFn: ({ signal }) => listAllSpaces(siteId, signal, includeArchived), enabled: Boolean(siteId) }),
  one: (id: string) => queryOptions({ queryKey: spaceKeys.one(id), queryFn: ({ signal }) => data(api.GET('/api/v1/spaces/{id}', { params: { path: { id } }, signal })) }),
  policy: (id: string) =>
    queryOptions({ queryKey: spaceKeys.policy(id), queryFn: ({ signal }) => data(api.GET('/api/v1/spaces/{id}/policy', { params: { path: { id } }, signal })) }),
};

/** After any space edit: the lists, the space itself and the portfolio the other pages read. */
export async function invalidateSpaces(): Promise<void> {
  invalidatePortfolio();
  await queryClient.invalidateQueries({ queryKey: spaceKeys.all });
}

export function createSpace(body: CreateSpaceBody) {
  return data(api.POST('/api/v1/spaces', { body }));
}

export function updateSpace(id: string, body: UpdateSpaceBody) {
  return data(api.PATCH('/api/v1/spaces/{id}', { params: { path: { id } }, body }));
}

export function setSpaceArchived(id: string, archived: boolean) {
  return archived
    ? data(api.POST('/api/v1/spaces/{id}/archive', { params: { path: { id } } }))
    : data(api.POST('/api/v1/spaces/{id}/unarchive', { params: { path: { id } } }));
}
