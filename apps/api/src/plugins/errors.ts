/**
 * One error shape for the whole API: RFC 9457 problem+json with a stable `code` and the request id.
 * Database conflicts become 409, never 500; a 5xx never carries internals to the client.
 */
import { ERROR_CATALOG, type ErrorCode, type Problem } from '@linli/contracts';
import { SQLSTATE, constraintOf, sqlStateOf } from '@linli/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type AppErrorOptions } from '../lib/app-error.ts';

/** The caller's language from Accept-Language: zh for any zh-* tag first, English otherwise. */
export function preferredLanguage(request: FastifyRequest): 'zh' | 'en' {
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
  // handlerTimeout (REQUEST_TIMEOUT_MS) fired before the answer was ready.
  FST_ERR_HANDLER_TIMEOUT: 'REQUEST_TIMED_OUT',
};

/** What the router refuses before any route or hook runs (Fastify's frameworkErrors), as problem+json. */
export function sendRouterProblem(request: FastifyRequest, reply: FastifyReply, error: FastifyError) {
  // No onSend hook runs on this path, so the request id header is set here.
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(request, reply, 'URI_TOO_LONG');
  return sendProblem(request, reply, 'VALIDATION_FAILED', { detail: 'The URL is not valid.' });
}

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

/** A contract may name a more telling code for its refusal (e.g. WEAK_PASSWORD) through the issue's `params.problem`. */
function specificValidationCode(issues: { params?: Record<string, unknown> }[]): ErrorCode | undefined {
  for (const issue of issues) {
    const problem = (issue.params?.params as { problem?: unknown } | undefined)?.problem;
    if (typeof problem === 'string' && problem in ERROR_CATALOG) return problem as ErrorCode;
  }
  return undefined;
}

/** The errors down a `cause` chain (drizzle wraps the driver's error), outermost first. */
function causeChainOf(error: unknown): object[] {
  const chain: object[] = [];
  for (let current = error; chain.length < 4 && current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
  }
  return chain;
}

/** "insert users", "select linli_book_space": which statement failed, from its text, without any values. */
function statementNameOf(chain: object[]): string | undefined {
  const text = chain.map((e) => (e as { query?: unknown }).query).find((q): q is string => typeof q === 'string');
  const verb = text?.match(/^\s*(\w+)/)?.[1]?.toLowerCase();
  const relation = text?.match(/\b(?:from|into|update)\s+"?(\w+)"?/i)?.[1];
  return verb && [verb, relation].filter(Boolean).join(' ');
}

/** Where an error was raised (the stack's frames), without its first lines, which repeat the message. */
function framesOf(stack: string | undefined): string {
  return (stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).join('\n');
}

/**
 * The log's view of an error (pino's `err` serializer for the whole app). A database error is described by
 * SQLSTATE, constraint and statement name only: drizzle's message, its `params` and the driver's `detail` quote
 * the statement's values (a registering resident's email and password hash).
 */
export function errorForLog(error: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  const chain = causeChainOf(error);
  const stack = error instanceof Error ? error.stack : undefined;
  if (chain.some((e) => 'params' in e || 'query' in e || 'severity' in e)) {
    const [sqlState, constraint, statement] = [sqlStateOf(error), constraintOf(error), statementNameOf(chain)];
    const message = `database error ${sqlState ?? '(no SQLSTATE)'} in ${statement ?? 'a statement'}`;
    return { type: 'DatabaseError', message, sqlState, constraint, statement, stack: framesOf(stack) };
  }
  if (!(error instanceof Error)) return { type: typeof error, message: 'a value that is not an Error was thrown', stack: '' };
  const code = (error as { code?: unknown }).code;
  return { type: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), stack: error.stack ?? '' };
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
      return sendProblem(request, reply, specificValidationCode(error.validation) ?? 'VALIDATION_FAILED', { errors });
    }
    const fastifyCode = FASTIFY_CODES[error.code];
    if (fastifyCode) return sendProblem(request, reply, fastifyCode);
    if (error.statusCode === 429) return sendProblem(request, reply, 'RATE_LIMITED');

    if (sqlStateOf(error) === SQLSTATE.queryCanceled) {
      // statement_timeout (STATEMENT_TIMEOUT_MS) cut a query short: the server is fine, this request cost too much.
      request.log.warn({ err: error }, 'statement timeout');
      return sendProblem(request, reply, 'REQUEST_TIMED_OUT');
    }
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
