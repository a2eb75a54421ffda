/**
 * A minimum booking length above the maximum books nothing, whether one level sets both or a space's own maximum
 * sits under a minimum it inherits: the save that causes it is refused, at whichever level it happens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio, createSpace } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
let admin: ReturnType<typeof bearer>;
beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
  admin = bearer(p.tokens.admin);
});
afterAll(() => t.close());

const patch = (url: string, payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1${url}`, headers: admin, payload });

function expectRefused(res: Parameters<typeof bodyOf>[0], where: RegExp) {
  expect(res.statusCode).toBe(400);
  const problem = bodyOf(res);
  expect(problem.code).toBe('VALIDATION_FAILED');
  expect(problem.errors.some((e: { path: string; message: string }) => e.path.endsWith('minDurationMinutes') && where.test(e.message))).toBe(true);
}

describe('policy with min above max', () => {
  it('one level setting both is refused by the contract', async () => {
    const res = await patch(`/spaces/${p.spaceA.id}`, { policy: { minDurationMinutes: 120, maxDurationMinutes: 60 } });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors).toEqual([{ path: 'body.policy.minDurationMinutes', message: 'must not exceed maxDurationMinutes' }]);
  });

  it("a space maximum below the site's minimum is refused when the space is saved", async () => {
    expect((await patch(`/sites/${p.siteB.id}`, { policy: { minDurationMinutes: 120 } })).statusCode).toBe(200);
    const res = await patch(`/spaces/${p.spaceB.id}`, { policy: { maxDurationMinutes: 60 } });
    expectRefused(res, /space/);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/spaces',
      headers: admin,
      payload: { siteId: p.siteB.id, name: 'Short room', kind: 'activity_room', bookingMode: 'exclusive', capacity: 4, policy: { maxDurationMinutes: 60 } },
    });
    expectRefused(created, /Short room/);
  });

  it("an organization minimum above a space's own maximum is refused when the organization is saved", async () => {
    const space = await createSpace(t.db, { orgId: p.org.id, siteId: p.siteA.id, name: 'Quick room', policy: { maxDurationMinutes: 60 } });
    const res = await patch('/organization', { policy: { minDurationMinutes: 90 } });
    expectRefused(res, /Quick room/);
    const stored = await t.app.inject({ method: 'GET', url: `/api/v1/spaces/${space.id}/policy`, headers: admin });
    expect(bodyOf(stored).values.minDurationMinutes).toBe(30);
  });

  it('a coherent change anywhere is saved', async () => {
    expect((await patch('/organization', { policy: { minDurationMinutes: 60 } })).statusCode).toBe(200);
  });
});
