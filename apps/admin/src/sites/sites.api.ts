/**
 * Sites, their closures and booking rules, through the typed client and TanStack Query: pages ask by key, edits
 * invalidate the keys they change (and the shared portfolio, which names sites everywhere).
 */
import type { CreateClosureBody, CreateSiteBody, PolicyRules, UpdateSiteBody } from '@linli/contracts';
import { queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';
import { invalidatePortfolio } from '../spaces/portfolio.ts';

/** The API's largest page; a portfolio beyond it needs paging or filters in the UI (a later issue). */
const SITES_PAGE_SIZE = 200;

export const siteKeys = {
  all: ['sites'] as const,
  list: (includeArchived: boolean) => ['sites', 'list', { includeArchived }] as const,
  policy: (siteId: string) => ['sites', siteId, 'policy'] as const,
  closures: (siteId: string) => ['sites', siteId, 'closures'] as const,
  organizationPolicy: ['organization', 'policy'] as const,
};

export function listSites(signal?: AbortSignal, { includeArchived = false } = {}) {
  return data(api.GET('/api/v1/sites', { params: { query: { limit: SITES_PAGE_SIZE, ...(includeArchived ? { includeArchived: 'true' } : {}) } }, signal }));
}

export const siteQueries = {
  list: (includeArchived = false) => queryOptions({ queryKey: siteKeys.list(includeArchived), queryFn: ({ signal }) => listSites(signal, { includeArchived }) }),
  policy: (siteId: string) =>
    queryOptions({ queryKey: siteKeys.policy(siteId), queryFn: ({ signal }) => data(api.GET('/api/v1/sites/{id}/policy', { params: { path: { id: siteId } }, signal })) }),
  closures: (siteId: string) =>
    queryOptions({
      queryKey: siteKeys.closures(siteId),
      queryFn: ({ signal }) => data(api.GET('/api/v1/closures', { params: { query: { siteId, limit: 200 } }, signal })),
    }),
  organizationPolicy: () =>
    queryOptions({ queryKey: siteKeys.organizationPolicy, queryFn: ({ signal }) => data(api.GET('/api/v1/organization/policy', { signal })) }),
};

/** After any site edit: every site list and detail, and the portfolio the other pages read names and zones from. */
export async function invalidateSites(): Promise<void> {
  invalidatePortfolio();
  await queryClient.invalidateQueries({ queryKey: siteKeys.all });
}

export function createSite(body: CreateSiteBody) {
  return data(api.POST('/api/v1/sites', { body }));
}

export function updateSite(id: string, body: UpdateSiteBody) {
  return data(api.PATCH('/api/v1/sites/{id}', { params: { path: { id } }, body }));
}

export function setSiteArchived(id: string, archived: boolean) {
  return archived
    ? data(api.POST('/api/v1/sites/{id}/archive', { params: { path: { id } } }))
    : data(api.POST('/api/v1/sites/{id}/unarchive', { params: { path: { id } } }));
}

export function createClosure(body: CreateClosureBody) {
  return data(api.POST('/api/v1/closures', { body }));
}

export function deleteClosure(id: string) {
  return data(api.DELETE('/api/v1/closures/{id}', { params: { path: { id } } }));
}

export async function updateOrganizationPolicy(policy: PolicyRules) {
  const saved = await data(api.PATCH('/api/v1/organization', { body: { policy } }));
  await queryClient.invalidateQueries({ queryKey: siteKeys.organizationPolicy });
  return saved;
}
