/**
 * fast-check arbitraries from the JSON Schemas of the OpenAPI document, for the subset the document uses (objects,
 * arrays, strings with format/pattern/enum, numbers, booleans, nullable). Values are mostly plausible, so requests
 * get past validation into the services, and sometimes nasty: NUL and control characters, huge numbers, years 0000
 * and 9999, very long strings, the wrong type.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
}

export interface ValueHints {
  /** Ids of rows that exist, so some requests name real sites, spaces, bookings and users. */
  ids: readonly string[];
  /** Around when plausible instants and dates fall (the app's clock). */
  now: Date;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    '',
    ' ',
    'a\u0000b',
    '\u0000',
    'line\nbreak\ttab\r',
    '\u202Eevil',
    '0000-01-01',
    '9999-12-31',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-02-30',
    '2026-13-01T25:61:00Z',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    "'; DROP TABLE bookings; --",
    '{"$ne": null}',
    '__proto__',
    [],
    {},
    { __proto__: { admin: true } },
    [null],
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 3 }).map((n) => 'x'.repeat([300, 5_000, 70_000, 1_100][n]!)),
);

/**
 * Plausible values of the schema with, at any part of it, a nasty value one time in `calmness + 1`; a calmness of
 * Infinity never puts one in, so bodies reach the services rather than stop at validation.
 */
export function arbitraryFor(schema: JsonSchema, hints: ValueHints, calmness = 12): fc.Arbitrary<unknown> {
  const plausible = plausibleFor(schema, hints, calmness);
  if (calmness === Infinity) return plausible;
  return fc.oneof({ weight: calmness, arbitrary: plausible }, { weight: 1, arbitrary: nastyValue });
}

function plausibleFor(schema: JsonSchema, hints: ValueHints, calmness: number): fc.Arbitrary<unknown> {
  const base = byType(schema, hints, calmness);
  return schema.nullable ? fc.oneof({ weight: 6, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base;
}

function byType(schema: JsonSchema, hints: ValueHints, calmness: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object':
      return objectOf(schema, hints, calmness);
    case 'array':
      return fc.array(arbitraryFor(schema.items ?? {}, hints, calmness), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, Math.max(schema.minItems ?? 0, 4)),
      });
    case 'string':
      return stringOf(schema, hints);
    case 'integer':
      return fc.integer({ min: lowerBound(schema, -1_000_000), max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: lowerBound(schema, -1e6), max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function lowerBound(schema: JsonSchema, fallback: number): number {
  if (typeof schema.exclusiveMinimum === 'number') return schema.exclusiveMinimum + 1;
  return schema.minimum ?? fallback;
}

function objectOf(schema: JsonSchema, hints: ValueHints, calmness: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, arbitraryFor(property, hints, calmness)]));
  const known = fc
    .record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) })
    .chain((value) => orderedPair(value as Record<string, unknown>));
  if (Object.keys(properties).length === 0 && schema.additionalProperties !== false) {
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
  }
  // Now and then a property the contract does not know, which a strict object must refuse.
  return fc.oneof(
    { weight: 10, arbitrary: known },
    { weight: 1, arbitrary: fc.tuple(known, fc.constantFrom('role', 'orgId', 'extra', 'constructor')).map(([o, key]) => ({ ...(o as object), [key]: 'x' })) },
  );
}

/** Ends a little after their starts (most of the time), so intervals are often valid and reach the services. */
const INTERVAL_KEYS = [
  ['startAt', 'endAt'],
  ['from', 'to'],
  ['startDate', 'endDate'],
] as const;

function orderedPair(value: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const pair = INTERVAL_KEYS.find(([start, end]) => typeof value[start] === 'string' && typeof value[end] === 'string');
  if (!pair) return fc.constant(value);
  const [startKey, endKey] = pair;
  const start = value[startKey] as string;
  const startMs = Date.parse(start);
  if (Number.isNaN(startMs)) return fc.constant(value);
  const dateOnly = start.length === 10;
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(value) },
    {
      weight: 3,
      arbitrary: fc.integer({ min: 1, max: 8 }).map((steps) => {
        const end = new Date(startMs + steps * (dateOnly ? DAY_MS : 30 * MINUTE_MS)).toISOString();
        return { ...value, [endKey]: dateOnly ? end.slice(0, 10) : end };
      }),
    },
  );
}

function stringOf(schema: JsonSchema, hints: ValueHints): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return hints.ids.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...hints.ids) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid();
    case 'date-time':
      return instantNear(hints.now);
    case 'date':
      return instantNear(hints.now).map((iso) => iso.slice(0, 10));
    case 'email':
      return fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.nat({ max: 1_000_000 })).map(([name, n]) => `${name}${n}@fuzz.linli.dev`);
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, 2_000);
  if (schema.pattern) {
    const matching = stringMatchingOrUndefined(schema.pattern, minLength, maxLength);
    if (matching) return matching;
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
  );
}

function stringMatchingOrUndefined(pattern: string, minLength: number, maxLength: number): fc.Arbitrary<string> | undefined {
  try {
    const matching = fc.stringMatching(new RegExp(pattern)).filter((s) => s.length >= minLength && s.length <= maxLength);
    fc.sample(matching, 1); // patterns fast-check cannot generate from throw here, not in the middle of a run
    return matching;
  } catch {
    return undefined;
  }
}

/** Instants on a 15-minute grid from a day before `now` to 60 days after, in Shanghai or UTC notation. */
function instantNear(now: Date): fc.Arbitrary<string> {
  const start = Math.floor(now.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  return fc.tuple(fc.integer({ min: 0, max: 61 * 24 * 4 }), fc.boolean()).map(([quarters, shanghai]) => {
    const iso = new Date(start + quarters * 15 * MINUTE_MS).toISOString();
    return shanghai ? shanghaiNotation(iso) : iso;
  });
}

function shanghaiNotation(isoUtc: string): string {
  const local = new Date(Date.parse(isoUtc) + 8 * 60 * MINUTE_MS).toISOString();
  return `${local.slice(0, 19)}+08:00`;
}
