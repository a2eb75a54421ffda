/**
 * Issue #14 points 4-5: a week that can be read (purpose text visible at 1440 px, hour labels that never touch,
 * shared seat areas as n/capacity, jump to now) and a waitlist a resident can reach (a taken slot shown taken, joined
 * from there, the place in line shown, an offer with its countdown accepted). Both languages; screenshots kept.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from './axe.ts';
import { PHONE, SCREENSHOTS, apiAs, expectNoConsoleErrors, optionLabel, signIn, useBrowser } from './browser.ts';

interface Space { id: string; name: string; siteId: string; bookingMode: string; bookableBy: string; capacity: number }
interface Slot { startAt: string; endAt: string }
interface Booking { id: string; status: string; booker?: { displayName: string } | null }

const ADMIN = 'admin@demo.linli.dev';
const shanghaiDate = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const LANGUAGES = [
  { locale: 'zh-CN', taken: '已约满', join: '加入候补', accept: '接受', confirmed: '已确认' },
  { locale: 'en', taken: 'Taken', join: 'Join the waitlist', accept: 'Accept offer', confirmed: 'Confirmed' },
] as const;

async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `week-${name}.png`), fullPage: true });
}

type Api = Awaited<ReturnType<typeof apiAs>>;

/** A day 2-6 days ahead where `space` has a free hour for `asker`, and that hour. */
async function freeHour(asker: Api, spaceId: string, skip = 0): Promise<{ date: string; slot: Slot }> {
  for (let days = 2; days < 7; days++) {
    const date = shanghaiDate(days);
    const free = await asker.call<{ slots: Slot[] }>('GET', `/spaces/${spaceId}/availability?from=${date}&to=${date}&durationMinutes=60`);
    // Whole hours only, spaced apart, so two languages' runs never pick overlapping times.
    const hours = free.slots.filter((s) => s.startAt.slice(14, 16) === '00');
    if (hours.length > skip) return { date, slot: hours[skip * 2] ?? hours[skip]! };
  }
  throw new Error(`no free hour for ${spaceId}`);
}

/** Pairs of neighbouring labels whose text boxes overlap (within the same row). */
async function overlappingLabels(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const boxes = Array.from(document.querySelectorAll<HTMLElement>(sel))
      .filter((el) => el.textContent?.trim())
      .map((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const box = range.getBoundingClientRect();
        return { text: el.textContent!.trim(), left: box.left, right: box.right, top: Math.round(box.top) };
      })
      .sort((a, b) => a.top - b.top || a.left - b.left);
    const clashes: string[] = [];
    for (let i = 1; i < boxes.length; i++) {
      const [a, b] = [boxes[i - 1]!, boxes[i]!];
      if (a.top === b.top && a.right > b.left + 0.5) clashes.push(`${a.text} / ${b.text}`);
    }
    return clashes;
  }, selector);
}

