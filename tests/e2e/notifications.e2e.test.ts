/**
 * Notifications in the app (issue #13): the bell's unread count, the inbox, a message's link followed to what it
 * is about, and the notification settings. Each test registers its own residents and its own room at a site
 * open around the clock, so it neither depends on the hour nor collides with the demo data or other tests.
 */
import { describe, expect, it } from 'vitest';
import { type BrowserTest, PASSWORD, PHONE, SCREENSHOTS, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Booking { id: string; status: string; version: number; source: string; offerExpiresAt: string | null }
interface Slot { startAt: string; endAt: string }
type Api = Awaited<ReturnType<typeof apiAs>>;

const DAY = 86_400_000;
const shanghaiDate = (offsetMs: number) => new Date(Date.now() + 8 * 3_600_000 + offsetMs).toISOString().slice(0, 10);

async function registerResident(baseUrl: string, name: string, homeSiteId: string, locale: 'zh-CN' | 'en'): Promise<{ login: string; api: Api }> {
  const login = `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
  const response = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org: 'demo', email: login, password: PASSWORD, displayName: name, homeSiteId, locale }),
  });
  if (response.status !== 201) throw new Error(`register ${login}: ${response.status} ${await response.text()}`);
  return { login, api: await apiAs(baseUrl, login) };
}

/** Cancelling needs the version read last (If-Match), which the shared API helper does not send. */
async function cancelAs(baseUrl: string, login: string, booking: Booking): Promise<void> {
  const signedIn = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org: 'demo', login, password: PASSWORD }),
  });
  const { accessToken } = (await signedIn.json()) as { accessToken: string };
  const response = await fetch(`${baseUrl}/api/v1/bookings/${booking.id}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', 'if-match': `"${booking.version}"` },
    body: '{}',
  });
  if (!response.ok) throw new Error(`cancel ${booking.id}: ${response.status} ${await response.text()}`);
}

/**
 * A room at a new site open around the clock whose waitlist offers freed time (held two hours), booked by a
 * holder, with `locale`'s resident waiting for the same hour; the holder then cancels, which offers it to them.
 */
async function offerMadeTo(baseUrl: string, locale: 'zh-CN' | 'en') {
  const admin = await apiAs(baseUrl, 'admin@demo.linli.dev');
  const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));
  const stamp = Date.now();
  const site = await admin.call<{ id: string }>('POST', '/sites', { name: `通知测试站点 ${stamp}`, kind: 'study_room', district: '静安区', timezone: 'Asia/Shanghai', openingHours: allDay });
  const roomName = `候补通知会议室 ${stamp}`;
  const room = await admin.call<{ id: string }>('POST', '/spaces', {
    siteId: site.id, name: roomName, kind: 'meeting_room', bookingMode: 'exclusive', capacity: 6,
    policy: { waitlistMode: 'offer', offerHoldMinutes: 120, cancelCutoffMinutes: 0, approvalRequired: false },
  });
  const free = await admin.call<{ slots: Slot[] }>('GET', `/spaces/${room.id}/availability?from=${shanghaiDate(2 * DAY)}&to=${shanghaiDate(2 * DAY)}&durationMinutes=60`);
  const slot = free.slots[0];
  if (!slot) throw new Error('no free hour in the new room');

  const holder = await registerResident(baseUrl, 'holder', site.id, locale);
  const waiting = await registerResident(baseUrl, 'waiting', site.id, locale);
  const held = await holder.api.call<Booking>('POST', '/bookings', { spaceId: room.id, startAt: slot.startAt, endAt: slot.endAt });
  expect(held.status).toBe('confirmed');
  await waiting.api.call('POST', '/waitlist', { spaceId: room.id, startAt: slot.startAt, endAt: slot.endAt });
  await cancelAs(baseUrl, holder.login, held);

  const mine = await waiting.api.call<{ items: Booking[] }>('GET', '/bookings');
  const offer = mine.items.find((b) => b.source === 'waitlist' && b.offerExpiresAt !== null);
  expect(offer, 'the freed hour offered to the resident waiting').toBeDefined();
  // The worker delivers to the inbox after the cancellation commits; the browser part starts once it has.
  await expect.poll(async () => (await waiting.api.call<{ unread: number }>('GET', '/me/notifications/unread-count')).unread, { timeout: 20_000 }).toBe(1);
  return { login: waiting.login, api: waiting.api, offerId: offer!.id, roomName };
}

const LABELS = {
  zh: { bell1: '通知，1 条未读', offerSubject: '候补名额', accept: '接受名额', accepted: '已接受候补名额。', confirmed: '已确认' },
  en: { bell1: 'Notifications, 1 unread', offerSubject: 'A place for you', accept: 'Accept offer', accepted: 'Offer accepted.', confirmed: 'Confirmed' },
};

