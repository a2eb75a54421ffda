/**
 * `npm start`: opens the database (PGlite under .data/ unless DATABASE_URL is set), applies migrations, seeds the
 * demo portfolio into an empty database, and serves the API and the built admin app.
 */
import cluster from 'node:cluster';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Database, type DatabaseHandle, migrateDatabase, openDatabase } from '@linli/db';
import { sql } from 'drizzle-orm';
import { databaseHasData, seedDemoPortfolio } from '@linli/db/seed';
import { buildApp } from './app.ts';
import { runLifecycleSweep } from './modules/bookings/lifecycle.service.ts';
import { runRegistrationSweep } from './modules/registrations/registrations.service.ts';
import { flagOverdueLoans } from './modules/loans/loans.service.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { runAsLeader } from './lib/leader.ts';
import { removeLapsedRateLimitWindows } from './plugins/rate-limit-store.ts';
import { removeSettledUsageChanges } from './modules/analytics/usage-changes.repository.ts';

async function main() {
  const config = loadConfig();
  if (config.WORKERS > 1 && cluster.isWorker) return serveWorker(config);
  if (!config.DATABASE_URL) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    claimDataDir(config.DATA_DIR);
  }
  // Migrations and the demo seed may run longer than a request may: they run without the statement timeout.
  const setup = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR, poolSize: 2 });
  console.log(`Database: ${setup.kind === 'pglite' ? `embedded PGlite at ${config.DATA_DIR}` : 'PostgreSQL'}`);
  await migrateDatabase(setup);

  let demoLogins: { role: string; login: string; password: string }[] = [];
  if (config.SEED_DEMO && !(await databaseHasData(setup.db))) {
    console.log('Empty database: seeding the demo portfolio ...');
    const summary = await seedDemoPortfolio(setup.db, { log: (line) => console.log(`  ${line}`) });
    demoLogins = summary.logins;
  }
  const announce = (address: string) => printWelcome(address, config.SEED_DEMO, demoLogins);

  if (config.WORKERS > 1) {
    // The primary only prepared the database; each worker opens its own pool and serves on the shared port.
    await setup.close();
    return forkWorkers(config.WORKERS, announce);
  }
  // PGlite is one connection with no statement timeout: it keeps serving on the same handle.
  const database = setup.kind === 'pglite' ? setup : await reopenForServing(setup, config);
  if (database.kind === 'pglite') await refreshPlannerStatistics(database.db);
  const address = await serve(config, database);
  announce(address);
}

/** One API process: the app, the lifecycle sweeper (run by one process at a time), a clean shutdown. */
async function serve(config: Config, database: DatabaseHandle): Promise<string> {
  const app = await buildApp({ config, db: database.db, ping: database.ping, now: () => new Date() });
  const sweeper = startLifecycleSweeper(app, database.kind, config.SWEEP_INTERVAL_MS);
  const close = async () => {
    clearInterval(sweeper);
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  return app.listen({ host: config.HOST, port: config.PORT });
}

async function reopenForServing(setup: DatabaseHandle, config: Config): Promise<DatabaseHandle> {
  await setup.close();
  return openDatabase({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, statementTimeoutMs: config.STATEMENT_TIMEOUT_MS });
}

async function serveWorker(config: Config) {
  const database = await openDatabase({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, statementTimeoutMs: config.STATEMENT_TIMEOUT_MS });
  await serve(config, database);
}

/** N processes on one port (node cluster); a worker that dies is replaced, and a signal stops them all. */
function forkWorkers(count: number, announce: (address: string) => void) {
  let announced = false;
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < count; i++) fork();
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    console.log(`${count} API processes`);
    announce(`http://${address.address ?? '127.0.0.1'}:${address.port}`);
  });
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    console.error(`API process ${worker.process.pid} exited (${code}); starting another`);
    fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function printWelcome(address: string, seedDemo: boolean, demoLogins: { role: string; login: string; password: string }[]) {
  const base = address.replace('0.0.0.0', '127.0.0.1');
  console.log(`\nLinli is running at ${base}`);
  console.log(`API docs:           ${base}/api/docs  (OpenAPI JSON at ${base}/api/openapi.json)`);
  if (demoLogins.length) {
    console.log('Demo logins (organization "demo"):');
    for (const l of demoLogins) console.log(`  ${l.role.padEnd(13)} ${l.login.padEnd(28)} ${l.password}`);
  } else if (seedDemo) {
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

/**
 * PGlite has no autovacuum, so nothing would ever ANALYZE its tables: the planner would plan the analytics
 * joins from default guesses (nested loops over whole tables; the behaviour report took seconds on the demo).
 * The embedded server analyzes at start and every hour; PostgreSQL's own autovacuum does this for it.
 */
async function refreshPlannerStatistics(db: Database) {
  await db.execute(sql`ANALYZE`);
}
const ANALYZE_EVERY_SWEEPS = 60;

/**
 * Marks no-shows, completions and lapsed offers every minute, so released spaces reach the waitlist promptly, and
 * keeps bookkeeping tables bounded (lapsed rate-limit windows, settled usage markers). With several processes, one of them sweeps each round (runAsLeader); each
 * booking is also decided again under its space lock, so even two overlapping sweeps change it once.
 */
function startLifecycleSweeper(app: Awaited<ReturnType<typeof buildApp>>, kind: DatabaseHandle['kind'], intervalMs: number): NodeJS.Timeout {
  let running = false;
  let sweeps = 0;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const { db, now } = app.deps;
      const result = await runAsLeader(db, kind, 'lifecycle-sweep', async () => {
        const swept = await runLifecycleSweep(db, now());
        const registrations = await runRegistrationSweep(db, now());
        if (registrations.offersExpired + registrations.completed + registrations.noShows > 0) app.log.info({ sweep: registrations }, 'registration sweep');
        const overdueLoans = await flagOverdueLoans(app.deps);
        if (overdueLoans > 0) app.log.info({ overdueLoans }, 'equipment loans overdue');
        await removeLapsedRateLimitWindows(db, now());
        await removeSettledUsageChanges(db, now());
        return swept;
      });
      if (result && result.noShows + result.completed + result.expired + result.waitlistExpired > 0) app.log.info({ sweep: result }, 'lifecycle sweep');
      if (kind === 'pglite' && ++sweeps % ANALYZE_EVERY_SWEEPS === 0) await refreshPlannerStatistics(db);
    } catch (error) {
      app.log.error({ err: error }, 'lifecycle sweep failed');
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
