import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type BrowserTest, PHONE, SCREENSHOTS, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Site { id: string; name: string; kind: string }
interface Space { id: string; name: string; siteId: string; bookingMode: string; capacity: number; archivedAt: string | null }
interface Slot { startAt: string; endAt: string }
interface Session { id: string; siteId: string; startAt: string; endAt: string; status: string }
interface Activity { id: string; status: string; sessions: Session[] }
interface Registrations { registrations: { id: string; displayName: string; status: string }[]; waitlist: unknown[] }
type Api = Awaited<ReturnType<typeof apiAs>>;

// Sign-ins are rate limited per minute for the whole suite: one API login per person for this file.
const apis = new Map<string, Promise<Api>>();
function apiOf(baseUrl: string, login: string): Promise<Api> {
  let api = apis.get(login);
  if (!api) {
    api = apiAs(baseUrl, login);
    apis.set(login, api);
  }
  return api;
}

const LABELS = {
  'zh-CN': {
    nav: '活动安排', newActivity: '新建活动', titleZh: '活动名称（中文）', titleEn: '活动名称（英文，可选）', category: '类别', categoryName: '文化',
    places: '每场名额', create: '创建草稿', site: '站点', room: '空间', date: '日期', start: '开始', end: '结束', add: '添加', publish: '发布',
    published: '已发布', list: '列表', next: '下一页', alternatives: '可改约', checkIn: '签到', checkedIn: '已签到', walkInPeople: '人数', recordWalkIn: '登记现场加入', walkInRecorded: '已登记 2 人现场加入。',
  },
  en: {
    nav: 'Programme', newActivity: 'New activity', titleZh: 'Title (Chinese)', titleEn: 'Title (English, optional)', category: 'Category', categoryName: 'Culture',
    places: 'Places per session', create: 'Create draft', site: 'Site', room: 'Room', date: 'Date', start: 'Start', end: 'End', add: 'Add', publish: 'Publish',
    published: 'Published', list: 'List', next: 'Next', alternatives: 'You could book instead', checkIn: 'Check in', checkedIn: 'Checked in', walkInPeople: 'People', recordWalkIn: 'Record walk-ins', walkInRecorded: '2 walk-in(s) recorded.',
  },
} as const;
type Labels = (typeof LABELS)[keyof typeof LABELS];

/** Local date / clock in Shanghai (UTC+8, no DST), where every demo site is. */
const shanghaiDate = (days: number, from = Date.now()) => new Date(from + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const shanghaiClock = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);
const shanghaiDateOf = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
/** How many months ahead of this month (in Shanghai) a date is: the list shows one month at a time. */
const monthsAhead = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const [ty, tm] = shanghaiDate(0).split('-').map(Number) as [number, number];
  return (y - ty) * 12 + (m - tm);
};

/** A neighbourhood centre's room for eight, and free hour-long slots on one day ahead (on the hour, 09:00-17:00). */
async function roomWithFreeSlots(api: Api, site: Site, count: number): Promise<{ site: Site; room: Space; date: string; slots: Slot[] }> {
  const spaces = await api.call<{ items: Space[] }>('GET', `/spaces?siteId=${site.id}&limit=200`);
  const room = spaces.items.find((s) => s.bookingMode === 'exclusive' && s.capacity >= 8 && !s.archivedAt)!;
  for (let days = 2; days < 12; days++) {
    const date = shanghaiDate(days);
    const free = await api.call<{ slots: Slot[] }>('GET', `/spaces/${room.id}/availability?from=${date}&to=${date}&durationMinutes=60`);
    const onTheHour = free.slots.filter((s) => shanghaiClock(s.startAt).endsWith(':00') && shanghaiClock(s.startAt) >= '09:00' && shanghaiClock(s.startAt) <= '17:00');
    // Slots two hours apart, so one booked never touches the other (buffers).
    const apart = onTheHour.filter((s, i, all) => all.slice(0, i).every((o) => Math.abs(Date.parse(o.startAt) - Date.parse(s.startAt)) >= 2 * 3_600_000));
    if (apart.length >= count) return { site, room, date, slots: apart.slice(0, count) };
  }
  throw new Error(`no free slots at ${site.name}`);
}

async function pick(page: Page, form: ReturnType<Page['getByTestId']>, label: string, option: string, search?: string) {
  const select = form.getByLabel(label, { exact: true });
  await select.click();
  if (search) await select.fill(search);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}

async function typeInto(form: ReturnType<Page['getByTestId']>, label: string, value: string) {
  const input = form.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(value);
  await input.press('Enter');
}