for (const language of LANGUAGES) {
  describe(`the staff week at 1440 px (${language.locale})`, () => {
    const test = useBrowser({ locale: language.locale });

    it('shows each booking legibly, seat areas as n/capacity, hour labels apart, and jumps to now', async () => {
      const admin = await apiAs(test.baseUrl, ADMIN);
      const spaces = (await admin.call<{ items: Space[] }>('GET', '/spaces?limit=200')).items;
      // A site with both a room and a seat area.
      const seats = spaces.find((s) => s.bookingMode === 'shared_capacity' && spaces.some((r) => r.siteId === s.siteId && r.bookingMode === 'exclusive'))!;
      const room = spaces.find((r) => r.siteId === seats.siteId && r.bookingMode === 'exclusive')!;
      const { date, slot } = await freeHour(admin, room.id, language.locale === 'en' ? 1 : 0);
      const purpose = `周读书会 week ${language.locale} ${Date.now() % 100000}`;
      const booking = await admin.call<Booking>('POST', '/bookings', { spaceId: room.id, startAt: slot.startAt, endAt: slot.endAt, purpose });
      const seatHour = await freeHour(admin, seats.id);
      await admin.call('POST', '/bookings', { spaceId: seats.id, startAt: seatHour.slot.startAt, endAt: seatHour.slot.endAt, partySize: 3, purpose: 'seats' });

      const { page } = test;
      await signIn(test, ADMIN);
      await page.goto(`${test.baseUrl}/timeline?sites=${room.siteId}&date=${date}&view=week`);
      const line = page.locator(`.linli-week-booking[data-booking-id="${booking.id}"]`);
      await line.waitFor();
      const purposeText = line.locator('[data-testid="week-purpose"]');
      expect(await purposeText.textContent()).toBe(purpose);
      const box = (await purposeText.boundingBox())!;
      // Readable, not clipped to a sliver: most of a column's width and at least a line high.
      expect(box.width).toBeGreaterThan(90);
      expect(box.height).toBeGreaterThan(12);
      await expect.poll(() => overlappingLabels(page, '.linli-week thead th')).toEqual([]);

      const occupancy = page.locator(`tr[data-space-id="${seats.id}"] td[data-date="${seatHour.date}"] [data-testid="occupancy"]`);
      await expect.poll(() => occupancy.locator('.linli-week-occupancy-text').textContent()).toMatch(new RegExp(`^\\d+/${seats.capacity}$`));

      // Who booked, in the tooltip (the schedule's booking is read when the tooltip opens).
      await line.hover();
      const card = page.locator('[data-testid="booking-hover-card"]');
      await card.waitFor();
      expect(await card.textContent()).toContain(purpose);
      const detail = await admin.call<Booking>('GET', `/bookings/${booking.id}`);
      if (detail.booker) await expect.poll(() => card.locator('[data-testid="booking-booker"]').textContent()).toContain(detail.booker.displayName);

      await screenshot(page, `1440-${language.locale}`);
      await expectNoSeriousA11yViolations(page, `week ${language.locale}`);

      // The day: hour labels never collide, a seat area reads n/capacity.
      await page.goto(`${test.baseUrl}/timeline?sites=${room.siteId}&date=${seatHour.date}&view=day`);
      await page.locator('.ec-timeline').waitFor();
      await expect.poll(() => page.locator('.ec-header .ec-slot').count()).toBeGreaterThan(4);
      expect(await overlappingLabels(page, '.ec-header .ec-slot')).toEqual([]);
      await expect.poll(() => page.locator('.ec-event.linli-occupancy').first().textContent()).toMatch(new RegExp(`\\d+/${seats.capacity}`));
      await screenshot(page, `day-1440-${language.locale}`);
      await expectNoSeriousA11yViolations(page, `day ${language.locale}`);

      // Jump to now: back to today, in the week with today's column marked.
      await page.goto(`${test.baseUrl}/timeline?sites=${room.siteId}&date=${shanghaiDate(14)}&view=week`);
      await page.locator('[data-testid="week-board"]').waitFor();
      await page.locator('[data-testid="jump-to-now"]').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('date')).toBe(shanghaiDate(0));
      await expect.poll(() => page.locator(`.linli-week thead th[data-date="${shanghaiDate(0)}"][data-today]`).isVisible()).toBe(true);
      expectNoConsoleErrors(test);
    });
  });

  describe(`the week on a phone (${language.locale})`, () => {
    const test = useBrowser({ locale: language.locale, viewport: PHONE });

    it('scrolls sideways inside the board, the page itself does not', async () => {
      const { page } = test;
      await signIn(test, ADMIN);
      await page.goto(`${test.baseUrl}/timeline?view=week`);
      await page.locator('[data-testid="week-board"]').waitFor();
      // Nothing on the page sticks out past the screen's edge: the board scrolls inside its own box.
      const sticking = (selector: string) =>
        page.evaluate(
          ({ sel, width }) =>
            Array.from(document.querySelectorAll<HTMLElement>(sel))
              .filter((el) => !el.closest('.linli-week') && el.getBoundingClientRect().right > width + 1 && el.getClientRects().length > 0)
              .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)} ${Math.round(el.getBoundingClientRect().right)}`)
              .slice(0, 8),
          { sel: selector, width: PHONE.width },
        );
      expect(await sticking('main *')).toEqual([]);
      // The shell around the page (its header) is not this page's: what sticks out there is logged, not failed.
      const outside = await sticking('body > * *:not(main *)');
      if (outside.length) console.warn(`week phone ${language.locale}: outside the page, past the edge:`, outside);
      await screenshot(page, `390-${language.locale}`);
      await expectNoSeriousA11yViolations(page, `week phone ${language.locale}`);
      expectNoConsoleErrors(test);
    });
  });

  describe(`a resident reaches the waitlist (${language.locale})`, () => {
    const test = useBrowser({ locale: language.locale, viewport: PHONE });

    it('sees a taken slot as taken, joins its line, sees the place, and accepts the offer before it runs out', async () => {
      const login = language.locale === 'en' ? 'resident8@demo.linli.dev' : 'resident7@demo.linli.dev';
      const resident = await apiAs(test.baseUrl, login);
      const admin = await apiAs(test.baseUrl, ADMIN);
      const homeSiteId = resident.user.homeSiteId!;
      const spaces = (await resident.call<{ items: Space[] }>('GET', `/spaces?siteId=${homeSiteId}`)).items.filter(
        (s) => s.bookableBy === 'residents' && s.bookingMode === 'exclusive',
      );
      let room: Space | undefined;
      for (const candidate of spaces) {
        const policy = await resident.call<{ values: { approvalRequired: boolean; waitlistMode: string } }>('GET', `/spaces/${candidate.id}/policy`);
        if (!policy.values.approvalRequired && policy.values.waitlistMode === 'offer') room = candidate;
        if (room) break;
      }
      expect(room, 'a room that offers freed places').toBeDefined();
      const { date, slot } = await freeHour(resident, room!.id);
      const holder = await admin.call<Booking>('POST', '/bookings', { spaceId: room!.id, startAt: slot.startAt, endAt: slot.endAt, purpose: 'holder' });

      const { page } = test;
      await signIn(test, login);
      await page.goto(`${test.baseUrl}/book`);
      await page.getByText(language.locale === 'en' ? 'Pick a site' : '按站点').click();
      const spaceSelect = page.locator('[data-testid="book-space"]');
      await spaceSelect.waitFor();
      await spaceSelect.selectOption({ label: await optionLabel(spaceSelect, room!.name) });
      await page.getByLabel(language.locale === 'en' ? 'Date' : '日期').fill(date);

      const taken = page.locator('[data-testid="slots"] button[data-slot-state="taken"]').first();
      await taken.waitFor();
      expect(await taken.textContent()).toContain(language.taken);
      await screenshot(page, `taken-390-${language.locale}`);
      await expectNoSeriousA11yViolations(page, `book ${language.locale}`);
      await taken.click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await expectNoSeriousA11yViolations(page, `join dialog ${language.locale}`);
      await dialog.getByRole('button', { name: language.join }).click();
      await dialog.waitFor({ state: 'hidden' });

      await page.goto(`${test.baseUrl}/my-bookings`);
      await page.locator('.ant-segmented-item', { hasText: language.locale === 'en' ? 'Waitlist' : '候补' }).click();
      const position = page.locator('[data-testid="waitlist-position"]').first();
      await expect.poll(() => position.textContent()).toMatch(/1/);
      await screenshot(page, `position-390-${language.locale}`);
      await expectNoSeriousA11yViolations(page, `waitlist ${language.locale}`);

      // The holder's booking is cancelled by staff: the first in line is offered it.
      await admin.call('POST', `/bookings/${holder.id}/cancel`, {});
      await page.reload();
      await page.locator('.ant-segmented-item', { hasText: language.locale === 'en' ? 'Upcoming' : '即将开始' }).click();
      const countdown = page.locator('[data-testid="my-booking"] [data-testid="offer-countdown"]').first();
      await countdown.waitFor();
      const before = await countdown.textContent();
      expect(before).toMatch(/\d+:\d\d/);
      await expect.poll(() => countdown.textContent(), { timeout: 4000 }).not.toBe(before);
      await screenshot(page, `offer-390-${language.locale}`);
      await expectNoSeriousA11yViolations(page, `offer ${language.locale}`);
      const offerCard = page.locator('[data-testid="my-booking"]', { has: page.locator('[data-testid="offer-countdown"]') }).first();
      await offerCard.getByRole('button', { name: language.accept }).click();
      await expect.poll(() => page.locator(`[data-testid="my-booking"]`, { hasText: room!.name }).locator('.ant-tag').first().textContent()).toBe(language.confirmed);
      expectNoConsoleErrors(test);
    });
  });
}
