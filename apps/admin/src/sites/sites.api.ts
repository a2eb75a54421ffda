import type { Site } from '@linli/contracts';
import { apiRequest } from '../api/client.ts';

export interface SitePage {
  items: Site[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** The API's largest page; a portfolio beyond it needs paging or filters in the UI (a later issue). */
const SITES_PAGE_SIZE = 200;

export function listSites(signal?: AbortSignal): Promise<SitePage> {
  return apiRequest<SitePage>('GET', `/api/v1/sites?limit=${SITES_PAGE_SIZE}`, { signal });
}
