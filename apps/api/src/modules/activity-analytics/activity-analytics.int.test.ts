/**
 * Activity analytics through the API on a real database, against numbers computed by hand from the fixture below.
 * Rows are inserted straight into the activity tables: these tests are about counting, not about registering.
 *
 * June 2026 (Asia/Shanghai), now = 15 July. Held in June: S1, S2 (太极入门, at A then touring to B), S3 and S6
 * (读书会, at A; S6 ends exactly at the end of 30 June). Not held in June: S4 (cancelled), S5 (ends at 1 June 00:00,
 * so in May), S7 (a draft activity), S8 (July).
 *
 *            places  registrations (party, status)                          waitlist        feedback  walk-ins
 *   S1 A      10     r1 2 completed, r2 1 checked_in, r3 3 no_show,         r6 expired      r1 5, r2 4  2 + 1
 *                    r5 1 confirmed, r4 1 cancelled (not counted)
 *   S2 B       5     r1 1 completed, r6 4 completed                          -               r6 3
 *   S3 A       4     r2 2 completed, r4 2 no_show, r1 1 cancelled            r3 expired, r5 cancelled,
 *                                                                             r1 registered (got a place, then cancelled)
 *   S6 A       3     -                                                        -                         3
 * Before June: r2 attended S5 (not new); r6 had a completed booking in May (not new); r1 only a cancelled one (new).
 */
import { randomUUID } from 'node:crypto';
import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio, createUser } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
const r = {} as Record<'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6', { id: string }>;
const activity = {} as Record<'taiChi' | 'reading' | 'draft', { id: string }>;
let partnerId: string;

const JUNE = 'from=2026-06-01&to=2026-06-30';

async function insertBooking(site: { id: string }, space: { id: string }, start: string, end: string, status: string, bookerId: string | null, source = 'resident') {
  const [row] = await t.db
    .insert(schema.bookings)
    .values({ orgId: p.org.id, siteId: site.id, spaceId: space.id, exclusive: true, startAt: new Date(start), endAt: new Date(end), status, bookerId, source })
    .returning();
  return row!;
}

async function insertActivity(title: string, input: Partial<typeof schema.activities.$inferInsert> & { category: string }) {
  const [row] = await t.db.insert(schema.activities).values({ orgId: p.org.id, title, places: 10, status: 'published', ...input }).returning();
  return row!;
}

async function insertSession(
  of: { id: string },
  where: 'A' | 'B',
  start: string,
  end: string,
  places: number,
  status: 'scheduled' | 'cancelled' = 'scheduled',
) {
  const site = where === 'A' ? p.siteA : p.siteB;
  const space = where === 'A' ? p.spaceA : p.spaceB;
  const booking = await insertBooking(site, space, start, end, status === 'cancelled' ? 'cancelled' : 'completed', p.staff.id, 'activity');
  const [row] = await t.db
    .insert(schema.activitySessions)
    .values({ orgId: p.org.id, activityId: of.id, siteId: site.id, spaceId: space.id, bookingId: booking.id, startAt: new Date(start), endAt: new Date(end), places, status })
    .returning();
  return row!;
}

async function register(session: { id: string; activityId: string }, user: { id: string }, partySize: number, status: string) {
  const [row] = await t.db
    .insert(schema.activityRegistrations)
    .values({ orgId: p.org.id, sessionId: session.id, activityId: session.activityId, userId: user.id, partySize, status, checkInCode: randomUUID().slice(0, 6) })
    .returning();
  return row!;
}

async function waitlist(session: { id: string }, user: { id: string }, status: string, registrationId: string | null = null) {
  await t.db.insert(schema.activityWaitlistEntries).values({ orgId: p.org.id, sessionId: session.id, userId: user.id, partySize: 1, status, registrationId });
}

async function rate(registration: { id: string; sessionId: string; activityId: string; userId: string }, rating: number) {
  await t.db.insert(schema.activityFeedback).values({
    registrationId: registration.id,
    orgId: p.org.id,
    sessionId: registration.sessionId,
    activityId: registration.activityId,
    userId: registration.userId,
    rating,
    comment: '很好',
  });
}

