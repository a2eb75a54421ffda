/** The API's conventions, once for every module: problem+json errors, no internals, bad input never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio } from '../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const problem = res.json();
  expect(problem).toMatchObject({ status, code, requestId: expect.any(String), title: expect.any(String) });
  expect(problem.requestId).toBe(res.headers['x-request-id']);
  expect(JSON.stringify(problem)).not.toMatch(/at .*\.ts:\d+|node_modules|stack/);
  return problem;
}

describe('error shape', () => {
  it('malformed JSON answers 400 MALFORMED_JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { ...bearer(p.tokens.admin), 'content-type': 'application/json' },
      payload: '{"name": "unterminated',
    });
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('an oversized body answers 413 and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: bearer(p.tokens.admin),
      payload: { name: 'x'.repeat(10_000) },
    });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON answers 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { ...bearer(p.tokens.admin), 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('wrong types name the field; a non-uuid id is a 400, not a 500', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/spaces', headers: bearer(p.tokens.admin), payload: { siteId: p.siteA.id, name: 'x', kind: 'hall', bookingMode: 'exclusive', capacity: 'ten' } });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toContainEqual({ path: 'body.capacity', message: expect.any(String) });
    expectProblem(await t.app.inject({ url: '/api/v1/sites/not-a-uuid', headers: bearer(p.tokens.admin) }), 400, 'VALIDATION_FAILED');
  });

  it('messages follow Accept-Language (zh-CN or English)', async () => {
    const zh = await t.app.inject({ url: '/api/v1/me', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(expectProblem(zh, 401, 'UNAUTHENTICATED').detail).toBe('请先登录。');
    const en = await t.app.inject({ url: '/api/v1/me', headers: { 'accept-language': 'en-US' } });
    expect(en.json().detail).toBe('Sign in to continue.');
  });

  it('an unknown API route answers a 404 problem', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/no-such-thing' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('responses list their fields: a user never carries its password hash', async () => {
    const res = await t.app.inject({ url: `/api/v1/users/${p.staff.id}`, headers: bearer(p.tokens.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/password/i);
  });
});

describe('health, readiness and the API document', () => {
  it('/healthz and /readyz answer ok while the database is reachable', async () => {
    expect(bodyOf(await t.app.inject({ url: '/healthz' }))).toEqual({ status: 'ok' });
    expect(bodyOf(await t.app.inject({ url: '/readyz' }))).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document with an operationId on every operation, and the docs page', async () => {
    const doc = bodyOf(await t.app.inject({ url: '/api/openapi.json' }));
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((ops) => Object.values(ops));
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((op) => !op.operationId)).toEqual([]);
    const docs = await t.app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('sets security headers', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});

describe('CORS', () => {
  it('answers cross-origin requests only for origins on the allow-list', async () => {
    const cors = await startTestApp({ env: { CORS_ORIGINS: 'https://ops.example.cn' } });
    try {
      const allowed = await cors.app.inject({ url: '/healthz', headers: { origin: 'https://ops.example.cn' } });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example.cn');
      const other = await cors.app.inject({ url: '/healthz', headers: { origin: 'https://evil.example.com' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });
});

describe('when the database is gone', () => {
  it('/readyz answers 503 and a data route answers a 500 problem without internals', async () => {
    const broken = await startTestApp();
    const q = await createPortfolio(broken.app, broken.db);
    await broken.database.close();
    try {
      expectProblem(await broken.app.inject({ url: '/readyz' }), 503, 'NOT_READY');
      const res = await broken.app.inject({ url: '/api/v1/sites', headers: bearer(q.tokens.admin) });
      const problem = expectProblem(res, 500, 'INTERNAL');
      expect(problem.detail).toBe('Something went wrong on our side.');
    } finally {
      await broken.app.close();
    }
  });
});
