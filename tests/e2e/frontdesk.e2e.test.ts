/**
 * The front desk (issue #14, points 1-3) in a real browser: who booked, finding any booking and exporting it, Today,
 * the kiosk and the resident's check-in at the door. Every screen is checked for accessibility in both languages.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from './axe.ts';
import { type BrowserTest, PHONE, SCREENSHOTS, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Space { id: string; name: string; siteId: string; bookingMode: string; bookableBy: string; policy: { approvalRequired?: boolean; slotMinutes?: number } }
interface Site { id: string; openingHours: Record<string, { start: string; end: string }[]> }
interface Slot { startAt: string; endAt: string }
interface Booking { id: string; siteId: string; spaceId: string; status: string; startAt: string; endAt: string; checkInCode: string | null; checkInOpensAt: string | null; booker: { maskedPhone: string | null } | null }

const STAFF = 'staff1@demo.linli.dev';
const ADMIN = 'admin@demo.linli.dev';
/** Nobody in the demo has it (residents are 139000000xx). */
const WALK_IN_PHONE = '13812345678';
/** antd spaces out a two-character Chinese button label ("详 情"); its accessible name keeps the space. */
const DETAILS_ZH = /^详\s?情$/;
const BOOK_ZH = /^预\s?约$/;
const shanghaiDate = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const shanghaiClock = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `frontdesk-${name}.png`), fullPage: true });
}

async function switchLanguage(test: BrowserTest, language: 'zh-CN' | 'en'): Promise<void> {
  await test.page.evaluate((lang) => localStorage.setItem('linli.language', lang), language);
  await test.page.reload();
  await test.page.waitForSelector('h1');
}

/** A bookable exclusive room at one of staff1's sites, and a free hour there within the next days. */
async function freeHourAtMySite(staff: Awaited<ReturnType<typeof apiAs>>, fromDay = 1): Promise<{ space: Space; slot: Slot; date: string }> {
  for (const siteId of staff.user.siteIds) {
    const spaces = await staff.call<{ items: Space[] }>('GET', `/spaces?siteId=${siteId}`);
    for (const space of spaces.items.filter((s) => s.bookingMode === 'exclusive' && s.bookableBy === 'residents' && !s.policy.approvalRequired)) {
      for (let days = fromDay; days < fromDay + 6; days++) {
        const date = shanghaiDate(days);
        const free = await staff.call<{ slots: Slot[] }>('GET', `/spaces/${space.id}/availability?from=${date}&to=${date}&durationMinutes=60`);
        // The last free hour of the day: the least likely to meet the demo's own bookings or another test's.
        const slot = free.slots.at(-1);
        if (slot) return { space, slot, date };
      }
    }
  }
  throw new Error('no free hour at staff1 sites');
}

/** The booking form's space, date and times, typed as staff would (the form is labelled: found by its labels). */
async function fillWhereAndWhen(page: Page, modal: Locator, space: Space, date: string, slot: Slot): Promise<void> {
  await modal.getByLabel('空间').click();
  await page.keyboard.type(space.name);
  await page.locator('.ant-select-item-option', { hasText: space.name }).first().click();
  await modal.getByLabel('日期').click();
  await page.locator(`.ant-picker-dropdown td[title="${date}"]`).last().click();
  for (const [label, time] of [['开始', shanghaiClock(slot.startAt)], ['结束', shanghaiClock(slot.endAt)]] as const) {
    const input = modal.getByLabel(label, { exact: true });
    await input.click();
    await input.fill(time);
    await input.press('Enter');
  }
}

/** The booking form opened from the timeline's "new booking" button. */
async function openBookingForm(test: BrowserTest): Promise<Locator> {
  await test.page.goto(`${test.baseUrl}/timeline`);
  await test.page.getByRole('button', { name: '新建预约' }).click();
  const modal = test.page.locator('.ant-modal').filter({ hasText: '为谁预约' });
  await modal.waitFor();
  return modal;
}

const QUARTER_MS = 15 * 60_000;
const AROUND_THE_CLOCK = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '24:00' }]]));

