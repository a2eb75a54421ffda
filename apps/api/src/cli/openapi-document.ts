/**
 * The OpenAPI document, built from the routes alone: the app is built on a database handle that is never
 * queried, so no request is served and nothing is migrated. Used to lint the document and to type the app's client.
 */
import type { Database } from '@linli/db';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';

export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const unusedDatabase = {} as Database;
  const app = await buildApp(
    { config, db: unusedDatabase, ping: async () => {}, now: () => new Date() },
    { logger: false },
  );
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
