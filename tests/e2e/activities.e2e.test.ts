/**
 * Residents and activities on a phone (issue #11): registering for a session with places, the waitlist and an offer
 * accepted, checking in, rating an attended session, and registering in English. Each test has its own residents
 * (21-29 and up), so reruns against one server do not collide with each other or with the other browser tests.
 */
import { describe, expect, it } from 'vitest';
import { type BrowserTest, PHONE, apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Entry {
  sessionId: string;
  activityId: string;
  title: string;
  audience: { kind: string };
  startAt: string;
  placesLeft: number;
  registrationOpensAt: string | null;
  registrationClosesAt: string | null;
}
interface Activity { id: string; categoryWeeklyLimit: number | null; maxPartySize: number }
interface Registration { id: string; sessionId: string; status: string; endAt: string; feedbackGiven: boolean }
interface Space { id: string; siteId: string; bookableBy: string; capacity: number; archivedAt?: string | null }
interface Slot { startAt: string; endAt: string }

const DAY = 86_400_000;
const shanghaiDate = (offsetMs: number) => new Date(Date.now() + 8 * 3_600_000 + offsetMs).toISOString().slice(0, 10);

type Api = Awaited<ReturnType<typeof apiAs>>;
const orgIdOf = (api: Api) => (api.user as unknown as { orgId: string }).orgId;

/** An upcoming session in the next week anyone may register for now, with places, no weekly limit, not the resident's already. */
async function openSessionFor(baseUrl: string, resident: Api): Promise<Entry> {
  const admin = await apiAs(baseUrl, 'admin@demo.linli.dev');
  const programme = await resident.call<{ items: Entry[] }>('GET', `/programme?orgId=${orgIdOf(resident)}&from=${shanghaiDate(0)}&to=${shanghaiDate(7 * DAY)}`);
  const mine = await resident.call<{ registrations: Registration[] }>('GET', '/me/registrations');
  const now = Date.now();
  for (const entry of programme.items) {
    const open = (!entry.registrationOpensAt || Date.parse(entry.registrationOpensAt) <= now) && (!entry.registrationClosesAt || Date.parse(entry.registrationClosesAt) > now);
    if (!open || entry.audience.kind !== 'everyone' || entry.placesLeft < 2 || Date.parse(entry.startAt) < now + 3 * 3_600_000) continue;
    if (mine.registrations.some((r) => r.sessionId === entry.sessionId)) continue;
    const activity = await admin.call<Activity>('GET', `/activities/${entry.activityId}`);
    if (activity.categoryWeeklyLimit === null) return entry;
  }
  throw new Error('no open session with places in the demo programme');
}

/** A published activity of `places` with one session in the first free slot the finder returns. */
async function activityWithSession(staff: Api, title: string, findSlot: () => Promise<{ spaceId: string; slot: Slot } | null>, places = 1) {
  const found = await findSlot();
  if (!found) return null;
  const activity = await staff.call<Activity & { version: number }>('POST', '/activities', { title, category: 'culture', places, maxPartySize: 1, cancelCutoffMinutes: 0 });
  const created = await staff.call<{ sessions: { id: string }[] }>('POST', `/activities/${activity.id}/sessions`, { spaceId: found.spaceId, startAt: found.slot.startAt, endAt: found.slot.endAt });
  await staff.call('POST', `/activities/${activity.id}/publish`);
  return { activityId: activity.id, sessionId: created.sessions[0]!.id };
}

async function spacesOf(api: Api, siteIds: string[]): Promise<Space[]> {
  const lists = await Promise.all(siteIds.map((siteId) => api.call<{ items: Space[] }>('GET', `/spaces?siteId=${siteId}`)));
  return lists.flatMap((l) => l.items).filter((s) => !s.archivedAt && s.capacity >= 1);
}

async function openMyActivities(test: BrowserTest, label: string) {
  await test.page.getByText(label, { exact: true }).click();
  await test.page.locator('[data-testid="my-activities"]').waitFor();
}

async function registerInUi(test: BrowserTest, sessionId: string, buttonName: RegExp) {
  const card = test.page.locator(`[data-testid="activity-card"][data-session-id="${sessionId}"]`);
  await card.scrollIntoViewIfNeeded();
  await card.getByRole('button', { name: buttonName }).click();
  await test.page.locator('[data-testid="confirm-registration"]').click();
}

describe('activities for residents on a phone (zh-CN)', () => {
  const test = useBrowser({ viewport: PHONE });

  it('registers for an upcoming session with places', async () => {
    const login = 'resident21@demo.linli.dev';
    const resident = await apiAs(test.baseUrl, login);
    const entry = await openSessionFor(test.baseUrl, resident);
    const { page } = test;

    await signIn(test, login);
    await page.goto(`${test.baseUrl}/activities`);
    const card = page.locator(`[data-testid="activity-card"][data-session-id="${entry.sessionId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('剩余');
    await registerInUi(test, entry.sessionId, /^报名/);
    await page.getByText('报名成功。').waitFor();
    const mine = page.locator(`[data-testid="my-registration"][data-session-id="${entry.sessionId}"]`);
    await mine.waitFor();
    await expect.poll(() => mine.locator('[data-testid="registration-status"]').textContent()).toBe('已报名');
    expect(await mine.locator('[data-testid="check-in-code"]').textContent()).toMatch(/^[A-Z0-9]{4,16}$/);
    expectNoConsoleErrors(test);
  });

  it('puts a resident on the waitlist of a full session, and they accept the place offered when one frees up', async () => {
    const staff = await apiAs(test.baseUrl, 'staff1@demo.linli.dev');
    const residentA = await apiAs(test.baseUrl, 'resident23@demo.linli.dev');
    const spaces = await spacesOf(staff, staff.user.siteIds);
    const made = await activityWithSession(staff, `候补测试 ${Date.now()}`, async () => {
      for (let days = 2; days <= 8; days++) {
        for (const space of spaces) {
          const free = await staff.call<{ slots: Slot[] }>('GET', `/spaces/${space.id}/availability?from=${shanghaiDate(days * DAY)}&to=${shanghaiDate(days * DAY)}&durationMinutes=60`);
          if (free.slots[0]) return { spaceId: space.id, slot: free.slots[0] };
        }
      }
      return null;
    });
    expect(made, 'a free slot at staff1\'s site in the coming week').not.toBeNull();
    const { sessionId } = made!;
    const a = await residentA.call<{ registration: Registration }>('POST', `/activity-sessions/${sessionId}/registrations`, { partySize: 1 });
    const { page } = test;

    await signIn(test, 'resident24@demo.linli.dev');
    await page.goto(`${test.baseUrl}/activities`);
    const card = page.locator(`[data-testid="activity-card"][data-session-id="${sessionId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('已满 - 可加入候补');
    await registerInUi(test, sessionId, /^加入候补/);
    await page.getByText('已加入候补，排在第 1 位。').waitFor();
    const waiting = page.locator(`[data-testid="my-waitlist-entry"][data-session-id="${sessionId}"]`);
    await expect.poll(() => waiting.locator('[data-testid="waitlist-position"]').textContent()).toBe('候补中 · 第 1 位');

    await residentA.call('POST', `/registrations/${a.registration.id}/cancel`, {});
    await page.reload();
    await openMyActivities(test, '我的活动');
    const offered = page.locator(`[data-testid="my-registration"][data-session-id="${sessionId}"]`);
    await offered.waitFor();
    await expect.poll(() => offered.locator('[data-testid="registration-status"]').textContent()).toBe('候补名额待确认');
    expect(await offered.locator('[data-testid="offer"]').textContent()).toMatch(/名额保留至 .*还剩 \d/);
    await offered.getByRole('button', { name: '接受名额' }).click();
    await page.getByText('已接受名额。').waitFor();
    await expect.poll(() => offered.locator('[data-testid="registration-status"]').textContent()).toBe('已报名');
    expectNoConsoleErrors(test);
  });

  it('checks in to a session starting in a few minutes', async () => {
    // A site open around the clock, so a session can start within the check-in window whatever the hour the
    // test runs at (CI runs at night in Shanghai, when every demo site is closed).
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));
    const stamp = Date.now();
    const site = await admin.call<{ id: string }>('POST', '/sites', { name: `全天开放站点 ${stamp}`, kind: 'study_room', district: '徐汇区', timezone: 'Asia/Shanghai', openingHours: allDay });
    // A five-minute grid, so the next free start is minutes away, inside the check-in window (30 minutes before).
    const room = await admin.call<Space>('POST', '/spaces', {
      siteId: site.id, name: `全天活动室 ${stamp}`, kind: 'activity_room', bookingMode: 'exclusive', capacity: 10,
      policy: { slotMinutes: 5, minDurationMinutes: 5 },
    });
    const made = await activityWithSession(admin, `签到测试 ${stamp}`, async () => {
      const free = await admin.call<{ slots: Slot[] }>('GET', `/spaces/${room.id}/availability?from=${shanghaiDate(0)}&to=${shanghaiDate(DAY)}&durationMinutes=30`);
      const slot = free.slots.find((s) => Date.parse(s.startAt) > Date.now() + 60_000 && Date.parse(s.startAt) < Date.now() + 20 * 60_000);
      return slot ? { spaceId: room.id, slot } : null;
    });
    expect(made, 'a free slot in a room open around the clock').not.toBeNull();
    const { page } = test;
    await signIn(test, 'resident25@demo.linli.dev');
    await page.goto(`${test.baseUrl}/activities`);
    await page.locator(`[data-testid="activity-card"][data-session-id="${made!.sessionId}"]`).waitFor();
    await registerInUi(test, made!.sessionId, /^报名/);
    const mine = page.locator(`[data-testid="my-registration"][data-session-id="${made!.sessionId}"]`);
    await mine.waitFor();
    // antd spaces out a two-character Chinese label (签 到).
    await mine.getByRole('button', { name: /^签\s?到$/ }).click();
    await page.getByText('签到成功。').waitFor();
    await expect.poll(() => mine.locator('[data-testid="registration-status"]').textContent()).toBe('已签到');
    expectNoConsoleErrors(test);
  });

  it('rates a past session the resident attended, once', async () => {
    // A resident with attended, ended sessions; about half of those were rated by the seed already.
    let login = '';
    let attended: Registration[] = [];
    for (let n = 26; n <= 50 && !attended.length; n++) {
      const resident = await apiAs(test.baseUrl, `resident${n}@demo.linli.dev`);
      const mine = await resident.call<{ registrations: Registration[] }>('GET', '/me/registrations');
      attended = mine.registrations.filter((r) => (r.status === 'completed' || r.status === 'checked_in') && Date.parse(r.endAt) < Date.now() && !r.feedbackGiven);
      login = `resident${n}@demo.linli.dev`;
    }
    expect(attended.length, 'a demo resident who attended a session').toBeGreaterThan(0);
    const { page } = test;
    await signIn(test, login);
    await page.goto(`${test.baseUrl}/activities`);
    await openMyActivities(test, '我的活动');
    let rated = false;
    for (const registration of attended) {
      const card = page.locator(`[data-testid="my-registration"][data-registration-id="${registration.id}"]`);
      const rate = card.getByRole('button', { name: '评价本场' });
      if (!(await rate.count())) continue;
      await rate.scrollIntoViewIfNeeded();
      await rate.click();
      const form = card.locator('[data-testid="rating-form"]');
      await form.scrollIntoViewIfNeeded();
      await form.locator('.ant-rate-star').nth(3).click();
      await form.getByLabel('评价').fill('老师讲得很好，下次还来。');
      await form.getByRole('button', { name: '提交评价' }).click();
      await card.locator('[data-testid="rating-given"], [data-testid="rating-already"]').waitFor();
      if (await card.locator('[data-testid="rating-given"]').count()) {
        rated = true;
        // Once only: after a reload the card still shows the rating, not the form.
        await page.reload();
        await openMyActivities(test, '我的活动');
        await card.locator('[data-testid="rating-given"]').waitFor();
        expect(await card.getByRole('button', { name: '评价本场' }).count()).toBe(0);
        break;
      }
    }
    expect(rated, 'one attended session not rated yet').toBe(true);
    expectNoConsoleErrors(test);
  });
});

describe('activities for residents on a phone (English)', () => {
  const test = useBrowser({ viewport: PHONE, locale: 'en-US' });

  it('registers for an upcoming session with places', async () => {
    const login = 'resident22@demo.linli.dev';
    const resident = await apiAs(test.baseUrl, login);
    const entry = await openSessionFor(test.baseUrl, resident);
    const { page } = test;

    await signIn(test, login);
    await page.goto(`${test.baseUrl}/activities`);
    const card = page.locator(`[data-testid="activity-card"][data-session-id="${entry.sessionId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toMatch(/places? left of/);
    await registerInUi(test, entry.sessionId, /^Register/);
    await page.getByText('You are registered.').waitFor();
    const mine = page.locator(`[data-testid="my-registration"][data-session-id="${entry.sessionId}"]`);
    await mine.waitFor();
    await expect.poll(() => mine.locator('[data-testid="registration-status"]').textContent()).toBe('Registered');
    expectNoConsoleErrors(test);
  });
});
