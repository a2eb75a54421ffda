import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiAs, expectNoConsoleErrors, signIn, useBrowser } from './browser.ts';

interface Site { id: string; name: string; kind: string; timezone: string }
interface Space { id: string; name: string; siteId: string; bookingMode: string; bookableBy: string; policy: { approvalRequired?: boolean } }
interface Slot { startAt: string; endAt: string }
interface Booking { id: string; startAt: string; endAt: string; status: string; version: number }

/** A local date `days` from today in Shanghai, as YYYY-MM-DD. */
function shanghaiDate(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** "HH:mm" of an instant in Shanghai (UTC+8, no DST). */
function shanghaiClock(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);
}

/** Where a local time falls on the day view's time axis, and the middle of a space's row. */
async function pointOf(page: Page, date: string, clock: string, spaceName: string): Promise<{ x: number; y: number }> {
  const [hour, minute] = clock.split(':').map(Number) as [number, number];
  const label = page.locator(`.ec-header time[datetime="${date}T${String(hour).padStart(2, '0')}:00:00"]`);
  await label.scrollIntoViewIfNeeded();
  const hourBox = (await label.locator('xpath=..').boundingBox())!;
  // The space's label in the sidebar (the library's partial table roles are taken off: see ResourceTimeline.tsx).
  const row = (await page.locator('.ec').getByText(new RegExp(`^${spaceName} \\(\\d+\\)$`)).first().boundingBox())!;
  return { x: hourBox.x + (hourBox.width * minute) / 60, y: row.y + row.height / 2 };
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let step = 1; step <= 8; step++) await page.mouse.move(from.x + ((to.x - from.x) * step) / 8, from.y + ((to.y - from.y) * step) / 8);
  await page.mouse.up();
}

/** The demo's first study room site and its first exclusive room, where the timeline tests book. */
async function studyRoom(admin: Awaited<ReturnType<typeof apiAs>>): Promise<{ site: Site; room: Space }> {
  const sites = await admin.call<{ items: Site[] }>('GET', '/sites?limit=200');
  const site = sites.items.find((s) => s.kind === 'study_room')!;
  const spaces = await admin.call<{ items: Space[] }>('GET', `/spaces?siteId=${site.id}`);
  return { site, room: spaces.items.find((s) => s.bookingMode === 'exclusive')! };
}

