import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUIET_HOURS,
  type DeliveryChannel,
  NOTIFICATION_KINDS,
  NOTIFICATION_KIND_NAMES,
  type RecipientChoices,
  isLockedInApp,
  optOutKey,
  planDeliveries,
  quietPeriodAt,
  reminderTime,
} from './notification-rules.ts';

const SHANGHAI = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);
const BOTH: DeliveryChannel[] = ['inbox', 'email'];
const person = (overrides: Partial<RecipientChoices> = {}): RecipientChoices => ({
  reachableOn: new Set<DeliveryChannel>(['inbox', 'email']),
  optOuts: new Set(),
  quietHours: DEFAULT_QUIET_HOURS,
  zone: SHANGHAI,
  nightOffersByEmail: false,
  staffDigest: false,
  ...overrides,
});
// 15:00 and 23:30 in Shanghai (UTC+8).
const AFTERNOON = at('2027-03-01T07:00:00Z');
const NIGHT = at('2027-03-01T15:30:00Z');
const NEXT_MORNING_8 = at('2027-03-02T00:00:00Z');

describe('planDeliveries: which channels, and when', () => {
  it('in the afternoon a booking confirmation goes to the inbox and by email at once', () => {
    expect(planDeliveries({ kind: 'booking.confirmed', now: AFTERNOON }, person(), BOTH)).toEqual([
      { channel: 'inbox', notBefore: AFTERNOON },
      { channel: 'email', notBefore: AFTERNOON },
    ]);
  });

  it('a person with no email address gets the inbox only', () => {
    const plan = planDeliveries({ kind: 'booking.confirmed', now: AFTERNOON }, person({ reachableOn: new Set(['inbox']) }), BOTH);
    expect(plan.map((d) => d.channel)).toEqual(['inbox']);
  });

  it('booking messages cannot be turned off in the app, only by email', () => {
    const optOuts = new Set([optOutKey('booking', 'inbox'), optOutKey('booking', 'email')]);
    expect(planDeliveries({ kind: 'booking.cancelled_by_staff', now: AFTERNOON }, person({ optOuts }), BOTH).map((d) => d.channel)).toEqual(['inbox']);
    expect(isLockedInApp('booking', 'inbox')).toBe(true);
    expect(isLockedInApp('booking', 'email')).toBe(false);
  });

  it('reminders can be turned off everywhere', () => {
    const optOuts = new Set([optOutKey('reminder', 'inbox'), optOutKey('reminder', 'email')]);
    expect(planDeliveries({ kind: 'booking.reminder', now: AFTERNOON }, person({ optOuts }), BOTH)).toEqual([]);
  });

  it('at 23:30 the inbox gets it at once and the email waits for the end of quiet hours (08:00)', () => {
    expect(planDeliveries({ kind: 'booking.approved', now: NIGHT }, person(), BOTH)).toEqual([
      { channel: 'inbox', notBefore: NIGHT },
      { channel: 'email', notBefore: NEXT_MORNING_8 },
    ]);
  });

  it('without quiet hours nothing waits', () => {
    const plan = planDeliveries({ kind: 'booking.approved', now: NIGHT }, person({ quietHours: null }), BOTH);
    expect(plan.every((d) => d.notBefore === NIGHT)).toBe(true);
  });

  it('quiet hours are read in the person\'s zone, not the server\'s', () => {
    // 23:30 in Shanghai is 16:30 in Berlin: no quiet hours there.
    const plan = planDeliveries({ kind: 'booking.approved', now: NIGHT }, person({ zone: 'Europe/Berlin' }), BOTH);
    expect(plan.find((d) => d.channel === 'email')?.notBefore).toBe(NIGHT);
  });

  it('a waitlist offer at night is in the inbox at once, emailed at 08:00, or dropped by email if it expires first', () => {
    const expiresAtNine = at('2027-03-02T01:00:00Z');
    expect(planDeliveries({ kind: 'booking.waitlist_offer', now: NIGHT, useBy: expiresAtNine }, person(), BOTH)).toEqual([
      { channel: 'inbox', notBefore: NIGHT },
      { channel: 'email', notBefore: NEXT_MORNING_8 },
    ]);
    const expiresAtOne = at('2027-03-01T17:00:00Z');
    expect(planDeliveries({ kind: 'booking.waitlist_offer', now: NIGHT, useBy: expiresAtOne }, person(), BOTH)).toEqual([{ channel: 'inbox', notBefore: NIGHT }]);
  });

  it('a person who allows it is emailed offers at night', () => {
    const plan = planDeliveries({ kind: 'booking.waitlist_offer', now: NIGHT, useBy: NIGHT + 3_600_000 }, person({ nightOffersByEmail: true }), BOTH);
    expect(plan).toEqual([
      { channel: 'inbox', notBefore: NIGHT },
      { channel: 'email', notBefore: NIGHT },
    ]);
    // The permission is for offers only.
    expect(planDeliveries({ kind: 'booking.confirmed', now: NIGHT }, person({ nightOffersByEmail: true }), BOTH)[1]?.notBefore).toBe(NEXT_MORNING_8);
  });

  it('staff on the digest get requests in the inbox only, and the digest itself only when they chose it', () => {
    const digestOn = person({ staffDigest: true });
    expect(planDeliveries({ kind: 'staff.approval_request', now: AFTERNOON }, digestOn, BOTH).map((d) => d.channel)).toEqual(['inbox']);
    expect(planDeliveries({ kind: 'staff.approval_request', now: AFTERNOON }, person(), BOTH).map((d) => d.channel)).toEqual(['inbox', 'email']);
    expect(planDeliveries({ kind: 'staff.daily_digest', now: AFTERNOON }, digestOn, BOTH).map((d) => d.channel)).toEqual(['inbox', 'email']);
    expect(planDeliveries({ kind: 'staff.daily_digest', now: AFTERNOON }, person(), BOTH)).toEqual([]);
  });

  it('a channel without an adapter is never planned', () => {
    const reachable = person({ reachableOn: new Set<DeliveryChannel>(['inbox', 'email', 'sms']) });
    expect(planDeliveries({ kind: 'booking.confirmed', now: AFTERNOON }, reachable, BOTH).map((d) => d.channel)).toEqual(['inbox', 'email']);
  });

  it('every kind has a category and a timing', () => {
    for (const kind of NOTIFICATION_KIND_NAMES) expect(NOTIFICATION_KINDS[kind].category).toBeTruthy();
  });
});

