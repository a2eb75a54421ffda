/**
 * After seeding, the planner has statistics for every table written: without them the first analytics and search
 * queries on a fresh demo or benchmark database are planned for empty tables (nested loops over whole tables).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../client.ts';
import { openIsolatedDatabase } from '../testing.ts';
import { seedDemoPortfolio } from './demo.ts';
import { generatePortfolio } from './generate.ts';
import { queryRows } from './query-rows.ts';

const NOW = new Date('2026-11-18T06:20:00Z');
const SEEDED_TABLES = ['organizations', 'sites', 'spaces', 'users', 'bookings', 'booking_events'];

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openIsolatedDatabase(inject('databaseTemplate'));
});
afterAll(async () => {
  await database?.close();
});

async function databaseClock(): Promise<Date> {
  const [row] = await queryRows<{ now: string }>(database.db, sql`SELECT clock_timestamp()::text AS now`);
  return new Date(row!.now);
}

/** Seeded tables whose last manual ANALYZE is older than `since` (or never happened). */
async function tablesNotAnalyzedSince(since: Date): Promise<string[]> {
  const rows = await queryRows<{ relname: string; last_analyze: string | null }>(
    database.db,
    sql`SELECT relname, last_analyze::text AS last_analyze FROM pg_stat_user_tables WHERE relname = ANY(${sql.raw(`ARRAY['${SEEDED_TABLES.join("','")}']`)})`,
  );
  return rows.filter((r) => !r.last_analyze || new Date(r.last_analyze) < since).map((r) => r.relname).sort();
}

describe('seeding leaves the planner fresh statistics', () => {
  it('the demo seed analyzes the tables it filled', async () => {
    const before = await databaseClock();
    await seedDemoPortfolio(database.db, { now: NOW });
    expect(await tablesNotAnalyzedSince(before)).toEqual([]);
  });

  it('the benchmark generator analyzes every table it filled, not only bookings', async () => {
    const before = await databaseClock();
    await generatePortfolio(database.db, { sites: 2, spacesPerSite: 2, bookings: 200, days: 30, seed: 3, now: NOW });
    expect(await tablesNotAnalyzedSince(before)).toEqual([]);
  });
});