/**
 * A booking for the resident whose check-in window is open now, at any hour the test runs: check-in opens 15
 * minutes before the start, so the booking starts at the next quarter hour. No demo site is open around the clock
 * and rooms book on a 30- or 60-minute grid, so the admin opens one of staff1's sites all day and puts one room on
 * a 15-minute grid for the test; `restore` puts both back.
 */
async function bookingWhoseCheckInIsOpenNow(baseUrl: string, staff: Awaited<ReturnType<typeof apiAs>>, residentId: string) {
  const admin = await apiAs(baseUrl, ADMIN);
  const undo: (() => Promise<unknown>)[] = [];
  const restore = async () => {
    for (const step of undo.reverse()) await step();
  };
  try {
    for (const siteId of staff.user.siteIds) {
      const site = await admin.call<Site>('GET', `/sites/${siteId}`);
      await admin.call('PATCH', `/sites/${siteId}`, { openingHours: AROUND_THE_CLOCK });
      undo.push(() => admin.call('PATCH', `/sites/${siteId}`, { openingHours: site.openingHours }));
      const spaces = await staff.call<{ items: Space[] }>('GET', `/spaces?siteId=${siteId}`);
      for (const space of spaces.items.filter((s) => s.bookingMode === 'exclusive' && !s.policy.approvalRequired)) {
        await admin.call('PATCH', `/spaces/${space.id}`, { policy: { ...space.policy, slotMinutes: 15 } });
        undo.push(() => admin.call('PATCH', `/spaces/${space.id}`, { policy: space.policy }));
        // A start some seconds ahead (not in the past by the time the server judges it), at most a quarter away.
        const start = Math.ceil((Date.now() + 10_000) / QUARTER_MS) * QUARTER_MS;
        const booking = await staff
          .call<Booking>('POST', '/bookings', { spaceId: space.id, startAt: new Date(start).toISOString(), endAt: new Date(start + 4 * QUARTER_MS).toISOString(), bookerId: residentId })
          // Taken by a demo booking, or closed today: the next room or site.
          .catch(() => null);
        if (!booking) continue;
        // Just past a quarter hour, the window opens a few seconds from now.
        await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(booking.checkInOpensAt!) - Date.now())));
        return { booking: { ...booking, spaceName: space.name }, restore };
      }
    }
  } catch (error) {
    await restore();
    throw error;
  }
  await restore();
  throw new Error('no room at staff1 sites could be booked from the next quarter hour');
}

