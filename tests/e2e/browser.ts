/**
 * What every browser test shares: Debian's Chromium via playwright-core, a fresh context per test, sign-in,
 * a screenshot when a test fails, and a check that the page logged no console errors.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';

export const SCREENSHOTS = resolve(import.meta.dirname, 'screenshots');
export const PASSWORD = 'linli-demo';
export const PHONE = { width: 390, height: 844 };

export interface BrowserTest {
  page: Page;
  context: BrowserContext;
  baseUrl: string;
  /** Console errors and page errors seen so far in this test. */
  consoleErrors: string[];
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Registers the hooks; the returned object's fields are filled before each test. */
export function useBrowser(options: { viewport?: { width: number; height: number }; locale?: string } = {}): BrowserTest {
  const state = { consoleErrors: [] } as unknown as BrowserTest;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    state.baseUrl = inject('baseUrl');
    state.context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      locale: options.locale ?? 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      ...(options.viewport && options.viewport.width < 600 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    state.page = await state.context.newPage();
    state.page.setDefaultTimeout(15_000);
    state.consoleErrors = [];
    state.page.on('console', (message) => {
      // Chromium logs every 4xx answer; an API refusal the page shows in words is expected, not an error.
      if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
        state.consoleErrors.push(message.text());
      }
    });
    state.page.on('pageerror', (error) => state.consoleErrors.push(String(error)));
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const name = context.task.name.replace(/[^\w-]+/g, '_').slice(0, 80);
      await state.page?.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }).catch(() => undefined);
    }
    await state.context?.close();
  });

  return state;
}

export async function signIn(test: BrowserTest, login: string): Promise<void> {
  const { page, baseUrl } = test;
  await page.goto(`${baseUrl}/`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(PASSWORD);
  // The organization code is filled in from /meta when the installation has one operator.
  await expect.poll(() => page.locator('#org').inputValue()).toBe('demo');
  await page.locator('button[type="submit"]').click();
  await page.waitForSelector('header');
}

/** Calls the API directly as someone (for setting up what a test needs, never for what it checks). */
export async function apiAs(baseUrl: string, login: string) {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ org: 'demo', login, password: PASSWORD }),
  });
  const { accessToken, user } = (await response.json()) as { accessToken: string; user: { id: string; siteIds: string[]; homeSiteId: string | null } };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { user, call };
}

export function expectNoConsoleErrors(test: BrowserTest): void {
  expect(test.consoleErrors, 'console errors').toEqual([]);
}

/** The full text of the first option of a native <select> that starts with `text` (options add "· mode · capacity"). */
export async function optionLabel(select: Locator, text: string): Promise<string> {
  const labels = await select.locator('option').allTextContents();
  const label = labels.find((l) => l.startsWith(text));
  if (label === undefined) throw new Error(`no option starting with "${text}" among: ${labels.join(' | ')}`);
  return label;
}
