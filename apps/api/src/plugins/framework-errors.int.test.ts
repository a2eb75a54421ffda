/**
 * What the framework answers before any route runs (no such route, wrong method, a URL too long, bad JSON, a body
 * too large, no token) is problem+json like every other error, and carries the same security headers as a success.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio } from '../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
beforeAll(async () => {
  t = await startTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

type Answer = { statusCode: number; headers: Record<string, unknown>; json(): any };

function expectSecurityHeaders(res: Answer) {
  expect(res.headers['content-security-policy'], 'content-security-policy').toContain("default-src 'self'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
}

function expectProblem(res: Answer, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status, code, requestId: res.headers['x-request-id'] });
}

describe('security headers on every answer', () => {
  const cases: [string, () => Promise<Answer>, number][] = [
    ['a success', () => t.app.inject({ method: 'GET', url: '/healthz' }), 200],
    ['401 without a token (refused before the route runs)', () => t.app.inject({ method: 'GET', url: '/api/v1/sites' }), 401],
    ['401 with a forged token', () => t.app.inject({ method: 'GET', url: '/api/v1/sites', headers: bearer('not.a.jwt') }), 401],
    ['403 for the wrong role', () => t.app.inject({ method: 'POST', url: '/api/v1/sites', headers: bearer(p.tokens.resident), payload: {} }), 403],
    ['404 for an unknown API route', () => t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }), 404],
    ['400 for malformed JSON', () => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"org":' }), 400],
  ];
  it.each(cases)('%s', async (_name, send, status) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    expectSecurityHeaders(res);
  });
});

describe('framework errors are problem+json', () => {
  it('a URL too long answers 414 URI_TOO_LONG', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/sites/${'a'.repeat(10_000)}`, headers: bearer(p.tokens.admin) });
    expectProblem(res, 414, 'URI_TOO_LONG');
    expectSecurityHeaders(res);
  });

  it('an unknown route answers 404 ROUTE_NOT_FOUND, whatever the method', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/nope' }), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await t.app.inject({ method: 'PUT', url: '/api/v1/sites' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('a method the server does not know answers problem+json, not a bare framework error', async () => {
    const res = await t.app.inject({ method: 'PROPFIND' as 'GET', url: '/api/v1/sites' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
  });

  it('bad JSON answers 400 MALFORMED_JSON and a body too large 413 PAYLOAD_TOO_LARGE', async () => {
    const headers = { ...bearer(p.tokens.admin), 'content-type': 'application/json' };
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/sites', headers, payload: '{"name": ' }), 400, 'MALFORMED_JSON');
    const large = await t.app.inject({ method: 'POST', url: '/api/v1/sites', headers, payload: JSON.stringify({ name: 'x'.repeat(10_000) }) });
    expectProblem(large, 413, 'PAYLOAD_TOO_LARGE');
    expectSecurityHeaders(large);
  });
});

describe('the admin app fallback', () => {
  it('serves index.html for a client-side route with the same security headers', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'linli-admin-'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Linli</title>');
    const withAdmin = await startTestApp({ env: { ADMIN_DIST_DIR: dist } });
    try {
      const res = await withAdmin.app.inject({ method: 'GET', url: '/bookings/calendar' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<title>Linli</title>');
      expectSecurityHeaders(res);
    } finally {
      await withAdmin.close();
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
