/**
 * Every string a client sends, on every route, refuses NUL (PostgreSQL cannot store it: it used to answer 500,
 * even on login without a token) and line breaks where one line is expected. The fields are read from the OpenAPI
 * document, which is generated from the contracts, so a new route or field is covered without touching this file.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, createPortfolio } from '../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../test/harness.ts';

type Where = 'body' | 'querystring' | 'params' | 'headers';
interface TextInput {
  method: string;
  path: string;
  where: Where;
  /** Path of the field inside its part, e.g. ['openingHours', 'mon', '0', 'start']. */
  field: string[];
  hasBody: boolean;
}
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}
interface Operation {
  parameters?: { in: string; name: string; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

/** Free text (reasons): tab and newline are allowed there, and only there. */
const FREE_TEXT = new Set([
  'POST /api/v1/bookings/{id}/cancel body.reason',
  'POST /api/v1/bookings/{id}/reject body.reason',
  'POST /api/v1/closures body.reason',
  'POST /api/v1/series/{id}/cancel body.reason',
  'POST /api/v1/activities body.description',
  'POST /api/v1/activities body.descriptionEn',
  'PATCH /api/v1/activities/{id} body.description',
  'PATCH /api/v1/activities/{id} body.descriptionEn',
  'POST /api/v1/activities/{id}/cancel body.reason',
  'POST /api/v1/activity-sessions/{id}/cancel body.reason',
  'POST /api/v1/registrations/{id}/cancel body.reason',
  'POST /api/v1/activity-sessions/{id}/registrations/{rid}/remove body.reason',
  'POST /api/v1/activity-sessions/{id}/walk-ins body.note',
  'POST /api/v1/registrations/{id}/feedback body.comment',
  'POST /api/v1/equipment/holdings body.notes',
  'PATCH /api/v1/equipment/holdings/{id} body.notes',
  'POST /api/v1/equipment/holdings/{id}/adjustments body.note',
  'POST /api/v1/equipment/loans/{id}/{step} body.reason',
  'POST /api/v1/spaces body.description',
  'PATCH /api/v1/spaces/{id} body.description',
]);
// Fastify validates the body before the headers, so a header is only judged alongside a body that passes.
const VALID_BODY: Record<string, object> = {
  'POST /api/v1/bookings': { spaceId: randomUUID(), startAt: '2027-03-01T10:00:00+08:00', endAt: '2027-03-01T11:00:00+08:00' },
  'PATCH /api/v1/bookings/{id}': { purpose: 'reading group' },
  'POST /api/v1/bookings/{id}/reject': { reason: 'double booked' },
  'PATCH /api/v1/activities/{id}': { title: 'reading group' },
  'PATCH /api/v1/activity-sessions/{id}': { startAt: '2027-03-01T10:00:00+08:00' },
};
const LOCATION_TO_PART: Record<string, Where> = { query: 'querystring', path: 'params', header: 'headers' };

const nameOf = (input: TextInput) => `${input.method} ${input.path} ${input.where}.${input.field.join('.')}`;

function stringPathsOf(schema: JsonSchema, prefix: string[] = []): string[][] {
  if (schema.anyOf) return schema.anyOf.flatMap((option) => stringPathsOf(option, prefix)).slice(0, 1);
  if (schema.type === 'string') return [prefix];
  if (schema.type === 'array' && schema.items) return stringPathsOf(schema.items, [...prefix, '0']);
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => stringPathsOf(property, [...prefix, key]));
}

function textInputsOf(doc: { paths: Record<string, Record<string, Operation>> }): TextInput[] {
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v1'))
    .flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, op]) => {
        const common = { method: method.toUpperCase(), path, hasBody: Boolean(op.requestBody) };
        const parameters = (op.parameters ?? [])
          .filter((parameter) => stringPathsOf(parameter.schema).length > 0)
          .map((parameter) => ({ ...common, where: LOCATION_TO_PART[parameter.in]!, field: [parameter.name] }));
        const bodySchema = op.requestBody?.content['application/json']?.schema;
        const bodyFields = bodySchema ? stringPathsOf(bodySchema).map((field) => ({ ...common, where: 'body' as const, field })) : [];
        return [...parameters, ...bodyFields];
      }),
    );
}

/** A body holding only `value` at `field` (arrays get one element), e.g. { openingHours: { mon: [{ start }] } }. */
function bodyWith(field: string[], value: string): unknown {
  const [head, ...rest] = field;
  if (head === undefined) return value;
  return head === '0' ? [bodyWith(rest, value)] : { [head]: bodyWith(rest, value) };
}

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
let inputs: TextInput[];
beforeAll(async () => {
  t = await startTestApp();
  p = await createPortfolio(t.app, t.db);
  inputs = textInputsOf(t.app.swagger() as never);
});
afterAll(() => t.close());

