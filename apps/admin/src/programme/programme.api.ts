/**
 * The site team's side of activities (issue #11): activities, their sessions, registrants, walk-ins and feedback,
 * through the typed client, with the query keys TanStack Query caches them under. A change to an activity or a
 * session invalidates 'activities' (lists and the open drawer) and 'programme' (places left) together.
 */
import type {
  Activity,
  ActivitySession,
  ActivityWithSessions,
  CreateActivityBody,
  CreateSessionsBody,
  CurrentUser,
  Partner,
  SessionFeedback,
  SessionRegistrations,
  SessionsResult,
  WalkIn,
  WalkInBody,
  Registration,
} from '@linli/contracts';
import { queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';
import { activityKeys, getProgramme } from '../activities/activities.api.ts';

export { activityKeys, activityQueries } from '../activities/activities.api.ts';

const PAGE = 200;
/** 50 pages of 200: far beyond an organization's activities; the loop stops on the last page long before. */
const MAX_PAGES = 50;

/** Every activity the caller may see, page after page. */
export async function listAllActivities(signal?: AbortSignal): Promise<Activity[]> {
  const items: Activity[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await data(api.GET('/api/v1/activities', { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } }, signal }));
    items.push(...(result.items as Activity[]));
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export function getActivity(id: string, signal?: AbortSignal): Promise<ActivityWithSessions> {
  return data(api.GET('/api/v1/activities/{id}', { params: { path: { id } }, signal })) as Promise<ActivityWithSessions>;
}

/** Every activity with its sessions (the list answer carries no sessions, so each is read; a handful at a time). */
export async function listActivitiesWithSessions(signal?: AbortSignal): Promise<ActivityWithSessions[]> {
  const activities = await listAllActivities(signal);
  const result: ActivityWithSessions[] = [];
  for (let i = 0; i < activities.length; i += 8) {
    result.push(...(await Promise.all(activities.slice(i, i + 8).map((a) => getActivity(a.id, signal)))));
  }
  return result;
}

export function listPartners(signal?: AbortSignal): Promise<{ items: Partner[] }> {
  return data(api.GET('/api/v1/partners', { signal })) as Promise<{ items: Partner[] }>;
}

/** Staff accounts of the organization (org admins only may list users). */
export async function listStaff(signal?: AbortSignal): Promise<CurrentUser[]> {
  const users = await data(api.GET('/api/v1/users', { params: { query: { limit: PAGE } }, signal }));
  return (users.items as CurrentUser[]).filter((u) => u.role !== 'resident');
}

export function createActivity(body: CreateActivityBody): Promise<Activity> {
  return data(api.POST('/api/v1/activities', { body })) as Promise<Activity>;
}

export function createSessions(activityId: string, body: CreateSessionsBody): Promise<SessionsResult> {
  return data(api.POST('/api/v1/activities/{id}/sessions', { params: { path: { id: activityId } }, body })) as Promise<SessionsResult>;
}

/** If-Match carries the version read, so a change made meanwhile by someone else is refused, not overwritten. */
const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });

export function publishActivity(activity: Pick<Activity, 'id' | 'version'>): Promise<Activity> {
  return data(api.POST('/api/v1/activities/{id}/publish', { params: { path: { id: activity.id }, header: ifMatch(activity.version) } })) as Promise<Activity>;
}

export function cancelActivity(activity: Pick<Activity, 'id' | 'version'>, reason: string): Promise<ActivityWithSessions> {
  return data(
    api.POST('/api/v1/activities/{id}/cancel', { params: { path: { id: activity.id }, header: ifMatch(activity.version) }, body: reason ? { reason } : {} }),
  ) as Promise<ActivityWithSessions>;
}

export function cancelSession(session: Pick<ActivitySession, 'id' | 'version'>, reason: string): Promise<ActivitySession> {
  return data(
    api.POST('/api/v1/activity-sessions/{id}/cancel', { params: { path: { id: session.id }, header: ifMatch(session.version) }, body: reason ? { reason } : {} }),
  ) as Promise<ActivitySession>;
}

export function getSessionRegistrations(sessionId: string, signal?: AbortSignal): Promise<SessionRegistrations> {
  return data(api.GET('/api/v1/activity-sessions/{id}/registrations', { params: { path: { id: sessionId } }, signal })) as Promise<SessionRegistrations>;
}

export function getSessionFeedback(sessionId: string, signal?: AbortSignal): Promise<SessionFeedback> {
  return data(api.GET('/api/v1/activity-sessions/{id}/feedback', { params: { path: { id: sessionId } }, signal })) as Promise<SessionFeedback>;
}

/** Staff mark someone arrived: no code needed. */
export function checkInRegistrant(registrationId: string): Promise<Registration> {
  return data(api.POST('/api/v1/registrations/{id}/check-in', { params: { path: { id: registrationId } }, body: {} })) as Promise<Registration>;
}

export function recordWalkIn(sessionId: string, body: WalkInBody): Promise<WalkIn> {
  return data(api.POST('/api/v1/activity-sessions/{id}/walk-ins', { params: { path: { id: sessionId } }, body })) as Promise<WalkIn>;
}

// ---- Query keys and options ----

export const programmeKeys = {
  activities: () => ['activities'] as const,
  withSessions: () => ['activities', 'with-sessions'] as const,
  activity: (id: string) => ['activities', 'one', id] as const,
  partners: () => ['partners'] as const,
  staff: () => ['users', 'staff'] as const,
  /** Everything about one session; registrations and walk-ins change it, so the whole family is invalidated. */
  session: (id: string) => ['activity-session', id] as const,
  registrations: (id: string) => ['activity-session', id, 'registrations'] as const,
  feedback: (id: string) => ['activity-session', id, 'feedback'] as const,
};

export const programmeQueries = {
  withSessions: () => queryOptions({ queryKey: programmeKeys.withSessions(), queryFn: ({ signal }) => listActivitiesWithSessions(signal) }),
  activity: (id: string) => queryOptions({ queryKey: programmeKeys.activity(id), queryFn: ({ signal }) => getActivity(id, signal) }),
  partners: () => queryOptions({ queryKey: programmeKeys.partners(), queryFn: async ({ signal }) => (await listPartners(signal)).items, staleTime: 5 * 60_000 }),
  staff: () => queryOptions({ queryKey: programmeKeys.staff(), queryFn: ({ signal }) => listStaff(signal), staleTime: 5 * 60_000 }),
  /** Places left of published sessions in [from, to] (at most 62 days). */
  placesLeft: (orgId: string, from: string, to: string) =>
    queryOptions({ queryKey: activityKeys.programme({ orgId, from, to }), queryFn: ({ signal }) => getProgramme({ orgId, from, to }, signal) }),
  registrations: (sessionId: string) => queryOptions({ queryKey: programmeKeys.registrations(sessionId), queryFn: ({ signal }) => getSessionRegistrations(sessionId, signal) }),
  feedback: (sessionId: string) => queryOptions({ queryKey: programmeKeys.feedback(sessionId), queryFn: ({ signal }) => getSessionFeedback(sessionId, signal) }),
};

/** After any change to an activity, a session or its registrants: lists, the open activity and places left. */
export async function invalidateProgramme(sessionId?: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: programmeKeys.activities() }),
    queryClient.invalidateQueries({ queryKey: activityKeys.programmes() }),
    ...(sessionId ? [queryClient.invalidateQueries({ queryKey: programmeKeys.session(sessionId) })] : []),
  ]);
}
