import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createPortfolio } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  p = await createPortfolio(t.app, t.db);
  await t.db.insert(schema.bookings).values({
    orgId: p.org.id,
    siteId: p.siteA.id,
    spaceId: p.spaceA.id,
    exclusive: true,
    bookerId: p.resident.id,
    purpose: '私人生日聚会',
    checkInCode: 'ABC234',
    startAt: new Date(at('2027-03-02', '19:00')),
    endAt: new Date(at('2027-03-02', '21:00')),
    status: 'confirmed',
  });
});
afterAll(() => t.close());

describe('iCalendar feeds', () => {
  it('a space feed shows busy blocks in the site zone with a VTIMEZONE, and no personal data', async () => {
    const res = await t.app.inject({ url: `/api/v1/calendar/spaces/${p.spaceA.id}/busy.ics` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    expect(res.body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(res.body).toContain('BEGIN:VTIMEZONE');
    expect(res.body).toContain('TZID:Asia/Shanghai');
    expect(res.body).toMatch(/DTSTART;TZID=Asia\/Shanghai:20270302T190000/);
    expect(res.body).not.toContain('生日');
    expect(res.body).not.toContain('ABC234');
    const site = await t.app.inject({ url: `/api/v1/calendar/sites/${p.siteA.id}/busy.ics` });
    expect(site.body).toMatch(/DTEND;TZID=Asia\/Shanghai:20270302T210000/);
  });

  it('a private feed lists my own bookings; rotating the link revokes the old one', async () => {
    const first = (await t.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: bearer(p.tokens.resident) })).json();
    const feed = await t.app.inject({ url: first.url });
    expect(feed.statusCode).toBe(200);
    expect(feed.body).toContain('私人生日聚会');
    expect(feed.body).toContain('ABC234');
    const second = (await t.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: bearer(p.tokens.resident) })).json();
    expect((await t.app.inject({ url: first.url })).statusCode).toBe(404);
    expect((await t.app.inject({ url: second.url })).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: '/api/v1/me/calendar-feed', headers: bearer(p.tokens.resident) });
    expect((await t.app.inject({ url: second.url })).statusCode).toBe(404);
  });
});
