import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  type ActorRole,
  type BookingPolicy,
  type BookingRequestInput,
  type BookingStatus,
  type BookingTerms,
  BOOKING_REFUSAL_CODES,
  CHECK_IN_OPENS_MINUTES_BEFORE_START,
  bookingHorizon,
  checkBookingRequest,
  checkCancellation,
  changeNeedsApproval,
  checkInWindow,
  isNoShowDue,
} from './booking-rules.ts';
import type { WeeklyHours } from './opening-hours.ts';
import type { InstantRange } from './time.ts';

const SHANGHAI = 'Asia/Shanghai';
const NEW_YORK = 'America/New_York';
const MINUTE = 60_000;

function at(local: string, zone = SHANGHAI): number {
  return DateTime.fromFormat(local, 'yyyy-MM-dd HH:mm', { zone }).toMillis();
}

function range(start: string, end: string, zone = SHANGHAI): InstantRange {
  return { start: at(start, zone), end: at(end, zone) };
}

function everyDay(...intervals: [string, string][]): WeeklyHours {
  const day = intervals.map(([start, end]) => ({ start, end }));
  return { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
}

// Monday 2026-03-02 10:00 in Shanghai; the default request is Tuesday 14:00-15:00.
const BASE: BookingRequestInput = {
  range: range('2026-03-03 14:00', '2026-03-03 15:00'),
  partySize: 2,
  now: at('2026-03-02 10:00'),
  zone: SHANGHAI,
  policy: {
    slotMinutes: 30,
    minDurationMinutes: 30,
    maxDurationMinutes: 240,
    leadTimeMinutes: 60,
    horizonDays: 14,
    quotaPerDayCount: null,
    quotaPerDayMinutes: null,
    quotaPerWeekCount: null,
    quotaPerWeekMinutes: null,
  },
  hours: everyDay(['09:00', '21:00']),
  closures: [],
  space: { siteId: 'site-a', siteDistrict: '徐汇区', capacity: 8, bookableBy: 'residents', openTo: 'everyone' },
  actor: { role: 'resident', homeSiteId: 'site-a', homeDistrict: '徐汇区' },
  heldBookingsInQuotaScope: [],
};

type RequestOverrides = Omit<Partial<BookingRequestInput>, 'policy'> & { policy?: Partial<BookingPolicy> };

function check(overrides: RequestOverrides) {
  return checkBookingRequest({ ...BASE, ...overrides, policy: { ...BASE.policy, ...overrides.policy } });
}

function codes(overrides: RequestOverrides): string[] {
  return check(overrides).map((r) => r.code);
}

const STAFF_ROLES: ActorRole[] = ['org_admin', 'site_manager', 'staff'];
const STAFF_ONLY_SPACE_A = { ...BASE.space, bookableBy: 'staff_only' as const };

describe('checkBookingRequest', () => {
  it('allows a plain request', () => {
    expect(check({})).toEqual([]);
  });

  it.each([
    ['end equal to start', range('2026-03-03 14:00', '2026-03-03 14:00')],
    ['end before start', range('2026-03-03 15:00', '2026-03-03 14:00')],
  ])('INVALID_INTERVAL for %s, and nothing else', (_name, r) => {
    expect(check({ range: r })).toEqual([{ code: 'INVALID_INTERVAL' }]);
  });

  describe('slot grid (local wall clock)', () => {
    it.each([
      ['14:00', '15:00', null],
      ['14:30', '15:00', null],
      ['14:15', '15:00', 'start'],
      ['14:00', '15:10', 'end'],
      ['14:10', '15:10', 'start,end'],
    ])('%s-%s', (start, end, offGrid) => {
      const refusals = check({ range: range(`2026-03-03 ${start}`, `2026-03-03 ${end}`) }).filter((r) => r.code === 'NOT_ON_SLOT_GRID');
      expect(refusals).toEqual(offGrid === null ? [] : [{ code: 'NOT_ON_SLOT_GRID', params: { slotMinutes: 30, offGrid } }]);
    });

    it('a start one second off the grid is off the grid', () => {
      const r = range('2026-03-03 14:00', '2026-03-03 15:00');
      expect(codes({ range: { start: r.start + 1000, end: r.end } })).toContain('NOT_ON_SLOT_GRID');
    });

    it('Asia/Kathmandu (+05:45): 14:00 local is on the grid although it is :15 UTC', () => {
      const zone = 'Asia/Kathmandu';
      expect(codes({ zone, range: range('2026-03-03 14:00', '2026-03-03 15:00', zone), now: at('2026-03-02 10:00', zone) })).toEqual([]);
      expect(new Date(at('2026-03-03 14:00', zone)).toISOString()).toBe('2026-03-03T08:15:00.000Z');
    });

    it('staff are held to the grid too', () => {
      const actor = { role: 'staff' as const, homeSiteId: null, homeDistrict: null };
      expect(codes({ actor, range: range('2026-03-03 14:15', '2026-03-03 15:15') })).toEqual(['NOT_ON_SLOT_GRID']);
    });
  });

  describe('duration', () => {
    // A 1-minute grid isolates the duration rule.
    it.each([
      [29, ['DURATION_TOO_SHORT']],
      [30, []],
      [31, []],
      [239, []],
      [240, []],
      [241, ['DURATION_TOO_LONG']],
    ])('%i minutes', (minutes, expected) => {
      const start = at('2026-03-03 12:00');
      expect(codes({ policy: { slotMinutes: 1 }, range: { start, end: start + minutes * MINUTE } })).toEqual(expected);
    });

    it('says how long the booking is and what the limit is', () => {
      expect(check({ range: range('2026-03-03 09:00', '2026-03-03 14:00') })).toEqual([
        { code: 'DURATION_TOO_LONG', params: { minutes: 300, maxDurationMinutes: 240 } },
      ]);
    });
  });

  describe('past, lead time and horizon', () => {
    const now = at('2026-03-03 12:00');
    it.each([
      ['one minute ago', -1, ['IN_THE_PAST']],
      ['exactly now, with a 60-minute lead time', 0, ['LEAD_TIME_NOT_MET']],
      ['59 minutes ahead', 59, ['LEAD_TIME_NOT_MET']],
      ['exactly 60 minutes ahead', 60, []],
      ['61 minutes ahead', 61, []],
    ])('a resident starting %s', (_name, minutesAhead, expected) => {
      const start = now + minutesAhead * MINUTE;
      expect(codes({ now, policy: { slotMinutes: 1 }, range: { start, end: start + 60 * MINUTE } })).toEqual(expected);
    });

    it('gives the lead time and the earliest start', () => {
      expect(check({ now, range: range('2026-03-03 12:30', '2026-03-03 13:30') })).toEqual([
        { code: 'LEAD_TIME_NOT_MET', params: { leadTimeMinutes: 60, earliestStart: now + 60 * MINUTE } },
      ]);
    });

    it('a start exactly at now is allowed with no lead time', () => {
      expect(codes({ now, policy: { leadTimeMinutes: 0 }, range: range('2026-03-03 12:00', '2026-03-03 13:00') })).toEqual([]);
    });

    it.each(STAFF_ROLES)('%s skips the lead time but not the past', (role) => {
      const actor = { role, homeSiteId: null, homeDistrict: null };
      expect(codes({ now, actor, range: range('2026-03-03 12:00', '2026-03-03 13:00') })).toEqual([]);
      expect(codes({ now, actor, range: range('2026-03-03 11:30', '2026-03-03 12:30') })).toEqual(['IN_THE_PAST']);
    });

    // now is Monday 2026-03-02 10:00 and horizonDays 14, so bookings may run until 2026-03-16 24:00.
    it.each([
      ['ending exactly at the end of the last day', '2026-03-16 23:00', '2026-03-17 00:00', []],
      ['on the last day', '2026-03-16 09:00', '2026-03-16 10:00', []],
      ['on the day after', '2026-03-17 09:00', '2026-03-17 10:00', ['BEYOND_HORIZON']],
    ])('a resident booking %s', (_name, start, end, expected) => {
      expect(codes({ hours: everyDay(['00:00', '24:00']), range: range(start, end) })).toEqual(expected);
    });

    it('says which day is the last bookable one', () => {
      expect(check({ range: range('2026-03-17 09:00', '2026-03-17 10:00') })).toEqual([
        { code: 'BEYOND_HORIZON', params: { horizonDays: 14, lastDate: '2026-03-16' } },
      ]);
    });

    it('"today" is the site date: at 07:00 Shanghai (still yesterday in UTC) the last day is 14 site days ahead', () => {
      const now = at('2026-03-02 07:00');
      expect(new Date(now).toISOString().slice(0, 10)).toBe('2026-03-01');
      expect(codes({ now, range: range('2026-03-16 09:00', '2026-03-16 10:00') })).toEqual([]);
      expect(bookingHorizon({ now, horizonDays: 14, zone: SHANGHAI }).lastDate).toBe('2026-03-16');
    });

    it('horizonDays 0 allows today only', () => {
      const policy = { horizonDays: 0, leadTimeMinutes: 0 };
      expect(codes({ policy, range: range('2026-03-02 20:00', '2026-03-02 21:00') })).toEqual([]);
      expect(codes({ policy, range: range('2026-03-03 09:00', '2026-03-03 10:00') })).toEqual(['BEYOND_HORIZON']);
    });

    it.each(STAFF_ROLES)('%s books beyond the horizon', (role) => {
      expect(codes({ actor: { role, homeSiteId: null, homeDistrict: null }, range: range('2026-06-01 09:00', '2026-06-01 10:00') })).toEqual([]);
    });
  });

  describe('opening hours and closures', () => {
    it.each([
      ['inside', '09:00', '10:00', []],
      ['ending exactly at closing time', '20:00', '21:00', []],
      ['starting before opening', '08:30', '09:30', ['OUTSIDE_OPENING_HOURS']],
      ['ending after closing', '20:30', '21:30', ['OUTSIDE_OPENING_HOURS']],
    ])('%s', (_name, start, end, expected) => {
      expect(codes({ range: range(`2026-03-03 ${start}`, `2026-03-03 ${end}`) })).toEqual(expected);
    });

    it.each([
      ['before the lunch break', '11:00', '12:00', []],
      ['across the lunch break', '11:30', '13:30', ['OUTSIDE_OPENING_HOURS']],
      ['after the lunch break', '13:00', '14:00', []],
    ])('with a lunch break: %s', (_name, start, end, expected) => {
      const hours = everyDay(['09:00', '12:00'], ['13:00', '21:00']);
      expect(codes({ hours, range: range(`2026-03-03 ${start}`, `2026-03-03 ${end}`) })).toEqual(expected);
    });

    it('a late-night room open 18:00-24:00 and 00:00-02:00 takes a booking across midnight', () => {
      expect(codes({ hours: everyDay(['00:00', '02:00'], ['18:00', '24:00']), range: range('2026-03-03 23:00', '2026-03-04 01:00') })).toEqual([]);
    });

    const holiday = { startDate: '2026-03-03', endDate: '2026-03-03', reason: 'Public holiday' };
    it.each([
      ['on the closed day', [holiday], ['SITE_CLOSED']],
      ['the day after a closure', [{ ...holiday, startDate: '2026-03-01', endDate: '2026-03-02' }], []],
      ['the day before a closure', [{ ...holiday, startDate: '2026-03-04', endDate: '2026-03-10' }], []],
      ['inside a multi-day closure', [{ ...holiday, startDate: '2026-03-01', endDate: '2026-03-10' }], ['SITE_CLOSED']],
      ['two closures on the day', [holiday, { ...holiday, reason: 'Renovation' }], ['SITE_CLOSED', 'SITE_CLOSED']],
    ])('%s', (_name, closures, expected) => {
      expect(codes({ closures })).toEqual(expected);
    });

    it('gives the closure reason and dates', () => {
      expect(check({ closures: [holiday] })).toEqual([
        { code: 'SITE_CLOSED', params: { date: '2026-03-03', reason: 'Public holiday', startDate: '2026-03-03', endDate: '2026-03-03' } },
      ]);
    });

    it('a closure on the second local day of a booking across midnight counts', () => {
      const hours = everyDay(['00:00', '24:00']);
      const closures = [{ startDate: '2026-03-04', endDate: '2026-03-04', reason: 'Maintenance' }];
      expect(codes({ hours, closures, range: range('2026-03-03 23:00', '2026-03-04 01:00') })).toEqual(['SITE_CLOSED']);
    });

    it('the closure date is read in the site zone: 2026-03-03 00:30 Shanghai is 2026-03-02 in UTC', () => {
      const hours = everyDay(['00:00', '24:00']);
      const closures = [{ startDate: '2026-03-02', endDate: '2026-03-02', reason: 'Training' }];
      expect(codes({ hours, closures, range: range('2026-03-03 00:30', '2026-03-03 01:30') })).toEqual([]);
    });

    it.each(STAFF_ROLES)('%s is held to opening hours and closures', (role) => {
      const actor = { role, homeSiteId: null, homeDistrict: null };
      expect(codes({ actor, closures: [holiday], range: range('2026-03-03 20:30', '2026-03-03 21:30') })).toEqual(['SITE_CLOSED', 'OUTSIDE_OPENING_HOURS']);
    });
  });

  describe('capacity and who may book', () => {
    it.each([
      [7, []],
      [8, []],
      [9, ['PARTY_EXCEEDS_CAPACITY']],
    ])('a party of %i in a room for 8', (partySize, expected) => {
      expect(codes({ partySize })).toEqual(expected);
    });

    it('staff cannot exceed the capacity either', () => {
      expect(check({ partySize: 9, actor: { role: 'org_admin', homeSiteId: null, homeDistrict: null } })).toEqual([
        { code: 'PARTY_EXCEEDS_CAPACITY', params: { partySize: 9, capacity: 8 } },
      ]);
    });

    it.each([
      ['resident', STAFF_ONLY_SPACE_A, ['STAFF_ONLY_SPACE']],
      ['staff', STAFF_ONLY_SPACE_A, []],
      ['site_manager', STAFF_ONLY_SPACE_A, []],
    ] as const)('%s booking a staff-only space', (role, space, expected) => {
      expect(codes({ actor: { role, homeSiteId: null, homeDistrict: null }, space })).toEqual(expected);
    });
  });

  describe('who the space is open to (site-a is in 徐汇区)', () => {
    // Residents of: the space's own site, another site of its district, a site of another district, no site.
    const OWN = { homeSiteId: 'site-a', homeDistrict: '徐汇区' };
    const SAME_DISTRICT = { homeSiteId: 'site-b', homeDistrict: '徐汇区' };
    const OTHER_DISTRICT = { homeSiteId: 'site-c', homeDistrict: '静安区' };
    const NO_HOME = { homeSiteId: null, homeDistrict: null };
    const NOT_SITE = [{ code: 'NOT_OPEN_TO_OTHER_SITES', params: { siteId: 'site-a' } }];
    const NOT_DISTRICT = [{ code: 'NOT_OPEN_TO_OTHER_DISTRICTS', params: { siteId: 'site-a', district: '徐汇区' } }];
    it.each([
      ['everyone', 'its own site', OWN, []],
      ['everyone', 'another site of its district', SAME_DISTRICT, []],
      ['everyone', 'a site of another district', OTHER_DISTRICT, []],
      ['everyone', 'no site', NO_HOME, []],
      ['district', 'its own site', OWN, []],
      ['district', 'another site of its district', SAME_DISTRICT, []],
      ['district', 'a site of another district', OTHER_DISTRICT, NOT_DISTRICT],
      ['district', 'no site', NO_HOME, NOT_DISTRICT],
      ['home_site', 'its own site', OWN, []],
      ['home_site', 'another site of its district', SAME_DISTRICT, NOT_SITE],
      ['home_site', 'a site of another district', OTHER_DISTRICT, NOT_SITE],
      ['home_site', 'no site', NO_HOME, NOT_SITE],
    ] as const)('open to %s: a resident of %s', (openTo, _who, home, expected) => {
      expect(check({ actor: { role: 'resident', ...home }, space: { ...BASE.space, openTo } })).toEqual(expected);
    });

    it.each(STAFF_ROLES)('%s books a space kept for its own site, from anywhere', (role) => {
      expect(codes({ actor: { role, homeSiteId: null, homeDistrict: null }, space: { ...BASE.space, openTo: 'home_site' } })).toEqual([]);
      expect(codes({ actor: { role, homeSiteId: null, homeDistrict: null }, space: { ...BASE.space, openTo: 'district' } })).toEqual([]);
    });

    it('a staff-only space kept for its district gives both reasons to a resident from elsewhere', () => {
      expect(codes({ actor: { role: 'resident', ...OTHER_DISTRICT }, space: { ...STAFF_ONLY_SPACE_A, openTo: 'district' } })).toEqual([
        'STAFF_ONLY_SPACE',
        'NOT_OPEN_TO_OTHER_DISTRICTS',
      ]);
    });
  });

  describe('quotas (days and ISO weeks in the site zone)', () => {
    // The request is Tuesday 2026-03-03 14:00-15:00 (60 minutes), ISO week 2026-W10 (Mon 03-02 .. Sun 03-08).
    const tuesdayMorning = range('2026-03-03 09:00', '2026-03-03 10:00');
    const tuesdayEvening = range('2026-03-03 18:00', '2026-03-03 19:30');
    const monday = range('2026-03-02 18:00', '2026-03-02 19:00');
    const sunday = range('2026-03-08 18:00', '2026-03-08 19:00');
    const previousSunday = range('2026-03-01 18:00', '2026-03-01 19:00');

    it.each([
      ['per-day count 2, one held that day', { quotaPerDayCount: 2 }, [tuesdayMorning], []],
      ['per-day count 2, two held that day', { quotaPerDayCount: 2 }, [tuesdayMorning, tuesdayEvening], ['QUOTA_EXCEEDED']],
      ['per-day count 1, one held on Monday', { quotaPerDayCount: 1 }, [monday], []],
      ['per-day minutes 120, 60 held', { quotaPerDayMinutes: 120 }, [tuesdayMorning], []],
      ['per-day minutes 120, 90 held', { quotaPerDayMinutes: 120 }, [tuesdayEvening], ['QUOTA_EXCEEDED']],
      ['per-week count 3, Monday and Sunday held', { quotaPerWeekCount: 3 }, [monday, sunday], []],
      ['per-week count 2, Monday and Sunday held', { quotaPerWeekCount: 2 }, [monday, sunday], ['QUOTA_EXCEEDED']],
      ['per-week count 1, the previous Sunday held (another ISO week)', { quotaPerWeekCount: 1 }, [previousSunday], []],
      ['per-week minutes 180, 120 held', { quotaPerWeekMinutes: 180 }, [monday, sunday], []],
      ['per-week minutes 179, 120 held', { quotaPerWeekMinutes: 179 }, [monday, sunday], ['QUOTA_EXCEEDED']],
    ])('%s', (_name, quota, held, expected) => {
      expect(codes({ policy: quota, heldBookingsInQuotaScope: held })).toEqual(expected);
    });

    it('says which quota, its limit, what is used and what is asked', () => {
      const refusals = check({
        policy: { quotaPerDayCount: 1, quotaPerWeekMinutes: 100 },
        heldBookingsInQuotaScope: [tuesdayMorning],
      });
      expect(refusals).toEqual([
        { code: 'QUOTA_EXCEEDED', params: { quota: 'quotaPerDayCount', limit: 1, used: 1, requested: 1, period: '2026-03-03' } },
        { code: 'QUOTA_EXCEEDED', params: { quota: 'quotaPerWeekMinutes', limit: 100, used: 60, requested: 60, period: '2026-W10' } },
      ]);
    });

    it('the day is the site day: 00:30 Shanghai counts for that date, not the UTC date before it', () => {
      const earlyTuesday = range('2026-03-03 00:30', '2026-03-03 01:00');
      expect(new Date(earlyTuesday.start).toISOString().slice(0, 10)).toBe('2026-03-02');
      expect(codes({ policy: { quotaPerDayCount: 1 }, heldBookingsInQuotaScope: [earlyTuesday] })).toEqual(['QUOTA_EXCEEDED']);
      expect(codes({ policy: { quotaPerDayCount: 1 }, heldBookingsInQuotaScope: [range('2026-03-02 23:30', '2026-03-03 00:00')] })).toEqual([]);
    });

    it('the ISO week-year differs from the calendar year around New Year', () => {
      const hours = everyDay(['09:00', '21:00']);
      const now = at('2026-12-28 08:00');
      // 2027-01-01 (Friday) belongs to ISO week 2026-W53, with Monday 2026-12-28.
      const refusals = check({
        hours,
        now,
        range: range('2027-01-01 10:00', '2027-01-01 11:00'),
        policy: { quotaPerWeekCount: 1 },
        heldBookingsInQuotaScope: [range('2026-12-28 10:00', '2026-12-28 11:00')],
      });
      expect(refusals).toEqual([{ code: 'QUOTA_EXCEEDED', params: { quota: 'quotaPerWeekCount', limit: 1, used: 1, requested: 1, period: '2026-W53' } }]);
    });

    it.each(STAFF_ROLES)('%s is not limited by quotas', (role) => {
      expect(codes({ actor: { role, homeSiteId: null, homeDistrict: null }, policy: { quotaPerDayCount: 1 }, heldBookingsInQuotaScope: [tuesdayMorning] })).toEqual([]);
    });
  });

  describe('on a DST day (America/New_York 2026-03-08, 23 hours)', () => {
    const dst = { zone: NEW_YORK, hours: everyDay(['00:00', '24:00']), now: at('2026-03-07 12:00', NEW_YORK) };

    it('01:00-03:00 local lasts one real hour: too short for a 90-minute minimum', () => {
      expect(check({ ...dst, policy: { minDurationMinutes: 90 }, range: range('2026-03-08 01:00', '2026-03-08 03:00', NEW_YORK) })).toEqual([
        { code: 'DURATION_TOO_SHORT', params: { minutes: 60, minDurationMinutes: 90 } },
      ]);
    });

    it('03:00 EDT, right after the gap, is on the grid', () => {
      expect(codes({ ...dst, range: range('2026-03-08 03:00', '2026-03-08 04:00', NEW_YORK) })).toEqual([]);
    });

    it.each([
      ['03:30 (90 real minutes after now)', '2026-03-08 03:30', ['LEAD_TIME_NOT_MET']],
      ['04:00 (exactly 120 real minutes after now)', '2026-03-08 04:00', []],
    ])('with now at 01:00 EST and a 120-minute lead time, a start at %s', (_name, start, expected) => {
      const now = at('2026-03-08 01:00', NEW_YORK);
      const startAt = at(start, NEW_YORK);
      expect(codes({ ...dst, now, policy: { leadTimeMinutes: 120 }, range: { start: startAt, end: startAt + 60 * MINUTE } })).toEqual(expected);
    });

    it('the 23-hour day is one quota day; 00:00 the next day is another', () => {
      const heldLate = range('2026-03-08 22:00', '2026-03-08 23:00', NEW_YORK);
      const policy = { quotaPerDayCount: 1 };
      expect(codes({ ...dst, policy, heldBookingsInQuotaScope: [heldLate], range: range('2026-03-08 00:00', '2026-03-08 01:00', NEW_YORK) })).toEqual(['QUOTA_EXCEEDED']);
      expect(codes({ ...dst, policy, heldBookingsInQuotaScope: [heldLate], range: range('2026-03-09 00:00', '2026-03-09 01:00', NEW_YORK) })).toEqual([]);
    });

    it('the horizon ends at local midnight after the last day, whatever the offset', () => {
      expect(bookingHorizon({ now: at('2026-03-07 12:00', NEW_YORK), horizonDays: 1, zone: NEW_YORK })).toEqual({
        lastDate: '2026-03-08',
        end: Date.parse('2026-03-09T04:00:00Z'),
      });
    });
  });

  it('every code it can return is in the exported list', () => {
    expect(BOOKING_REFUSAL_CODES).toEqual(expect.arrayContaining([
      'INVALID_INTERVAL', 'NOT_ON_SLOT_GRID', 'NONEXISTENT_LOCAL_TIME', 'DURATION_TOO_SHORT', 'DURATION_TOO_LONG', 'IN_THE_PAST',
      'LEAD_TIME_NOT_MET', 'BEYOND_HORIZON', 'OUTSIDE_OPENING_HOURS', 'SITE_CLOSED', 'PARTY_EXCEEDS_CAPACITY', 'STAFF_ONLY_SPACE',
      'NOT_OPEN_TO_OTHER_SITES', 'NOT_OPEN_TO_OTHER_DISTRICTS', 'QUOTA_EXCEEDED', 'CANCEL_CUTOFF_PASSED',
    ]));
  });
});

describe('changeNeedsApproval', () => {
  const current: BookingTerms = { spaceId: 'hall', range: range('2026-03-03 14:00', '2026-03-03 16:00'), partySize: 10, purpose: '读书会' };
  const needs = (requested: Partial<BookingTerms>, options: { approvalRequired?: boolean; actorRole?: ActorRole; status?: BookingStatus } = {}) =>
    changeNeedsApproval({ approvalRequired: true, actorRole: 'resident', status: 'confirmed', current, requested: { ...current, ...requested }, ...options });

  it.each([
    ['another space', { spaceId: 'other-hall' }, true],
    ['a larger party', { partySize: 11 }, true],
    ['a longer interval', { range: range('2026-03-03 14:00', '2026-03-03 16:30') }, true],
    ['an earlier start', { range: range('2026-03-03 13:30', '2026-03-03 16:00') }, true],
    ['a same-length shift', { range: range('2026-03-03 15:00', '2026-03-03 17:00') }, true],
    ['another purpose', { purpose: '生日聚会' }, true],
    ['a purpose where there was none', { purpose: null }, true],
    ['nothing changed', {}, false],
    ['a smaller party', { partySize: 4 }, false],
    ['a shorter interval inside the confirmed one', { range: range('2026-03-03 14:30', '2026-03-03 15:30') }, false],
  ] as const)('a resident asking for %s in a space that needs approval: %s', (_label, requested, expected) => {
    expect(needs(requested)).toBe(expected);
  });

  it.each(STAFF_ROLES)('%s changes skip approval, as staff bookings do', (actorRole) => {
    expect(needs({ spaceId: 'other-hall', partySize: 12 }, { actorRole })).toBe(false);
  });

  it('a space without approval never asks for it', () => {
    expect(needs({ spaceId: 'other-hall', partySize: 12 }, { approvalRequired: false })).toBe(false);
  });

  it('a pending request stays pending rather than being asked again', () => {
    expect(needs({ spaceId: 'other-hall' }, { status: 'pending' })).toBe(false);
  });
});

describe('checkCancellation', () => {
  const start = at('2026-03-03 14:00');
  it.each([
    [60, -61, null],
    [60, -60, null],
    [60, -59, 'CANCEL_CUTOFF_PASSED'],
    [0, 0, null],
    [0, 1, 'CANCEL_CUTOFF_PASSED'],
    [0, -1, null],
  ])('cut-off %i minutes, now %i minutes from the start: %s', (cancelCutoffMinutes, minutesFromStart, code) => {
    const refusal = checkCancellation({ now: start + minutesFromStart * MINUTE, start, cancelCutoffMinutes, actorIsStaff: false });
    expect(refusal?.code ?? null).toBe(code);
  });

  it('says the cut-off and the deadline', () => {
    expect(checkCancellation({ now: start, start, cancelCutoffMinutes: 120, actorIsStaff: false })).toEqual({
      code: 'CANCEL_CUTOFF_PASSED',
      params: { cancelCutoffMinutes: 120, deadline: start - 120 * MINUTE },
    });
  });

  it('staff may cancel after the cut-off, even after the start', () => {
    expect(checkCancellation({ now: start + 30 * MINUTE, start, cancelCutoffMinutes: 120, actorIsStaff: true })).toBeNull();
  });

  it('a 24-hour cut-off across the spring-forward change is 24 real hours', () => {
    const dstStart = at('2026-03-08 19:00', NEW_YORK);
    const sameWallTimeDayBefore = at('2026-03-07 19:00', NEW_YORK); // 23 real hours before
    expect(checkCancellation({ now: sameWallTimeDayBefore, start: dstStart, cancelCutoffMinutes: 24 * 60, actorIsStaff: false })?.code).toBe('CANCEL_CUTOFF_PASSED');
    expect(checkCancellation({ now: dstStart - 24 * 60 * MINUTE, start: dstStart, cancelCutoffMinutes: 24 * 60, actorIsStaff: false })).toBeNull();
  });
});

describe('check-in', () => {
  const start = at('2026-03-03 14:00');
  const end = at('2026-03-03 15:00');

  it('opens 15 minutes before the start', () => {
    expect(CHECK_IN_OPENS_MINUTES_BEFORE_START).toBe(15);
  });

  it.each([
    [-16, 'too_early'],
    [-15, 'open'],
    [-1, 'open'],
    [0, 'open'],
    [19, 'open'],
    [20, 'closed'],
    [21, 'closed'],
    [90, 'closed'],
  ] as const)('with noShowAfterMinutes 20, %i minutes from the start: %s', (minutesFromStart, state) => {
    expect(checkInWindow({ now: start + minutesFromStart * MINUTE, start, end, noShowAfterMinutes: 20 })).toBe(state);
  });

  it('a booking shorter than the no-show window closes check-in at its end', () => {
    const shortEnd = start + 30 * MINUTE;
    expect(checkInWindow({ now: shortEnd - MINUTE, start, end: shortEnd, noShowAfterMinutes: 45 })).toBe('open');
    expect(checkInWindow({ now: shortEnd, start, end: shortEnd, noShowAfterMinutes: 45 })).toBe('closed');
  });

  it.each([
    ['confirmed', 19, false],
    ['confirmed', 20, true],
    ['confirmed', 21, true],
    ['checked_in', 30, false],
    ['cancelled', 30, false],
    ['pending', 30, false],
    ['no_show', 30, false],
  ] as [BookingStatus, number, boolean][])('isNoShowDue for %s, %i minutes after the start: %s', (status, minutesAfterStart, due) => {
    expect(isNoShowDue({ now: start + minutesAfterStart * MINUTE, start, noShowAfterMinutes: 20, status })).toBe(due);
  });

  it('no-show is due exactly when check-in closes, also for a short booking', () => {
    const shortEnd = start + 30 * MINUTE;
    for (const minutesAfterStart of [29, 30, 31]) {
      const now = start + minutesAfterStart * MINUTE;
      const closed = checkInWindow({ now, start, end: shortEnd, noShowAfterMinutes: 45 }) === 'closed';
      expect(isNoShowDue({ now, start, end: shortEnd, noShowAfterMinutes: 45, status: 'confirmed' })).toBe(closed);
    }
  });
});
