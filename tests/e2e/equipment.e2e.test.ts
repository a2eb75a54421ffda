/**
 * Issue #12 in a browser: a site borrows projectors for an activity from a nearby site and returns one damaged.
 * The data (two sites, their people, a tracked projector type with three items at the lender, the activity) is made
 * through the API, so the test does not depend on the demo's equipment pool.
 */
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type BrowserTest, PASSWORD, SCREENSHOTS, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Site { id: string; name: string }
interface Space { id: string }
interface Session { id: string; startAt: string }
interface Loan { id: string; status: string; quantity: number; items: { holdingId: string; assetTag: string }[] }
interface PoolRow { siteId: string; inService: number; damaged: number }
type Api = Awaited<ReturnType<typeof apiAs>>;

const L = {
  programme: '活动安排', list: '列表', next: '下一页', equipment: '设备共享', loans: '借用单', inventory: '库存', borrowing: '我们借入',
  type: '设备', quantity: '数量', submit: '提交申请', damagedItems: '损坏的设备', typeFilter: '设备类型', damaged: '损坏',
};

/** Local date in Shanghai (UTC+8, no DST), where the test's sites are. */
const shanghaiDate = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const monthsAhead = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const [ty, tm] = shanghaiDate(0).split('-').map(Number) as [number, number];
  return (y - ty) * 12 + (m - tm);
};

interface Scene {
  admin: Api;
  borrower: Site;
  lender: Site;
  staffLogin: string;
  managerLogin: string;
  typeId: string;
  typeName: string;
  tags: [string, string, string];
  session: Session;
}

/** Two sites a kilometre apart; a staff member of the borrower, a manager of the lender; three tracked projectors at the lender; an activity at the borrower. */
async function setUpScene(baseUrl: string): Promise<Scene> {
  const admin = await apiAs(baseUrl, 'admin@demo.linli.dev');
  const suffix = String(Date.now() % 1_000_000);
  const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '24:00' }]]));
  const site = (name: string, lat: number, lng: number) =>
    admin.call<Site>('POST', '/sites', { name, kind: 'neighborhood_center', district: '黄浦区', timezone: 'Asia/Shanghai', lat, lng, openingHours: allDay, policy: { slotMinutes: 15 } });
  const borrower = await site(`E2E 借入站 ${suffix}`, 31.2304, 121.4737);
  const lender = await site(`E2E 借出站 ${suffix}`, 31.2395, 121.4801);

  const staffLogin = `e2e-eq-staff-${suffix}@demo.linli.dev`;
  const managerLogin = `e2e-eq-manager-${suffix}@demo.linli.dev`;
  await admin.call('POST', '/users', { role: 'staff', email: staffLogin, password: PASSWORD, displayName: `借入站工作人员 ${suffix}`, siteIds: [borrower.id] });
  await admin.call('POST', '/users', { role: 'site_manager', email: managerLogin, password: PASSWORD, displayName: `借出站站长 ${suffix}`, siteIds: [lender.id] });

  const typeName = `E2E 投影仪 ${suffix}`;
  const type = await admin.call<{ id: string }>('POST', '/equipment/types', { key: `e2e-projector-${suffix}`, nameZh: typeName, nameEn: `E2E projector ${suffix}`, tracked: true, maxLoanDays: 7 });
  const tags = [1, 2, 3].map((n) => `PJ-${suffix}-${n}`) as [string, string, string];
  for (const assetTag of tags) await admin.call('POST', '/equipment/holdings', { siteId: lender.id, typeId: type.id, assetTag });

  const room = await admin.call<Space>('POST', '/spaces', { siteId: borrower.id, name: 'E2E 多功能厅', kind: 'activity_room', bookingMode: 'exclusive', capacity: 40 });
  const activity = await admin.call<{ id: string }>('POST', '/activities', { title: `E2E 电影之夜 ${suffix}`, category: 'culture', places: 30 });
  const date = shanghaiDate(2);
  const created = await admin.call<{ sessions: Session[] }>('POST', `/activities/${activity.id}/sessions`, {
    spaceId: room.id,
    startAt: `${date}T14:00:00+08:00`,
    endAt: `${date}T16:00:00+08:00`,
  });
  await admin.call('POST', `/activities/${activity.id}/publish`);
  return { admin, borrower, lender, staffLogin, managerLogin, typeId: type.id, typeName, tags, session: created.sessions[0]! };
}