describe('quietPeriodAt: [start, end) on the local wall clock', () => {
  it.each([
    ['21:59 is before quiet hours', '2027-03-01T13:59:00Z', null],
    ['22:00 begins them', '2027-03-01T14:00:00Z', ['2027-03-01T14:00:00Z', '2027-03-02T00:00:00Z']],
    ['03:00 is inside the night that began yesterday', '2027-03-01T19:00:00Z', ['2027-03-01T14:00:00Z', '2027-03-02T00:00:00Z']],
    ['08:00 ends them', '2027-03-02T00:00:00Z', null],
  ])('%s', (_, instant, expected) => {
    const period = quietPeriodAt(at(instant), DEFAULT_QUIET_HOURS, SHANGHAI);
    expect(period && [new Date(period.start).toISOString(), new Date(period.end).toISOString()]).toEqual(
      expected && expected.map((iso) => new Date(iso).toISOString()),
    );
  });

  it('a window within one day (13:00-14:00, a siesta) works too', () => {
    const siesta = { startMinute: 13 * 60, endMinute: 14 * 60 };
    expect(quietPeriodAt(at('2027-03-01T05:30:00Z'), siesta, SHANGHAI)).toEqual({ start: at('2027-03-01T05:00:00Z'), end: at('2027-03-01T06:00:00Z') });
    expect(quietPeriodAt(at('2027-03-01T06:00:00Z'), siesta, SHANGHAI)).toBeNull();
  });

  it('the night clocks spring forward in New York is an hour shorter (22:00 EST to 08:00 EDT)', () => {
    const period = quietPeriodAt(at('2027-03-14T07:30:00Z'), DEFAULT_QUIET_HOURS, 'America/New_York')!;
    expect(new Date(period.start).toISOString()).toBe('2027-03-14T03:00:00.000Z');
    expect(new Date(period.end).toISOString()).toBe('2027-03-14T12:00:00.000Z');
    expect((period.end - period.start) / 3_600_000).toBe(9);
  });
});

describe('reminderTime: reminders scheduled into quiet hours move earlier', () => {
  const choices = { quietHours: DEFAULT_QUIET_HOURS, zone: SHANGHAI };
  const morningBooking = at('2027-03-02T01:00:00Z'); // 09:00

  it('a reminder outside quiet hours stays where it is', () => {
    expect(reminderTime(AFTERNOON, AFTERNOON - 86_400_000, choices, morningBooking)).toBe(AFTERNOON);
  });

  it('a reminder due at 23:30 goes at 21:59 instead', () => {
    expect(new Date(reminderTime(NIGHT, AFTERNOON, choices, morningBooking)!).toISOString()).toBe('2027-03-01T13:59:00.000Z');
  });

  it('when 21:59 has already passed, it goes at 08:00 if that is before the booking', () => {
    expect(reminderTime(NIGHT, NIGHT - 60_000, choices, morningBooking)).toBe(NEXT_MORNING_8);
  });

  it('and not at all when the booking starts before quiet hours end', () => {
    expect(reminderTime(NIGHT, NIGHT - 60_000, choices, at('2027-03-01T23:30:00Z'))).toBeNull();
  });
});
