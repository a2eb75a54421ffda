import { describe, expect, it } from 'vitest';
import {
  type RegistrationRequest,
  categoryLimitReached,
  isBeforeCancelCutoff,
  isCheckInOpen,
  isInAudience,
  isoWeekOf,
  mayGiveFeedback,
  offerExpiry,
  registrationRefusals,
} from './registration-rules.ts';

const MIN = 60_000;
const start = Date.parse('2027-03-10T10:00:00+08:00');
const zone = 'Asia/Shanghai';

function request(overrides: { now?: number; partySize?: number; activity?: Partial<RegistrationRequest['activity']>; session?: Partial<RegistrationRequest['session']>; resident?: Partial<RegistrationRequest['resident']> } = {}): RegistrationRequest {
  return {
    now: overrides.now ?? start - 24 * 60 * MIN,
    partySize: overrides.partySize ?? 1,
    activity: { status: 'published', audience: { kind: 'everyone' }, maxPartySize: 2, registrationOpensAt: null, registrationClosesAt: null, ...overrides.activity },
    session: { status: 'scheduled', start, zone, ...overrides.session },
    resident: { homeSiteId: 'site-a', homeDistrict: '徐汇区', birthYear: 1990, ...overrides.resident },
  };
}
const codes = (r: RegistrationRequest) => registrationRefusals(r).map((x) => x.code);

describe('registrationRefusals', () => {
  it.each([
    ['an open, published session', request(), []],
    ['a cancelled session', request({ session: { status: 'cancelled' } }), ['SESSION_CANCELLED']],
    ['a cancelled activity', request({ activity: { status: 'cancelled' } }), ['SESSION_CANCELLED']],
    ['a draft activity', request({ activity: { status: 'draft' } }), ['ACTIVITY_NOT_PUBLISHED']],
    ['a completed activity', request({ activity: { status: 'completed' } }), ['SESSION_PAST']],
    ['a session that has started', request({ now: start }), ['SESSION_PAST']],
    ['before the window opens', request({ activity: { registrationOpensAt: start - 60 * MIN }, now: start - 61 * MIN }), ['REGISTRATION_NOT_OPEN']],
    ['at the window opening (inclusive)', request({ activity: { registrationOpensAt: start - 60 * MIN }, now: start - 60 * MIN }), []],
    ['at the window close (exclusive)', request({ activity: { registrationClosesAt: start - 60 * MIN }, now: start - 60 * MIN }), ['REGISTRATION_CLOSED']],
    ['a party larger than one registration may bring', request({ partySize: 3 }), ['PARTY_TOO_LARGE']],
    ['every reason at once', request({ partySize: 3, activity: { audience: { kind: 'home_site', siteId: 'site-b' } } }), ['PARTY_TOO_LARGE', 'NOT_IN_AUDIENCE']],
  ] as const)('%s', (_title, r, expected) => {
    expect(codes(r)).toEqual(expected);
  });
});

describe('isInAudience', () => {
  const session = { start, zone };
  const resident = { homeSiteId: 'site-a', homeDistrict: '徐汇区', birthYear: 1960 };
  it.each([
    [{ kind: 'everyone' }, resident, true],
    [{ kind: 'home_site', siteId: 'site-a' }, resident, true],
    [{ kind: 'home_site', siteId: 'site-b' }, resident, false],
    [{ kind: 'home_site', siteId: 'site-a' }, { ...resident, homeSiteId: null }, false],
    [{ kind: 'district', district: '徐汇区' }, resident, true],
    [{ kind: 'district', district: '静安区' }, resident, false],
    [{ kind: 'age_band', minAge: 60, maxAge: 120 }, resident, true],
    [{ kind: 'age_band', minAge: 68, maxAge: 120 }, resident, false],
    [{ kind: 'age_band', minAge: 0, maxAge: 66 }, resident, false],
    [{ kind: 'age_band', minAge: 0, maxAge: 120 }, { ...resident, birthYear: null }, false],
  ] as const)('%j for %j is %s', (audience, who, expected) => {
    expect(isInAudience(audience, who, session)).toBe(expected);
  });

  it('an age is the one reached in the session year in the site zone (New Year in Shanghai is still the old year in UTC)', () => {
    const newYear = Date.parse('2027-01-01T00:30:00+08:00');
    expect(isInAudience({ kind: 'age_band', minAge: 60, maxAge: 200 }, { ...resident, birthYear: 1967 }, { start: newYear, zone })).toBe(true);
    expect(isInAudience({ kind: 'age_band', minAge: 60, maxAge: 200 }, { ...resident, birthYear: 1967 }, { start: newYear, zone: 'UTC' })).toBe(false);
  });
});

describe('time rules', () => {
  it('the ISO week runs Monday to Monday in the site zone', () => {
    const week = isoWeekOf(Date.parse('2027-03-14T23:30:00+08:00'), zone); // a Sunday night
    expect(new Date(week.start).toISOString()).toBe('2027-03-07T16:00:00.000Z');
    expect(new Date(week.end).toISOString()).toBe('2027-03-14T16:00:00.000Z');
    const ny = isoWeekOf(Date.parse('2027-03-14T12:00:00-04:00'), 'America/New_York'); // DST starts that Sunday
    expect(ny.end - ny.start).toBe(7 * 24 * 60 * MIN - 60 * MIN);
  });

  it('the category limit counts open registrations against the limit; no limit never refuses', () => {
    expect(categoryLimitReached(1, 2)).toBe(false);
    expect(categoryLimitReached(2, 2)).toBe(true);
    expect(categoryLimitReached(99, null)).toBe(false);
  });

  it('cancellation is allowed until the cut-off, inclusive', () => {
    expect(isBeforeCancelCutoff(start - 120 * MIN, start, 120)).toBe(true);
    expect(isBeforeCancelCutoff(start - 119 * MIN, start, 120)).toBe(false);
  });

  it('check-in opens 30 minutes before the start and closes at the end', () => {
    const session = { start, end: start + 120 * MIN };
    expect(isCheckInOpen(start - 31 * MIN, session)).toBe(false);
    expect(isCheckInOpen(start - 30 * MIN, session)).toBe(true);
    expect(isCheckInOpen(session.end - 1, session)).toBe(true);
    expect(isCheckInOpen(session.end, session)).toBe(false);
  });

  it('an offer is held for its hold, never past the start', () => {
    expect(offerExpiry(start - 300 * MIN, 120, start)).toBe(start - 180 * MIN);
    expect(offerExpiry(start - 60 * MIN, 120, start)).toBe(start);
  });

  it('feedback comes from people who checked in, once the session ended', () => {
    const end = start + 60 * MIN;
    expect(mayGiveFeedback('checked_in', end, end)).toBe(true);
    expect(mayGiveFeedback('completed', end + 1, end)).toBe(true);
    expect(mayGiveFeedback('checked_in', end - 1, end)).toBe(false);
    expect(mayGiveFeedback('confirmed', end, end)).toBe(false);
    expect(mayGiveFeedback('no_show', end, end)).toBe(false);
  });
});
