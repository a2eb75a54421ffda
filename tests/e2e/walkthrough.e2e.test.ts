/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Issue #14 point 9, the walk-through fixes outside the front desk, at a desk (1440 px) and on a phone (390 px),
 * in both languages: the series form's weekday follows its first date, a series that books nothing says so as a
 * failure, no page repeats an input id or shows a raw translation key, a phone dialog's labels stay on one line,
 * and the analytics dashboard's median marker keeps off the bars while its heatmap legend carries values.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from './axe.ts';
import { type BrowserTest, PHONE, SCREENSHOTS, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Site { id: string; name: string; kind: string }
interface Space { id: string; name: string; siteId: string; bookingMode: string; archivedAt: string | null }
interface Occurrence { localDate: string; startAt: string | null; endAt: string | null; status: string }

const LABELS = {
  'zh-CN': { newSeries: '新建周期预约', firstDate: '首次日期', start: '开始', count: '次数', space: '空间', preview: '预览', save: '保存', newActivity: '新建活动', days: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] },
  en: { newSeries: 'New recurring', firstDate: 'First date', start: 'Start', count: 'Times', space: 'Space', preview: 'Preview', save: 'Save series', newActivity: 'New activity', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] },
} as const;
type Language = keyof typeof LABELS;

const VIEWS = [
  { width: 'desk', viewport: { width: 1440, height: 900 }, language: 'zh-CN' },
  { width: 'desk', viewport: { width: 1440, height: 900 }, language: 'en' },
  { width: 'phone', viewport: PHONE, language: 'zh-CN' },
  { width: 'phone', viewport: PHONE, language: 'en' },
] as const;

/** A local date in Shanghai (UTC+8, no DST), where every demo site is, `days` from today. */
const shanghaiDate = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const shanghaiClock = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);
/** Monday = 0, as the form lists weekdays. */
const weekdayIndex = (date: string) => (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;

/** A raw i18n key ("series.bookedNothing") or an API code shown untranslated. */
const RAW_KEY = /^[a-z]+(\.[a-zA-Z_]+)+$/;

async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `walkthrough-${name}.png`), fullPage: true });
}

/** Ids used more than once in the page (a label's `for` then points at the wrong field). */
function duplicateIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const element of document.querySelectorAll('[id]')) seen.set(element.id, (seen.get(element.id) ?? 0) + 1);
    return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  });
}

/** Visible text nodes that read like a translation key, or a feature code such as quiet_zone. */
function rawKeys(page: Page): Promise<string[]> {
  return page.evaluate((pattern) => {
    const key = new RegExp(pattern);
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const parent = node.parentElement;
      if (!text || !parent || parent.closest('script, style') || !parent.checkVisibility()) continue;
      if (key.test(text) || /quiet_zone|mirror_wall/.test(text)) found.push(text);
    }
    return found;
  }, RAW_KEY.source);
}

async function expectCleanPage(test: BrowserTest, label: string) {
  expect(await duplicateIds(test.page), `${label}: duplicate ids`).toEqual([]);
  expect(await rawKeys(test.page), `${label}: raw keys`).toEqual([]);
  await expectNoSeriousA11yViolations(test.page, label);
}

/** Labels of the open dialog's form that take more than one line (one character per line at worst). */
function wrappedLabels(page: Page, dialog: string): Promise<string[]> {
  return page.evaluate((selector) => {
    const labels = document.querySelectorAll<HTMLElement>(`${selector} .ant-form-item-label > label`);
    return [...labels]
      .filter((label) => label.checkVisibility() && label.textContent?.trim())
      .filter((label) => label.getBoundingClientRect().height > parseFloat(getComputedStyle(label).lineHeight) * 1.5)
      .map((label) => label.textContent!.trim());
  }, dialog);
}

async function firstStudyRoom(test: BrowserTest): Promise<{ site: Site; room: Space; admin: Awaited<ReturnType<typeof apiAs>> }> {
  const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
  const sites = await admin.call<{ items: Site[] }>('GET', '/sites?limit=200');
  const site = sites.items.find((s) => s.kind === 'study_room')!;
  const spaces = await admin.call<{ items: Space[] }>('GET', `/spaces?siteId=${site.id}`);
  return { site, room: spaces.items.find((s) => s.bookingMode === 'exclusive' && !s.archivedAt)!, admin };
}

