/**
 * `npm run lint:openapi` writes the OpenAPI document with this, then lints it with redocly.
 *
 *   npx tsx apps/api/src/cli/openapi.ts [path]     (default: openapi.json in the working directory)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from './openapi-document.ts';

async function writeOpenApiDocument(target: string) {
  const document = await buildOpenApiDocument();
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`OpenAPI document written to ${target}`);
}

writeOpenApiDocument(process.argv[2] ?? 'openapi.json').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
