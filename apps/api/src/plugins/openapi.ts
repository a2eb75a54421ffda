/**
 * The OpenAPI document is a product: every operation says who may call it (`security`), the media types it answers
 * in, and the problem codes it can answer with. Those codes come from the route itself (its access, its inputs, its
 * rate limit) plus the route's own `schema.errors` list, so the document follows the routes instead of drifting.
 */
import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ERROR_CATALOG, type ErrorCode, Problem, ROLES } from '@linli/contracts';
import { BOOKING_REFUSAL_CODES } from '@linli/domain';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from './access.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** Problem codes this operation answers with beyond those its access and inputs imply (see impliedCodes). */
    errors?: readonly ErrorCode[];
  }
}

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Why a booking, or one occurrence of a series, is refused; `details.reasons` lists every reason at once. */
export const BOOKING_REFUSALS = [
  'SLOT_TAKEN',
  'CAPACITY_FULL',
  // Every policy reason the domain can give (CANCEL_CUTOFF_PASSED belongs to cancelling, not booking).
  ...BOOKING_REFUSAL_CODES.filter((code) => code !== 'CANCEL_CUTOFF_PASSED'),
  'SPACE_UNAVAILABLE',
] as const satisfies readonly ErrorCode[];

/** A change to a booking someone else may have changed since it was read (If-Match), or in the wrong state. */
export const BOOKING_CHANGE_REFUSALS = ['PRECONDITION_REQUIRED', 'VERSION_MISMATCH', 'INVALID_TRANSITION'] as const satisfies readonly ErrorCode[];

/** What the document needs to know about a route that the swagger transform does not carry. */
interface RouteNotes {
  access: Access | undefined;
  hasBody: boolean;
  hasParams: boolean;
  hasInput: boolean;
  rateLimited: boolean;
  errors: readonly ErrorCode[];
}

/** The codes any route like this one can answer with, whatever its service does. */
export function impliedCodes(notes: RouteNotes): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (notes.hasInput) codes.push('VALIDATION_FAILED');
  if (notes.hasBody) codes.push('MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (notes.access !== undefined && notes.access !== 'public') {
    codes.push('UNAUTHENTICATED');
    if (notes.access.length < ROLES.length) codes.push('FORBIDDEN');
  }
  // A path naming a resource answers 404 when it does not exist or is outside the caller's sites.
  if (notes.hasParams) codes.push('NOT_FOUND');
  if (notes.rateLimited) codes.push('RATE_LIMITED');
  codes.push('INTERNAL');
  return codes;
}

export async function registerOpenApi(app: FastifyInstance) {
  const notesByOperation = new Map<string, RouteNotes>();
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema?.operationId) return;
    notesByOperation.set(schema.operationId, {
      access: route.config?.access,
      hasBody: Boolean(schema.body),
      hasParams: Boolean(schema.params),
      hasInput: Boolean(schema.body || schema.params || schema.querystring || schema.headers),
      rateLimited: Boolean((route.config as { rateLimit?: unknown } | undefined)?.rateLimit),
      errors: schema.errors ?? [],
    });
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Linli API',
        version: '0.1.0',
        description: 'Public-space operations and booking. Errors are RFC 9457 `application/problem+json` with a stable `code` and the `requestId`.',
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      servers: [{ url: '/', description: 'The server that serves this document' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      'openapiObject' in document ? completeDocument(document.openapiObject as OpenApiDocument, notesByOperation) : document.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { description: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, unknown> } & Record<string, unknown>;
}

function completeDocument(document: OpenApiDocument, notesByOperation: Map<string, RouteNotes>): ReturnType<SwaggerTransformObject> {
  document.components.schemas = { ...document.components.schemas, Problem: problemJsonSchema() };
  allowNullInNullableEnums(document);
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      const notes = operation.operationId ? notesByOperation.get(operation.operationId) : undefined;
      if (!notes) continue;
      if (notes.access === 'public') operation.security = [];
      describeTextBodies(operation);
      addProblemResponses(operation, [...impliedCodes(notes), ...notes.errors]);
    }
  }
  return document as unknown as ReturnType<SwaggerTransformObject>;
}

/**
 * OpenAPI 3.0 says `nullable: true` does not widen an `enum`: a nullable enum must list null itself, or strict
 * clients refuse the null an answer carries (e.g. a utilization row that is not a space has no booking mode).
 */
function allowNullInNullableEnums(node: unknown) {
  if (Array.isArray(node)) {
    for (const item of node) allowNullInNullableEnums(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as { nullable?: boolean; enum?: unknown[] };
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  for (const value of Object.values(node)) allowNullInNullableEnums(value);
}

function problemJsonSchema() {
  return z.toJSONSchema(Problem, { target: 'openapi-3.0', io: 'output' });
}

/** A CSV table or an iCalendar feed is text, whatever JSON schema the route validates its JSON answer with. */
function describeTextBodies(operation: Operation) {
  for (const response of Object.values(operation.responses)) {
    const content = response.content ?? {};
    for (const [mediaType, media] of Object.entries(content)) {
      if (mediaType.includes('json') || media.schema?.type === 'string') continue;
      // A new object: swagger shares one media object between the media types a route produces.
      content[mediaType] = { schema: { type: 'string', description: mediaType } };
    }
  }
}

function addProblemResponses(operation: Operation, codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const { status } = ERROR_CATALOG[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    operation.responses[String(status)] = {
      description: statusCodes.map((code) => `\`${code}\`: ${ERROR_CATALOG[code].en}`).join('\n\n'),
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: statusCodes } } }] },
        },
      },
    };
  }
}
