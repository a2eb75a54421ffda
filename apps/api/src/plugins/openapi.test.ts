/**
 * The OpenAPI document is a product: every operation has a summary and tags, says who may call it, lists the
 * problem codes it can answer with, and names its non-JSON media types. Built from the routes alone (no database).
 */
import type { Database } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';

type Operation = {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema: any }> }>;
};
let app: Awaited<ReturnType<typeof buildApp>>;
let document: any;
let operations: (Operation & { method: string; path: string })[];

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  app = await buildApp({ config, db: {} as Database, ping: async () => {}, now: () => new Date() }, { logger: false });
  await app.ready();
  document = app.swagger();
  operations = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ ...operation, method, path })),
  );
});
afterAll(() => app.close());

const operation = (operationId: string) => operations.find((o) => o.operationId === operationId)!;
const problemCodes = (op: Operation, status: number): string[] =>
  op.responses[String(status)]?.content?.['application/problem+json']?.schema.allOf[1].properties.code.enum ?? [];

describe('the OpenAPI document', () => {
  it('names its license and server', () => {
    expect(document.info.license).toMatchObject({ name: 'MIT' });
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('gives every operation a summary and tags', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.filter((o) => !o.summary || !o.tags?.length).map((o) => o.operationId)).toEqual([]);
  });

  it('marks public operations as needing no token, and the rest as answering 401', () => {
    expect(operation('login').security).toEqual([]);
    expect(operation('getSpaceBusyFeed').security).toEqual([]);
    expect(operation('listSites').security).toBeUndefined();
    expect(problemCodes(operation('listSites'), 401)).toEqual(['UNAUTHENTICATED']);
    expect(operation('login').responses['401']).toBeDefined(); // wrong password, not a missing token
    expect(problemCodes(operation('login'), 429)).toEqual(['RATE_LIMITED']);
  });

  it("lists the problem codes an operation answers with, from its access, inputs and its own list", () => {
    const create = operation('createSite');
    expect(problemCodes(create, 400)).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'MALFORMED_JSON']));
    expect(problemCodes(create, 403)).toEqual(['FORBIDDEN']);
    expect(problemCodes(operation('getSite'), 404)).toEqual(['NOT_FOUND']);
    const book = operation('createBooking');
    expect(problemCodes(book, 409)).toEqual(expect.arrayContaining(['SLOT_TAKEN', 'CAPACITY_FULL']));
    expect(problemCodes(book, 422)).toEqual(expect.arrayContaining(['OUTSIDE_OPENING_HOURS', 'IDEMPOTENCY_KEY_REUSED']));
    expect(problemCodes(operation('registerResident'), 400)).toContain('WEAK_PASSWORD');
  });

  it('documents CSV exports and calendar feeds as text, beside JSON where both exist', () => {
    const utilization = operation('getUtilization').responses['200']!.content!;
    expect(Object.keys(utilization).sort()).toEqual(['application/json', 'text/csv']);
    expect(utilization['text/csv']!.schema.type).toBe('string');
    expect(utilization['application/json']!.schema.type).toBe('object');
    expect(Object.keys(operation('getPersonalFeed').responses['200']!.content!)).toEqual(['text/calendar']);
  });

  it('lets a nullable enum carry null (a utilization row that is not a space has no booking mode)', () => {
    const row = operation('getUtilization').responses['200']!.content!['application/json']!.schema.properties.rows.items;
    expect(row.properties.bookingMode.enum).toEqual(['exclusive', 'shared_capacity', null]);
  });
});