/** Creates a touring activity (one session at each of two sites), is refused a taken slot, publishes, finds it listed. */
async function createTouringActivity(test: BrowserTest, L: Labels, siteIndexes: [number, number]) {
  const admin = await apiOf(test.baseUrl, 'admin@demo.linli.dev');
  const sites = (await admin.call<{ items: Site[] }>('GET', '/sites?limit=200')).items.filter((s) => s.kind === 'neighborhood_center');
  const first = await roomWithFreeSlots(admin, sites[siteIndexes[0]]!, 2);
  const second = await roomWithFreeSlots(admin, sites[siteIndexes[1]]!, 1);
  // The second free slot at the first site is taken by a booking before the UI tries it.
  const taken = first.slots[1]!;
  await admin.call('POST', '/bookings', { spaceId: first.room.id, startAt: taken.startAt, endAt: taken.endAt, purpose: 'E2E 占用' });
  const suffix = String(Date.now() % 100_000);
  const title = `E2E 巡回讲座 ${suffix}`;
  const titleEn = `E2E touring talk ${suffix}`;
  // The UI shows the English title in English.
  const shown = L === LABELS.en ? titleEn : title;
  const { page } = test;

  await signIn(test, 'admin@demo.linli.dev');
  await page.getByRole('link', { name: L.nav }).click();
  await page.getByRole('heading', { name: L.nav }).waitFor();
  await page.getByTestId('new-activity').click();
  const form = page.getByTestId('activity-form');
  await form.getByLabel(L.titleZh).fill(title);
  await form.getByLabel(L.titleEn).fill(titleEn);
  await pick(page, form, L.category, L.categoryName);
  await form.getByLabel(L.places).fill('8');
  await page.screenshot({ path: `${SCREENSHOTS}/programme-create-${L.nav}.png` });
  await form.getByRole('button', { name: L.create }).click();

  const sessions = page.getByTestId('add-sessions');
  await sessions.waitFor();
  const addSession = async (at: { site: Site; room: Space }, slot: Slot) => {
    await pick(page, sessions, L.site, at.site.name, at.site.name.slice(0, 4));
    await pick(page, sessions, L.room, at.room.name);
    await typeInto(sessions, L.date, shanghaiDateOf(slot.startAt));
    await typeInto(sessions, L.start, shanghaiClock(slot.startAt));
    await typeInto(sessions, L.end, shanghaiClock(slot.endAt));
    await sessions.getByTestId('add-session').click();
  };
  await addSession(first, first.slots[0]!);
  await expect.poll(() => page.getByTestId('activity-sessions').locator('.ant-list-item').count()).toBe(1);
  await addSession(second, second.slots[0]!);
  await expect.poll(() => page.getByTestId('activity-sessions').locator('.ant-list-item').count()).toBe(2);

  // The taken slot: refused, with the reason and what could be booked instead.
  await addSession(first, taken);
  const refusal = sessions.getByTestId('refusal');
  await refusal.waitFor();
  await expect.poll(() => refusal.textContent()).toContain(L.alternatives);
  expect(await refusal.locator('.ant-list-item').count()).toBeGreaterThan(0);
  await page.screenshot({ path: `${SCREENSHOTS}/programme-refusal-${L.nav}.png`, fullPage: true });
  expect(await page.getByTestId('activity-sessions').locator('.ant-list-item').count()).toBe(2);

  await page.getByTestId('publish-activity').click();
  await expect.poll(() => page.getByTestId('activity-status').textContent()).toBe(L.published);
  await page.keyboard.press('Escape');

  await page.getByTestId('programme-view').getByText(L.list, { exact: true }).click();
  for (let i = 0; i < monthsAhead(first.date); i++) await page.getByRole('button', { name: L.next }).click();
  const rows = page.getByTestId('programme-table').locator('tbody tr', { hasText: shown });
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(monthsAhead(first.date) === monthsAhead(second.date) ? 2 : 1);
  await expect.poll(() => rows.first().textContent()).toContain(L.published);
  await page.screenshot({ path: `${SCREENSHOTS}/programme-list-${L.nav}.png` });
}

/** Opens the month of a session in the list and its drawer. */
async function openSession(page: Page, L: Labels, session: Session, siteName?: string) {
  await page.getByTestId('programme-view').getByText(L.list, { exact: true }).click();
  await page.getByTestId('programme-today').click();
  if (siteName) {
    // The month's list runs to several pages; the site filter narrows it to the session's site.
    await page.getByRole('combobox', { name: L.site }).click();
    await page.getByRole('combobox', { name: L.site }).fill(siteName);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: siteName }).first().click();
  }
  for (let i = 0; i < monthsAhead(shanghaiDateOf(session.startAt)); i++) await page.getByRole('button', { name: L.next }).click();
  await page.locator(`tr[data-row-key="${session.id}"] .ant-btn-link`).click();
  await page.getByTestId('session-registrations').waitFor();
}

/**
 * A session whose check-in is open now (from 30 minutes before its start): demo sites are closed at night, so the
 * test sets up a site open around the clock with a 15-minute grid, schedules a session at its next slot (at most
 * 18 minutes away), publishes it, and a resident registers.
 */
