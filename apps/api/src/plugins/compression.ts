/**
 * API answers compressed for phones on slow links (issue #14.7): brotli or gzip, whichever the client accepts first.
 * The built app's files are compressed once at build time instead (see admin-app.ts); this covers what is made per
 * request: JSON, problem+json, CSV downloads and iCalendar feeds.
 */
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/**
 * Below about one TCP packet, compressing saves no round trip and costs CPU on every request; most small answers
 * (a 204, a short problem) stay as they are.
 */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * Text only: JSON of any kind (problem+json too), CSV, iCalendar, HTML and other text/*. Never an event stream (it
 * must reach the client message by message) nor what is compressed already (images, archives, octet-streams).
 */
const COMPRESSIBLE_TYPES = /^(?:text\/(?!event-stream)[\w.+-]+|application\/(?:[\w.-]+\+)?json|application\/javascript|image\/svg\+xml)\s*(?:;|$)/i;

/**
 * Registered before the routes: the plugin attaches itself to each route as it is declared. It sets
 * `Vary: Accept-Encoding` on every answer it compresses, so a shared cache never hands a brotli body to a client
 * that did not ask for one.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    // Fixed, not "whatever this Node offers": zstd appears with newer Node versions, and what the server sends
    // should not change with the runtime underneath it.
    encodings: ['br', 'gzip'],
    threshold: COMPRESSION_THRESHOLD_BYTES,
    customTypes: COMPRESSIBLE_TYPES,
    // Clients send JSON bodies of a few KB at most (bodyLimit); a compressed request body is not something any of
    // them does, and inflating one is work an attacker could ask for.
    globalDecompression: false,
  });
}