async function openSeriesModal(test: BrowserTest, L: (typeof LABELS)[Language], site: Site): Promise<ReturnType<Page['locator']>> {
  const { page } = test;
  await page.goto(`${test.baseUrl}/timeline?sites=${site.id}&date=${shanghaiDate(1)}&view=day`);
  const button = page.getByRole('button', { name: L.newSeries });
  await expect.poll(() => button.isEnabled()).toBe(true);
  await button.click();
  const modal = page.locator('.ant-modal:visible', { has: page.getByTestId('series-form') });
  await modal.waitFor();
  return modal;
}

async function setDate(modal: ReturnType<Page['locator']>, label: string, date: string) {
  const input = modal.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(date);
  await input.press('Enter');
}

describe.each(VIEWS)('walk-through at the $width, in $language', ({ width, viewport, language }) => {
  const test = useBrowser({ viewport, locale: language });
  const L = LABELS[language];
  const name = `${width}-${language}`;

  it('programme, analytics and equipment pages: no duplicate ids, no raw keys, no serious a11y violations', async () => {
    const { page } = test;
    await signIn(test, 'admin@demo.linli.dev');

    await page.goto(`${test.baseUrl}/programme`);
    await page.getByTestId('programme-period').waitFor();
    await page.locator('.ant-skeleton').first().waitFor({ state: 'detached' }).catch(() => undefined);
    await expectCleanPage(test, `programme ${name}`);
    await screenshot(page, `programme-${name}`);

    await page.goto(`${test.baseUrl}/analytics`);
    const dashboard = page.getByTestId('analytics');
    await dashboard.waitFor();
    await expect.poll(() => dashboard.locator('svg').count()).toBeGreaterThan(2);
    await expectCleanPage(test, `analytics ${name}`);

    // The heatmap legend names its ends in numbers (a bare gradient said nothing).
    const heatmap = dashboard.locator('[role="img"]').nth(1);
    await expect.poll(async () => (await heatmap.locator('text').allTextContents()).filter((text) => /^\d+(\.\d+)?%$/.test(text.trim())).length).toBeGreaterThanOrEqual(2);

    // The median's label sits above the bars, never over one.
    const ranking = dashboard.locator('[role="img"][aria-label*=" "]').filter({ has: page.locator('text', { hasText: language === 'en' ? 'Median' : '中位数' }) }).first();
    await ranking.waitFor();
    const overlap = await ranking.evaluate((chart, medianWord) => {
      const label = [...chart.querySelectorAll('text')].find((text) => text.textContent?.startsWith(medianWord));
      if (!label) return 'no median label';
      const box = label.getBoundingClientRect();
      const bars = [...chart.querySelectorAll('path')].filter((path) => path.getAttribute('fill') === '#0f766e');
      if (!bars.length) return 'no bars';
      const hit = bars.find((bar) => {
        const b = bar.getBoundingClientRect();
        return box.left < b.right && b.left < box.right && box.top < b.bottom && b.top < box.bottom;
      });
      return hit ? 'covers a bar' : null;
    }, language === 'en' ? 'Median' : '中位数');
    expect(overlap).toBeNull();
    await screenshot(page, `analytics-${name}`);

    await page.goto(`${test.baseUrl}/equipment`);
    await page.locator('.ant-table, .ant-empty, .ant-list').first().waitFor();
    await expectCleanPage(test, `equipment ${name}`);
    expectNoConsoleErrors(test);
  });

  it("the series form's weekday follows the first date, and its labels stay on one line", async () => {
    const { page } = test;
    const { site } = await firstStudyRoom(test);
    await signIn(test, 'admin@demo.linli.dev');
    const modal = await openSeriesModal(test, L, site);
    expect(await duplicateIds(page)).toEqual([]);
    expect(await rawKeys(page)).toEqual([]);
    // Focus moved into the dialog, and Escape will close it (checked at the end).
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.ant-modal') !== null)).toBe(true);

    for (const days of [9, 12]) {
      const date = shanghaiDate(days);
      await setDate(modal, L.firstDate, date);
      const checked = await modal.locator('.ant-checkbox-wrapper-checked').allTextContents();
      expect(checked, `first date ${date}`).toEqual([L.days[weekdayIndex(date)]]);
    }
    // A CSS selector (querySelectorAll knows no :visible); labels of hidden dialogs are left out by checkVisibility.
    expect(await wrappedLabels(page, '.ant-modal')).toEqual([]);
    await expectNoSeriousA11yViolations(page, `series dialog ${name}`, '.ant-modal-wrap:not([style*="display: none"])');
    await screenshot(page, `series-${name}`);

    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'hidden' });
    expectNoConsoleErrors(test);
  });

  it('a phone dialog: the new-activity form keeps each label on one line', async () => {
    const { page } = test;
    await signIn(test, 'admin@demo.linli.dev');
    await page.goto(`${test.baseUrl}/programme`);
    await page.getByTestId('new-activity').click();
    const form = page.getByTestId('activity-form');
    await form.waitFor();
    expect(await wrappedLabels(page, '[data-testid="activity-form"]')).toEqual([]);
    expect(await duplicateIds(page)).toEqual([]);
    await expectNoSeriousA11yViolations(page, `activity drawer ${name}`, '[data-testid="activity-form"]');
    await screenshot(page, `activity-form-${name}`);
  });
});

