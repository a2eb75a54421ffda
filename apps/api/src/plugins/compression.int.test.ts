/**
 * Fast on a phone (issue #14.7): API answers are compressed when the client asks for it (and only then), the built
 * app's files are served as the .br/.gz written at build time, hashed assets are cached for a year and index.html
 * is asked for again on every visit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio } from '../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../test/harness.ts';
import { IMMUTABLE_ASSET_CACHE } from './admin-app.ts';
import { COMPRESSION_THRESHOLD_BYTES } from './compression.ts';

const INDEX_HTML = `<!doctype html><title>Linli</title><script type="module" src="/assets/index-abc123.js"></script>${' '.repeat(2000)}`;
const ASSET_JS = `export const greeting = ${JSON.stringify('你好 '.repeat(3000))};\n`;

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
let dist: string;

beforeAll(async () => {
  // A built app as Vite and vite-plugin-compression2 lay it out: each file with its .br and .gz beside it.
  dist = mkdtempSync(path.join(tmpdir(), 'linli-admin-compressed-'));
  mkdirSync(path.join(dist, 'assets'));
  const writeWithCompressed = (file: string, text: string) => {
    writeFileSync(path.join(dist, file), text);
    writeFileSync(path.join(dist, `${file}.br`), brotliCompressSync(text));
    writeFileSync(path.join(dist, `${file}.gz`), gzipSync(text));
  };
  writeWithCompressed('index.html', INDEX_HTML);
  writeWithCompressed('assets/index-abc123.js', ASSET_JS);
  t = await startTestApp({ env: { ADMIN_DIST_DIR: dist } });
  p = await createPortfolio(t.app, t.db);
});
afterAll(async () => {
  await t.close();
  rmSync(dist, { recursive: true, force: true });
});

const sites = (headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: '/api/v1/sites', headers: { ...bearer(p.tokens.admin), ...headers } });

/** A month of utilization per space and day: well over the threshold. */
const utilizationCsv = (headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'GET',
    url: '/api/v1/analytics/utilization?from=2026-06-01&to=2026-06-30&groupBy=space&interval=day&format=csv',
    headers: { ...bearer(p.tokens.admin), ...headers },
  });

function varyNames(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
}

describe('API answers', () => {
  it('JSON is sent brotli-compressed to a client that accepts br, and reads back the same', async () => {
    const plain = await sites();
    expect(plain.statusCode).toBe(200);
    expect(plain.rawPayload.length, 'the list is long enough to be worth compressing').toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);

    const compressed = await sites({ 'accept-encoding': 'br, gzip' });
    expect(compressed.statusCode).toBe(200);
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(varyNames(compressed.headers.vary)).toContain('accept-encoding');
    expect(compressed.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    expect(JSON.parse(brotliDecompressSync(compressed.rawPayload).toString('utf8'))).toEqual(plain.json());
  });

  it('JSON is gzip-compressed for a client that accepts only gzip', async () => {
    const res = await sites({ 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.rawPayload).toString('utf8'))).toMatchObject({ items: expect.any(Array) });
  });

  it('a client that asks for no compression (none, identity, or an encoding we do not speak) gets plain JSON', async () => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'compress' }] as Record<string, string>[]) {
      const res = await sites(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
      expect(res.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect(res.json()).toMatchObject({ items: expect.any(Array) });
    }
  });

  it('a CSV download is compressed when asked, keeps its name and type, and is plain otherwise', async () => {
    const plain = await utilizationCsv();
    expect(plain.statusCode).toBe(200);
    expect(plain.rawPayload.length).toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);
    expect(plain.headers['content-encoding']).toBeUndefined();

    const compressed = await utilizationCsv({ 'accept-encoding': 'gzip, deflate, br' });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(String(compressed.headers['content-type'])).toBe('text/csv; charset=utf-8');
    expect(String(compressed.headers['content-disposition'])).toMatch(/^attachment; filename="linli-.*\.csv"$/);
    expect(varyNames(compressed.headers.vary)).toContain('accept-encoding');
    expect(brotliDecompressSync(compressed.rawPayload).toString('utf8')).toBe(plain.body);
  });

  it('a small answer under the threshold is sent as is', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBeLessThan(COMPRESSION_THRESHOLD_BYTES);
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('HEAD answers the headers of GET without a body, compressed or not', async () => {
    for (const encoding of ['br', 'identity']) {
      const res = await t.app.inject({ method: 'HEAD', url: '/api/v1/sites', headers: { ...bearer(p.tokens.admin), 'accept-encoding': encoding } });
      expect(res.statusCode, encoding).toBe(200);
      expect(res.rawPayload.length, encoding).toBe(0);
      expect(String(res.headers['content-type']), encoding).toContain('application/json');
    }
  });

  it('a refusal stays a refusal: a resident listing users gets 403 problem+json, compressed or not', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { ...bearer(p.tokens.resident), 'accept-encoding': 'br' } });
    expect(res.statusCode).toBe(403);
    const body = res.headers['content-encoding'] === 'br' ? brotliDecompressSync(res.rawPayload).toString('utf8') : res.body;
    expect(JSON.parse(body)).toMatchObject({ status: 403 });
  });
});

