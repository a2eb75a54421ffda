/**
 * Serves the built admin app (apps/admin/dist), with index.html for client-side routes; /api stays problem+json.
 *
 * Fast on a phone (issue #14.7): every file is served as the .br or .gz the build wrote beside it, whichever the
 * browser accepts, so nothing is compressed per request. The files under /assets carry a content hash in their
 * name and never change under it, so browsers keep them a year without asking again; index.html names the current
 * hashed files, so it is asked for again on every visit (answered 304 when unchanged) or a deploy would leave
 * phones on the old build.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from './errors.ts';

export const IMMUTABLE_ASSET_CACHE = 'public, max-age=31536000, immutable';
export const REVALIDATED_CACHE = 'no-cache';

/** Where Vite writes the hashed files (its `build.assetsDir`). */
const HASHED_ASSETS_PATH = '/assets/';

export async function registerAdminApp(app: FastifyInstance, distDir: string): Promise<void> {
  const hasDist = existsSync(path.join(distDir, 'index.html'));
  if (hasDist) {
    const hashedAssetsDir = path.join(path.resolve(distDir), HASHED_ASSETS_PATH);
    await app.register(fastifyStatic, {
      root: distDir,
      // One route per file found at start: a request for anything else is not a file lookup on disk.
      wildcard: false,
      preCompressed: true,
      // Cache-Control is chosen per file below; without this @fastify/send would add its own `max-age=0` first.
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        // `filePath` may be the .br/.gz sibling; it lies in the same directory as the file asked for.
        reply.header('cache-control', filePath.startsWith(hashedAssetsDir) ? IMMUTABLE_ASSET_CACHE : REVALIDATED_CACHE);
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    // A hashed file that is not there (a tab still open on the previous build asks for a chunk that the deploy
    // removed) is a 404: answering index.html would hand the browser HTML as a script.
    const isClientRoute = request.method === 'GET' && !request.url.startsWith('/api') && !request.url.startsWith(HASHED_ASSETS_PATH);
    if (!hasDist || !isClientRoute) return sendProblem(request, reply, 'ROUTE_NOT_FOUND');
    return reply.sendFile('index.html');
  });
}