/** Signs the page out (tokens dropped) and in again as someone else. */
async function signInAs(test: BrowserTest, login: string) {
  await test.page.evaluate(() => localStorage.clear());
  await signIn(test, login);
}

async function pickOption(page: Page, select: Locator, option: string, search?: string) {
  await select.click();
  if (search) await select.fill(search);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}

/** Picks options of a multiple select in one opening, then closes it by clicking the dialog's title. */
async function pickMany(page: Page, dialog: Locator, select: Locator, options: string[]) {
  await select.click();
  for (const option of options) await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  await dialog.locator('.ant-modal-title').click();
}

/** Takes a step on the loan's card; a step that asks something gets the items that go or the damaged ones named. */
async function takeStep(page: Page, loanId: string, name: string, { items = [], damaged = [] }: { items?: string[]; damaged?: string[] } = {}) {
  await page.locator(`[data-loan-id="${loanId}"]`).first().getByTestId(`loan-step-${name}`).click();
  if (name === 'approve' || name === 'receive') return;
  const dialog = page.locator('.ant-modal-wrap:visible .ant-modal');
  await dialog.waitFor();
  if (items.length) await pickMany(page, dialog, dialog.getByRole('combobox').first(), items);
  if (damaged.length) await pickMany(page, dialog, dialog.getByLabel(L.damagedItems, { exact: true }), damaged);
  await dialog.locator('.ant-modal-footer .ant-btn-primary').click();
  await dialog.waitFor({ state: 'hidden' });
}

const loanShown = (page: Page, loanId: string, status: string) =>
  expect.poll(() => page.locator(`[data-loan-id="${loanId}"][data-status="${status}"]`).count()).toBeGreaterThan(0);

async function openLoansBoard(page: Page, side?: string) {
  await page.getByRole('link', { name: L.equipment, exact: true }).click();
  await page.getByRole('tab', { name: L.loans }).click();
  if (side) await page.getByTestId('loan-side').getByText(side, { exact: true }).click();
}