async function acceptOfferFromInbox(test: BrowserTest, lang: 'zh' | 'en') {
  const L = LABELS[lang];
  const made = await offerMadeTo(test.baseUrl, lang === 'zh' ? 'zh-CN' : 'en');
  const { page } = test;

  await signIn(test, made.login);
  const bell = page.getByTestId('notification-bell');
  await expect.poll(() => bell.getAttribute('aria-label')).toBe(L.bell1);
  await bell.click();
  const item = page.locator('[data-testid="inbox-item"]');
  await item.first().waitFor();
  expect(await item.count()).toBe(1);
  expect(await item.getAttribute('data-unread')).toBe('true');
  expect(await item.getAttribute('data-kind')).toBe('booking.waitlist_offer');
  const text = await item.textContent();
  expect(text).toContain(L.offerSubject);
  expect(text).toContain(made.roomName);
  // The drawer slides in; the picture is of where it comes to rest. An animation replaced by another rejects its
  // `finished` with AbortError, which only means it is over.
  await page
    .locator('.ant-drawer-content-wrapper')
    .evaluate((drawer) => Promise.all(drawer.ownerDocument.getAnimations().map((animation: { finished: Promise<unknown> }) => animation.finished.catch(() => undefined))));
  await page.screenshot({ path: `${SCREENSHOTS}/notifications-inbox-${lang}.png` });

  await item.getByTestId('inbox-link').click();
  await page.waitForURL(`**/my-bookings?offer=${made.offerId}`);
  const card = page.locator(`[data-testid="my-booking"][data-booking-id="${made.offerId}"]`);
  await card.waitFor();
  expect(await card.getAttribute('data-highlighted')).toBe('true');
  await card.getByTestId('offer-held-until').waitFor();
  // Opening the message read it: the bell has nothing left.
  await expect.poll(() => bell.getAttribute('data-unread')).toBe('0');
  await page.screenshot({ path: `${SCREENSHOTS}/notifications-offer-${lang}.png` });

  await card.getByRole('button', { name: L.accept }).click();
  await page.getByText(L.accepted).waitFor();
  await expect.poll(() => card.locator('.ant-tag').first().textContent()).toBe(L.confirmed);
  const booking = await made.api.call<Booking>('GET', `/bookings/${made.offerId}`);
  expect(booking.status).toBe('confirmed');
  expect(booking.offerExpiresAt).toBeNull();
  expectNoConsoleErrors(test);
}

describe('notifications for a resident on a phone (zh-CN)', () => {
  const test = useBrowser({ viewport: PHONE });

  it('a resident receiving a waitlist offer in the inbox and accepting it from the link', async () => {
    await acceptOfferFromInbox(test, 'zh');
  });

  it('turns reminder emails off and moves quiet hours; booking messages in the app cannot be turned off', async () => {
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const sites = await admin.call<{ items: { id: string }[] }>('GET', '/sites');
    const resident = await registerResident(test.baseUrl, 'settings', sites.items[0]!.id, 'zh-CN');
    const { page } = test;

    await signIn(test, resident.login);
    await page.goto(`${test.baseUrl}/settings/notifications`);
    await page.getByTestId('notification-settings').waitFor();
    expect(await page.getByTestId('channel-booking-inbox').isDisabled()).toBe(true);
    expect(await page.getByTestId('channel-activity-inbox').isDisabled()).toBe(true);
    expect(await page.getByTestId('channel-staff_request-inbox').count(), 'staff categories are not shown to residents').toBe(0);
    await page.getByTestId('channel-reminder-email').click();
    await page.getByLabel('开始', { exact: true }).click();
    await page.locator('.ant-picker-dropdown:visible .ant-picker-time-panel-column').first().locator('li', { hasText: '23' }).click();
    // The picker takes the time when it closes, as when a person taps elsewhere before saving.
    await page.getByRole('heading', { name: '消息通知' }).click();
    await expect.poll(() => page.getByLabel('开始', { exact: true }).inputValue()).toBe('23:00');
    await page.getByTestId('save-notification-settings').click();
    await page.getByText('已保存。').waitFor();
    await page.getByRole('heading', { name: '消息通知' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}/notifications-settings-zh.png` });

    const saved = await resident.api.call<{ quietHours: { start: string; end: string } | null; channels: { category: string; channel: string; enabled: boolean }[] }>('GET', '/me/notification-preferences');
    expect(saved.quietHours).toEqual({ start: '23:00', end: '08:00' });
    expect(saved.channels.find((c) => c.category === 'reminder' && c.channel === 'email')?.enabled).toBe(false);
    expect(saved.channels.find((c) => c.category === 'booking' && c.channel === 'inbox')?.enabled).toBe(true);
    expectNoConsoleErrors(test);
  });
});

describe('notifications for a resident (English)', () => {
  const test = useBrowser({ locale: 'en' });

  it('a resident receiving a waitlist offer in the inbox and accepting it from the link', async () => {
    await acceptOfferFromInbox(test, 'en');
  });
});
