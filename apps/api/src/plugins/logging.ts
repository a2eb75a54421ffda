/**
 * What the log may hold. Logs are read by more people, kept longer and copied further than the database, so
 * they carry no credentials (tokens, passwords, the secret feed URL) and no personal data (emails, phones,
 * the parameters of a failed statement).
 */
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { errorForLog } from './errors.ts';

const CENSORED = '[redacted]';
/** Keys that hold a credential or personal data wherever they appear in a logged object (one level deep). */
const PRIVATE_KEYS = ['authorization', 'cookie', 'password', 'passwordHash', 'accessToken', 'refreshToken', 'token', 'email', 'phone', 'login', 'params'];
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...PRIVATE_KEYS.flatMap((key) => [key, `*.${key}`]),
];

/** The path of a request without its query string, and with the secret of a private calendar feed masked. */
function loggedPathOf(url: string): string {
  return url.split('?')[0]!.replace(/\/calendar\/feeds\/[^/]+/, `/calendar/feeds/${CENSORED}`);
}

function requestForLog(request: FastifyRequest) {
  return { method: request.method, url: loggedPathOf(request.url), remoteAddress: request.ip };
}

/** pino options for the app: level, redaction, and serializers that keep errors and requests free of secrets. */
export function loggerOptions(level: string, stream?: { write(line: string): void }): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSORED },
    serializers: { err: errorForLog, req: requestForLog },
    ...(stream ? { stream } : {}),
  };
}
