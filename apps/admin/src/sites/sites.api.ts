import type { Closure, CreateClosureBody, CreateSiteBody, Organization, PolicyAtLevel, PolicyRules, Site, UpdateSiteBody } from '@linli/contracts';
import { apiRequest, queryString } from '../api/client.ts';

export interface SitePage {
  items: Site[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** The API's largest page; a portfolio beyond it needs paging or filters in the UI (a later issue). */
const SITES_PAGE_SIZE = 200;

export function listSites(signal?: AbortSignal, { includeArchived = false } = {}): Promise<SitePage> {
  return apiRequest<SitePage>('GET', `/api/v1/sites${queryString({ limit: SITES_PAGE_SIZE, includeArchived: includeArchived || undefined })}`, {
    signal,
  });
}

export function createSite(body: CreateSiteBody): Promise<Site> {
  return apiRequest<Site>('POST', '/api/v1/sites', { body });
}

export function updateSite(id: string, body: UpdateSiteBody): Promise<Site> {
  return apiRequest<Site>('PATCH', `/api/v1/sites/${id}`, { body });
}

export function setSiteArchived(id: string, archived: boolean): Promise<Site> {
  return apiRequest<Site>('POST', `/api/v1/sites/${id}/${archived ? 'archive' : 'unarchive'}`, {});
}

export function listClosures(siteId: string, signal?: AbortSignal): Promise<{ items: Closure[]; nextCursor: string | null }> {
  return apiRequest('GET', `/api/v1/closures${queryString({ siteId, limit: 200 })}`, { signal });
}

export function createClosure(body: CreateClosureBody): Promise<Closure> {
  return apiRequest<Closure>('POST', '/api/v1/closures', { body });
}

export function deleteClosure(id: string): Promise<void> {
  return apiRequest<void>('DELETE', `/api/v1/closures/${id}`);
}

/** A site's own booking rules beside what it inherits from the organization. */
export function getSitePolicy(id: string, signal?: AbortSignal): Promise<PolicyAtLevel> {
  return apiRequest<PolicyAtLevel>('GET', `/api/v1/sites/${id}/policy`, { signal });
}

/** The organization's own booking rules beside the defaults. */
export function getOrganizationPolicy(signal?: AbortSignal): Promise<PolicyAtLevel> {
  return apiRequest<PolicyAtLevel>('GET', '/api/v1/organization/policy', { signal });
}

export function updateOrganizationPolicy(policy: PolicyRules): Promise<Organization> {
  return apiRequest<Organization>('PATCH', '/api/v1/organization', { body: { policy } });
}