describe('operator', () => {
  const test = useBrowser();

  it('opens a site week, creates a booking by selecting a range, moves it by dragging and cancels it', async () => {
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const { site, room } = await studyRoom(admin);
    // A day ahead with two free hours in a row, whatever the demo seed booked.
    let date = '';
    let slot: Slot | undefined;
    for (let days = 2; days < 7 && !slot; days++) {
      date = shanghaiDate(days);
      const free = await admin.call<{ slots: Slot[] }>('GET', `/spaces/${room.id}/availability?from=${date}&to=${date}&durationMinutes=120`);
      slot = free.slots.find((s) => shanghaiClock(s.startAt) >= '09:00' && shanghaiClock(s.startAt) <= '17:00' && shanghaiClock(s.startAt).endsWith(':00'));
    }
    expect(slot, 'a free two-hour window').toBeDefined();
    const start = shanghaiClock(slot!.startAt);
    const hour = Number(start.slice(0, 2));
    const end = `${String(hour + 1).padStart(2, '0')}:00`;
    const purpose = `E2E ${Date.now()}`;
    const { page } = test;

    await signIn(test, 'admin@demo.linli.dev');
    await page.goto(`${test.baseUrl}/timeline?sites=${site.id}&date=${date}&view=week`);
    // The week is a board (rooms as rows, one column per day: issue #14, point 4).
    await page.getByTestId('week-board').waitFor();
    await expect.poll(() => page.locator('.linli-week thead th[data-date]').count()).toBe(7);

    // The day view, where half hours are wide enough to aim at.
    await page.getByText('日', { exact: true }).click();
    await page.waitForSelector('.ec-timeline.ec-day-view');
    await drag(page, await pointOf(page, date, start, room.name).then((p) => ({ ...p, x: p.x + 4 })), await pointOf(page, date, end, room.name).then((p) => ({ ...p, x: p.x - 4 })));
    const dialog = page.getByRole('dialog', { name: '新建预约' });
    await dialog.waitFor();
    await dialog.getByLabel('用途').fill(purpose);
    await dialog.getByRole('button', { name: /预\s*约/ }).click();
    await page.getByText('预约已创建。').waitFor();
    const block = page.locator('.ec-event', { hasText: purpose });
    await expect.poll(() => block.locator('.ec-event-time').textContent()).toContain(start);

    // Drag it one hour later. The calendar re-renders its events after a save; a gesture that lands mid-render
    // grabs a stale element and becomes a text selection, so the block is measured afresh and the gesture (never
    // the assertion) is tried again.
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForLoadState('networkidle');
    const oneHour = (await pointOf(page, date, end, room.name)).x - (await pointOf(page, date, start, room.name)).x;
    for (let attempt = 1; ; attempt++) {
      const box = (await block.boundingBox())!;
      await drag(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, { x: box.x + box.width / 2 + oneHour, y: box.y + box.height / 2 });
      try {
        await page.getByText('预约已调整。').waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    await expect.poll(() => page.locator('.ec-event', { hasText: purpose }).locator('.ec-event-time').textContent()).toContain(end);
    const moved = await admin.call<{ items: Booking[] }>('GET', `/bookings?spaceId=${room.id}&from=${slot!.startAt}&to=${slot!.endAt}&status=confirmed`);
    expect(moved.items.map((b) => shanghaiClock(b.startAt))).toContain(end);

    // Open it and cancel it.
    await page.locator('.ec-event', { hasText: purpose }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText(purpose).waitFor();
    await drawer.getByRole('button', { name: '取消预约' }).click();
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '取消预约' }).click();
    await drawer.locator('.ant-tag', { hasText: '已取消' }).waitFor();
    await drawer.getByText('已确认 → 已取消').waitFor();
    expectNoConsoleErrors(test);
  });

  it('shows why a move is refused, with alternatives', async () => {
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const { site, room } = await studyRoom(admin);
    const date = shanghaiDate(3);
    const free = await admin.call<{ slots: Slot[] }>('GET', `/spaces/${room.id}/availability?from=${date}&to=${date}&durationMinutes=120`);
    const slot = free.slots.find((s) => shanghaiClock(s.startAt) >= '09:00' && shanghaiClock(s.startAt) <= '17:00' && shanghaiClock(s.startAt).endsWith(':00'))!;
    const first = new Date(Date.parse(slot.startAt)).toISOString();
    const middle = new Date(Date.parse(slot.startAt) + 3_600_000).toISOString();
    const last = new Date(Date.parse(slot.startAt) + 7_200_000).toISOString();
    await admin.call('POST', '/bookings', { spaceId: room.id, startAt: first, endAt: middle, purpose: 'E2E earlier' });
    await admin.call('POST', '/bookings', { spaceId: room.id, startAt: middle, endAt: last, purpose: 'E2E later' });
    const { page } = test;

    await signIn(test, 'admin@demo.linli.dev');
    await page.goto(`${test.baseUrl}/timeline?sites=${site.id}&date=${date}&view=day`);
    const later = page.locator('.ec-event', { hasText: 'E2E later' });
    await later.waitFor();
    const box = (await later.boundingBox())!;
    await drag(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, { x: box.x + box.width / 2 - box.width / 2, y: box.y + box.height / 2 });
    const refusal = page.getByRole('dialog', { name: '预约无法调整' });
    await refusal.getByText('该时段已被预约。').waitFor();
    await refusal.getByText('可改约：').waitFor();
    expectNoConsoleErrors(test);
  });

  it('approves a pending booking from the approval queue', async () => {
    const resident = await apiAs(test.baseUrl, 'resident2@demo.linli.dev');
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const spaces = await admin.call<{ items: Space[] }>('GET', '/spaces?limit=200');
    const hall = spaces.items.find((s) => s.policy.approvalRequired && s.bookableBy === 'residents')!;
    let booking: Booking | undefined;
    for (let days = 3; days < 10 && !booking; days++) {
      const date = shanghaiDate(days);
      const free = await resident.call<{ slots: Slot[] }>('GET', `/spaces/${hall.id}/availability?from=${date}&to=${date}&durationMinutes=60`);
      const slot = free.slots[0];
      if (slot) booking = await resident.call<Booking>('POST', '/bookings', { spaceId: hall.id, startAt: slot.startAt, endAt: slot.endAt, purpose: 'E2E 待审批' });
    }
    expect(booking?.status).toBe('pending');
    const { page } = test;

    await signIn(test, 'admin@demo.linli.dev');
    await page.getByRole('link', { name: '审批' }).click();
    const row = page.locator(`[data-testid="approval-${booking!.id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: /通\s*过/ }).click();
    await page.getByText('已通过。').waitFor();
    await row.waitFor({ state: 'detached' });
    const approved = await admin.call<Booking>('GET', `/bookings/${booking!.id}`);
    expect(approved.status).toBe('confirmed');
    expectNoConsoleErrors(test);
  });

  it('cancels one occurrence of a recurring booking from the timeline, and the rest stay booked', async () => {
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const { site, room } = await studyRoom(admin);
    // A weekly series three weeks long, starting in ten days at that day's first free hour.
    const startDate = shanghaiDate(10);
    const free = await admin.call<{ slots: Slot[] }>('GET', `/spaces/${room.id}/availability?from=${startDate}&to=${startDate}&durationMinutes=60`);
    const slot = free.slots.find((s) => shanghaiClock(s.startAt).endsWith(':00'))!;
    const series = await admin.call<{ seriesId: string; booked: number; occurrences: { bookingId: string | null }[] }>('POST', '/series', {
      spaceId: room.id,
      startDate,
      startTime: shanghaiClock(slot.startAt),
      durationMinutes: 60,
      rule: 'FREQ=WEEKLY;COUNT=3',
      purpose: 'E2E 每周晨读',
      onConflict: 'skip',
    });
    expect(series.booked).toBeGreaterThan(1);
    const { page } = test;

    await signIn(test, 'admin@demo.linli.dev');
    await page.goto(`${test.baseUrl}/timeline?sites=${site.id}&date=${startDate}&view=day`);
    await page.locator('.ec-event', { hasText: 'E2E 每周晨读' }).first().click();
    const actions = page.locator('[data-testid="series-actions"]');
    await actions.waitFor();
    await actions.getByText('仅此一次').click();
    await actions.getByRole('button', { name: '取消这些场次' }).click();
    await page.locator('.ant-modal-confirm').getByRole('button', { name: '取消这些场次' }).click();
    await page.locator('.ant-drawer').locator('.ant-tag', { hasText: '已取消' }).waitFor();

    const statuses = await Promise.all(
      series.occurrences.filter((o) => o.bookingId).map(async (o) => (await admin.call<Booking>('GET', `/bookings/${o.bookingId}`)).status),
    );
    expect(statuses[0]).toBe('cancelled');
    expect(statuses.slice(1).every((status) => status === 'confirmed')).toBe(true);
    expectNoConsoleErrors(test);
  });

  it("sets a space's own booking rule in setup, over what it inherits", async () => {
    const admin = await apiAs(test.baseUrl, 'admin@demo.linli.dev');
    const { page } = test;
    await signIn(test, 'admin@demo.linli.dev');
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('tab', { name: '空间' }).click();
    const firstRow = page.locator('tr.ant-table-row').filter({ visible: true }).first();
    await firstRow.getByRole('button', { name: /编\s*辑/ }).click();
    const editor = page.locator('[data-testid="policy-editor"]');
    await editor.waitFor();
    await editor.getByRole('switch', { name: '本空间单独设置: 间隔缓冲（分钟）' }).click();
    await editor.getByRole('spinbutton', { name: '间隔缓冲（分钟）' }).fill('25');
    const saved = page.waitForRequest((request) => request.method() === 'PATCH' && /\/api\/v1\/spaces\/[^/]+$/.test(request.url()));
    await editor.getByRole('button', { name: '保存规则' }).click();
    const spaceId = (await saved).url().split('/').pop()!;
    await page.getByText('已保存。').first().waitFor();

    const policy = await admin.call<{ values: { bufferMinutes: number }; sources: Record<string, string>; levels: { space: Record<string, unknown> } }>('GET', `/spaces/${spaceId}/policy`);
    expect(policy.values.bufferMinutes).toBe(25);
    expect(policy.sources.bufferMinutes).toBe('space');
    // Leave the demo as it was for the other tests.
    const { bufferMinutes: _set, ...rest } = policy.levels.space;
    await admin.call('PATCH', `/spaces/${spaceId}`, { policy: rest });
    expectNoConsoleErrors(test);
  });

  it('sees the analytics dashboard', async () => {
    const { page } = test;
    await signIn(test, 'admin@demo.linli.dev');
    await page.getByRole('link', { name: '运营分析' }).click();
    await page.locator('[data-testid="analytics"]').waitFor();
    await page.getByText('同类站点使用率排名').waitFor();
    await expect.poll(() => page.locator('[data-testid="analytics"] [role="img"] svg').count()).toBeGreaterThanOrEqual(3);
    expectNoConsoleErrors(test);
  });
});
