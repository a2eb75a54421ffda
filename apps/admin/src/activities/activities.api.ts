/**
 * The resident's side of activities (issue #11): the programme, registering, and what they registered for, through
 * the typed client, with the query keys TanStack Query caches them under. Registering or cancelling changes places
 * left and the resident's own list, so both key families are invalidated together (`invalidateRegistrations`).
 */
import type { ActivityCategory, Feedback, FeedbackBody, MyRegistrations, Programme, Registration, SessionWaitlistEntry } from '@linli/contracts';
import { queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

export interface ProgrammeFilter {
  orgId: string;
  from?: string;
  to?: string;
  category?: string | undefined;
  district?: string;
}

export function getProgramme(filter: ProgrammeFilter, signal?: AbortSignal): Promise<Programme> {
  const { category, ...rest } = filter;
  return data(api.GET('/api/v1/programme', { params: { query: { ...rest, ...(category ? { category } : {}) } }, signal })) as Promise<Programme>;
}

export function listActivityCategories(signal?: AbortSignal): Promise<{ items: ActivityCategory[] }> {
  return data(api.GET('/api/v1/activity-categories', { signal }));
}

/** 201 with a registration when places were left, 202 with a place in line when the session is full. */
export type RegisterOutcome = { registration: Registration } | { waitlisted: SessionWaitlistEntry };

export function registerForSession(sessionId: string, partySize: number): Promise<RegisterOutcome> {
  return data(api.POST('/api/v1/activity-sessions/{id}/registrations', { params: { path: { id: sessionId } }, body: { partySize } })) as Promise<RegisterOutcome>;
}

export function listMyRegistrations(signal?: AbortSignal): Promise<MyRegistrations> {
  return data(api.GET('/api/v1/me/registrations', { signal })) as Promise<MyRegistrations>;
}

export function cancelRegistration(id: string): Promise<Registration> {
  return data(api.POST('/api/v1/registrations/{id}/cancel', { params: { path: { id } }, body: {} })) as Promise<Registration>;
}

export function acceptRegistrationOffer(id: string): Promise<Registration> {
  return data(api.POST('/api/v1/registrations/{id}/accept-offer', { params: { path: { id } } })) as Promise<Registration>;
}

export function checkInRegistration(id: string, code: string): Promise<Registration> {
  return data(api.POST('/api/v1/registrations/{id}/check-in', { params: { path: { id } }, body: { code } })) as Promise<Registration>;
}

export function giveFeedback(id: string, body: FeedbackBody): Promise<Feedback> {
  return data(api.POST('/api/v1/registrations/{id}/feedback', { params: { path: { id } }, body })) as Promise<Feedback>;
}

// ---- Query keys and options ----

/** Keyed by the person, so whoever signs in next on this device never sees the last one's registrations. */
export const activityKeys = {
  categories: () => ['activity-categories'] as const,
  /** Every programme answer (the resident's and the site team's): places left change with every registration. */
  programmes: () => ['programme'] as const,
  programme: (filter: ProgrammeFilter) => ['programme', filter] as const,
  mine: (userId: string) => ['registrations', userId] as const,
};

export const activityQueries = {
  categories: () =>
    queryOptions({ queryKey: activityKeys.categories(), queryFn: ({ signal }) => listActivityCategories(signal), staleTime: 10 * 60_000 }),
  programme: (filter: ProgrammeFilter) => queryOptions({ queryKey: activityKeys.programme(filter), queryFn: ({ signal }) => getProgramme(filter, signal) }),
  mine: (userId: string) => queryOptions({ queryKey: activityKeys.mine(userId), queryFn: ({ signal }) => listMyRegistrations(signal) }),
};

/** After registering, cancelling, accepting or checking in: places left and the resident's own list are read again. */
export async function invalidateRegistrations(userId: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: activityKeys.mine(userId) }),
    queryClient.invalidateQueries({ queryKey: activityKeys.programmes() }),
  ]);
}
