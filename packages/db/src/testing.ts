/**
 * Isolated databases for tests. A global setup migrates one template; each test file then gets its own copy
 * (a PGlite data-dir dump, or `CREATE DATABASE ... TEMPLATE` on PostgreSQL), so files run in parallel and no
 * test sees another's rows. Migrating once saves seconds per file.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DatabaseHandle, openDatabase, pgliteClientOf } from './client.ts';
import { migrateDatabase } from './migrate.ts';

export type TestDatabaseTemplate =
  | { kind: 'pglite'; dumpPath: string }
  | { kind: 'postgres'; serverUrl: string; templateName: string };

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(serverUrl: string, text: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function prepareTestDatabaseTemplate(serverUrl: string | undefined): Promise<TestDatabaseTemplate> {
  if (serverUrl) {
    const templateName = `linli_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
    await adminQuery(serverUrl, `CREATE DATABASE ${templateName}`);
    const handle = await openDatabase({ url: withDatabase(serverUrl, templateName), poolSize: 1 });
    await migrateDatabase(handle);
    await handle.close();
    return { kind: 'postgres', serverUrl, templateName };
  }
  const handle = await openDatabase({});
  await migrateDatabase(handle);
  const dump = await pgliteClientOf(handle).dumpDataDir('none');
  const dumpPath = path.join(tmpdir(), `linli-template-${process.pid}.tar`);
  await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  return { kind: 'pglite', dumpPath };
}

/** Drops the PostgreSQL template and every per-file copy made from it. */
export async function dropTestDatabaseTemplate(template: TestDatabaseTemplate): Promise<void> {
  if (template.kind !== 'postgres') return;
  const client = new pg.Client({ connectionString: template.serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${template.templateName.replace('_tpl_', '_t_')}%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await client.query(`DROP DATABASE IF EXISTS ${template.templateName} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of this test file's own. */
export async function openIsolatedDatabase(
  template: TestDatabaseTemplate,
  options: { poolSize?: number } = {},
): Promise<DatabaseHandle & { url?: string }> {
  if (template.kind === 'pglite') {
    const dump = await readFile(template.dumpPath);
    return openDatabase({ loadDataDir: new Blob([dump]) });
  }
  const name = `${template.templateName.replace('_tpl_', '_t_')}_${randomBytes(4).toString('hex')}`;
  // Copies from one template can collide while another copy is starting; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(template.serverUrl, `CREATE DATABASE ${name} TEMPLATE ${template.templateName}`);
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
  const url = withDatabase(template.serverUrl, name);
  const handle = await openDatabase({ url, poolSize: options.poolSize ?? 20 });
  return {
    ...handle,
    // For tests that start other processes on the same database.
    url,
    close: async () => {
      await handle.close();
      await adminQuery(template.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
