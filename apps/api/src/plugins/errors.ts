/**
 * One error shape for the whole API: RFC 9457 problem+json with a stable `code` and the request id.
 * Database conflicts become 409, never 500; a 5xx never carries internals to the client.
 */
import { ERROR_CATALOG, type ErrorCode, type Problem } from '@linli/contracts';
import { SQLSTATE, constraintOf, sqlStateOf } from '@linli/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type AppErrorOptions } from '../lib/app-error.ts';

function preferredLanguage(request: FastifyRequest): 'zh' | 'en' {
  return /^\s*zh/i.test(request.headers['accept-language'] ?? '') ? 'zh' : 'en';
}

/** A booking refused for several reasons says all of them, in the caller's language. */
function describeReasons(details: AppErrorOptions['details'], language: 'zh' | 'en'): string | undefined {
  const reasons = details?.reasons;
  if (!Array.isArray(reasons) || reasons.length < 2) return undefined;
  const codes = [...new Set(reasons.map((r: { code: string }) => r.code))].filter((c): c is ErrorCode => c in ERROR_CATALOG);
  return codes.map((c) => ERROR_CATALOG[c][language]).join(language === 'zh' ? '' : ' ');
}

export function problemFor(request: FastifyRequest, code: ErrorCode, options: AppErrorOptions = {}): Problem {
  const entry = ERROR_CATALOG[code];
  const status = entry.status;
  const language = preferredLanguage(request);
  return {
    type: `https://linli.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.en,
    status,
    code,
    // Internals of a 5xx stay in the log.
    detail: status >= 500 ? entry[language] : (options.detail ?? describeReasons(options.details, language) ?? entry[language]),
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...(options.errors ? { errors: options.errors } : {}),
    ...(options.details && status < 500 ? { details: options.details } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, options?: AppErrorOptions) {
  const problem = problemFor(request, code, options);
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FAST_JWT_MALFORMED: 'UNAUTHENTICATED',
};

function databaseConflict(error: unknown): AppErrorOptions & { code: ErrorCode } | undefined {
  const state = sqlStateOf(error);
  switch (state) {
    case SQLSTATE.uniqueViolation:
      return { code: 'ALREADY_EXISTS', details: { constraint: constraintOf(error) } };
    case SQLSTATE.exclusionViolation:
    case SQLSTATE.deadlockDetected:
    case SQLSTATE.serializationFailure:
      return { code: 'CONFLICT' };
    case SQLSTATE.restrictViolation:
      return { code: 'CONFLICT', detail: 'Booking history is kept; it cannot be changed or deleted.' };
    case SQLSTATE.foreignKeyViolation:
      return { code: 'CONFLICT', detail: 'It refers to something that does not exist or is still in use.' };
    case SQLSTATE.checkViolation:
      return { code: 'VALIDATION_FAILED', detail: `Violates ${constraintOf(error) ?? 'a check'}.` };
    default:
      return undefined;
  }
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) return sendProblem(request, reply, error.code, error.options);

    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const errors = error.validation.map((v) => ({
        path: [where, ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : [])].join('.'),
        message: v.message ?? 'is invalid',
      }));
      return sendProblem(request, reply, 'VALIDATION_FAILED', { errors });
    }
    const fastifyCode = FASTIFY_CODES[error.code];
    if (fastifyCode) return sendProblem(request, reply, fastifyCode);
    if (error.statusCode === 429) return sendProblem(request, reply, 'RATE_LIMITED');

    const conflict = databaseConflict(error);
    if (conflict) {
      const { code, ...options } = conflict;
      return sendProblem(request, reply, code, options);
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Other framework-level client errors (e.g. bad content-length): a 400, not a crash.
      return sendProblem(request, reply, 'VALIDATION_FAILED', { detail: error.message });
    } else {
      request.log.error({ err: error }, 'unhandled error');
    }
    return sendProblem(request, reply, 'INTERNAL');
  });
}
