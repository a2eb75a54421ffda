/**
 * `npm start`: opens the database (PGlite under .data/ unless DATABASE_URL is set), applies migrations, seeds the
 * demo portfolio into an empty database, and serves the API and the built admin app.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Database, migrateDatabase, openDatabase } from '@linli/db';
import { sql } from 'drizzle-orm';
import { databaseHasData, seedDemoPortfolio } from '@linli/db/seed';
import { buildApp } from './app.ts';
import { runLifecycleSweep } from './modules/bookings/lifecycle.service.ts';
import { ConfigError, loadConfig } from './config.ts';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    claimDataDir(config.DATA_DIR);
  }
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
  });
  console.log(`Database: ${database.kind === 'pglite' ? `embedded PGlite at ${config.DATA_DIR}` : 'PostgreSQL'}`);
  await migrateDatabase(database);

  let demoLogins: { role: string; login: string; password: string }[] = [];
  if (config.SEED_DEMO && !(await databaseHasData(database.db))) {
    console.log('Empty database: seeding the demo portfolio ...');
    const summary = await seedDemoPortfolio(database.db, { log: (line) => console.log(`  ${line}`) });
    demoLogins = summary.logins;
  }

  if (database.kind === 'pglite') await refreshPlannerStatistics(database.db);

  const app = await buildApp({ config, db: database.db, ping: database.ping, now: () => new Date() });
  const sweeper = startLifecycleSweeper(app, database.kind === 'pglite');
  const close = async () => {
    clearInterval(sweeper);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);

  const address = await app.listen({ host: config.HOST, port: config.PORT });
  const base = address.replace('0.0.0.0', '127.0.0.1');
  console.log(`\nLinli is running at ${base}`);
  console.log(`API docs:           ${base}/api/docs  (OpenAPI JSON at ${base}/api/openapi.json)`);
  if (demoLogins.length) {
    console.log('Demo logins (organization "demo"):');
    for (const l of demoLogins) console.log(`  ${l.role.padEnd(13)} ${l.login.padEnd(28)} ${l.password}`);
  } else if (config.SEED_DEMO) {
    console.log('Demo logins: admin@demo.linli.dev / linli-demo (organization "demo"), see README.');
  }
}

/**
 * PGlite is one process's database: a second server on the same directory would corrupt it. A pid file next to
 * the data refuses that with a clear message; a stale one (its process is gone) is taken over.
 */
function claimDataDir(dataDir: string) {
  const lockFile = `${dataDir.replace(/\/+$/, '')}.pid`;
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new ConfigError(`Another Linli server (pid ${pid}) is using ${dataDir}. The embedded database serves one process; stop it, or set DATA_DIR or DATABASE_URL.`);
    }
  }
  writeFileSync(lockFile, String(process.pid));
  process.once('exit', () => rmSync(lockFile, { force: true }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Marks no-shows, completions and lapsed offers every minute, so released spaces reach the waitlist promptly. */
/**
 * PGlite has no autovacuum, so nothing would ever ANALYZE its tables: the planner would plan the analytics
 * joins from default guesses (nested loops over whole tables; the behaviour report took seconds on the demo).
 * The embedded server analyzes at start and every hour; PostgreSQL's own autovacuum does this for it.
 */
async function refreshPlannerStatistics(db: Database) {
  await db.execute(sql`ANALYZE`);
}
const ANALYZE_EVERY_SWEEPS = 60;

function startLifecycleSweeper(app: Awaited<ReturnType<typeof buildApp>>, analyzes: boolean): NodeJS.Timeout {
  let running = false;
  let sweeps = 0;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const result = await runLifecycleSweep(app.deps.db, app.deps.now());
      if (result.noShows + result.completed + result.expired + result.waitlistExpired > 0) app.log.info({ sweep: result }, 'lifecycle sweep');
      if (analyzes && ++sweeps % ANALYZE_EVERY_SWEEPS === 0) await refreshPlannerStatistics(app.deps.db);
    } catch (error) {
      app.log.error({ err: error }, 'lifecycle sweep failed');
    } finally {
      running = false;
    }
  }, 60_000);
  timer.unref();
  return timer;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
