import { describe, expect, it } from 'vitest';
import { PHONE, apiAs, expectNoConsoleErrors, optionLabel, signIn, useBrowser } from './browser.ts';

interface Space { id: string; name: string; siteId: string; bookingMode: string; bookableBy: string; policy: { approvalRequired?: boolean } }
interface Slot { startAt: string; endAt: string }

const shanghaiDate = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

describe('resident on a phone', () => {
  const test = useBrowser({ viewport: PHONE });

  it('books a seat, sees it in my bookings and cancels it', async () => {
    const resident = await apiAs(test.baseUrl, 'resident3@demo.linli.dev');
    const homeSiteId = resident.user.homeSiteId!;
    const spaces = await resident.call<{ items: Space[] }>('GET', `/spaces?siteId=${homeSiteId}`);
    const bookable = spaces.items.filter((s) => s.bookableBy === 'residents' && !s.policy.approvalRequired);
    const seat = bookable.find((s) => s.bookingMode === 'shared_capacity') ?? bookable[0]!;
    // A day with a free slot for this place (the site may be closed on some weekday).
    let date = '';
    for (let days = 1; days < 6 && !date; days++) {
      const free = await resident.call<{ slots: Slot[] }>('GET', `/spaces/${seat.id}/availability?from=${shanghaiDate(days)}&to=${shanghaiDate(days)}&durationMinutes=60`);
      if (free.slots.length) date = shanghaiDate(days);
    }
    expect(date).not.toBe('');
    const { page } = test;

    await signIn(test, 'resident3@demo.linli.dev');
    await page.getByText('按站点').click();
    const spaceSelect = page.locator('[data-testid="book-space"]');
    await spaceSelect.waitFor();
    await spaceSelect.selectOption({ label: await optionLabel(spaceSelect, seat.name) });
    await page.getByLabel('日期').fill(date);
    const slots = page.locator('[data-testid="slots"] button[data-slot-state="free"]');
    await slots.first().waitFor();
    await slots.first().click();
    // Before confirming, the resident reads where the space is and when its site opens (issue #14, point 6).
    const details = page.locator('[data-testid="space-details"]');
    await details.waitFor();
    const site = await resident.call<{ name: string; address: string | null }>('GET', `/sites/${homeSiteId}`);
    expect(await details.textContent()).toContain(site.name);
    await page.locator('[data-testid="confirm-booking"]').click();
    await page.waitForURL('**/my-bookings');
    const card = page.locator('[data-testid="my-booking"]', { hasText: seat.name }).first();
    await card.waitFor();
    await expect.poll(() => card.locator('.ant-tag').first().textContent()).toBe('已确认');

    await card.getByRole('button', { name: '取消预约' }).click();
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '取消预约' }).click();
    await page.getByText('预约已取消。').waitFor();
    await expect.poll(() => page.locator('[data-testid="my-booking"]', { hasText: seat.name }).count()).toBe(0);
    expectNoConsoleErrors(test);
  });
});
