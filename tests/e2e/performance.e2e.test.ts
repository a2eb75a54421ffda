/**
 * Fast on a phone (issue #14, point 7): what a resident's phone downloads to sign in and see its first screen,
 * counted as the bytes that actually crossed the network (compressed), and how those files may be cached.
 * Also: the chart library loads with the analytics page only.
 */
import type { Page, Request, Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from './axe.ts';
import { PHONE, type BrowserTest, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

/**
 * At most 200 KB of script, compressed, from opening the app to the resident's first screen. Why 200 KB: on a
 * typical 3G/slow-4G phone link (~1.6 Mbps) that is about one second of transfer, and a mid-range phone parses and
 * runs it in about as long again; above it a resident at the door waits long enough to give up. It is the
 * script budget commonly recommended for a mobile first load (e.g. web.dev, "performance budgets").
 *
 * "The resident's first screen" is measured as the two screens a resident can open the app onto, each from an
 * empty cache and each held to the whole budget:
 * - a new visitor's sign-in screen (no stored session): what they wait for before they can type;
 * - a returning resident's landing (a stored session, the usual case: the refresh token keeps them signed in):
 *   what they wait for before they can book. The sign-in page is not part of it (App.tsx loads it only when no
 *   session is stored).
 * Not one sum over signing in and landing: the landing's code is fetched after the form is sent, while the
 * person has already waited for the sign-in screen once and typed for several seconds; adding the two would charge
 * one wait with code that arrived during another, and a returning resident (most visits) never loads the first.
 * Every script the page fetches until the screen has settled is counted, lazy chunks included.
 */
const FIRST_SCREEN_SCRIPT_BUDGET_BYTES = 200 * 1024;
/**
 * How the screens stay under it: they are drawn without antd (the light kit in apps/admin/src/ui, the browser's own
 * inputs), and antd loads with the first page or dialog that uses it. Measured 2026-11-30 (brotli): the sign-in
 * screen ~93 KB, a returning resident's landing ~112 KB; with antd on them they were 243 KB and 335 KB.
 */
const IMMUTABLE_ASSET_CACHE = 'public, max-age=31536000, immutable';
/** Below this a compressed copy is not worth it (and the build may not write one): headers cost as much. */
const WORTH_COMPRESSING_BYTES = 1024;
/**
 * A string only echarts' code holds (the attribute it marks its chart elements with). Looking into the code, not at
 * chunk names, catches echarts wherever the bundler puts it, e.g. inside a vendor chunk if the first screen
 * imported it.
 */
const ECHARTS_MARK = '_echarts_instance_';

interface Load {
  url: string;
  transferredBytes: number;
  decodedBytes: number;
  encoding: string | undefined;
  cacheControl: string | undefined;
  holdsEcharts: boolean;
}

/** What the page fetches from now on, with its bytes on the wire (Playwright's `request.sizes()`). */
function recordLoads(page: Page, wanted: (request: Request) => boolean): { loads: Load[]; settled: () => Promise<Load[]> } {
  const loads: Load[] = [];
  const pending: Promise<void>[] = [];
  page.on('requestfinished', (request: Request) => {
    if (!wanted(request)) return;
    pending.push(
      (async () => {
        // A request still finishing when the test closes its page is not part of what was measured.
        const response = await request.response().catch(() => null);
        if (!response) return;
        const sizes = await request.sizes().catch(() => null);
        const body = await response.body().catch(() => null);
        const headers = await response.allHeaders().catch(() => null);
        if (!sizes || !body || !headers) return;
        loads.push({
          url: request.url(),
          transferredBytes: sizes.responseBodySize,
          decodedBytes: body.length,
          encoding: headers['content-encoding'],
          cacheControl: headers['cache-control'],
          holdsEcharts: body.includes(ECHARTS_MARK),
        });
      })(),
    );
  });
  return {
    loads,
    settled: async () => {
      await Promise.all(pending);
      return loads;
    },
  };
}

/** The HTML document answers (index.html, whatever the client route). */
function recordDocuments(page: Page): Response[] {
  const documents: Response[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document') documents.push(response);
  });
  return documents;
}

/** Waits until the lazy page and its first queries are in, so no chunk it loads is missed. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  // antd's spinners (pages built with antd) and the light kit's (the first screens and the frame).
  await expect.poll(() => page.locator('.ant-spin-spinning, .l-spinner').count()).toBe(0);
}

const isScript = (request: Request) => request.resourceType() === 'script';

function describeLoads(loads: Load[]): string {
  return loads
    .toSorted((a, b) => b.transferredBytes - a.transferredBytes)
    .map((l) => `${String(l.transferredBytes).padStart(8)} ${l.encoding ?? 'identity'} (${l.decodedBytes}) ${new URL(l.url).pathname}`)
    .join('\n');
}

/** Every script came compressed (brotli or gzip, written at build time) and may be kept a year: its name changes with its content. */
function expectCompressedAndImmutable(loads: Load[]): void {
  expect(loads.length, 'scripts were seen at all').toBeGreaterThan(2);
  for (const load of loads) {
    const path = new URL(load.url).pathname;
    expect(path, 'scripts come from the hashed assets').toMatch(/^\/assets\/[\w.-]+\.js$/);
    if (load.decodedBytes > WORTH_COMPRESSING_BYTES) expect([path, load.encoding]).toEqual([path, expect.stringMatching(/^(br|gzip)$/)]);
    expect([path, load.cacheControl]).toEqual([path, IMMUTABLE_ASSET_CACHE]);
  }
}

function totalOf(loads: Load[], screen: string): { total: number; report: string } {
  const total = loads.reduce((sum, l) => sum + l.transferredBytes, 0);
  const report = `${total} bytes of script in ${loads.length} files:\n${describeLoads(loads)}`;
  console.info(`${screen}: ${report}`);
  return { total, report };
}

/** The screen as it is now, then again in the other language (the stored choice, reloaded), then back. */
async function expectAccessibleInBothLanguages(test: BrowserTest, label: string): Promise<void> {
  const { page } = test;
  await expectNoSeriousA11yViolations(page, `${label} zh-CN`);
  for (const language of ['en', 'zh-CN']) {
    await page.evaluate(`localStorage.setItem('linli.language', '${language}')`);
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
    await settle(page);
    if (language === 'en') await expectNoSeriousA11yViolations(page, `${label} en`);
  }
}

describe('fast on a phone', () => {
  const test = useBrowser({ viewport: PHONE });

  it(`a new visitor's sign-in screen on a phone: compressed, cached right, at most ${FIRST_SCREEN_SCRIPT_BUDGET_BYTES / 1024} KB of script`, async () => {
    const { page, baseUrl } = test;
    const scripts = recordLoads(page, isScript);
    const documents = recordDocuments(page);

    await page.goto(`${baseUrl}/`);
    await page.locator('#password').waitFor();
    await settle(page);
    const { total, report } = totalOf(await scripts.settled(), "new visitor's sign-in screen");
    expectCompressedAndImmutable(scripts.loads);
    // index.html names the current hashed files: compressed, but asked for again on every visit.
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const headers = await document.allHeaders();
      expect(headers['cache-control'], document.url()).toBe('no-cache');
      expect(headers['content-encoding'], document.url()).toMatch(/^(br|gzip)$/);
    }
    expectNoConsoleErrors(test);

    expect(total, `over the budget of ${FIRST_SCREEN_SCRIPT_BUDGET_BYTES} bytes: ${report}`).toBeLessThanOrEqual(FIRST_SCREEN_SCRIPT_BUDGET_BYTES);
  });

  it(`a returning resident's first screen on a phone: compressed, cached right, no charts, at most ${FIRST_SCREEN_SCRIPT_BUDGET_BYTES / 1024} KB of script`, async () => {
    const { page, context, baseUrl } = test;
    await signIn(test, 'resident3@demo.linli.dev');
    await page.waitForURL('**/book');
    await settle(page);
    // Coming back another day: the session is stored, the cache is empty (a year's cache would hide every byte).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.goto('about:blank');

    const scripts = recordLoads(page, isScript);
    const documents = recordDocuments(page);
    // The portfolio the booking page lists (tens of KB of JSON for the demo's 36 sites).
    const sitesAnswer = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/sites');
    await page.goto(`${baseUrl}/`);
    await page.waitForURL('**/book');
    await page.getByText('按站点').waitFor();
    await settle(page);
    const loads = await scripts.settled();
    const { total, report } = totalOf(loads, "returning resident's first screen");
    expectCompressedAndImmutable(loads);
    expect(loads.filter((l) => /SignInPage/.test(l.url)).map((l) => l.url), 'the sign-in page is not loaded with a stored session').toEqual([]);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect((await document.allHeaders())['cache-control'], document.url()).toBe('no-cache');
    // The API answers the page asked for came compressed too, when they were big enough to be worth it.
    const sites = await sitesAnswer;
    expect((await sites.body()).length).toBeGreaterThan(WORTH_COMPRESSING_BYTES);
    expect((await sites.allHeaders())['content-encoding']).toMatch(/^(br|gzip)$/);

    expect(loads.filter((l) => l.holdsEcharts).map((l) => l.url), 'the chart library is not loaded for a resident').toEqual([]);
    await expectAccessibleInBothLanguages(test, "resident's first screen (phone)");
    expectNoConsoleErrors(test);

    // Last, so that a breach does not hide what the checks above would say.
    expect(total, `over the budget of ${FIRST_SCREEN_SCRIPT_BUDGET_BYTES} bytes: ${report}`).toBeLessThanOrEqual(FIRST_SCREEN_SCRIPT_BUDGET_BYTES);
  });

  it(`a resident opening the kiosk's link at the door (stored session, empty cache): at most ${FIRST_SCREEN_SCRIPT_BUDGET_BYTES / 1024} KB of script`, async () => {
    const { page, context, baseUrl } = test;
    const staff = await apiAs(baseUrl, 'staff1@demo.linli.dev');
    const kiosk = await staff.call<{ token: string }>('GET', `/sites/${staff.user.siteIds[0]}/kiosk`);
    await signIn(test, 'resident3@demo.linli.dev');
    await page.waitForURL('**/book');
    await settle(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.clearBrowserCache');
    await page.goto('about:blank');

    const scripts = recordLoads(page, isScript);
    await page.goto(`${baseUrl}/check-in/${staff.user.siteIds[0]}?t=${encodeURIComponent(kiosk.token)}`);
    // Whatever the outcome (this resident may have nothing to check in here), the screen has said it.
    await page.locator('[data-testid="door-outcome"]').waitFor();
    await settle(page);
    const loads = await scripts.settled();
    const { total, report } = totalOf(loads, 'door check-in');
    expectCompressedAndImmutable(loads);
    await expectNoSeriousA11yViolations(page, 'door check-in (phone)');
    expectNoConsoleErrors(test);
    expect(total, `over the budget of ${FIRST_SCREEN_SCRIPT_BUDGET_BYTES} bytes: ${report}`).toBeLessThanOrEqual(FIRST_SCREEN_SCRIPT_BUDGET_BYTES);
  });

  it('the chart library (echarts) loads only when a staff member opens analytics', async () => {
    const { page } = test;
    const scripts = recordLoads(page, isScript);

    await signIn(test, 'manager1@demo.linli.dev');
    await settle(page);
    await scripts.settled();
    expect(scripts.loads.filter((l) => l.holdsEcharts).map((l) => l.url), 'charts before /analytics').toEqual([]);
    await expectAccessibleInBothLanguages(test, "staff's first screen (phone)");

    await page.goto(`${test.baseUrl}/analytics`);
    // The first chart drawn (echarts marks its container), not any role="img": antd's icons have that role too and
    // are there long before the analytics answer is.
    await page.locator(`[${ECHARTS_MARK}]`).first().waitFor({ timeout: 30_000 });
    await settle(page);
    const charts = (await scripts.settled()).filter((l) => l.holdsEcharts);
    expect(charts.length, 'the chart chunk loads with analytics (proves the check above can see it)').toBe(1);
    expect(charts[0]!.encoding).toMatch(/^(br|gzip)$/);
    expect(charts[0]!.cacheControl).toBe(IMMUTABLE_ASSET_CACHE);
    await expectAccessibleInBothLanguages(test, 'analytics (phone)');
    expectNoConsoleErrors(test);
  });
});
