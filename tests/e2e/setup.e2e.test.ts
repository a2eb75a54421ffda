/**
 * Setup an operator can finish alone (issue #14.6), in a real browser at desk and phone width, in both languages:
 * an admin creates a site with hours and a space residents can read about, invites a staff member who sets a
 * password through the link and signs in, then the admin deactivates them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from './axe.ts';
import { PHONE, SCREENSHOTS, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII=', 'base64');

/** Whether `field` has the keyboard focus. */
const hasFocus = (field: Locator) => field.evaluate((element) => element === document.activeElement);

const CASES = [
  { name: 'desk, 中文', viewport: { width: 1440, height: 900 }, locale: 'zh-CN', words: { newSite: '新建站点', save: /^保\s*存$/, spaces: '空间', newSpace: '新建空间', invite: '邀请成员', create: '生成邀请', setPassword: '设置密码并登录', deactivate: '停用', yes: /确\s*定|OK/ } },
  { name: 'phone, English', viewport: PHONE, locale: 'en', words: { newSite: 'New site', save: /^Save$/, spaces: 'Spaces', newSpace: 'New space', invite: 'Invite someone', create: 'Create invitation', setPassword: 'Set password and sign in', deactivate: 'Deactivate', yes: /OK|Yes/ } },
] as const;

