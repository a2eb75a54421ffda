import { describe, expect, it } from 'vitest';
import { NOTIFICATION_KIND_NAMES, type NotificationKind } from './notification-rules.ts';
import {
  type BookingFacts,
  type LoanFacts,
  NOTIFICATION_LOCALES,
  type NotificationFacts,
  type RegistrationFacts,
  notificationLinkOf,
  notificationLocaleOf,
  renderNotification,
} from './notification-templates.ts';

// 10:00-12:00 in Shanghai on Monday 1 March 2027.
const booking: BookingFacts = {
  bookingId: '0190f1c2-0000-7000-8000-000000000001',
  siteName: '滨江邻里中心',
  siteAddress: '滨江路 88 号',
  siteZone: 'Asia/Shanghai',
  spaceName: '多功能室 A',
  startAt: '2027-03-01T02:00:00Z',
  endAt: '2027-03-01T04:00:00Z',
};
const registration: RegistrationFacts = {
  ...booking,
  registrationId: '0190f1c2-0000-7000-8000-000000000002',
  sessionId: '0190f1c2-0000-7000-8000-000000000003',
  activityTitle: '亲子绘本共读',
};
const loan: LoanFacts = {
  loanId: '0190f1c2-0000-7000-8000-000000000004',
  equipmentName: '投影仪',
  quantity: 2,
  lenderSiteName: '城西白领驿站',
  borrowerSiteName: '滨江邻里中心',
  siteZone: 'Asia/Shanghai',
  useStartAt: '2027-03-01T02:00:00Z',
  useEndAt: '2027-03-01T10:00:00Z',
};

/** Fixture facts for every kind, with and without each optional fact; a kind without fixtures is a type error. */
const FIXTURES: { [K in NotificationKind]: NotificationFacts[K][] } = {
  'booking.confirmed': [{ ...booking, cancelUntil: '2027-03-01T00:00:00Z' }, { ...booking, siteAddress: null, cancelUntil: null }],
  'booking.approved': [{ ...booking, cancelUntil: '2027-03-01T00:00:00Z' }, { ...booking, cancelUntil: null }],
  'booking.rejected': [{ ...booking, reason: '当天场馆有活动' }, { ...booking, reason: null }],
  'booking.cancelled_by_staff': [{ ...booking, reason: '设备检修' }, { ...booking, reason: null }],
  'booking.moved': [{ ...booking, previousSpaceName: '多功能室 B', previousStartAt: '2027-03-01T06:00:00Z', previousEndAt: '2027-03-01T08:00:00Z' }],
  'booking.waitlist_offer': [{ ...booking, offerExpiresAt: '2027-02-28T12:00:00Z' }],
  'booking.promoted': [{ ...booking, cancelUntil: '2027-03-01T00:00:00Z' }, { ...booking, cancelUntil: null }],
  'booking.no_show': [booking],
  'booking.check_in_open': [{ ...booking, checkInUntil: '2027-03-01T02:15:00Z' }],
  'booking.reminder': [{ ...booking, checkInFrom: '2027-03-01T01:45:00Z', cancelUntil: '2027-03-01T00:00:00Z' }, { ...booking, checkInFrom: null, cancelUntil: null }],
  'activity.registered': [{ ...registration, partySize: 2, cancelUntil: '2027-02-28T02:00:00Z' }, { ...registration, partySize: 1, cancelUntil: null }],
  'activity.waitlisted': [{ ...registration, position: 3 }, { ...registration, position: null }],
  'activity.promoted': [{ ...registration, offerExpiresAt: '2027-02-28T12:00:00Z' }, { ...registration, offerExpiresAt: null }],
  'activity.session_changed': [{ ...registration, previousStartAt: '2027-02-28T02:00:00Z', previousEndAt: '2027-02-28T04:00:00Z' }],
  'activity.session_cancelled': [{ ...registration, reason: '讲师临时有事' }, { ...registration, reason: null }],
  'activity.reminder': [registration],
  'activity.feedback_request': [registration],
  'loan.requested': [loan],
  'loan.approved': [loan],
  'loan.dispatched': [loan],
  'loan.overdue': [loan],
  'staff.approval_request': [{ ...booking, requesterName: '王小明' }],
  'staff.loan_request': [{ ...loan, requesterName: '李静' }],
  'staff.daily_digest': [{ date: '2027-03-01', siteNames: ['滨江邻里中心', '城西白领驿站'], pendingApprovals: 3, pendingLoanRequests: 1, bookingsToday: 42, sessionsToday: 5 }],
};