/** Clicks the page's CSV export and returns the downloaded text, after checking it starts with the UTF-8 BOM. */
async function exportedCsv(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await page.locator('[data-testid="bookings-export"]').click();
  const bytes = readFileSync((await (await download).path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return bytes.subarray(3).toString('utf8');
}

describe('front desk on a desktop', () => {
  const test = useBrowser();

  it('staff book for a resident found by phone, see the masked phone, find the booking by phone digits and export CSV', async () => {
    const staff = await apiAs(test.baseUrl, STAFF);
    const { space, slot, date } = await freeHourAtMySite(staff, 2);
    const { page } = test;
    await signIn(test, STAFF);

    // Book on behalf of resident7 (phone 13900000007) from the timeline's booking form.
    const modal = await openBookingForm(test);
    await modal.getByText('居民', { exact: true }).click();
    await modal.locator('[data-testid="person-picker"]').click();
    await page.keyboard.type('00000007');
    const person = page.locator('.ant-select-item-option', { hasText: '139****0007' }).first();
    await person.waitFor();
    await person.click();
    await fillWhereAndWhen(page, modal, space, date, slot);
    await expectNoSeriousA11yViolations(page, 'booking form zh-CN', '.ant-modal');
    await shoot(page, 'booking-form-on-behalf');
    await modal.getByRole('button', { name: BOOK_ZH }).click();
    await page.getByText('预约已创建').waitFor();

    // Find it on /bookings by phone digits; the drawer names the booker with a masked phone.
    await page.goto(`${test.baseUrl}/bookings`);
    await page.locator('[data-testid="bookings-search"] input').fill('00000007');
    const row = page.locator('tr[data-testid^="booking-row-"]', { hasText: space.name }).first();
    await row.waitFor();
    await expect.poll(() => row.locator('[data-testid="booker"]').textContent()).toContain('139****0007');
    await expectNoSeriousA11yViolations(page, 'bookings zh-CN');
    await shoot(page, 'bookings-search-zh');
    await row.getByRole('button', { name: DETAILS_ZH }).click();
    await expect.poll(() => page.locator('[data-testid="booker-phone"]').textContent()).toBe('139****0007');
    await expect.poll(() => page.locator('[data-testid="booking-history"]').textContent()).toContain('已预约');
    await expectNoSeriousA11yViolations(page, 'booking drawer zh-CN', '.ant-drawer');
    await shoot(page, 'booking-drawer-zh');
    await page.keyboard.press('Escape');
    await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });

    // The export is the same filter as CSV: UTF-8 with a BOM, so Excel reads the Chinese names; headers in the UI's language.
    const zhCsv = await exportedCsv(page);
    expect(zhCsv.split('\r\n')[0]).toContain('预约人,手机号');
    expect(zhCsv).toContain('139****0007');

    await switchLanguage(test, 'en');
    await page.locator('[data-testid="bookings-search"] input').fill('00000007');
    await page.locator('tr[data-testid^="booking-row-"]', { hasText: space.name }).first().waitFor();
    const enCsv = await exportedCsv(page);
    expect(enCsv.split('\r\n')[0]).toContain('Booked for,Phone');
    expect(enCsv).toContain('139****0007');
    await expectNoSeriousA11yViolations(page, 'bookings en');
    await shoot(page, 'bookings-search-en');
    expectNoConsoleErrors(test);
  });

  it('staff book for a walk-in with a name and phone; the drawer shows the walk-in and the masked phone', async () => {
    const staff = await apiAs(test.baseUrl, STAFF);
    const { space, slot, date } = await freeHourAtMySite(staff, 3);
    const { page } = test;
    await signIn(test, STAFF);

    const modal = await openBookingForm(test);
    await modal.getByText('现场访客', { exact: true }).click();
    // Required, and a phone must look like one: the form says so before anything is sent.
    await modal.getByLabel('手机（选填）').fill('12345');
    await fillWhereAndWhen(page, modal, space, date, slot);
    await modal.getByRole('button', { name: BOOK_ZH }).click();
    await modal.getByText('请输入访客姓名。').waitFor();
    await modal.getByText('请输入 11 位手机号。').waitFor();
    await modal.getByLabel('姓名').fill('王阿姨');
    await modal.getByLabel('手机（选填）').fill(WALK_IN_PHONE);
    // The messages fade out; axe would judge a half-transparent one.
    await modal.locator('.ant-form-item-explain-error').first().waitFor({ state: 'detached' });
    await expectNoSeriousA11yViolations(page, 'walk-in form zh-CN', '.ant-modal');
    await shoot(page, 'booking-form-walk-in');
    await modal.getByRole('button', { name: BOOK_ZH }).click();
    await page.getByText('预约已创建').waitFor();

    await page.goto(`${test.baseUrl}/bookings`);
    await page.locator('[data-testid="bookings-search"] input').fill('王阿姨');
    const row = page.locator('tr[data-testid^="booking-row-"]', { hasText: space.name }).first();
    await row.waitFor();
    await expect.poll(() => row.locator('[data-testid="booker"]').textContent()).toContain('138****5678');
    await row.getByRole('button', { name: DETAILS_ZH }).click();
    const card = page.locator('[data-testid="booker-card"]');
    await expect.poll(() => card.textContent()).toContain('王阿姨');
    await expect.poll(() => card.textContent()).toContain('现场登记');
    await expect.poll(() => page.locator('[data-testid="booker-phone"]').textContent()).toBe('138****5678');
    await expectNoSeriousA11yViolations(page, 'walk-in drawer zh-CN', '.ant-drawer');
    await shoot(page, 'booking-drawer-walk-in-zh');

    await switchLanguage(test, 'en');
    await page.locator('[data-testid="bookings-search"] input').fill('王阿姨');
    await page.locator('tr[data-testid^="booking-row-"]', { hasText: space.name }).first().getByRole('button', { name: 'Details' }).click();
    await expect.poll(() => page.locator('[data-testid="booker-card"]').textContent()).toContain('Walk-in');
    await expectNoSeriousA11yViolations(page, 'walk-in drawer en', '.ant-drawer');
    expectNoConsoleErrors(test);
  });

  it('Today shows another date picked, the summary across my sites, desk check-in by typed code; the kiosk shows a QR code', async () => {
    const { page } = test;
    await signIn(test, STAFF);
    await page.waitForURL('**/today');
    await page.locator('[data-testid="today-summary"]').waitFor();
    const todayText = await page.locator('[data-testid="today-date"]').textContent();
    const tomorrow = shanghaiDate(1);
    await page.getByLabel('日期').click();
    await page.locator(`.ant-picker-dropdown td[title="${tomorrow}"]`).click();
    await expect.poll(() => page.locator('[data-testid="today-date"]').textContent()).not.toBe(todayText);
    await expectNoSeriousA11yViolations(page, 'today zh-CN');
    await shoot(page, 'today-tomorrow-zh');

    // A code nobody has: the desk says so, in words, and the dialog is usable by keyboard.
    await page.locator('[data-testid="open-desk-check-in"]').click();
    const code = page.locator('[data-testid="desk-code"]');
    await expect.poll(() => code.evaluate((input) => input === document.activeElement)).toBe(true);
    await code.fill('ZZZZ9999');
    await code.press('Enter');
    await page.locator('[data-testid="refusal"]').waitFor();
    await expectNoSeriousA11yViolations(page, 'desk check-in zh-CN', '.ant-modal');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="desk-code"]').waitFor({ state: 'detached' });

    await switchLanguage(test, 'en');
    await page.locator('[data-testid="today-summary"]').waitFor();
    await expectNoSeriousA11yViolations(page, 'today en');
    await shoot(page, 'today-en');

    await page.goto(`${test.baseUrl}/kiosk`);
    await page.locator('[data-testid="kiosk-open"]').click();
    await page.waitForURL('**/kiosk/*');
    await page.locator('[data-testid="kiosk-screen"] img[data-testid="qr-code"]').waitFor();
    await expect.poll(() => page.locator('header').count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'kiosk en');
    await shoot(page, 'kiosk-en');
    await switchLanguage(test, 'zh-CN');
    await page.locator('img[data-testid="qr-code"]').waitFor();
    await expectNoSeriousA11yViolations(page, 'kiosk zh-CN');
    expectNoConsoleErrors(test);
  });
});

