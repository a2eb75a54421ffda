/**
 * Schema-driven fuzzing of every write route (POST/PUT/PATCH/DELETE), as an org admin and as a resident: bodies,
 * path ids and headers generated from the OpenAPI document's own request schemas, mostly plausible and sometimes
 * nasty. Whatever arrives, the API never answers 5xx, and every 4xx is problem+json with a `code` and `requestId`.
 * A failure prints the seed (rerun with it in `fc.sample`) and each offending request.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonSchema, type ValueHints, arbitraryFor, nastyValue } from '../test/schema-arbitraries.ts';
import { at, createPortfolio } from '../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../test/harness.ts';

const REQUESTS_PER_ROUTE_AND_ROLE = 60;
const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const SEED = Date.now() % 2 ** 31;

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface WriteRoute {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  body: JsonSchema | undefined;
}
interface FuzzRequest {
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}
interface Failure {
  route: string;
  role: string;
  request: FuzzRequest;
  status: number;
  answer: string;
}

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
let hints: ValueHints;
let routes: WriteRoute[];

beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
  const bookingIds = await createSomeBookings();
  hints = {
    now: new Date(),
    ids: [p.siteA.id, p.siteB.id, p.spaceA.id, p.spaceB.id, p.admin.id, p.resident.id, p.staff.id, p.otherSite.id, p.otherSpace.id, ...bookingIds],
  };
  routes = writeRoutesOf(t.app.swagger() as { paths: Record<string, Record<string, any>> });
});
afterAll(() => t?.close());

/** A few real bookings, so routes on /bookings/{id} reach their services, not only their 404s. */
async function createSomeBookings(): Promise<string[]> {
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const requests = [
    { token: p.tokens.admin, body: { spaceId: p.spaceA.id, startAt: at(day, '10:00'), endAt: at(day, '11:00') } },
    { token: p.tokens.resident, body: { spaceId: p.spaceA.id, startAt: at(day, '12:00'), endAt: at(day, '13:00') } },
    { token: p.tokens.resident, body: { spaceId: p.spaceB.id, startAt: at(day, '14:00'), endAt: at(day, '15:00') } },
  ];
  const ids: string[] = [];
  for (const { token, body } of requests) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: bearer(token), payload: body });
    expect(res.statusCode, res.body).toBe(201);
    ids.push(bodyOf(res).id);
  }
  return ids;
}

function writeRoutesOf(document: { paths: Record<string, Record<string, any>> }): WriteRoute[] {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod)
      .filter(([method]) => WRITE_METHODS.has(method) && path.startsWith('/api/v1'))
      .map(([method, operation]) => ({
        method,
        path,
        operationId: operation.operationId,
        parameters: (operation.parameters ?? []) as Parameter[],
        body: operation.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined,
      })),
  );
}

function requestArbitrary(route: WriteRoute): fc.Arbitrary<FuzzRequest> {
  const pathParams = route.parameters.filter((param) => param.in === 'path');
  const headerParams = route.parameters.filter((param) => param.in === 'header');
  const segment = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...hints.ids) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
    // Longer than the router takes for one path segment (414).
    { weight: 1, arbitrary: fc.integer({ min: 90, max: 3_000 }).map((n) => 'x'.repeat(n)) },
  );
  const header = fc.oneof(fc.constantFrom('"1"', '"2"', '1', 'W/"1"', '*'), fc.uuid(), fc.string({ maxLength: 80 }));
  const body = route.body
    ? fc.oneof(
        { weight: 6, arbitrary: arbitraryFor(route.body, hints, Infinity) },
        { weight: 6, arbitrary: arbitraryFor(route.body, hints) },
        { weight: 1, arbitrary: nastyValue },
      )
    : fc.constant(undefined);
  return fc
    .record({
      segments: fc.tuple(...pathParams.map(() => segment)),
      headers: fc.tuple(...headerParams.map(() => fc.option(header, { nil: undefined }))),
      body,
      rawJson: fc.oneof({ weight: 30, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,]', 'nul', '\u0000') }),
    })
    .map(({ segments, headers, body: value, rawJson }) => ({
      url: pathParams.reduce((url, param, i) => url.replace(`{${param.name}}`, encodeURIComponent(segments[i]!)), route.path),
      headers: Object.fromEntries(headerParams.flatMap((param, i) => (headers[i] !== undefined && isHeaderSafe(headers[i]) ? [[param.name, headers[i]]] : []))),
      payload: rawJson ?? (value === undefined ? undefined : JSON.stringify(value)),
    }));
}

/** Values an HTTP client could not send as a header at all are left out rather than crash the injector. */
const isHeaderSafe = (value: string) => /^[\x20-\x7e]*$/.test(value);

async function send(route: WriteRoute, token: string, request: FuzzRequest) {
  return t.app.inject({
    method: route.method.toUpperCase() as 'POST',
    url: request.url,
    headers: { ...bearer(token), ...request.headers, ...(request.payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
}

function judge(route: WriteRoute, role: string, request: FuzzRequest, res: Awaited<ReturnType<typeof send>>): Failure | undefined {
  const failure = { route: `${route.method.toUpperCase()} ${route.path}`, role, request, status: res.statusCode, answer: res.body.slice(0, 500) };
  if (res.statusCode >= 500) return failure;
  if (res.statusCode < 400) return undefined;
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) return failure;
  const problem = JSON.parse(res.body) as { code?: unknown; requestId?: unknown };
  return typeof problem.code === 'string' && typeof problem.requestId === 'string' ? undefined : failure;
}

describe(`fuzzing every write route from the OpenAPI document (seed ${SEED})`, () => {
  it('covers every write route of the document', () => {
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.map((r) => r.operationId)).toEqual(expect.arrayContaining(['createBooking', 'updateSite', 'createSeries', 'registerResident']));
  });

  it.each([
    ['org admin', () => p.tokens.admin],
    ['resident', () => p.tokens.resident],
  ])('as %s: never a 5xx, and every 4xx is problem+json with code and requestId', async (role, tokenOf) => {
    const failures: Failure[] = [];
    let sent = 0;
    for (const [index, route] of routes.entries()) {
      const requests = fc.sample(requestArbitrary(route), { numRuns: REQUESTS_PER_ROUTE_AND_ROLE, seed: SEED + index });
      for (const request of requests) {
        const failure = judge(route, role, request, await send(route, tokenOf(), request));
        sent++;
        if (failure) failures.push(failure);
      }
    }
    expect(sent).toBe(routes.length * REQUESTS_PER_ROUTE_AND_ROLE);
    expect(failures.slice(0, 10), `${failures.length} bad answers of ${sent} (seed ${SEED})`).toEqual([]);
  }, 120_000);
});
