import type { TestProject } from 'vitest/node';
import { type TestDatabaseTemplate, dropTestDatabaseTemplate, prepareTestDatabaseTemplate } from '@linli/db/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplate: TestDatabaseTemplate;
  }
}

/** Migrates one template database for the whole run: PGlite by default, PostgreSQL when TEST_DATABASE_URL is set. */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL || undefined;
  const started = Date.now();
  const template = await prepareTestDatabaseTemplate(serverUrl);
  console.log(`test database template: ${template.kind} (${Date.now() - started} ms)`);
  project.provide('databaseTemplate', template);
  return () => dropTestDatabaseTemplate(template);
}
