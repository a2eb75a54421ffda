/**
 * An admin changes a signed-in person's access (issue #14.6): the open app follows at once. Demoted to resident,
 * the next thing the person does brings the resident's menu (the API ended the old token, the app refreshed it and
 * took the new role); deactivated, the next thing they do signs them out and says why.
 */
import { describe, expect, it } from 'vitest';
import { PASSWORD, apiAs, expectNoConsoleErrors, useBrowser } from './browser.ts';

describe('access changed while signed in', () => {
  const test = useBrowser({ locale: 'en' });

  async function newStaffSignedIn(): Promise<{ id: string; admin: Awaited<ReturnType<typeof apiAs>> }> {
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const sites = await admin.call<{ items: { id: string }[] }>('GET', '/sites?limit=1');
    const email = `access-${Date.now()}@example.com`;
    const created = await admin.call<{ id: string }>('POST', '/users', { role: 'staff', email, password: PASSWORD, displayName: 'Access Test', siteIds: [sites.items[0]!.id] });
    const { page } = test;
    await page.goto(`${test.baseUrl}/`);
    await page.evaluate(() => localStorage.setItem('linli.language', 'en'));
    await page.goto(`${test.baseUrl}/`);
    await page.locator('#login').fill(email);
    await page.locator('#password').fill(PASSWORD);
    await expect.poll(() => page.locator('#org').inputValue()).toBe('demo');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL('**/today');
    await page.getByRole('link', { name: 'Timeline' }).waitFor();
    return { id: created.id, admin };
  }

  it('demoted to resident: the next page brings the resident menu, without signing in again', async () => {
    const { page } = test;
    const { id, admin } = await newStaffSignedIn();
    await admin.call('PATCH', `/users/${id}`, { role: 'resident' });
    // Going to another page asks the API: the old token is refused, the refresh brings the new role.
    await page.getByRole('link', { name: 'Bookings' }).click();
    await page.getByRole('link', { name: 'Book', exact: true }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Timeline' }).count()).toBe(0);
    expect(await page.locator('#login').count()).toBe(0);
  });

  it('deactivated: the next thing they do signs them out, and the sign-in page says the session ended', async () => {
    const { page } = test;
    const { id, admin } = await newStaffSignedIn();
    await admin.call('POST', `/users/${id}/deactivate`);
    await page.getByRole('link', { name: 'Bookings' }).click();
    await page.locator('#login').waitFor();
    await page.getByRole('status').filter({ hasText: /session/i }).first().waitFor();
    expectNoConsoleErrors(test);
  });
});
