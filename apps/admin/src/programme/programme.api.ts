/** The site team's side of activities (issue #11): activities, their sessions, registrants, walk-ins and feedback. */
import type {
  Activity,
  ActivityCategory,
  ActivitySession,
  ActivityWithSessions,
  CancelSessionBody,
  CreateActivityBody,
  CreateSessionsBody,
  CurrentUser,
  Partner,
  Programme,
  Registration,
  SessionFeedback,
  SessionRegistrations,
  SessionsResult,
  WalkIn,
  WalkInBody,
} from '@linli/contracts';
import { apiRequest, queryString } from '../api/client.ts';

const PAGE = 200;

/** Every activity the caller may see, page after page. */
export async function listAllActivities(signal?: AbortSignal): Promise<Activity[]> {
  const items: Activity[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await apiRequest<{ items: Activity[]; nextCursor: string | null }>('GET', `/api/v1/activities${queryString({ limit: PAGE, cursor })}`, { signal });
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export function getActivity(id: string, signal?: AbortSignal): Promise<ActivityWithSessions> {
  return apiRequest('GET', `/api/v1/activities/${id}`, { signal });
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

/** Published sessions with places left, for [from, to] (at most 62 days). */
export function getProgrammeOf(orgId: string, from: string, to: string, signal?: AbortSignal): Promise<Programme> {
  return apiRequest('GET', `/api/v1/programme${queryString({ orgId, from, to })}`, { signal });
}

export function listCategories(signal?: AbortSignal): Promise<{ items: ActivityCategory[] }> {
  return apiRequest('GET', '/api/v1/activity-categories', { signal });
}

export function listPartners(signal?: AbortSignal): Promise<{ items: Partner[] }> {
  return apiRequest('GET', '/api/v1/partners', { signal });
}

/** Staff accounts of the organization (org admins only may list users). */
export async function listStaff(signal?: AbortSignal): Promise<CurrentUser[]> {
  const users = await apiRequest<{ items: CurrentUser[] }>('GET', `/api/v1/users${queryString({ limit: PAGE })}`, { signal });
  return users.items.filter((u) => u.role !== 'resident');
}

export function createActivity(body: CreateActivityBody): Promise<Activity> {
  return apiRequest('POST', '/api/v1/activities', { body });
}

export function createSessions(activityId: string, body: CreateSessionsBody): Promise<SessionsResult> {
  return apiRequest('POST', `/api/v1/activities/${activityId}/sessions`, { body });
}

export function publishActivity(activity: Pick<Activity, 'id' | 'version'>): Promise<Activity> {
  return apiRequest('POST', `/api/v1/activities/${activity.id}/publish`, { headers: { 'If-Match': `"${activity.version}"` } });
}

export function cancelActivity(activity: Pick<Activity, 'id' | 'version'>, reason: string): Promise<ActivityWithSessions> {
  const body: CancelSessionBody = reason ? { reason } : {};
  return apiRequest('POST', `/api/v1/activities/${activity.id}/cancel`, { body, headers: { 'If-Match': `"${activity.version}"` } });
}

export function cancelSession(session: Pick<ActivitySession, 'id' | 'version'>, reason: string): Promise<ActivitySession> {
  const body: CancelSessionBody = reason ? { reason } : {};
  return apiRequest('POST', `/api/v1/activity-sessions/${session.id}/cancel`, { body, headers: { 'If-Match': `"${session.version}"` } });
}

export function getSessionRegistrations(sessionId: string, signal?: AbortSignal): Promise<SessionRegistrations> {
  return apiRequest('GET', `/api/v1/activity-sessions/${sessionId}/registrations`, { signal });
}

export function getSessionFeedback(sessionId: string, signal?: AbortSignal): Promise<SessionFeedback> {
  return apiRequest('GET', `/api/v1/activity-sessions/${sessionId}/feedback`, { signal });
}

/** Staff mark someone arrived: no code needed. */
export function checkInRegistrant(registrationId: string): Promise<Registration> {
  return apiRequest('POST', `/api/v1/registrations/${registrationId}/check-in`, { body: {} });
}

export function recordWalkIn(sessionId: string, body: WalkInBody): Promise<WalkIn> {
  return apiRequest('POST', `/api/v1/activity-sessions/${sessionId}/walk-ins`, { body });
}