async function walkIn(session: { id: string }, people: number) {
  await t.db.insert(schema.activityWalkIns).values({ orgId: p.org.id, sessionId: session.id, people, recordedBy: p.staff.id });
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-07-15T00:00:00Z' });
  p = await createPortfolio(t.app, t.db);
  for (const key of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'] as const) r[key] = await createUser(t.db, { orgId: p.org.id, role: 'resident', homeSiteId: p.siteA.id });

  await t.db.insert(schema.activityCategories).values([
    { orgId: p.org.id, slug: 'sport', nameZh: '运动', nameEn: 'Sport' },
    { orgId: p.org.id, slug: 'culture', nameZh: '文化', nameEn: 'Culture' },
  ]).onConflictDoNothing();
  const [partner] = await t.db.insert(schema.partnerOrganizations).values({ orgId: p.org.id, name: '乐龄社工服务社' }).returning();
  partnerId = partner!.id;
  activity.taiChi = await insertActivity('太极入门', { titleEn: 'Tai chi for beginners', category: 'sport', organizerUserId: p.staff.id });
  activity.reading = await insertActivity('读书会', { category: 'culture', partnerId, status: 'completed' });
  activity.draft = await insertActivity('草稿活动', { category: 'sport', organizerUserId: p.staff.id, status: 'draft' });

  const s1 = await insertSession(activity.taiChi, 'A', '2026-06-10T10:00:00+08:00', '2026-06-10T11:00:00+08:00', 10);
  const s2 = await insertSession(activity.taiChi, 'B', '2026-06-17T10:00:00+08:00', '2026-06-17T11:00:00+08:00', 5);
  const s3 = await insertSession(activity.reading, 'A', '2026-06-20T14:00:00+08:00', '2026-06-20T16:00:00+08:00', 4);
  const s4 = await insertSession(activity.taiChi, 'A', '2026-06-24T10:00:00+08:00', '2026-06-24T11:00:00+08:00', 10, 'cancelled');
  const s5 = await insertSession(activity.taiChi, 'A', '2026-05-31T23:30:00+08:00', '2026-06-01T00:00:00+08:00', 10);
  const s6 = await insertSession(activity.reading, 'A', '2026-06-30T23:00:00+08:00', '2026-07-01T00:00:00+08:00', 3);
  const s7 = await insertSession(activity.draft, 'A', '2026-06-12T10:00:00+08:00', '2026-06-12T11:00:00+08:00', 10);

  const s1r1 = await register(s1, r.r1, 2, 'completed');
  const s1r2 = await register(s1, r.r2, 1, 'checked_in');
  await register(s1, r.r3, 3, 'no_show');
  await register(s1, r.r5, 1, 'confirmed');
  await register(s1, r.r4, 1, 'cancelled');
  await waitlist(s1, r.r6, 'expired');
  await rate(s1r1, 5);
  await rate(s1r2, 4);
  await walkIn(s1, 2);
  await walkIn(s1, 1);

  await register(s2, r.r1, 1, 'completed');
  await rate(await register(s2, r.r6, 4, 'completed'), 3);

  await register(s3, r.r2, 2, 'completed');
  await register(s3, r.r4, 2, 'no_show');
  const cancelledAfterGettingIn = await register(s3, r.r1, 1, 'cancelled');
  await waitlist(s3, r.r3, 'expired');
  await waitlist(s3, r.r5, 'cancelled');
  await waitlist(s3, r.r1, 'registered', cancelledAfterGettingIn.id);

  await register(s4, r.r3, 1, 'completed');
  await walkIn(s4, 10);
  await register(s5, r.r2, 1, 'completed');
  await walkIn(s6, 3);
  await register(s7, r.r5, 1, 'completed');
  await walkIn(s7, 4);

  await insertBooking(p.siteA, p.spaceA, '2026-05-20T10:00:00+08:00', '2026-05-20T11:00:00+08:00', 'completed', r.r6.id);
  await insertBooking(p.siteA, p.spaceA, '2026-05-21T10:00:00+08:00', '2026-05-21T11:00:00+08:00', 'cancelled', r.r1.id);
  await insertBooking(p.siteA, p.spaceA, '2026-06-05T10:00:00+08:00', '2026-06-05T11:00:00+08:00', 'completed', r.r1.id);
  // July: a session not yet ended on 15 July is not held.
  await insertSession(activity.taiChi, 'A', '2026-07-20T10:00:00+08:00', '2026-07-20T11:00:00+08:00', 10);
});

afterAll(async () => {
  await t?.close();
});