async function sessionStartingSoon(admin: Api, baseUrl: string): Promise<{ session: Session; siteName: string }> {
  const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '24:00' }]]));
  const site = await admin.call<Site>('POST', '/sites', {
    name: `E2E 全天站点 ${Date.now() % 100_000}`,
    kind: 'e2e_all_day',
    district: '浦东新区',
    timezone: 'Asia/Shanghai',
    openingHours: allDay,
    policy: { slotMinutes: 15 },
  });
  const room = await admin.call<Space>('POST', '/spaces', { siteId: site.id, name: 'E2E 活动室', kind: 'activity_room', bookingMode: 'exclusive', capacity: 10 });
  const start = Math.ceil((Date.now() + 3 * 60_000) / 900_000) * 900_000;
  const activity = await admin.call<Activity>('POST', '/activities', { title: `E2E 签到 ${Date.now() % 100_000}`, category: 'culture', places: 4 });
  const created = await admin.call<{ sessions: Session[] }>('POST', `/activities/${activity.id}/sessions`, {
    spaceId: room.id,
    startAt: new Date(start).toISOString(),
    endAt: new Date(start + 3_600_000).toISOString(),
  });
  await admin.call('POST', `/activities/${activity.id}/publish`);
  const resident = await apiOf(baseUrl, 'resident2@demo.linli.dev');
  await resident.call('POST', `/activity-sessions/${created.sessions[0]!.id}/registrations`, { partySize: 1 });
  return { session: created.sessions[0]!, siteName: site.name };
}

/** An upcoming demo session with confirmed registrations, people waiting if the demo has such a session, and its site. */
async function demoSessionWithRegistrations(admin: Api): Promise<{ session: Session; siteName: string; waiting: boolean }> {
  const sites = (await admin.call<{ items: Site[] }>('GET', '/sites?limit=200')).items;
  const activities = await admin.call<{ items: Activity[] }>('GET', '/activities?limit=200&status=published');
  let found: { session: Session; waiting: boolean } | null = null;
  for (const { id } of activities.items) {
    const activity = await admin.call<Activity>('GET', `/activities/${id}`);
    for (const session of activity.sessions.filter((s) => s.status === 'scheduled' && Date.parse(s.startAt) > Date.now() + 3_600_000)) {
      const registrations = await admin.call<Registrations>('GET', `/activity-sessions/${session.id}/registrations`);
      if (!registrations.registrations.some((r) => r.status === 'confirmed')) continue;
      found ??= { session, waiting: false };
      if (registrations.waitlist.length) {
        found = { session, waiting: true };
        break;
      }
    }
    if (found?.waiting) break;
  }
  if (!found) throw new Error('no demo session with registrations');
  return { ...found, siteName: sites.find((site) => site.id === found.session.siteId)!.name };
}

describe('programme (zh-CN)', () => {
  const test = useBrowser();
  const L = LABELS['zh-CN'];

  it('creates a touring activity at two sites, is refused a taken slot, publishes it and sees it listed', async () => {
    await createTouringActivity(test, L, [0, 1]);
    expectNoConsoleErrors(test);
  });

  it('opens a session with registrations and checks someone in', async () => {
    const admin = await apiOf(test.baseUrl, 'admin@demo.linli.dev');
    const demo = await demoSessionWithRegistrations(admin);
    const soon = await sessionStartingSoon(admin, test.baseUrl);
    const { page } = test;
    await signIn(test, 'admin@demo.linli.dev');
    await page.getByRole('link', { name: L.nav }).click();

    // The demo's session: registrants, the line in order, the feedback card.
    await openSession(page, L, demo.session, demo.siteName);
    const drawer = page.getByTestId('session-registrations');
    expect(await drawer.locator('tbody tr').count()).toBeGreaterThan(0);
    if (demo.waiting) expect(await page.getByTestId('session-waitlist').locator('.ant-list-item').count()).toBeGreaterThan(0);
    await page.getByTestId('session-feedback').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/programme-session-zh.png`, fullPage: true });
    // Not yet: check-in opens 30 minutes before the start.
    const early = drawer.getByRole('button', { name: new RegExp(L.checkIn) }).first();
    expect(await early.isDisabled()).toBe(true);
    await page.keyboard.press('Escape');

    await openSession(page, L, soon.session, soon.siteName);
    const row = page.getByTestId('session-registrations').locator('tbody tr').first();
    await row.getByRole('button', { name: new RegExp(L.checkIn) }).click();
    await expect.poll(() => row.textContent()).toContain(L.checkedIn);
    // Two people came without registering.
    await page.getByLabel(L.walkInPeople).fill('2');
    await page.getByRole('button', { name: L.recordWalkIn }).click();
    await page.getByText(L.walkInRecorded).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/programme-checkin-zh.png` });
    expectNoConsoleErrors(test);
  });
});

describe('programme (English)', () => {
  const test = useBrowser({ locale: 'en-US' });

  it('creates a touring activity at two sites, is refused a taken slot, publishes it and sees it listed', async () => {
    await createTouringActivity(test, LABELS.en, [2, 3]);
    expectNoConsoleErrors(test);
  });
});

describe('programme on a phone (staff)', () => {
  const test = useBrowser({ viewport: PHONE });

  it('shows the list at phone width', async () => {
    const { page } = test;
    await signIn(test, 'staff1@demo.linli.dev');
    await page.goto(`${test.baseUrl}/programme`);
    const rows = page.getByTestId('programme-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    // The page fits the phone: nothing scrolls sideways.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    expectNoConsoleErrors(test);
  });
});
