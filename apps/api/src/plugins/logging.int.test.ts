/**
 * The log holds no credentials and no personal data. A failed registration used to log drizzle's message, which
 * quotes the statement's parameters: the resident's email and their argon2id password hash.
 */
import { randomUUID } from 'node:crypto';
import { type DatabaseHandle } from '@linli/db';
import { openIsolatedDatabase } from '@linli/db/testing';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { TEST_PASSWORD, createPortfolio } from '../test/factories.ts';
import { bearer } from '../test/harness.ts';

const FAILING_NAME = 'Refused by the database';
const logLines: string[] = [];
let app: FastifyInstance;
let database: DatabaseHandle;
let p: Awaited<ReturnType<typeof createPortfolio>>;

beforeAll(async () => {
  database = await openIsolatedDatabase(inject('databaseTemplate'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', AUTH_RATE_LIMIT_PER_MINUTE: '10000', SEED_DEMO: 'false' });
  app = await buildApp({ config, db: database.db, ping: database.ping, now: () => new Date() }, { logStream: { write: (line) => logLines.push(line) } });
  await app.ready();
  p = await createPortfolio(app, database.db);
  // A database that fails one insert the way a real fault would (disk full, a bug in a trigger): an unmapped SQLSTATE.
  await database.db.execute(sql.raw(`
    CREATE FUNCTION test_refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.display_name = '${FAILING_NAME}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
      RETURN NEW;
    END $$`));
  await database.db.execute(sql.raw('CREATE TRIGGER test_refuse_user BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION test_refuse_user()'));
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('logs', () => {
  it('a registration failing in the database logs its SQLSTATE and statement, not the email, password hash or token', async () => {
    const email = `private-${randomUUID()}@test.linli.dev`;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: bearer(p.tokens.resident),
      payload: { org: p.org.slug, email, phone: '13912345678', password: TEST_PASSWORD, displayName: FAILING_NAME },
    });
    expect(res.statusCode).toBe(500);

    const log = logLines.join('');
    const failure = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'unhandled error');
    expect(failure.err).toMatchObject({ type: 'DatabaseError', sqlState: 'P0001', statement: 'insert users', message: 'database error P0001 in insert users' });
    expect(failure.err.stack).toMatch(/^\s+at /);
    for (const secret of [email, '13912345678', '$argon2id', TEST_PASSWORD, p.tokens.resident, 'params', 'Failed query']) {
      expect(log).not.toContain(secret);
    }
  });

  it('a private calendar feed is requested without its secret URL reaching the log', async () => {
    const { url } = (await app.inject({ method: 'POST', url: '/api/v1/me/calendar-feed', headers: bearer(p.tokens.resident) })).json();
    logLines.length = 0;
    expect((await app.inject({ url: `${url}?lat=31.2&lng=121.4` })).statusCode).toBe(200);
    const log = logLines.join('');
    expect(log).toContain('/api/v1/calendar/feeds/[redacted]');
    expect(log).not.toContain(url.split('/').pop());
    expect(log).not.toContain('121.4');
  });

  it('credentials and contact details logged by name are redacted', () => {
    logLines.length = 0;
    app.log.warn({ body: { email: 'someone@example.com', password: 'hunter22', refreshToken: 'r-token' }, phone: '13912345678' }, 'payload');
    const log = logLines.join('');
    for (const secret of ['someone@example.com', 'hunter22', 'r-token', '13912345678']) expect(log).not.toContain(secret);
  });
});
