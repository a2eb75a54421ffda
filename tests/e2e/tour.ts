/**
 * Screenshots of every main screen in both languages and at phone width, for a person to look at
 * (docs/ui.md lists them). Run against a running server: `npx tsx tests/e2e/tour.ts http://127.0.0.1:3000`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PASSWORD, PHONE, SCREENSHOTS, launchChromium } from './browser.ts';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:3000';
const out = join(SCREENSHOTS, 'tour');
mkdirSync(out, { recursive: true });

const STAFF_PAGES = ['/timeline', '/timeline?view=week', '/approvals', '/today', '/analytics', '/sites', '/setup'];
const RESIDENT_PAGES = ['/book', '/my-bookings'];

async function shoot(browser: Browser, login: string, pages: string[], language: 'zh-CN' | 'en', phone: boolean) {
  const context = await browser.newContext({
    viewport: phone ? PHONE : { width: 1440, height: 900 },
    locale: language,
    timezoneId: 'Asia/Shanghai',
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
  await page.goto(`${baseUrl}/`);
  // Runs in the page (a string, as this file is typechecked without the DOM library).
  await page.evaluate(`localStorage.setItem('linli.language', '${language}')`);
  await page.goto(`${baseUrl}/`);
  const tag = `${language}${phone ? '-phone' : ''}`;
  await page.screenshot({ path: join(out, `signin-${tag}.png`) });
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(PASSWORD);
  await page.waitForFunction(`document.querySelector('#org')?.value === 'demo'`);
  await page.locator('button[type="submit"]').click();
  await page.waitForSelector('header');
  for (const path of pages) {
    await page.goto(`${baseUrl}${path}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(600);
    const name = `${path.replace(/[/?=]+/g, '-').replace(/^-/, '')}-${tag}.png`;
    await page.screenshot({ path: join(out, name), fullPage: true });
  }
  await context.close();
  return errors;
}

const browser = await launchChromium();
const errors: string[] = [];
for (const language of ['zh-CN', 'en'] as const) {
  errors.push(...(await shoot(browser, 'admin@demo.linli.dev', STAFF_PAGES, language, false)));
  errors.push(...(await shoot(browser, 'resident1@demo.linli.dev', RESIDENT_PAGES, language, true)));
}
errors.push(...(await shoot(browser, 'staff1@demo.linli.dev', ['/timeline', '/today'], 'zh-CN', true)));
await browser.close();
console.log(errors.length ? `console errors:\n${errors.join('\n')}` : 'no console errors');
console.log(`screenshots in ${out}`);
