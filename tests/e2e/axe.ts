/**
 * Accessibility checks with axe-core, run inside the page under test. Only serious and critical violations fail
 * a test (issue #14: "zero serious or critical violations"); the rest are reported by axe's own impact levels.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FAILING_IMPACTS = new Set(['serious', 'critical']);

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Waits until every finite animation and transition on the page has ended (spinners run forever and are left out).
 * A drawer or dropdown still fading in or out is drawn half-transparent, and axe would measure the contrast of
 * that passing frame: under CI load, a button's text in a drawer opened a moment ago read 2:1.
 */
async function settleMotion(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const { document } = globalThis as unknown as {
      document: { getAnimations: () => { finished: Promise<unknown>; effect: { getTiming: () => { iterations?: number } } | null }[] };
    };
    const finite = document.getAnimations().filter((animation) => animation.effect?.getTiming().iterations !== Infinity);
    await Promise.all(finite.map((animation) => animation.finished.catch(() => undefined)));
  });
}

/** Waits (a while) for loading spinners to go: a table still loading is dimmed, which is not what people read. */
async function settleLoading(page: Page): Promise<void> {
  const spinning = page.locator('.ant-spin-spinning, .l-spinner');
  await expect.poll(() => spinning.count(), { timeout: 15_000 }).toBe(0).catch(() => undefined);
}

/** Serious and critical violations on the page as it is now (or inside `within`, a CSS selector). */
export async function seriousA11yViolations(page: Page, within?: string): Promise<AxeFinding[]> {
  await settleLoading(page);
  await settleMotion(page);
  // The callbacks below run in the page, where `axe` and `document` are globals; this file is typed for Node.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (context) => {
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> };
      document: unknown;
    };
    const result = await axe.run(context ?? document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, within ?? null);
  return violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ''));
}

/** Fails the test with each serious or critical violation named (rule, what to fix, where). */
export async function expectNoSeriousA11yViolations(page: Page, label: string, within?: string): Promise<void> {
  const found = await seriousA11yViolations(page, within);
  expect(found.map((v) => `${label}: [${v.impact}] ${v.id} — ${v.help} @ ${v.targets.slice(0, 5).join(' | ')}`)).toEqual([]);
}