describe('a series that books nothing', () => {
  const test = useBrowser();
  const L = LABELS['zh-CN'];

  it('someone takes the only date between preview and save: the save is shown as a failure, not a success', async () => {
    const { page } = test;
    const { site, room, admin } = await firstStudyRoom(test);
    // A free hour on a day three weeks ahead, whatever the demo seed booked.
    let date = '';
    let clock = '';
    for (let days = 21; days < 35 && !clock; days++) {
      date = shanghaiDate(days);
      const free = await admin.call<{ slots: { startAt: string }[] }>('GET', `/spaces/${room.id}/availability?from=${date}&to=${date}&durationMinutes=90`);
      clock = free.slots.map((s) => shanghaiClock(s.startAt)).find((c) => c.endsWith(':00') && c >= '09:00' && c <= '17:00') ?? '';
    }
    expect(clock).not.toBe('');

    await signIn(test, 'admin@demo.linli.dev');
    const modal = await openSeriesModal(test, L, site);
    const space = modal.locator('#series_spaceId');
    await space.click();
    await space.fill(room.name);
    // The option named exactly "site · room": a plain hasText would also match a "小研讨室" listed before "研讨室".
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').getByText(`${site.name} · ${room.name}`, { exact: true }).click();
    await setDate(modal, L.firstDate, date);
    const start = modal.getByLabel(L.start, { exact: true });
    await start.click();
    await start.fill(clock);
    await start.press('Enter');
    const count = modal.getByLabel(L.count, { exact: true });
    await count.fill('1');
    await modal.getByTestId('series-preview').click();
    await expect.poll(() => modal.getByTestId('series-preview-summary').getAttribute('class')).toMatch(/ant-alert-success/);

    // Meanwhile the front desk books that very hour.
    const [occurrence] = (
      await admin.call<{ occurrences: Occurrence[] }>('POST', '/series', {
        spaceId: room.id, startDate: date, startTime: clock, durationMinutes: 90, rule: 'FREQ=WEEKLY;COUNT=1', onConflict: 'skip', dryRun: true,
      })
    ).occurrences;
    await admin.call('POST', '/bookings', { spaceId: room.id, startAt: occurrence!.startAt, endAt: occurrence!.endAt, purpose: 'E2E 抢先' });

    await modal.getByTestId('series-save').click();
    const failure = modal.getByTestId('series-booked-nothing');
    await failure.waitFor();
    expect(await failure.getAttribute('class')).toMatch(/ant-alert-error/);
    // No green toast claimed it worked, and the dialog stays open to change the request.
    expect(await page.locator('.ant-message-success').count()).toBe(0);
    expect(await modal.isVisible()).toBe(true);
    await screenshot(page, 'series-booked-nothing');

    // Preview again: nothing is bookable now, said in red, and Save stays disabled.
    await modal.getByTestId('series-preview').click();
    await expect.poll(() => modal.getByTestId('series-preview-summary').getAttribute('class')).toMatch(/ant-alert-error/);
    expect(await modal.getByTestId('series-save').isDisabled()).toBe(true);
    expectNoConsoleErrors(test);
  });
});
