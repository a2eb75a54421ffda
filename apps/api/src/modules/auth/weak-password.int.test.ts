/** New passwords: at least 8 characters and not one of the passwords an attacker tries first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createPortfolio } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp();
  org = await createOrg(t.db);
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

const register = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { org: org.slug, email, password, displayName: 'x' } });

describe('common passwords are refused', () => {
  it.each(['password', '12345678', 'qwertyui', 'PassWord123', 'aaaaaaaaaa'])('registering with "%s" answers 400 WEAK_PASSWORD', async (password) => {
    const res = await register(`weak-${password.length}-${password.toLowerCase()}@example.com`, password);
    expect(res.statusCode).toBe(400);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    expect(bodyOf(res)).toMatchObject({ code: 'WEAK_PASSWORD', errors: [{ path: 'body.password', message: 'is one of the most common passwords' }] });
  });

  it('a password shorter than 8 characters is still refused', async () => {
    const res = await register('short@example.com', 'a1b2c3');
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors).toEqual([{ path: 'body.password', message: 'at least 8 characters' }]);
  });

  it('an uncommon password registers, and the demo password is still accepted', async () => {
    expect((await register('fine@example.com', 'tall-lantern-river')).statusCode).toBe(201);
    expect((await register('demo@example.com', 'linli-demo')).statusCode).toBe(201);
  });

  it('an admin creating a staff account gets the same rule', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(p.tokens.admin),
      payload: { role: 'staff', email: 'staff-weak@example.com', password: 'iloveyou', displayName: 'x', siteIds: [p.siteA.id] },
    });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).code).toBe('WEAK_PASSWORD');
  });
});
