import type {
  CreateSpaceBody,
  EffectivePolicyResponse,
  SearchSpacesResponse,
  Space,
  SpaceAvailability,
  UpdateSpaceBody,
} from '@linli/contracts';
import { apiRequest, queryString } from '../api/client.ts';

export function listSpaces(
  siteId: string | undefined,
  signal?: AbortSignal,
  { includeArchived = false, cursor }: { includeArchived?: boolean; cursor?: string } = {},
): Promise<{ items: Space[]; nextCursor: string | null }> {
  return apiRequest('GET', `/api/v1/spaces${queryString({ siteId, limit: 200, cursor, includeArchived: includeArchived || undefined })}`, { signal });
}

/** Every space (of a site, or in scope), page after page. */
export async function listAllSpaces(siteId: string | undefined, signal?: AbortSignal, includeArchived = false): Promise<Space[]> {
  const items: Space[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await listSpaces(siteId, signal, { includeArchived, ...(cursor ? { cursor } : {}) });
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export function createSpace(body: CreateSpaceBody): Promise<Space> {
  return apiRequest<Space>('POST', '/api/v1/spaces', { body });
}

export function updateSpace(id: string, body: UpdateSpaceBody): Promise<Space> {
  return apiRequest<Space>('PATCH', `/api/v1/spaces/${id}`, { body });
}

export function setSpaceArchived(id: string, archived: boolean): Promise<Space> {
  return apiRequest<Space>('POST', `/api/v1/spaces/${id}/${archived ? 'archive' : 'unarchive'}`, {});
}

export function getEffectivePolicy(id: string, signal?: AbortSignal): Promise<EffectivePolicyResponse> {
  return apiRequest<EffectivePolicyResponse>('GET', `/api/v1/spaces/${id}/policy`, { signal });
}

export interface AvailabilityQuery {
  from: string;
  to: string;
  durationMinutes?: number;
  partySize?: number;
}

export function getSpaceAvailability(id: string, query: AvailabilityQuery, signal?: AbortSignal): Promise<SpaceAvailability> {
  return apiRequest<SpaceAvailability>('GET', `/api/v1/spaces/${id}/availability${queryString({ ...query })}`, { signal });
}

export interface SpaceSearch {
  startAt: string;
  endAt: string;
  partySize?: number;
  features?: string[];
  kind?: string;
  siteKind?: string;
  district?: string;
  nearSiteId?: string;
}

export function searchSpaces(search: SpaceSearch, signal?: AbortSignal): Promise<SearchSpacesResponse> {
  const { features, ...rest } = search;
  return apiRequest<SearchSpacesResponse>('GET', `/api/v1/availability/search${queryString({ ...rest, features: features?.join(','), limit: 30 })}`, {
    signal,
  });
}