const LEFTOVERS = /[{}]|undefined|null|NaN|Invalid|\[object/;
const context = { readerZone: 'Asia/Shanghai', appBaseUrl: 'https://linli.example.org/', unsubscribeUrl: 'https://linli.example.org/api/v1/notifications/unsubscribe?token=t' };
const cases = NOTIFICATION_KIND_NAMES.flatMap((kind) =>
  NOTIFICATION_LOCALES.flatMap((locale) => (FIXTURES[kind] as NotificationFacts[typeof kind][]).map((facts, variant) => ({ kind, locale, facts, variant }))),
);

describe('every template, in both languages, with fixture data', () => {
  it('has fixtures for every kind', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual([...NOTIFICATION_KIND_NAMES].sort());
  });

  it.each(cases)('$kind in $locale (variant $variant): nothing left unfilled', ({ kind, locale, facts }) => {
    const message = renderNotification(kind, facts as never, { ...context, locale });
    for (const part of [message.subject, message.text, message.html, message.actionLabel, ...message.lines]) {
      expect(part).not.toMatch(LEFTOVERS);
      expect(part.trim()).not.toBe('');
    }
    expect(message.linkUrl).toBe(`https://linli.example.org${notificationLinkOf(kind, facts as never)}`);
    expect(message.text).toContain(message.linkUrl);
    expect(message.html).toContain(`href="${message.linkUrl.replaceAll('&', '&amp;')}"`);
    expect(message.text).toContain(context.unsubscribeUrl);
    if ('siteName' in facts && 'spaceName' in facts) {
      // Where, with the address when there is one, and when, on the site's clock (02:00Z is 10:00 in Shanghai).
      expect(message.text).toContain(facts.siteName);
      if (facts.siteAddress) expect(message.text).toContain(facts.siteAddress);
      expect(message.text).toContain('10:00');
    }
  });

  it.each(NOTIFICATION_KIND_NAMES)('%s reads differently in zh-CN and en', (kind) => {
    const facts = FIXTURES[kind][0] as never;
    const zh = renderNotification(kind, facts, { ...context, locale: 'zh-CN' });
    const en = renderNotification(kind, facts, { ...context, locale: 'en' });
    expect(zh.subject).not.toBe(en.subject);
    expect(zh.actionLabel).toMatch(/[\u4e00-\u9fff]/);
    expect(en.actionLabel).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('facts that shape the message', () => {
  it('times are on the site\'s clock, and name the zone for a reader elsewhere', () => {
    const facts = { ...booking, cancelUntil: null };
    const home = renderNotification('booking.confirmed', facts, { ...context, locale: 'en' });
    expect(home.text).toContain('When: Mon 1 Mar 2027, 10:00–12:00\n');
    const abroad = renderNotification('booking.confirmed', facts, { ...context, locale: 'en', readerZone: 'Europe/Berlin' });
    expect(abroad.text).toContain('When: Mon 1 Mar 2027, 10:00–12:00 (Asia/Shanghai)');
    const zh = renderNotification('booking.confirmed', facts, { ...context, locale: 'zh-CN' });
    expect(zh.text).toContain('时间：2027年3月1日（周一）10:00–12:00');
  });

  it('an optional fact that is absent drops its line instead of printing a blank', () => {
    const withDeadline = renderNotification('booking.confirmed', { ...booking, cancelUntil: '2027-03-01T00:00:00Z' }, { ...context, locale: 'en' });
    const without = renderNotification('booking.confirmed', { ...booking, cancelUntil: null }, { ...context, locale: 'en' });
    expect(withDeadline.lines).toContain('Cancel by Mon 1 Mar 2027, 08:00 if your plans change.');
    expect(without.lines.some((line) => line.startsWith('Cancel by'))).toBe(false);
  });

  it('a waitlist offer says until when it is held and links to accepting it', () => {
    const message = renderNotification('booking.waitlist_offer', { ...booking, offerExpiresAt: '2027-02-28T12:00:00Z' }, { ...context, locale: 'zh-CN' });
    expect(message.subject).toBe('候补名额：多功能室 A，请在2027年2月28日（周日）20:00前确认');
    expect(message.linkPath).toBe(`/my-bookings?offer=${booking.bookingId}`);
    expect(message.actionLabel).toBe('接受名额');
  });

  it('the inbox rendering has no unsubscribe footer', () => {
    const message = renderNotification('booking.no_show', booking, { ...context, locale: 'en', unsubscribeUrl: undefined });
    expect(message.text).not.toContain('Unsubscribe');
  });

  it('text from people is escaped in the HTML', () => {
    const message = renderNotification('booking.rejected', { ...booking, reason: '<script>alert(1)</script>' }, { ...context, locale: 'en' });
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('&lt;script&gt;');
  });

  it('a fact missing at run time fails loudly rather than sending a blank', () => {
    const { spaceName: _, ...missingSpace } = booking;
    expect(() => renderNotification('booking.no_show', missingSpace as never, { ...context, locale: 'en' })).toThrow(/needs a value/);
    expect(() => renderNotification('booking.no_show', { ...booking, startAt: 'soon' }, { ...context, locale: 'en' })).toThrow(/not an instant/);
  });
});

describe('notificationLocaleOf: the person\'s language, else the organization\'s', () => {
  it.each([
    ['en', 'en'],
    ['en-US', 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['fr', 'zh-CN'],
    [null, 'zh-CN'],
  ] as const)('%s -> %s', (userLocale, expected) => {
    expect(notificationLocaleOf(userLocale)).toBe(expected);
  });

  it('falls back to an English-speaking organization\'s default', () => {
    expect(notificationLocaleOf('fr', 'en')).toBe('en');
  });
});
