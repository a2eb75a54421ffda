/**
 * Accessibility of every main screen (issue #14, point 10): axe-core finds no serious or critical violation on any
 * page of the menu, for the org admin and for a resident, in both languages, at desktop and phone width. Each page
 * is also kept as a screenshot (tests/e2e/screenshots/a11y, a CI artifact).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations, seriousA11yViolations } from './axe.ts';
import { PHONE, SCREENSHOTS, signIn, useBrowser } from './browser.ts';

const ADMIN_PAGES = ['/today', '/timeline', '/timeline?view=week', '/approvals', '/bookings', '/analytics', '/programme', '/sites', '/equipment', '/setup', '/users', '/notification-deliveries', '/settings/notifications'];
const RESIDENT_PAGES = ['/book', '/my-bookings', '/activities', '/settings/notifications'];
const SHOTS = join(SCREENSHOTS, 'a11y');

async function useLanguage(page: Page, baseUrl: string, language: 'zh-CN' | 'en') {
  await page.goto(`${baseUrl}/`);
  await page.evaluate(`localStorage.setItem('linli.language', '${language}')`);
}

/** Visits each page and collects every page's findings, so one run names them all rather than the first. */
async function sweep(page: Page, baseUrl: string, pages: string[], tag: string): Promise<string[]> {
  mkdirSync(SHOTS, { recursive: true });
  const findings: string[] = [];
  for (const path of pages) {
    await page.goto(`${baseUrl}${path}`);
    await page.waitForLoadState('networkidle');
    // Lazy pages render after their chunk and first query; a page still showing only a spinner is not checked yet.
    // (Polled through a locator: the page's Content-Security-Policy refuses string evaluation such as waitForFunction.)
    await page.locator('main .ant-spin-spinning, main .l-spinner').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    await page.screenshot({ path: join(SHOTS, `${path.replace(/[/?=]+/g, '-').replace(/^-/, '')}-${tag}.png`), fullPage: true });
    for (const v of await seriousA11yViolations(page)) findings.push(`${path} (${tag}): [${v.impact}] ${v.id} — ${v.help} @ ${v.targets.slice(0, 3).join(' | ')}`);
  }
  return findings;
}

describe.each([
  { language: 'zh-CN' as const, width: 'desktop' },
  { language: 'en' as const, width: 'desktop' },
])('every main screen, $language, $width', ({ language }) => {
  const test = useBrowser({ locale: language });

  it("the org admin's pages have no serious or critical accessibility violation", async () => {
    await useLanguage(test.page, test.baseUrl, language);
    await signIn(test, 'admin@demo.linli.dev');
    expect(await sweep(test.page, test.baseUrl, ADMIN_PAGES, `admin-${language}`)).toEqual([]);
  });
});

describe.each([{ language: 'zh-CN' as const }, { language: 'en' as const }])("the resident's phone, $language", ({ language }) => {
  const test = useBrowser({ viewport: PHONE, locale: language });

  it("the resident's pages have no serious or critical accessibility violation", async () => {
    await useLanguage(test.page, test.baseUrl, language);
    await signIn(test, 'resident1@demo.linli.dev');
    expect(await sweep(test.page, test.baseUrl, RESIDENT_PAGES, `resident-${language}-phone`)).toEqual([]);
  });

  it('the sign-in page has none either, also when a sign-in fails (the problem is announced and tied to its field)', async () => {
    const { page } = test;
    await useLanguage(page, test.baseUrl, language);
    await page.goto(`${test.baseUrl}/`);
    await page.locator('#login').waitFor();
    await expectNoSeriousA11yViolations(page, `sign-in ${language}`);

    // Nothing typed: each empty field says so, next to itself.
    await page.locator('#org').fill('');
    await page.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('#login').getAttribute('aria-invalid')).toBe('true');
    const describedBy = await page.locator('#login').getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).not.toBe('');
    // A wrong password: an alert, and the form still usable.
    await page.locator('#org').fill('demo');
    await page.locator('#login').fill('resident1@demo.linli.dev');
    await page.locator('#password').fill('not-the-password');
    await page.locator('button[type="submit"]').click();
    await page.getByRole('alert').waitFor();
    await expectNoSeriousA11yViolations(page, `sign-in failed ${language}`);
  });

  it("the phone's menu is a dialog: reachable, named, closed by Escape (focus back on its button) and by following a link", async () => {
    const { page } = test;
    await useLanguage(page, test.baseUrl, language);
    await signIn(test, 'resident1@demo.linli.dev');
    const openMenu = page.getByRole('button', { name: language === 'en' ? 'Open menu' : '打开菜单' });
    await openMenu.click();
    const menu = page.getByRole('dialog');
    await menu.getByRole('navigation').waitFor();
    await expectNoSeriousA11yViolations(page, `phone menu ${language}`);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'hidden' });
    await expect.poll(() => openMenu.evaluate((button) => button === button.ownerDocument.activeElement)).toBe(true);

    await openMenu.click();
    await menu.getByRole('link', { name: language === 'en' ? 'My bookings' : '我的预约' }).click();
    await page.waitForURL('**/my-bookings');
    await menu.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('link', { name: language === 'en' ? 'My bookings' : '我的预约' }).count()).toBe(0);
  });
});
