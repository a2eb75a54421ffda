import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createPortfolio, createSite, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { createActivity, createSession } from '../registrations/registrations.factories.ts';

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

  it("a private feed lists the activity sessions I hold a place in, not ones I cancelled or others'", async () => {
    const activity = await createActivity(t.db, { orgId: p.org.id, title: '亲子绘本共读', titleEn: 'Picture-book reading' });
    const kept = await createSession(t.db, { activity, siteId: p.siteA.id, spaceId: p.spaceA.id, startAt: at('2027-03-03', '10:00'), endAt: at('2027-03-03', '11:00') });
    const dropped = await createSession(t.db, { activity, siteId: p.siteA.id, spaceId: p.spaceA.id, startAt: at('2027-03-04', '10:00'), endAt: at('2027-03-04', '11:00') });
    const registration = (sessionId: string, status: string, userId = p.resident.id) => ({
      orgId: p.org.id, sessionId, activityId: activity.id, userId, partySize: 2, status, checkInCode: status === 'confirmed' ? 'ACT777' : 'ACT000',
    });
    await t.db.insert(schema.activityRegistrations).values([registration(kept.id, 'confirmed'), registration(dropped.id, 'cancelled'), registration(dropped.id, 'confirmed', p.admin.id)]);
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: bearer(p.tokens.resident) })).json();
    // Unfolded: long lines are folded at 75 octets (RFC 5545).
    const feed = (await t.app.inject({ url: token.url })).body.replaceAll('\r\n ', '');
    expect(feed).toContain('亲子绘本共读 Picture-book reading');
    expect(feed).toContain('ACT777');
    expect(feed).not.toContain('ACT000');
    expect(feed.match(/SUMMARY:亲子绘本共读/g)).toHaveLength(1);
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

/** The feed's content lines, unfolded; fails on any line that is neither `NAME[;params]:value` nor a fold. */
function contentLinesOf(feed: string): string[] {
  expect(feed.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  const lines: string[] = [];
  for (const physical of feed.split('\r\n')) {
    if (/^[ \t]/.test(physical) && lines.length > 0) lines[lines.length - 1] += physical.slice(1);
    else lines.push(physical);
  }
  for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*)*:/);
  return lines;
}

describe('iCalendar feeds of names written straight into the database', () => {
  const INJECTION = '\r\nX-INJECTED:1';
  let injected: { siteId: string; spaceId: string; siteName: string; spaceName: string };
  beforeAll(async () => {
    const site = await createSite(t.db, { orgId: p.org.id, name: `注入 Site, A;${INJECTION}`, address: `Road 1${INJECTION}\u2028X-INJECTED:2` });
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: site.id, name: `Room\nX-INJECTED:1\u0007` });
    injected = { siteId: site.id, spaceId: space.id, siteName: site.name, spaceName: space.name };
    await t.db.insert(schema.bookings).values({
      orgId: p.org.id,
      siteId: site.id,
      spaceId: space.id,
      exclusive: true,
      bookerId: p.resident.id,
      purpose: `Party${INJECTION}`,
      checkInCode: 'XYZ234',
      startAt: new Date(at('2027-03-03', '10:00')),
      endAt: new Date(at('2027-03-03', '11:00')),
      status: 'confirmed',
    });
  });

  it('line breaks in site and space names are escaped, never lines of their own, and DTSTAMP is UTC', async () => {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: bearer(p.tokens.resident) })).json();
    const feeds = {
      space: await t.app.inject({ url: `/api/v1/calendar/spaces/${injected.spaceId}/busy.ics` }),
      site: await t.app.inject({ url: `/api/v1/calendar/sites/${injected.siteId}/busy.ics` }),
      personal: await t.app.inject({ url: token.url }),
    };
    for (const [feed, res] of Object.entries(feeds)) {
      expect({ feed, status: res.statusCode }).toEqual({ feed, status: 200 });
      const lines = contentLinesOf(res.body);
      expect(lines.filter((line) => /^X-INJECTED/i.test(line))).toEqual([]);
      const stamps = lines.filter((line) => line.startsWith('DTSTAMP'));
      expect(stamps.length).toBeGreaterThan(0);
      for (const stamp of stamps) expect(stamp).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
      expect(lines).toContain('LOCATION:Road 1\\nX-INJECTED:1\\nX-INJECTED:2');
    }
    const escapedSite = '注入 Site\\, A\\;\\nX-INJECTED:1';
    const escapedSpace = 'Room\\nX-INJECTED:1';
    expect(contentLinesOf(feeds.site.body)).toContain(`X-WR-CALNAME:${escapedSite}`);
    expect(contentLinesOf(feeds.space.body)).toContain(`NAME:${escapedSite} · ${escapedSpace}`);
    expect(contentLinesOf(feeds.space.body)).toContain(`SUMMARY:已预约 Booked · ${escapedSpace}`);
    expect(contentLinesOf(feeds.personal.body)).toContain(`SUMMARY:${escapedSpace} · ${escapedSite}`);
    expect(contentLinesOf(feeds.personal.body)).toContain('DESCRIPTION:Party\\nX-INJECTED:1\\n签到码 Check-in code: XYZ234');
  });
});
