import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, createOrg, createSite, createUser } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
beforeAll(async () => {
  t = await startTestApp();
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id });
});
afterAll(() => t.close());

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/auth/${url}`, payload });

function signHs256(claims: object, secret: string) {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const body = enc(claims);
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}

describe('resident registration and login', () => {
  it('a resident registers with a phone number, signs in with it (with or without +86) and reads /me', async () => {
    const reg = await post('register', { org: org.slug, phone: '13912345678', password: 'a-long-password', displayName: '王小明', homeSiteId: site.id });
    expect(reg.statusCode).toBe(201);
    expect(bodyOf(reg).user).toMatchObject({ role: 'resident', phone: '13912345678', homeSiteId: site.id });
    expect(bodyOf(reg).user).not.toHaveProperty('passwordHash');

    const login = await post('login', { org: org.slug, login: '+8613912345678', password: 'a-long-password' });
    expect(login.statusCode).toBe(200);
    const me = await t.app.inject({ url: '/api/v1/me', headers: bearer(bodyOf(login).accessToken) });
    expect(bodyOf(me).displayName).toBe('王小明');
  });

  it('registration cannot choose its role (unknown fields are refused) and duplicates answer 409', async () => {
    const sneaky = await post('register', { org: org.slug, email: 'x@example.com', password: 'a-long-password', displayName: 'x', role: 'org_admin' });
    expect(sneaky.statusCode).toBe(400);
    const first = await post('register', { org: org.slug, email: 'dup@example.com', password: 'a-long-password', displayName: 'a' });
    expect(first.statusCode).toBe(201);
    const again = await post('register', { org: org.slug, email: 'DUP@example.com', password: 'another-password', displayName: 'b' });
    expect(again.statusCode).toBe(409);
    expect(bodyOf(again).code).toBe('ALREADY_EXISTS');
  });

  it.each([
    ['a short password', { email: 'short@example.com', password: 'short' }, 'body.password'],
    ['neither email nor phone', { password: 'a-long-password' }, 'body.email'],
    ['a malformed phone', { phone: '12345', password: 'a-long-password' }, 'body.phone'],
  ])('refuses %s', async (_label, fields, path) => {
    const res = await post('register', { org: org.slug, displayName: 'x', ...fields });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('a wrong password, an unknown login and an unknown organization all answer the same 401', async () => {
    const user = await createUser(t.db, { orgId: org.id, role: 'resident' });
    const answers = await Promise.all([
      post('login', { org: org.slug, login: user.email!, password: 'wrong-password' }),
      post('login', { org: org.slug, login: 'nobody@example.com', password: TEST_PASSWORD }),
      post('login', { org: 'no-such-org', login: user.email!, password: TEST_PASSWORD }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(bodyOf(res).code).toBe('INVALID_CREDENTIALS');
    }
  });
});

describe('tokens', () => {
  async function signIn() {
    const user = await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] });
    const res = await post('login', { org: org.slug, login: user.email!, password: TEST_PASSWORD });
    expect(res.statusCode).toBe(200);
    return bodyOf(res);
  }

  it('the access token lasts about 15 minutes and pins issuer and audience', async () => {
    const tokens = await signIn();
    expect(tokens.expiresIn).toBe(900);
    const claims = t.app.jwt.decode<{ iss: string; aud: string; exp: number; iat: number; role: string; sites: string[] }>(tokens.accessToken)!;
    expect(claims).toMatchObject({ iss: 'linli', aud: 'linli-api', role: 'staff', sites: [site.id] });
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('tokens with another audience, another secret or alg "none" are refused', async () => {
    const tokens = await signIn();
    const good = t.app.jwt.decode<Record<string, unknown>>(tokens.accessToken)!;
    const otherAudience = signHs256({ ...good, aud: 'someone-else' }, t.app.deps.config.JWT_SECRET);
    const sameSecretControl = signHs256(good, t.app.deps.config.JWT_SECRET);
    expect((await t.app.inject({ url: '/api/v1/me', headers: bearer(sameSecretControl) })).statusCode).toBe(200);
    const otherSecret = signHs256(good, 'x'.repeat(40));
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}.`;
    for (const token of [otherAudience, otherSecret, none]) {
      const res = await t.app.inject({ url: '/api/v1/me', headers: bearer(token) });
      expect(res.statusCode).toBe(401);
    }
  });

  it('a token signed with our key but missing iss, aud, exp, sub, org or role is refused (one without exp would never expire)', async () => {
    const good = t.app.jwt.decode<Record<string, unknown>>((await signIn()).accessToken)!;
    const me = (token: string) => t.app.inject({ url: '/api/v1/me', headers: bearer(token) });
    expect((await me(signHs256(good, t.app.deps.config.JWT_SECRET))).statusCode).toBe(200);
    for (const claim of ['iss', 'aud', 'exp', 'sub', 'org', 'role']) {
      const { [claim]: _left, ...withoutClaim } = good;
      const res = await me(signHs256(withoutClaim, t.app.deps.config.JWT_SECRET));
      expect({ claim, status: res.statusCode, type: res.headers['content-type'], code: bodyOf(res).code }).toEqual({
        claim,
        status: 401,
        type: 'application/problem+json; charset=utf-8',
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('a token whose claims have the wrong shape (an unknown role, an org that is not an id) is refused', async () => {
    const good = t.app.jwt.decode<Record<string, unknown>>((await signIn()).accessToken)!;
    for (const bad of [{ role: 'superuser' }, { org: 'everything' }, { sites: 'all' }]) {
      const res = await t.app.inject({ url: '/api/v1/me', headers: bearer(signHs256({ ...good, ...bad }, t.app.deps.config.JWT_SECRET)) });
      expect({ bad, status: res.statusCode }).toEqual({ bad, status: 401 });
    }
  });

  it('an expired access token is refused, and tokens signed without an explicit lifetime still expire', async () => {
    const good = t.app.jwt.decode<Record<string, unknown>>((await signIn()).accessToken)!;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const expired = signHs256({ ...good, iat: nowSeconds - 3600, exp: nowSeconds - 10 }, t.app.deps.config.JWT_SECRET);
    const res = await t.app.inject({ url: '/api/v1/me', headers: bearer(expired) });
    expect(res.statusCode).toBe(401);
    expect(bodyOf(res).code).toBe('UNAUTHENTICATED');
    const unspecified = t.app.jwt.decode<{ exp?: number; iat: number }>(t.app.jwt.sign({ sub: good.sub, org: good.org, role: 'staff', sites: [] }))!;
    expect(unspecified.exp! - unspecified.iat).toBe(t.app.deps.config.ACCESS_TOKEN_TTL_SECONDS);
  });

  it('a refresh token rotates: the new one works once, and the old one is refused', async () => {
    const tokens = await signIn();
    const rotated = await post('refresh', { refreshToken: tokens.refreshToken });
    expect(rotated.statusCode).toBe(200);
    expect(bodyOf(rotated).refreshToken).not.toBe(tokens.refreshToken);
    const me = await t.app.inject({ url: '/api/v1/me', headers: bearer(bodyOf(rotated).accessToken) });
    expect(me.statusCode).toBe(200);
  });

  it('reusing an old refresh token (a stolen copy) revokes the whole family, including the newest token', async () => {
    const tokens = await signIn();
    const second = bodyOf(await post('refresh', { refreshToken: tokens.refreshToken }));
    const replay = await post('refresh', { refreshToken: tokens.refreshToken });
    expect(replay.statusCode).toBe(401);
    expect(bodyOf(replay).code).toBe('INVALID_REFRESH_TOKEN');
    const legitimate = await post('refresh', { refreshToken: second.refreshToken });
    expect(legitimate.statusCode).toBe(401);
  });

  it('two refreshes racing with the same token: at most one wins', async () => {
    const tokens = await signIn();
    const answers = await Promise.all([0, 1, 2].map(() => post('refresh', { refreshToken: tokens.refreshToken })));
    expect(answers.filter((r) => r.statusCode === 200).length).toBeLessThanOrEqual(1);
    expect(answers.every((r) => [200, 401].includes(r.statusCode))).toBe(true);
  });

  it('logout ends the session: its refresh token no longer works', async () => {
    const tokens = await signIn();
    expect((await post('logout', { refreshToken: tokens.refreshToken })).statusCode).toBe(200);
    expect((await post('refresh', { refreshToken: tokens.refreshToken })).statusCode).toBe(401);
  });

  it('an expired refresh token is refused', async () => {
    const tokens = await signIn();
    t.setNow(new Date(Date.now() + 31 * 86_400_000));
    try {
      expect((await post('refresh', { refreshToken: tokens.refreshToken })).statusCode).toBe(401);
    } finally {
      t.setNow(new Date());
    }
  });
});

describe('rate limits', () => {
  it('login and registration are rate limited per client (429 problem)', async () => {
    const limited = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { org: 'nobody', login: 'nobody@example.com', password: 'x' } });
        codes.push(res.statusCode);
      }
      expect(codes.slice(0, 3)).toEqual([401, 401, 401]);
      expect(codes.slice(3)).toEqual([429, 429]);
    } finally {
      await limited.close();
    }
  });
});