describe('equipment pool (zh-CN)', () => {
  const test = useBrowser();

  it('a site borrows two projectors for an activity, returns one damaged, and the lender checks it out of the pool', async () => {
    const scene = await setUpScene(test.baseUrl);
    const { page } = test;

    // The borrowing site's staff open the activity's session and ask for two projectors.
    await signIn(test, scene.staffLogin);
    await page.getByRole('link', { name: L.programme, exact: true }).click();
    await page.getByTestId('programme-view').getByText(L.list, { exact: true }).click();
    await page.getByTestId('programme-today').click();
    for (let i = 0; i < monthsAhead(shanghaiDate(2)); i++) await page.getByRole('button', { name: L.next }).click();
    await page.locator(`tr[data-row-key="${scene.session.id}"] .ant-btn-link`).click();
    const equipment = page.getByTestId('event-equipment');
    await equipment.getByTestId('request-equipment').click();
    const form = page.getByTestId('loan-request-form');
    await pickOption(page, form.getByLabel(L.type, { exact: true }), scene.typeName, scene.typeName.slice(-6));
    // Four is more than the pool has over that time: the shortfall shows before sending, and the refusal names who has what.
    await form.getByLabel(L.quantity, { exact: true }).fill('4');
    await expect.poll(() => page.getByTestId('loan-lenders').textContent()).toContain('缺 1 件');
    await page.getByRole('button', { name: L.submit }).click();
    const refusal = page.getByTestId('loan-refusal');
    await expect.poll(() => refusal.textContent()).toContain(`${scene.lender.name}：空闲 3 件`);
    await form.getByLabel(L.quantity, { exact: true }).fill('2');
    // The lenders' availability before anything is sent: the nearby site, its distance, three free, two suggested.
    const lenders = page.getByTestId('loan-lenders');
    await expect.poll(() => lenders.textContent()).toContain(scene.lender.name);
    const lenderRow = lenders.locator('tbody tr', { hasText: scene.lender.name });
    await expect.poll(() => lenderRow.textContent()).toMatch(/公里/);
    await expect.poll(() => lenderRow.locator('td').nth(4).textContent()).toBe('2');
    expect(await lenderRow.locator('td').nth(3).textContent()).toBe('3');
    await page.getByRole('button', { name: L.submit }).click();
    await equipment.getByTestId('loan-card').waitFor();

    const [loan] = (await scene.admin.call<{ items: Loan[] }>('GET', `/equipment/loans?sessionId=${scene.session.id}`)).items;
    expect(loan).toMatchObject({ status: 'requested', quantity: 2 });
    const loanId = loan!.id;
    // The borrower may only withdraw a request, not approve it.
    const requestedCard = equipment.locator(`[data-loan-id="${loanId}"]`);
    expect(await requestedCard.getByTestId('loan-step-cancel').count()).toBe(1);
    expect(await requestedCard.getByTestId('loan-step-approve').count()).toBe(0);

    // The lending site's manager approves and dispatches, naming the two projectors that go.
    await signInAs(test, scene.managerLogin);
    await openLoansBoard(page);
    await page.getByTestId('loan-column-requested').locator(`[data-loan-id="${loanId}"]`).waitFor();
    await takeStep(page, loanId, 'approve');
    await loanShown(page, loanId, 'approved');
    await takeStep(page, loanId, 'dispatch', { items: [scene.tags[0], scene.tags[1]] });
    await loanShown(page, loanId, 'dispatched');
    // The lender cannot mark the units received: that is the borrower's step.
    expect(await page.locator(`[data-loan-id="${loanId}"]`).getByTestId('loan-step-receive').count()).toBe(0);

    // The borrowing site receives them and, after the activity, returns them with one reported damaged.
    await signInAs(test, scene.staffLogin);
    await openLoansBoard(page, L.borrowing);
    await takeStep(page, loanId, 'receive');
    await loanShown(page, loanId, 'received');
    await takeStep(page, loanId, 'return', { damaged: [scene.tags[0]] });
    await loanShown(page, loanId, 'returned');

    // The lender checks what came back: one damaged, which leaves the pool.
    await signInAs(test, scene.managerLogin);
    await openLoansBoard(page);
    await takeStep(page, loanId, 'check', { damaged: [scene.tags[0]] });
    // A checked loan leaves the board's open columns for the list of finished ones.
    await page.getByTestId('loans-closed').locator('.ant-collapse-header').click();
    await loanShown(page, loanId, 'checked');

    // The inventory: one projector damaged, one unit fewer in service at the lender.
    await page.getByRole('tab', { name: L.inventory }).click();
    await pickOption(page, page.getByRole('combobox', { name: L.typeFilter, exact: true }), scene.typeName, scene.typeName.slice(-6));
    const row = page.getByTestId('pool-table').locator(`tr[data-row-key="${scene.lender.id}:${scene.typeId}"]`);
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('2');
    expect(await row.locator('td').nth(4).textContent()).toBe('1');
    const pool = await scene.admin.call<{ rows: PoolRow[] }>('GET', `/equipment/pool?typeId=${scene.typeId}`);
    expect(pool.rows.find((r) => r.siteId === scene.lender.id)).toMatchObject({ inService: 2, damaged: 1 });

    // The damaged projector's page (what its QR label opens): marked damaged, its history, and a printable label.
    await page.getByTestId('tracked-items').getByRole('link', { name: scene.tags[0], exact: true }).click();
    const item = page.getByTestId('item-page');
    await item.waitFor();
    await expect.poll(() => item.locator('.ant-tag', { hasText: L.damaged }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('item-history').locator('.ant-timeline-item').count()).toBeGreaterThanOrEqual(3);
    await page.getByTestId('item-label').locator('img').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/equipment\/items\/[0-9a-f-]{36}$/);

    // Printing shows the label alone, not the page around it.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.equipment-print-sheet .equipment-label').isVisible()).toBe(true);
    expect(await item.isVisible()).toBe(false);
    await page.emulateMedia({ media: null });

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/equipment-item-damaged-zh.png`, fullPage: true });
    expectNoConsoleErrors(test);
  });
});
