/**
 * `npm run lint:openapi` writes the OpenAPI document with this, then lints it with redocly.
 *
 *   npx tsx apps/api/src/cli/openapi.ts [path]     (default: openapi.json in the working directory)
 *
 * The document is built from the routes alone, so the app is built on a database handle that is never queried:
 * no request is served and nothing is migrated.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '@linli/db';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';

async function writeOpenApiDocument(target: string) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_DEMO: 'false' });
  const unusedDatabase = {} as Database;
  const app = await buildApp(
    { config, db: unusedDatabase, ping: async () => {}, now: () => new Date() },
    { logger: false },
  );
  try {
    await app.ready();
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  } finally {
    await app.close();
  }
  console.log(`OpenAPI document written to ${target}`);
}

writeOpenApiDocument(process.argv[2] ?? 'openapi.json').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
