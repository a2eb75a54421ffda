/**
 * `npm run worker`: delivers notifications in a process of its own, for PostgreSQL deployments that run their API
 * processes with NOTIFICATIONS_WORKER=off, or want more delivery capacity beside them; any number of workers and
 * API processes can run at once (pg-boss hands each job to one of them). Not for the embedded database: it
 * serves one process, and the API there delivers itself.
 *
 * The database must be migrated (the API migrates when it starts, or `npm run db:migrate`).
 */
import { openDatabase } from '@linli/db';
import Fastify from 'fastify';
import { ConfigError, loadConfig } from '../config.ts';
import { startNotifications } from '../modules/notifications/worker.ts';
import { loggerOptions } from '../plugins/logging.ts';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new ConfigError('npm run worker needs DATABASE_URL (PostgreSQL). The embedded database serves one process; there `npm start` delivers notifications itself.');
  }
  // The API's logger (pino with the same redaction), without an HTTP server.
  const log = Fastify({ logger: loggerOptions(config.LOG_LEVEL) }).log;
  const database = await openDatabase({ url: config.DATABASE_URL, poolSize: 4, statementTimeoutMs: config.STATEMENT_TIMEOUT_MS });
  const runtime = await startNotifications({ db: database.db, config, log, work: true, connectionString: config.DATABASE_URL }).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const stop = async (signal: string) => {
    log.info({ signal }, 'notification worker stopping');
    await runtime.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