const get = (query: string, token = p.tokens.admin, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/api/v1/analytics/activities?${query}`, headers: { ...bearer(token), ...headers } });

const TAI_CHI = {
  sessions: 2, placesOffered: 15, registrations: 6, registeredPeople: 12, fillRate: 0.8, waitlistUnserved: 1,
  attendedPeople: 8, attendanceRate: 0.666667, noShowPeople: 3, noShowRate: 0.25,
  residentsReached: 3, newResidents: 1, repeatParticipants: 1, feedbackCount: 3, averageRating: 4, responseRate: 0.75, walkIns: 3,
};
const READING = {
  sessions: 2, placesOffered: 7, registrations: 2, registeredPeople: 4, fillRate: 0.571429, waitlistUnserved: 2,
  attendedPeople: 2, attendanceRate: 0.5, noShowPeople: 2, noShowRate: 0.5,
  residentsReached: 1, newResidents: 0, repeatParticipants: 0, feedbackCount: 0, averageRating: null, responseRate: 0, walkIns: 3,
};
// r2 attended both activities: reached and repeat count people once across groups, so the total is not a sum.
const ALL = {
  sessions: 4, placesOffered: 22, registrations: 8, registeredPeople: 16, fillRate: 0.727273, waitlistUnserved: 3,
  attendedPeople: 10, attendanceRate: 0.625, noShowPeople: 5, noShowRate: 0.3125,
  residentsReached: 3, newResidents: 1, repeatParticipants: 2, feedbackCount: 3, averageRating: 4, responseRate: 0.6, walkIns: 6,
};
const SITE_A = {
  sessions: 3, placesOffered: 17, registrations: 6, registeredPeople: 11, fillRate: 0.647059, waitlistUnserved: 3,
  attendedPeople: 5, attendanceRate: 0.454545, noShowPeople: 5, noShowRate: 0.454545,
  residentsReached: 2, newResidents: 1, repeatParticipants: 1, feedbackCount: 2, averageRating: 4.5, responseRate: 0.666667, walkIns: 6,
};
const SITE_B = {
  sessions: 1, placesOffered: 5, registrations: 2, registeredPeople: 5, fillRate: 1, waitlistUnserved: 0,
  attendedPeople: 5, attendanceRate: 1, noShowPeople: 0, noShowRate: 0,
  residentsReached: 2, newResidents: 1, repeatParticipants: 0, feedbackCount: 1, averageRating: 3, responseRate: 0.5, walkIns: 0,
};

describe('every metric against hand-computed numbers', () => {
  it('by activity: sessions held in the period only, a touring activity across its sites, and a total counting people once', async () => {
    const res = await get(`${JUNE}&groupBy=activity`);
    expect(res.statusCode).toBe(200);
    const body = bodyOf(res);
    expect(body.rows).toEqual([
      // By name in zh-CN order (pinyin): du before tai.
      { key: activity.reading.id, label: '读书会', labelEn: null, organizerKind: null, ...READING },
      { key: activity.taiChi.id, label: '太极入门', labelEn: 'Tai chi for beginners', organizerKind: null, ...TAI_CHI },
    ]);
    expect(body.total).toEqual(ALL);
  });

  it('by category, with both names', async () => {
    const body = bodyOf(await get(`${JUNE}&groupBy=category`));
    expect(body.rows).toEqual([
      { key: 'culture', label: '文化', labelEn: 'Culture', organizerKind: null, ...READING },
      { key: 'sport', label: '运动', labelEn: 'Sport', organizerKind: null, ...TAI_CHI },
    ]);
  });

  it('by organizer: a staff member and a partner organization', async () => {
    const body = bodyOf(await get(`${JUNE}&groupBy=organizer`));
    expect(body.rows).toEqual(
      expect.arrayContaining([
        { key: p.staff.id, label: p.staff.displayName, labelEn: null, organizerKind: 'staff', ...TAI_CHI },
        { key: partnerId, label: '乐龄社工服务社', labelEn: null, organizerKind: 'partner', ...READING },
      ]),
    );
    expect(body.rows).toHaveLength(2);
  });

  it('by site and by district: a session counts where it was held', async () => {
    const bySite = bodyOf(await get(`${JUNE}&groupBy=site`));
    expect(bySite.rows).toEqual(
      expect.arrayContaining([
        { key: p.siteA.id, label: p.siteA.name, labelEn: null, organizerKind: null, ...SITE_A },
        { key: p.siteB.id, label: p.siteB.name, labelEn: null, organizerKind: null, ...SITE_B },
      ]),
    );
    expect(bySite.rows).toHaveLength(2);
    expect(bySite.total).toEqual(ALL);
    const byDistrict = bodyOf(await get(`${JUNE}&groupBy=district`));
    expect(byDistrict.rows).toEqual(
      expect.arrayContaining([
        { key: '徐汇区', label: '徐汇区', labelEn: null, organizerKind: null, ...SITE_A },
        { key: '静安区', label: '静安区', labelEn: null, organizerKind: null, ...SITE_B },
      ]),
    );
  });

  it('narrowed by category, district and site', async () => {
    expect(bodyOf(await get(`${JUNE}&category=culture`)).total).toEqual(READING);
    expect(bodyOf(await get(`${JUNE}&district=${encodeURIComponent('静安区')}`)).total).toEqual(SITE_B);
    expect(bodyOf(await get(`${JUNE}&siteId=${p.siteA.id}`)).total).toEqual(SITE_A);
  });

  it('a session not yet ended is not held, and an empty period answers zeros', async () => {
    const body = bodyOf(await get('from=2026-07-01&to=2026-07-31'));
    expect(body.rows).toEqual([]);
    expect(body.total).toMatchObject({ sessions: 0, placesOffered: 0, fillRate: null, attendanceRate: null, averageRating: null, responseRate: null });
  });
});

describe('access', () => {
  it('site staff see their sites only; another site asked for by id is 404; residents 403', async () => {
    expect(bodyOf(await get(JUNE, p.tokens.manager)).total).toEqual(SITE_A);
    expect(bodyOf(await get(JUNE, p.tokens.staff)).total).toEqual(SITE_A);
    expect((await get(`${JUNE}&siteId=${p.siteB.id}`, p.tokens.manager)).statusCode).toBe(404);
    expect((await get(`${JUNE}&siteId=${p.otherSite.id}`)).statusCode).toBe(404);
    expect((await get(JUNE, p.tokens.resident)).statusCode).toBe(403);
  });

  it("another operator's admin sees none of it", async () => {
    expect(bodyOf(await get(JUNE, p.tokens.otherAdmin)).total.sessions).toBe(0);
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM and headers in the caller language', async () => {
    const zh = await get(`${JUNE}&groupBy=category&format=csv`, p.tokens.admin, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.statusCode).toBe(200);
    expect(zh.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(zh.headers['content-disposition']).toBe('attachment; filename="linli-activities-category-2026-06-01-2026-06-30.csv"');
    expect([...zh.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = zh.rawPayload.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe(
      '编号,名称,英文名称,主办方类型,举办场次,提供名额,报名数,报名人数,满员率,候补未获名额人数,出席人数,出席率,爽约人数,爽约率,服务居民数,新参与居民数,多次参与居民数,评价数,平均评分,评价率,现场参与人数',
    );
    expect(lines[1]).toBe('culture,文化,Culture,,2,7,2,4,0.571429,2,2,0.5,2,0.5,1,0,0,0,,0,3');
    expect(lines[2]).toBe('sport,运动,Sport,,2,15,6,12,0.8,1,8,0.666667,3,0.25,3,1,1,3,4,0.75,3');

    const en = await get(`${JUNE}&format=csv`, p.tokens.admin, { 'accept-language': 'en' });
    expect(en.body.slice(1).split('\r\n')[0]).toMatch(/^key,name,name \(English\),organizer kind,sessions held,places offered,/);
  });
});

describe('bad input answers 400 with the field, never 500', () => {
  it.each([
    ['a reversed period', 'from=2026-06-30&to=2026-06-01', 'querystring.to'],
    ['a period over 13 months', 'from=2025-01-01&to=2026-02-01', 'querystring.to'],
    ['an unknown grouping', `${JUNE}&groupBy=room`, 'querystring.groupBy'],
    ['an unknown parameter', `${JUNE}&metric=revenue`, 'querystring'],
    ['a category with a control character', `${JUNE}&category=a%07b`, 'querystring.category'],
    ['a year out of bounds', 'from=0001-01-01&to=2026-01-01', 'querystring.from'],
  ])('%s', async (_label, query, path) => {
    const res = await get(query);
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});
