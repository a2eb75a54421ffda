/**
 * Who may call what, route by route. Every /api/v1 route in the OpenAPI document must appear in ROUTES, so a new
 * endpoint cannot ship without saying who may call it and being tested for it.
 */
import { randomUUID } from 'node:crypto';
import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio } from '../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../test/harness.ts';

type RoleName = 'admin' | 'manager' | 'staff' | 'resident';
const ALL: RoleName[] = ['admin', 'manager', 'staff', 'resident'];
const STAFF: RoleName[] = ['admin', 'manager', 'staff'];
const MANAGERS: RoleName[] = ['admin', 'manager'];
const RESIDENT: RoleName[] = ['resident'];
const ADMIN: RoleName[] = ['admin'];

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** OpenAPI-style path, e.g. /api/v1/sites/{id}. */
  path: string;
  /** null: public. */
  allowed: RoleName[] | null;
  body?: object;
}

const ROUTES: RouteCase[] = [
  { method: 'POST', path: '/api/v1/auth/register', allowed: null },
  { method: 'POST', path: '/api/v1/auth/login', allowed: null },
  { method: 'POST', path: '/api/v1/auth/refresh', allowed: null },
  { method: 'POST', path: '/api/v1/auth/logout', allowed: null },
  { method: 'GET', path: '/api/v1/meta', allowed: null },
  { method: 'GET', path: '/api/v1/me', allowed: ALL },
  { method: 'GET', path: '/api/v1/organization', allowed: ALL },
  { method: 'PATCH', path: '/api/v1/organization', allowed: ADMIN, body: {} },
  { method: 'GET', path: '/api/v1/organization/policy', allowed: STAFF },
  { method: 'GET', path: '/api/v1/sites', allowed: ALL },
  { method: 'POST', path: '/api/v1/sites', allowed: ADMIN, body: {} },
  { method: 'GET', path: '/api/v1/sites/{id}', allowed: ALL },
  { method: 'GET', path: '/api/v1/sites/{id}/policy', allowed: STAFF },
  { method: 'PATCH', path: '/api/v1/sites/{id}', allowed: MANAGERS, body: {} },
  { method: 'POST', path: '/api/v1/sites/{id}/archive', allowed: ADMIN },
  { method: 'POST', path: '/api/v1/sites/{id}/unarchive', allowed: ADMIN },
  { method: 'DELETE', path: '/api/v1/sites/{id}', allowed: ADMIN },
  { method: 'GET', path: '/api/v1/closures', allowed: ALL },
  { method: 'POST', path: '/api/v1/closures', allowed: MANAGERS, body: {} },
  { method: 'DELETE', path: '/api/v1/closures/{id}', allowed: MANAGERS },
  { method: 'GET', path: '/api/v1/spaces', allowed: ALL },
  { method: 'POST', path: '/api/v1/spaces', allowed: MANAGERS, body: {} },
  { method: 'GET', path: '/api/v1/spaces/{id}', allowed: ALL },
  { method: 'GET', path: '/api/v1/spaces/{id}/policy', allowed: ALL },
  { method: 'PATCH', path: '/api/v1/spaces/{id}', allowed: MANAGERS, body: {} },
  { method: 'POST', path: '/api/v1/spaces/{id}/archive', allowed: MANAGERS },
  { method: 'POST', path: '/api/v1/spaces/{id}/unarchive', allowed: MANAGERS },
  { method: 'DELETE', path: '/api/v1/spaces/{id}', allowed: MANAGERS },
  { method: 'GET', path: '/api/v1/users', allowed: ADMIN },
  { method: 'POST', path: '/api/v1/users', allowed: ADMIN, body: {} },
  { method: 'GET', path: '/api/v1/users/{id}', allowed: ADMIN },
  { method: 'GET', path: '/api/v1/analytics/utilization', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/heatmap', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/site-ranking', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/behaviour', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/unmet-demand', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/cross-site', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/activities', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/equipment', allowed: STAFF },
  { method: 'GET', path: '/api/v1/analytics/equipment/flows', allowed: STAFF },
  { method: 'GET', path: '/api/v1/equipment/types', allowed: STAFF },
  { method: 'POST', path: '/api/v1/equipment/types', allowed: ADMIN, body: {} },
  { method: 'PATCH', path: '/api/v1/equipment/types/{id}', allowed: ADMIN, body: {} },
  { method: 'GET', path: '/api/v1/equipment/settings', allowed: STAFF },
  { method: 'PUT', path: '/api/v1/equipment/settings', allowed: ADMIN, body: {} },
  { method: 'GET', path: '/api/v1/equipment/pool', allowed: STAFF },
  { method: 'GET', path: '/api/v1/equipment/holdings', allowed: STAFF },
  { method: 'POST', path: '/api/v1/equipment/holdings', allowed: MANAGERS, body: {} },
  { method: 'GET', path: '/api/v1/equipment/holdings/{id}', allowed: STAFF },
  { method: 'PATCH', path: '/api/v1/equipment/holdings/{id}', allowed: MANAGERS, body: {} },
  { method: 'POST', path: '/api/v1/equipment/holdings/{id}/adjustments', allowed: STAFF, body: {} },
  { method: 'GET', path: '/api/v1/equipment/holdings/{id}/history', allowed: STAFF },
  { method: 'GET', path: '/api/v1/equipment/availability', allowed: STAFF },
  { method: 'POST', path: '/api/v1/equipment/loans', allowed: STAFF, body: {} },
  { method: 'GET', path: '/api/v1/equipment/loans', allowed: STAFF },
  { method: 'GET', path: '/api/v1/equipment/loans/{id}', allowed: STAFF },
  { method: 'POST', path: '/api/v1/equipment/loans/{id}/{step}', allowed: STAFF, body: {} },
  { method: 'POST', path: '/api/v1/bookings', allowed: ALL, body: {} },
  { method: 'POST', path: '/api/v1/bookings/check', allowed: ALL, body: {} },
  { method: 'GET', path: '/api/v1/bookings', allowed: ALL },
  { method: 'GET', path: '/api/v1/bookings/{id}', allowed: ALL },
  { method: 'PATCH', path: '/api/v1/bookings/{id}', allowed: ALL, body: { purpose: 'x' } },
  { method: 'POST', path: '/api/v1/bookings/{id}/cancel', allowed: ALL, body: {} },
  { method: 'POST', path: '/api/v1/bookings/{id}/approve', allowed: STAFF },
  { method: 'POST', path: '/api/v1/bookings/{id}/reject', allowed: STAFF, body: { reason: 'x' } },
  { method: 'POST', path: '/api/v1/bookings/{id}/check-in', allowed: ALL, body: {} },
  { method: 'POST', path: '/api/v1/bookings/{id}/accept-offer', allowed: RESIDENT },
  { method: 'POST', path: '/api/v1/waitlist', allowed: RESIDENT, body: {} },
  { method: 'GET', path: '/api/v1/me/waitlist', allowed: ALL },
  { method: 'POST', path: '/api/v1/waitlist/{id}/leave', allowed: RESIDENT },
  { method: 'GET', path: '/api/v1/spaces/{id}/availability', allowed: ALL },
  { method: 'GET', path: '/api/v1/availability/search', allowed: ALL },
  { method: 'GET', path: '/api/v1/sites/{id}/schedule', allowed: STAFF },
  { method: 'GET', path: '/api/v1/calendar/spaces/{id}/busy.ics', allowed: null },
  { method: 'GET', path: '/api/v1/calendar/sites/{id}/busy.ics', allowed: null },
  { method: 'GET', path: '/api/v1/calendar/feeds/{token}', allowed: null },
  { method: 'POST', path: '/api/v1/me/calendar-feed', allowed: ALL },
  { method: 'DELETE', path: '/api/v1/me/calendar-feed', allowed: ALL },
  { method: 'POST', path: '/api/v1/series', allowed: ALL, body: {} },
  { method: 'POST', path: '/api/v1/series/{id}/cancel', allowed: ALL, body: { scope: 'all' } },
  { method: 'PATCH', path: '/api/v1/series/{id}', allowed: ALL, body: { scope: 'all' } },
  { method: 'GET', path: '/api/v1/activity-categories', allowed: ALL },
  { method: 'POST', path: '/api/v1/activity-categories', allowed: ADMIN, body: {} },
  { method: 'GET', path: '/api/v1/partners', allowed: MANAGERS },
  { method: 'POST', path: '/api/v1/partners', allowed: MANAGERS, body: {} },
  { method: 'POST', path: '/api/v1/activities', allowed: STAFF, body: {} },
  { method: 'GET', path: '/api/v1/activities', allowed: STAFF },
  { method: 'GET', path: '/api/v1/activities/{id}', allowed: STAFF },
  { method: 'PATCH', path: '/api/v1/activities/{id}', allowed: STAFF, body: { title: 'x' } },
  { method: 'POST', path: '/api/v1/activities/{id}/publish', allowed: STAFF },
  { method: 'POST', path: '/api/v1/activities/{id}/cancel', allowed: STAFF, body: {} },
  { method: 'POST', path: '/api/v1/activities/{id}/sessions', allowed: STAFF, body: {} },
  { method: 'PATCH', path: '/api/v1/activity-sessions/{id}', allowed: STAFF, body: { startAt: '2027-03-01T10:00:00+08:00' } },
  { method: 'POST', path: '/api/v1/activity-sessions/{id}/cancel', allowed: STAFF, body: {} },
  { method: 'GET', path: '/api/v1/programme', allowed: null },
  { method: 'GET', path: '/api/v1/programme.ics', allowed: null },
  { method: 'GET', path: '/api/v1/me/organized-sessions', allowed: STAFF },
  { method: 'POST', path: '/api/v1/activity-sessions/{id}/registrations', allowed: RESIDENT, body: {} },
  { method: 'GET', path: '/api/v1/activity-sessions/{id}/registrations', allowed: STAFF },
  { method: 'POST', path: '/api/v1/activity-sessions/{id}/registrations/{rid}/remove', allowed: STAFF, body: {} },
  { method: 'POST', path: '/api/v1/activity-sessions/{id}/walk-ins', allowed: STAFF, body: { people: 1 } },
  { method: 'GET', path: '/api/v1/activity-sessions/{id}/feedback', allowed: STAFF },
  { method: 'GET', path: '/api/v1/me/registrations', allowed: RESIDENT },
  { method: 'POST', path: '/api/v1/registrations/{id}/cancel', allowed: ALL, body: {} },
  { method: 'POST', path: '/api/v1/registrations/{id}/accept-offer', allowed: RESIDENT },
  { method: 'POST', path: '/api/v1/registrations/{id}/check-in', allowed: ALL, body: {} },
  { method: 'POST', path: '/api/v1/registrations/{id}/feedback', allowed: RESIDENT, body: { rating: 5 } },
  { method: 'GET', path: '/api/v1/me/notifications', allowed: ALL },
  { method: 'GET', path: '/api/v1/me/notifications/unread-count', allowed: ALL },
  { method: 'POST', path: '/api/v1/me/notifications/{id}/read', allowed: ALL },
  { method: 'POST', path: '/api/v1/me/notifications/read-all', allowed: ALL },
  { method: 'GET', path: '/api/v1/me/notification-preferences', allowed: ALL },
  { method: 'PUT', path: '/api/v1/me/notification-preferences', allowed: ALL, body: { timezone: null, quietHours: null, nightOffersByEmail: false, staffDigest: false, disabled: [] } },
  { method: 'GET', path: '/api/v1/notifications/unsubscribe', allowed: null },
  { method: 'POST', path: '/api/v1/notifications/unsubscribe', allowed: null },
  { method: 'GET', path: '/api/v1/notification-deliveries/summary', allowed: ADMIN },
  { method: 'GET', path: '/api/v1/notification-deliveries', allowed: ADMIN },
  { method: 'GET', path: '/api/v1/notification-deliveries/{id}', allowed: ADMIN },
  { method: 'POST', path: '/api/v1/notification-deliveries/{id}/resend', allowed: ADMIN },
  { method: 'GET', path: '/api/v1/bookings/export.csv', allowed: STAFF },
  { method: 'GET', path: '/api/v1/people', allowed: STAFF },
  { method: 'POST', path: '/api/v1/sites/{id}/check-in', allowed: STAFF, body: { code: 'ABCD23' } },
  { method: 'GET', path: '/api/v1/sites/{id}/kiosk', allowed: STAFF },
  { method: 'POST', path: '/api/v1/sites/{id}/kiosk/check-in', allowed: RESIDENT, body: { token: '0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
  // Setup an operator finishes alone (#14.6): accounts and invitations.
  { method: 'POST', path: '/api/v1/auth/accept-invite', allowed: null },
  { method: 'POST', path: '/api/v1/users/invitations', allowed: ADMIN, body: {} },
  { method: 'PATCH', path: '/api/v1/users/{id}', allowed: ADMIN, body: {} },
  { method: 'POST', path: '/api/v1/users/{id}/deactivate', allowed: ADMIN },
  { method: 'POST', path: '/api/v1/users/{id}/reactivate', allowed: ADMIN },
  { method: 'POST', path: '/api/v1/users/{id}/invitation', allowed: ADMIN },
];

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

// A fresh id that exists nowhere: allowed roles get past access control and then find nothing.
const urlOf = (route: RouteCase) => route.path.replace(/\{(id|rid)\}/g, () => randomUUID());

describe('access control: every route states who may call it', () => {
  it('every /api/v1 route in the OpenAPI document is in this matrix', async () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  const protectedRoutes = ROUTES.filter((r) => r.allowed !== null);

  it.each(protectedRoutes)('$method $path: an anonymous caller gets 401', async (route) => {
    const res = await t.app.inject({ method: route.method, url: urlOf(route), ...(route.body ? { payload: route.body } : {}) });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it.each(protectedRoutes)('$method $path: a forged or expired token gets 401', async (route) => {
    const forged = t.app.jwt.sign({ sub: p.admin.id, org: p.org.id, role: 'org_admin', sites: [] }, { expiresIn: -10 });
    const res = await t.app.inject({ method: route.method, url: urlOf(route), headers: bearer(forged), ...(route.body ? { payload: route.body } : {}) });
    expect(res.statusCode).toBe(401);
  });

  const roleCases = protectedRoutes.flatMap((route) => ALL.map((role) => ({ ...route, role, ok: route.allowed!.includes(role) })));
  it.each(roleCases)('$method $path as $role: allowed=$ok', async (route) => {
    const res = await t.app.inject({
      method: route.method,
      url: urlOf(route),
      headers: bearer(p.tokens[route.role]),
      ...(route.body ? { payload: route.body } : {}),
    });
    if (route.ok) expect([401, 403]).not.toContain(res.statusCode);
    else {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });
});

describe("access control: another organization's or another site's objects answer 404", () => {
  it("an org admin cannot read or change another operator's site, space, closure or user", async () => {
    const [closure] = await t.db
      .insert(schema.closures)
      .values({ orgId: p.otherOrg.id, scope: 'org', startDate: '2027-01-01', endDate: '2027-01-01', reason: '元旦' })
      .returning();
    const headers = bearer(p.tokens.admin);
    const attempts = [
      { method: 'GET', url: `/api/v1/sites/${p.otherSite.id}` },
      { method: 'PATCH', url: `/api/v1/sites/${p.otherSite.id}`, payload: { name: 'taken over' } },
      { method: 'POST', url: `/api/v1/sites/${p.otherSite.id}/archive` },
      { method: 'DELETE', url: `/api/v1/sites/${p.otherSite.id}` },
      { method: 'GET', url: `/api/v1/spaces/${p.otherSpace.id}` },
      { method: 'GET', url: `/api/v1/spaces/${p.otherSpace.id}/policy` },
      { method: 'GET', url: `/api/v1/sites/${p.otherSite.id}/policy` },
      { method: 'PATCH', url: `/api/v1/spaces/${p.otherSpace.id}`, payload: { capacity: 99 } },
      { method: 'DELETE', url: `/api/v1/spaces/${p.otherSpace.id}` },
      { method: 'DELETE', url: `/api/v1/closures/${closure!.id}` },
      { method: 'GET', url: `/api/v1/users/${p.otherAdmin.id}` },
      { method: 'GET', url: `/api/v1/closures?siteId=${p.otherSite.id}` },
      { method: 'POST', url: '/api/v1/spaces', payload: { siteId: p.otherSite.id, name: 'x', kind: 'hall', bookingMode: 'exclusive', capacity: 3 } },
    ] as const;
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers });
      expect(res.statusCode, `${attempt.method} ${attempt.url}`).toBe(404);
    }
    const list = await t.app.inject({ url: '/api/v1/spaces?limit=200', headers });
    expect(list.json().items.map((s: { id: string }) => s.id)).not.toContain(p.otherSpace.id);
  });

  it("site staff and managers cannot read or change another site's objects, even in their own organization", async () => {
    for (const role of ['manager', 'staff'] as const) {
      const headers = bearer(p.tokens[role]);
      for (const url of [
        `/api/v1/sites/${p.siteB.id}`,
        `/api/v1/spaces/${p.spaceB.id}`,
        `/api/v1/spaces/${p.spaceB.id}/policy`,
        `/api/v1/sites/${p.siteB.id}/policy`,
        `/api/v1/closures?siteId=${p.siteB.id}`,
      ]) {
        const res = await t.app.inject({ url, headers });
        expect(res.statusCode, `${role} GET ${url}`).toBe(404);
      }
      const list = await t.app.inject({ url: '/api/v1/spaces?limit=200', headers });
      expect(list.json().items.map((s: { id: string }) => s.id)).toEqual([p.spaceA.id]);
    }
    const managerHeaders = bearer(p.tokens.manager);
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/spaces/${p.spaceB.id}`, headers: managerHeaders, payload: { capacity: 1 } });
    expect(patch.statusCode).toBe(404);
    const closure = await t.app.inject({
      method: 'POST',
      url: '/api/v1/closures',
      headers: managerHeaders,
      payload: { scope: 'site', siteId: p.siteB.id, startDate: '2027-02-01', endDate: '2027-02-02', reason: '维修' },
    });
    expect(closure.statusCode).toBe(404);
  });
});
