/**
 * `npm run db:seed`: migrates, then fills the database.
 *
 *   npx tsx packages/db/src/cli/seed.ts [--force]
 *       the demo operator "demo" (36 sites, staff, residents, bookings around now)
 *   npx tsx packages/db/src/cli/seed.ts --sites 200 --bookings 1000000 [--spaces-per-site 10] [--days 365]
 *       [--seed 1] [--events] [--force]
 *       a benchmark portfolio "bench" of that size
 *
 * Both refuse a database that already has their data; --force deletes ALL data first. Uses DATABASE_URL, or
 * the embedded PGlite at DATA_DIR (default .data/pglite).
 */
import { parseArgs } from 'node:util';
import { migrateDatabase } from '../migrate.ts';
import { seedDemoPortfolio } from '../seed/demo.ts';
import { SeedRefusedError } from '../seed/errors.ts';
import { generatePortfolio } from '../seed/generate.ts';
import { openCliDatabase } from './migrate.ts';

const USAGE =
  'usage: seed.ts [--force]  |  seed.ts --sites N --bookings N [--spaces-per-site N] [--days N] [--seed N] [--events] [--force]';

interface GeneratorArgs {
  sites: number;
  bookings: number;
  spacesPerSite: number | undefined;
  days: number | undefined;
  seed: number | undefined;
  events: boolean;
}

type SeedArgs = { force: boolean; generator: GeneratorArgs | null };

function parseSeedArgs(argv: string[]): SeedArgs {
  try {
    return readSeedArgs(argv);
  } catch (error) {
    // parseArgs throws for unknown flags and missing values; that is a usage mistake too.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

function readSeedArgs(argv: string[]): SeedArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      force: { type: 'boolean', default: false },
      sites: { type: 'string' },
      bookings: { type: 'string' },
      'spaces-per-site': { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      events: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const generatorOnly = [values['spaces-per-site'], values.days, values.seed].some((v) => v !== undefined) || values.events;
  if (values.sites === undefined && values.bookings === undefined) {
    if (generatorOnly) throw new UsageError('--spaces-per-site, --days, --seed and --events need --sites and --bookings');
    return { force: values.force, generator: null };
  }
  if (values.sites === undefined || values.bookings === undefined) throw new UsageError('give --sites and --bookings together');
  return {
    force: values.force,
    generator: {
      sites: wholeNumber('--sites', values.sites),
      bookings: wholeNumber('--bookings', values.bookings),
      spacesPerSite: optionalWholeNumber('--spaces-per-site', values['spaces-per-site']),
      days: optionalWholeNumber('--days', values.days),
      seed: optionalWholeNumber('--seed', values.seed),
      events: values.events,
    },
  };
}

class UsageError extends Error {}

/** Accepts 1000000 and 1_000_000. */
function wholeNumber(flag: string, text: string): number {
  const cleaned = text.replaceAll('_', '');
  if (!/^\d+$/.test(cleaned)) throw new UsageError(`${flag} must be a whole number, got "${text}"`);
  return Number(cleaned);
}

function optionalWholeNumber(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : wholeNumber(flag, text);
}

async function main(): Promise<void> {
  const args = parseSeedArgs(process.argv.slice(2));
  const { handle, description } = await openCliDatabase();
  const log = (line: string) => console.log(`  ${line}`);
  try {
    console.log(`Database: ${description}`);
    await migrateDatabase(handle);
    if (args.generator) {
      console.log(`Generating a benchmark portfolio: ${args.generator.sites} sites, ${args.generator.bookings} bookings`);
      const summary = await generatePortfolio(handle.db, { ...args.generator, force: args.force, log });
      console.log(
        `Organization "${summary.orgSlug}": ${summary.sites} sites, ${summary.spaces} spaces, ${summary.users} users, ` +
          `${summary.bookings} bookings (${summary.bookingEvents} events) in ${summary.seconds.toFixed(1)}s, ` +
          `${summary.bookingsPerSecond} bookings/s`,
      );
    } else {
      console.log('Seeding the demo portfolio');
      const summary = await seedDemoPortfolio(handle.db, { force: args.force, log });
      console.log(
        `Organization "${summary.orgSlug}": ${summary.sites} sites, ${summary.spaces} spaces, ${summary.users} users, ${summary.bookings} bookings`,
      );
      console.log('Logins:');
      for (const login of summary.logins) console.log(`  ${login.role.padEnd(13)} ${login.login.padEnd(28)} ${login.password}`);
    }
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  // Refusals and usage mistakes are expected outcomes: one line, no stack trace.
  if (error instanceof SeedRefusedError || error instanceof UsageError) {
    console.error(error.message);
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(error instanceof UsageError ? 64 : 1);
  }
  console.error(error);
  process.exit(1);
});