describe('front desk on a phone', () => {
  const test = useBrowser({ viewport: PHONE });

  it('staff on a phone: Today and /bookings (found by phone digits) in both languages', async () => {
    const staff = await apiAs(test.baseUrl, STAFF);
    const resident = await apiAs(test.baseUrl, 'resident7@demo.linli.dev');
    const { space, slot } = await freeHourAtMySite(staff, 4);
    await staff.call<Booking>('POST', '/bookings', { spaceId: space.id, startAt: slot.startAt, endAt: slot.endAt, bookerId: resident.user.id });
    const { page } = test;
    await signIn(test, STAFF);
    await page.waitForURL('**/today');
    await page.locator('[data-testid="today-summary"]').waitFor();
    await expectNoSeriousA11yViolations(page, 'today phone zh-CN');
    await shoot(page, 'today-phone-zh');

    await page.goto(`${test.baseUrl}/bookings`);
    await page.locator('[data-testid="bookings-search"] input').fill('00000007');
    const row = page.locator('tr[data-testid^="booking-row-"]', { hasText: space.name }).first();
    await expect.poll(() => row.locator('[data-testid="booker"]').textContent()).toContain('139****0007');
    await expectNoSeriousA11yViolations(page, 'bookings phone zh-CN');
    await shoot(page, 'bookings-phone-zh');

    await switchLanguage(test, 'en');
    await page.locator('[data-testid="bookings-search"] input').fill('00000007');
    await expect.poll(() => row.locator('[data-testid="booker"]').textContent()).toContain('139****0007');
    await expectNoSeriousA11yViolations(page, 'bookings phone en');
    await shoot(page, 'bookings-phone-en');
    await page.goto(`${test.baseUrl}/today`);
    await page.locator('[data-testid="today-summary"]').waitFor();
    await expectNoSeriousA11yViolations(page, 'today phone en');
    await shoot(page, 'today-phone-en');
    expectNoConsoleErrors(test);
  });

  it('a resident opens the kiosk link at the door and is checked in, whatever the hour', async () => {
    const staff = await apiAs(test.baseUrl, STAFF);
    const resident = await apiAs(test.baseUrl, 'resident9@demo.linli.dev');
    const { booking, restore } = await bookingWhoseCheckInIsOpenNow(test.baseUrl, staff, resident.user.id);
    try {
      expect(Date.parse(booking.checkInOpensAt!)).toBeLessThanOrEqual(Date.now());
      const kiosk = await staff.call<{ checkInUrl: string; token: string }>('GET', `/sites/${booking.siteId}/kiosk`);
      expect(kiosk.checkInUrl).toContain(`/check-in/${booking.siteId}?t=`);
      const { page } = test;
      await signIn(test, 'resident9@demo.linli.dev');
      await page.goto(`${test.baseUrl}/check-in/${booking.siteId}?t=${encodeURIComponent(kiosk.token)}`);
      const outcome = page.locator('[data-testid="door-outcome"]');
      await expect.poll(() => outcome.textContent()).toBe('签到成功');
      await expect.poll(() => page.locator('[data-testid="door-detail"]').textContent()).toContain(booking.spaceName);
      expect((await staff.call<Booking>('GET', `/bookings/${booking.id}`)).status).toBe('checked_in');
      await expectNoSeriousA11yViolations(page, 'door check-in zh-CN');
      await shoot(page, 'door-check-in-zh');
      await switchLanguage(test, 'en');
      await outcome.waitFor();
      await expectNoSeriousA11yViolations(page, 'door check-in en');
      await shoot(page, 'door-check-in-en');

      expectNoConsoleErrors(test);
    } finally {
      await restore();
    }
  });
  // My bookings (another engineer's page) embeds the pass: if it stops doing so, this fails rather than skips.
  it("the resident's pass for a booking tomorrow shows its code, says when check-in opens and offers no button yet", async () => {
    const staff = await apiAs(test.baseUrl, STAFF);
    const resident = await apiAs(test.baseUrl, 'resident9@demo.linli.dev');
    const { space, slot } = await freeHourAtMySite(staff, 1);
    const tomorrow = await staff.call<Booking>('POST', '/bookings', { spaceId: space.id, startAt: slot.startAt, endAt: slot.endAt, bookerId: resident.user.id });
    const { page } = test;
    await signIn(test, 'resident9@demo.linli.dev');
    await page.goto(`${test.baseUrl}/my-bookings?booking=${tomorrow.id}`);
    const pass = page.locator(`[data-testid="my-booking"][data-booking-id="${tomorrow.id}"] [data-testid="check-in-pass"]`);
    await pass.waitFor();
    await pass.locator('img[data-testid="qr-code"]').waitFor();
    expect(await pass.locator('[data-testid="pass-code"]').textContent()).toBe(tomorrow.checkInCode);
    const opensAt = shanghaiClock(tomorrow.checkInOpensAt!);
    await expect.poll(() => pass.locator('[data-testid="pass-window"]').textContent()).toMatch(new RegExp(`签到将于 .*${opensAt} 开放`));
    expect(await pass.locator('[data-testid="pass-check-in"]').count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'check-in pass zh-CN');
    await shoot(page, 'check-in-pass-zh');

    await switchLanguage(test, 'en');
    await expect.poll(() => pass.locator('[data-testid="pass-window"]').textContent()).toMatch(new RegExp(`Check-in opens .*${opensAt}`));
    expect(await pass.locator('[data-testid="pass-check-in"]').count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'check-in pass en');
    await shoot(page, 'check-in-pass-en');
    expectNoConsoleErrors(test);
  });
});