/** Sends `value` in the one field, as an org admin (or as a resident where only residents may call). */
async function send(input: TextInput, value: string) {
  const fill = (name: string) => (name === 'token' ? `${'a'.repeat(24)}.ics` : name === 'step' ? 'cancel' : randomUUID());
  const url = input.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    input.where === 'params' && input.field[0] === name ? encodeURIComponent(value) : fill(name),
  );
  const query = input.where === 'querystring' ? `?${input.field[0]}=${encodeURIComponent(value)}` : '';
  const headers = input.where === 'headers' ? { [input.field[0]!]: value } : {};
  const otherwise = input.hasBody ? (VALID_BODY[`${input.method} ${input.path}`] ?? {}) : undefined;
  const payload = input.where === 'body' ? bodyWith(input.field, value) : otherwise;
  const request = (token: string) =>
    t.app.inject({ method: input.method as 'GET', url: `${url}${query}`, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const asAdmin = await request(p.tokens.admin);
  return asAdmin.statusCode === 403 ? request(p.tokens.resident) : asAdmin;
}

function refusedFieldsOf(res: Awaited<ReturnType<typeof send>>): string[] {
  if (res.statusCode !== 400) return [];
  return (bodyOf(res).errors ?? []).map((error: { path: string }) => error.path);
}

describe('text input: control characters never reach the database', () => {
  it('the OpenAPI document lists every text field the issue named', () => {
    const names = inputs.map(nameOf);
    for (const expected of [
      'POST /api/v1/auth/login body.login',
      'POST /api/v1/auth/login body.password',
      'POST /api/v1/auth/register body.displayName',
      'POST /api/v1/sites body.name',
      'POST /api/v1/sites body.address',
      'POST /api/v1/sites body.district',
      'POST /api/v1/sites body.subdistrict',
      'PATCH /api/v1/spaces/{id} body.name',
      'POST /api/v1/closures body.reason',
      'POST /api/v1/bookings body.purpose',
      'POST /api/v1/bookings/{id}/reject body.reason',
      'POST /api/v1/bookings/{id}/cancel body.reason',
      'POST /api/v1/series body.purpose',
      'POST /api/v1/series body.rule',
      'POST /api/v1/waitlist body.purpose',
      'PATCH /api/v1/organization body.name',
      'POST /api/v1/users body.displayName',
      'GET /api/v1/sites querystring.district',
      'GET /api/v1/spaces querystring.kind',
      'GET /api/v1/bookings querystring.cursor',
      'GET /api/v1/availability/search querystring.features',
      'PATCH /api/v1/bookings/{id} headers.if-match',
      'POST /api/v1/bookings headers.idempotency-key',
      'POST /api/v1/spaces body.photoUrl',
      'POST /api/v1/users/invitations body.displayName',
      'PATCH /api/v1/users/{id} body.displayName',
      'GET /api/v1/users querystring.q',
      'POST /api/v1/auth/accept-invite body.token',
      'POST /api/v1/auth/accept-invite body.password',
    ]) {
      expect(names).toContain(expected);
    }
    for (const free of FREE_TEXT) expect(names).toContain(free);
  });

  it('a NUL in any text field of any route answers 400 VALIDATION_FAILED naming the field, never 500', async () => {
    const wrong: string[] = [];
    for (const input of inputs) {
      const res = await send(input, 'before\u0000after');
      const named = refusedFieldsOf(res).includes(`${input.where}.${input.field.join('.')}`);
      const problem = String(res.headers['content-type']).startsWith('application/problem+json') && bodyOf(res).code === 'VALIDATION_FAILED';
      if (!named || !problem) wrong.push(`${nameOf(input)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a line break where one line is expected answers 400 naming the field; free-text reasons keep theirs', async () => {
    const wrong: string[] = [];
    for (const input of inputs) {
      const res = await send(input, 'first line\nX-INJECTED: 1');
      const refused = refusedFieldsOf(res).includes(`${input.where}.${input.field.join('.')}`);
      if (res.statusCode >= 500 || refused === FREE_TEXT.has(nameOf(input))) wrong.push(`${nameOf(input)} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('login, reachable without a token: a NUL in an otherwise valid request is a 400, not a database error', async () => {
    for (const payload of [
      { org: p.org.slug, login: `${p.resident.email}\u0000`, password: TEST_PASSWORD },
      { org: p.org.slug, login: p.resident.email!, password: `${TEST_PASSWORD}\u0000` },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(res.statusCode).toBe(400);
      expect(bodyOf(res).code).toBe('VALIDATION_FAILED');
    }
    const register = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { org: p.org.slug, email: `nul-${randomUUID()}@test.linli.dev`, password: TEST_PASSWORD, displayName: '王\u0000小明' },
    });
    expect(register.statusCode).toBe(400);
    expect(bodyOf(register).errors).toEqual([expect.objectContaining({ path: 'body.displayName' })]);
  });
});