describe.each(CASES)('operator setup ($name)', ({ viewport, locale, words }) => {
  const test = useBrowser({ viewport, locale });
  const shot = (name: string) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    return test.page.screenshot({ path: join(SCREENSHOTS, `setup-${viewport.width}-${locale}-${name}.png`), fullPage: true });
  };

  it('creates a site with hours and a described space, invites a staff member who sets a password, then deactivates them', async () => {
    const { page } = test;
    const unique = randomBytes(3).toString('hex');
    const siteName = `E2E 城市书房 ${unique}`;
    // The language the browser asks for is stored on first visit; make it the case's.
    await page.addInitScript((language) => localStorage.setItem('linli.language', language), locale);
    // The photo host the operator links to, answered here so the preview shows a real image (and no network error).
    await test.context.route('https://images.example.com/**', (route) => route.fulfill({ contentType: 'image/png', body: ONE_PIXEL_PNG }));
    await signIn(test, 'admin@demo.linli.dev');

    // A site with an address, a district and Monday hours copied to every day, opened and saved from the keyboard.
    await page.goto(`${test.baseUrl}/setup`);
    const newSite = page.getByRole('button', { name: words.newSite });
    await newSite.focus();
    await page.keyboard.press('Enter');
    // Found by its title, so the drawer is a labelled dialog; focus moves to its first field, and Escape closes it.
    const drawer = page.getByRole('dialog', { name: words.newSite });
    await expect.poll(() => hasFocus(drawer.locator('#name'))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
    await newSite.click();
    await expect.poll(() => hasFocus(drawer.locator('#name'))).toBe(true);
    await page.keyboard.type(siteName);
    // Tab walks the form in reading order, through the selects as well as the text boxes.
    await page.keyboard.press('Tab');
    await expect.poll(() => hasFocus(drawer.locator('#kind'))).toBe(true);
    await page.keyboard.press('Tab');
    await expect.poll(() => hasFocus(drawer.locator('#district'))).toBe(true);
    await page.keyboard.type('徐汇区');
    await drawer.locator('#address').fill('漕溪北路 100 号');
    await drawer.getByRole('button', { name: /时段|Hours/ }).first().click();
    await drawer.getByRole('button', { name: /复制|Copy Monday/ }).click();
    await expectNoSeriousA11yViolations(page, `new site drawer ${locale}`);
    await shot('site');
    await drawer.getByRole('button', { name: words.save }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => drawer.count()).toBe(0);

    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const sites = await admin.call<{ items: { id: string; name: string; address: string; openingHours: Record<string, unknown[]> }[] }>('GET', '/sites?limit=200');
    const site = sites.items.find((s) => s.name === siteName);
    expect(site, 'the site was created').toMatchObject({ address: '漕溪北路 100 号' });
    expect(site!.openingHours.sun).toHaveLength(1);

    // A space there, with a description and a photo.
    await page.getByRole('tab', { name: words.spaces }).click();
    await page.getByRole('combobox').first().click();
    await page.keyboard.type(siteName);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: words.newSpace }).click();
    const spaceDrawer = page.getByRole('dialog', { name: words.newSpace });
    await expect.poll(() => hasFocus(spaceDrawer.locator('#name'))).toBe(true);
    await spaceDrawer.locator('#name').fill(`阅览室 ${unique}`);
    await spaceDrawer.locator('#description').fill('安静的阅览室，提供电源插座。');
    await spaceDrawer.locator('#photoUrl').fill('javascript:alert(1)');
    await spaceDrawer.getByRole('button', { name: words.save }).click();
    await expect.poll(() => spaceDrawer.locator('.ant-form-item-explain-error').count()).toBeGreaterThan(0);
    await spaceDrawer.locator('#photoUrl').fill('https://images.example.com/reading-room.jpg');
    await expect.poll(() => spaceDrawer.locator('.ant-form-item-explain-error').count()).toBe(0);
    // The preview is the photo itself, loaded, with words for those who cannot see it.
    const preview = spaceDrawer.getByRole('img', { name: new RegExp(`阅览室 ${unique}`) });
    await expect.poll(() => preview.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await expectNoSeriousA11yViolations(page, `new space drawer ${locale}`);
    await spaceDrawer.getByRole('button', { name: words.save }).click();
    await expect.poll(async () => (await admin.call<{ items: { name: string; description: string | null; photoUrl: string | null }[] }>('GET', `/spaces?siteId=${site!.id}`)).items).toEqual([
      expect.objectContaining({ name: `阅览室 ${unique}`, description: '安静的阅览室，提供电源插座。', photoUrl: 'https://images.example.com/reading-room.jpg' }),
    ]);

    // An invitation: the link is shown once.
    await page.goto(`${test.baseUrl}/users`);
    // Checked once the page is there, not while the boot screen's spinner still stands in for it.
    await page.getByRole('button', { name: words.invite }).waitFor();
    await expectNoSeriousA11yViolations(page, `users page ${locale}`);
    await page.getByRole('button', { name: words.invite }).click();
    const modal = page.getByRole('dialog', { name: words.invite });
    // The first field takes the focus: the admin can start typing the name at once.
    await expect.poll(() => hasFocus(modal.locator('#displayName'))).toBe(true);
    await modal.locator('#displayName').fill(`新同事 ${unique}`);
    await modal.locator('#email').fill(`invitee-${unique}@example.com`);
    await modal.locator('#siteIds').click();
    await page.keyboard.type(siteName);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await modal.getByRole('button', { name: words.create }).click();
    const link = page.getByTestId('invite-url');
    await expect.poll(() => link.count()).toBe(1);
    const inviteUrl = (await link.innerText()).trim();
    expect(inviteUrl).toMatch(/\?invite=[\w-]{43}$/);
    await expectNoSeriousA11yViolations(page, `invitation link ${locale}`);
    await shot('invitation');
    await page.keyboard.press('Escape');
    await expect.poll(() => link.count()).toBe(0);

    // The invitee opens the link in their own browser, sets a password and is signed in.
    const invitee = await test.context.browser()!.newContext({ viewport, locale, timezoneId: 'Asia/Shanghai' });
    const inviteePage = await invitee.newPage();
    await inviteePage.addInitScript((language) => localStorage.setItem('linli.language', language), locale);
    await inviteePage.goto(inviteUrl.replace(/^https?:\/\/[^/]+/, test.baseUrl));
    await inviteePage.locator('#password').fill('a-very-own-password');
    await inviteePage.locator('#confirm').fill('a-very-own-password');
    await expectNoSeriousA11yViolations(inviteePage, `set password ${locale}`);
    await inviteePage.screenshot({ path: join(SCREENSHOTS, `setup-${viewport.width}-${locale}-set-password.png`), fullPage: true });
    await inviteePage.getByRole('button', { name: words.setPassword }).click();
    await inviteePage.waitForSelector('header');
    expect(new URL(inviteePage.url()).searchParams.get('invite')).toBeNull();
    await invitee.close();

    // The admin deactivates them, after confirming.
    await page.reload();
    await page.getByRole('searchbox').fill(`invitee-${unique}`);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: new RegExp(`${words.deactivate}`) }).first().click();
    await page.getByRole('button', { name: words.yes }).click();
    await expect
      .poll(async () => (await admin.call<{ items: { status: string }[] }>('GET', `/users?q=invitee-${unique}`)).items.map((u) => u.status))
      .toEqual(['deactivated']);
    await shot('deactivated');
    expectNoConsoleErrors(test);
  }, 180_000);
});
