/**
 * Rules for a resident's place in an activity session: who may register and when, how many they may bring, when
 * they may still cancel, check in and rate it. Pure functions of instants (epoch ms) and plain values; whether
 * places are left is the claims engine's judgement (`judgeClaim`, counted), not a rule here.
 */
import { DateTime } from 'luxon';
import type { InstantRange } from './time.ts';

const MINUTE_MS = 60_000;
/** Check-in opens this long before a session starts and stays open until it ends. */
export const CHECK_IN_OPENS_BEFORE_MS = 30 * MINUTE_MS;

export type ActivityAudience =
  | { kind: 'everyone' }
  | { kind: 'home_site'; siteId: string }
  | { kind: 'district'; district: string }
  | { kind: 'age_band'; minAge: number; maxAge: number };

export const REGISTRATION_REFUSAL_CODES = [
  'ACTIVITY_NOT_PUBLISHED',
  'SESSION_CANCELLED',
  'SESSION_PAST',
  'REGISTRATION_NOT_OPEN',
  'REGISTRATION_CLOSED',
  'PARTY_TOO_LARGE',
  'NOT_IN_AUDIENCE',
] as const;
export type RegistrationRefusalCode = (typeof REGISTRATION_REFUSAL_CODES)[number];

export interface RegistrationRefusal {
  code: RegistrationRefusalCode;
  params?: Record<string, string | number>;
}

export interface RegistrationRequest {
  now: number;
  partySize: number;
  activity: {
    status: string;
    audience: ActivityAudience;
    maxPartySize: number;
    registrationOpensAt: number | null;
    registrationClosesAt: number | null;
  };
  session: { status: string; start: number; zone: string };
  resident: { homeSiteId: string | null; homeDistrict: string | null; birthYear: number | null };
}

/** Every reason a registration is refused, most fundamental first (the API answers with the first). */
export function registrationRefusals(request: RegistrationRequest): RegistrationRefusal[] {
  const { now, activity, session } = request;
  if (activity.status === 'cancelled' || session.status === 'cancelled') return [{ code: 'SESSION_CANCELLED' }];
  if (activity.status !== 'published') return [{ code: activity.status === 'completed' ? 'SESSION_PAST' : 'ACTIVITY_NOT_PUBLISHED' }];
  if (now >= session.start) return [{ code: 'SESSION_PAST' }];
  const refusals: RegistrationRefusal[] = [];
  const window = registrationWindow(activity, session.start);
  if (window.opensAt !== null && now < window.opensAt) refusals.push({ code: 'REGISTRATION_NOT_OPEN', params: { opensAt: new Date(window.opensAt).toISOString() } });
  if (now >= window.closesAt) refusals.push({ code: 'REGISTRATION_CLOSED', params: { closedAt: new Date(window.closesAt).toISOString() } });
  if (request.partySize > activity.maxPartySize) refusals.push({ code: 'PARTY_TOO_LARGE', params: { maxPartySize: activity.maxPartySize } });
  if (!isInAudience(activity.audience, request.resident, session)) refusals.push({ code: 'NOT_IN_AUDIENCE', params: { audience: activity.audience.kind } });
  return refusals;
}

/** Registration is open from `opensAt` (null: since publication) until `closesAt`, by default the session's start. */
export function registrationWindow(activity: Pick<RegistrationRequest['activity'], 'registrationOpensAt' | 'registrationClosesAt'>, sessionStart: number) {
  const closesAt = Math.min(activity.registrationClosesAt ?? sessionStart, sessionStart);
  return { opensAt: activity.registrationOpensAt, closesAt };
}

/**
 * Whether a resident belongs to the audience. Only a birth year is known, so a resident's age is the one they reach
 * in the session's calendar year (site zone); a resident without a birth year is outside every age band.
 */
export function isInAudience(audience: ActivityAudience, resident: RegistrationRequest['resident'], session: { start: number; zone: string }): boolean {
  switch (audience.kind) {
    case 'everyone':
      return true;
    case 'home_site':
      return resident.homeSiteId === audience.siteId;
    case 'district':
      return resident.homeDistrict === audience.district;
    case 'age_band': {
      if (resident.birthYear === null) return false;
      const age = DateTime.fromMillis(session.start, { zone: session.zone }).year - resident.birthYear;
      return age >= audience.minAge && age <= audience.maxAge;
    }
  }
}

/** The ISO week (Monday 00:00 to the next Monday, in the site's zone) an instant falls in: the per-week limit's span. */
export function isoWeekOf(instant: number, zone: string): InstantRange {
  const monday = DateTime.fromMillis(instant, { zone }).startOf('week');
  return { start: monday.toMillis(), end: monday.plus({ weeks: 1 }).toMillis() };
}

/** At most `limit` open registrations per resident in a category per week; null means no limit. */
export const categoryLimitReached = (openInWeek: number, limit: number | null): boolean => limit !== null && openInWeek >= limit;

/** A resident may cancel until `cutoffMinutes` before the start; staff may cancel at any time. */
export const isBeforeCancelCutoff = (now: number, sessionStart: number, cutoffMinutes: number): boolean => now <= sessionStart - cutoffMinutes * MINUTE_MS;

/** Check-in is open from 30 minutes before the start until the end. */
export const isCheckInOpen = (now: number, session: InstantRange): boolean => now >= session.start - CHECK_IN_OPENS_BEFORE_MS && now < session.end;

/** An offer is held for `holdMinutes`, never beyond the session's start. */
export const offerExpiry = (now: number, holdMinutes: number, sessionStart: number): number => Math.min(now + holdMinutes * MINUTE_MS, sessionStart);

/** Feedback comes from people who checked in, once the session has ended. */
export const mayGiveFeedback = (registrationStatus: string, now: number, sessionEnd: number): boolean =>
  (registrationStatus === 'checked_in' || registrationStatus === 'completed') && now >= sessionEnd;
