/**
 * What the resident's pages ask the API, through the typed client, as TanStack Query options with their keys:
 * free and taken times of a space, the portfolio search, a space's rules, and the resident's waitlist. Bookings
 * themselves are the bookings module's (bookingQueries, invalidateBookings).
 */
import type { CreateWaitlistBody, EffectivePolicyResponse, SearchSpacesResponse, SpaceAvailability, WaitlistEntry } from '@linli/contracts';
import { queryOptions, skipToken } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

export interface SlotsAsked {
  spaceId: string;
  /** Local date (YYYY-MM-DD) in the space's site zone. */
  date: string;
  durationMinutes: number;
  partySize: number;
}

export interface SearchAsked {
  startAt: string;
  endAt: string;
  partySize: number;
  features: string[];
  siteKind?: string;
  district?: string;
  nearSiteId?: string;
}

/** Results per search: one screen of cards. */
const SEARCH_LIMIT = 30;

export const residentKeys = {
  slots: (asked: SlotsAsked) => ['availability', 'slots', asked] as const,
  search: (asked: SearchAsked | null) => ['availability', 'search', asked] as const,
  policy: (spaceId: string) => ['spaces', 'policy', spaceId] as const,
  waitlist: ['waitlist', 'mine'] as const,
};

function searchFreeSpaces(asked: SearchAsked, signal: AbortSignal): Promise<SearchSpacesResponse> {
  const { features, ...rest } = asked;
  return data(
    api.GET('/api/v1/availability/search', {
      params: { query: { ...rest, ...(features.length ? { features: features.join(',') } : {}), limit: SEARCH_LIMIT } },
      signal,
    }),
  ) as Promise<SearchSpacesResponse>;
}

export const residentQueries = {
  /** Free and taken slots of one space on one local day. */
  slots: (asked: SlotsAsked) =>
    queryOptions({
      queryKey: residentKeys.slots(asked),
      queryFn: ({ signal }) =>
        data(
          api.GET('/api/v1/spaces/{id}/availability', {
            params: { path: { id: asked.spaceId }, query: { from: asked.date, to: asked.date, durationMinutes: asked.durationMinutes, partySize: asked.partySize } },
            signal,
          }),
        ) as Promise<SpaceAvailability>,
    }),
  /** Nothing is asked before the first search (null). */
  search: (asked: SearchAsked | null) =>
    queryOptions({
      queryKey: residentKeys.search(asked),
      queryFn: asked ? ({ signal }) => searchFreeSpaces(asked, signal) : skipToken,
    }),
  policy: (spaceId: string) =>
    queryOptions({
      queryKey: residentKeys.policy(spaceId),
      queryFn: ({ signal }) => data(api.GET('/api/v1/spaces/{id}/policy', { params: { path: { id: spaceId } }, signal })) as Promise<EffectivePolicyResponse>,
      staleTime: 5 * 60_000,
    }),
  waitlist: () =>
    queryOptions({
      queryKey: residentKeys.waitlist,
      queryFn: async ({ signal }) => ((await data(api.GET('/api/v1/me/waitlist', { signal }))) as { items: WaitlistEntry[] }).items,
    }),
};

export async function joinWaitlist(body: CreateWaitlistBody): Promise<WaitlistEntry> {
  return data(api.POST('/api/v1/waitlist', { body })) as Promise<WaitlistEntry>;
}

export async function leaveWaitlist(id: string): Promise<WaitlistEntry> {
  return data(api.POST('/api/v1/waitlist/{id}/leave', { params: { path: { id } } })) as Promise<WaitlistEntry>;
}

/** After joining, leaving, or a booking that moves a line: the resident's entries and every slot list ask again. */
export async function invalidateWaitlist(): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: residentKeys.waitlist }),
    queryClient.invalidateQueries({ queryKey: ['availability'] }),
  ]);
}
