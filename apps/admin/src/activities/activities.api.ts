/** The resident's side of activities (issue #11): the programme, registering, and what they registered for. */
import type {
  ActivityCategory,
  Feedback,
  FeedbackBody,
  MyRegistrations,
  Programme,
  RegisterForSessionBody,
  Registration,
  RegistrationCheckInBody,
  SessionWaitlistEntry,
} from '@linli/contracts';
import { apiRequest, queryString } from '../api/client.ts';

export interface ProgrammeFilter {
  orgId: string;
  from?: string;
  to?: string;
  category?: string;
  district?: string;
}

export function getProgramme(filter: ProgrammeFilter, signal?: AbortSignal): Promise<Programme> {
  return apiRequest<Programme>('GET', `/api/v1/programme${queryString({ ...filter })}`, { signal });
}

export function listActivityCategories(signal?: AbortSignal): Promise<{ items: ActivityCategory[] }> {
  return apiRequest('GET', '/api/v1/activity-categories', { signal });
}

/** 201 with a registration when places were left, 202 with a place in line when the session is full. */
export type RegisterOutcome = { registration: Registration } | { waitlisted: SessionWaitlistEntry };

export function registerForSession(sessionId: string, partySize: number): Promise<RegisterOutcome> {
  const body: RegisterForSessionBody = { partySize };
  return apiRequest('POST', `/api/v1/activity-sessions/${sessionId}/registrations`, { body });
}

export function listMyRegistrations(signal?: AbortSignal): Promise<MyRegistrations> {
  return apiRequest('GET', '/api/v1/me/registrations', { signal });
}

export function cancelRegistration(id: string): Promise<Registration> {
  return apiRequest('POST', `/api/v1/registrations/${id}/cancel`, { body: {} });
}

export function acceptRegistrationOffer(id: string): Promise<Registration> {
  return apiRequest('POST', `/api/v1/registrations/${id}/accept-offer`);
}

export function checkInRegistration(id: string, code: string): Promise<Registration> {
  const body: RegistrationCheckInBody = { code };
  return apiRequest('POST', `/api/v1/registrations/${id}/check-in`, { body });
}

export function giveFeedback(id: string, body: FeedbackBody): Promise<Feedback> {
  return apiRequest('POST', `/api/v1/registrations/${id}/feedback`, { body });
}