describe('the built app', () => {
  const get = (url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => t.app.inject({ method, url, headers });

  it('a hashed asset is served as the .br written at build time, cached for a year as immutable', async () => {
    const res = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(String(res.headers['content-type'])).toContain('javascript');
    expect(res.headers['cache-control']).toBe(IMMUTABLE_ASSET_CACHE);
    expect(varyNames(res.headers.vary)).toContain('accept-encoding');
    expect(brotliDecompressSync(res.rawPayload).toString('utf8')).toBe(ASSET_JS);
  });

  it('a browser without brotli gets the .gz, and one asking for nothing gets the file itself, both immutable', async () => {
    const gzip = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString('utf8')).toBe(ASSET_JS);
    expect(gzip.headers['cache-control']).toBe(IMMUTABLE_ASSET_CACHE);

    const plain = await get('/assets/index-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(ASSET_JS);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE_ASSET_CACHE);
    // The uncompressed answer also depends on Accept-Encoding: a shared cache must not hand it to everyone.
    expect(varyNames(plain.headers.vary)).toContain('accept-encoding');
  });

  it('index.html, at / and for a client-side route, is compressed but never cached without asking again', async () => {
    for (const url of ['/', '/index.html', '/book', '/analytics?from=2026-01-01']) {
      const res = await get(url, { 'accept-encoding': 'br' });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-encoding'], url).toBe('br');
      expect(String(res.headers['content-type']), url).toContain('text/html');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(brotliDecompressSync(res.rawPayload).toString('utf8'), url).toBe(INDEX_HTML);
    }
  });

  it('an unchanged index.html is answered 304 on revalidation, so no-cache costs a round trip, not the page', async () => {
    const first = await get('/', { 'accept-encoding': 'br' });
    expect(first.headers.etag).toBeTruthy();
    const again = await get('/', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('a hashed file that does not exist (an old tab after a deploy) is a 404, not index.html served as a script', async () => {
    const res = await get('/assets/index-gone999.js', { 'accept-encoding': 'br' });
    expect(res.statusCode).toBe(404);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    expect(res.headers['cache-control']).not.toBe(IMMUTABLE_ASSET_CACHE);
  });

  it('HEAD of an asset answers its headers without a body', async () => {
    const res = await get('/assets/index-abc123.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.length).toBe(0);
    expect(res.headers['cache-control']).toBe(IMMUTABLE_ASSET_CACHE);
  });

  it('security headers are still on the compressed files', async () => {
    const res = await get('/assets/index-abc123.js', { 'accept-encoding': 'br' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
  });
});
