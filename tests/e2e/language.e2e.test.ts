import { describe, it } from 'vitest';
import { expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

describe('language', () => {
  const test = useBrowser();

  it('switching language changes the UI, before and after signing in', async () => {
    const { page } = test;
    await page.goto(`${test.baseUrl}/`);
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.getByText('English').click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('中文').click();
    await page.getByRole('heading', { name: '登录' }).waitFor();

    await signIn(test, 'manager1@demo.linli.dev');
    await page.getByRole('link', { name: '空间排期' }).waitFor();
    await page.getByText('English').click();
    // Staff land on Today; the menu and the page they move to speak English too.
    await page.getByRole('link', { name: 'Timeline' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expectNoConsoleErrors(test);
  });
});
