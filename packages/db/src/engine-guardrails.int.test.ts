/**
 * SQL that has to repeat the claims engine's definitions (packages/domain/src/claims.ts) is checked against them
 * here, on the migrated database itself: the holding statuses in the exclusion constraint, the partial indexes and
 * linli_book_space, and the longest claim in the CHECK constraint. Plus the catalogue-version triggers, which must
 * move only when a row really changes.
 */
import { CLAIM_STATUSES, HOLDING_STATUSES, LOAN_STATUSES, MAX_CLAIM_MS } from '@linli/domain';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { DatabaseHandle } from './client.ts';
import * as schema from './schema.ts';
import { openIsolatedDatabase } from './testing.ts';

let database: DatabaseHandle;
const rows = async <T>(query: ReturnType<typeof sql>) => ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;

beforeAll(async () => {
  database = await openIsolatedDatabase(inject('databaseTemplate'));
});
afterAll(() => database.close());

/** The quoted values of every `status IN (...)` / `status = ANY (ARRAY[...])` list in a piece of SQL. */
function statusLists(text: string): string[][] {
  const lists: string[][] = [];
  for (const match of text.matchAll(/status\)?\s*(?:IN\s*\(|=\s*ANY\s*\(\(?ARRAY\[)([^)\]]*)/gi)) {
    lists.push([...match[1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!).sort());
  }
  return lists;
}

describe('SQL repeats the claims engine definitions exactly', () => {
  const holding = [...HOLDING_STATUSES].sort();

  it('the exclusion constraint and the partial indexes on holding bookings use the holding statuses', async () => {
    const constraints = await rows<{ def: string }>(sql`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'x'`);
    // Bookings hold spaces; activity registrations hold a session's places: both by the same statuses.
    const indexes = await rows<{ table: string; def: string }>(
      sql`SELECT tablename AS table, indexdef AS def FROM pg_indexes WHERE tablename IN ('bookings', 'activity_registrations') AND indexdef ILIKE '%status%'`,
    );
    expect(indexes.filter((i) => i.table === 'activity_registrations').flatMap((i) => statusLists(i.def))).toHaveLength(1);
    const lists = [...constraints, ...indexes].flatMap((r) => statusLists(r.def));
    expect(constraints.length).toBeGreaterThan(0);
    expect(lists.length).toBeGreaterThan(0);
    for (const list of lists) expect(list).toEqual(holding);
  });

  it('a registration can only be in a claim status', async () => {
    const [check] = await rows<{ def: string }>(sql`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'activity_registrations_status'`);
    expect(statusLists(check!.def)).toEqual([[...CLAIM_STATUSES].sort()]);
  });

  it('an equipment loan can only be in a loan status', async () => {
    const checks = await rows<{ def: string }>(
      sql`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'equipment_loans'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) ILIKE '%status%'`,
    );
    expect(checks.flatMap((c) => statusLists(c.def))).toEqual([[...LOAN_STATUSES].sort()]);
  });

  it('linli_book_space judges holding bookings by the holding statuses', async () => {
    const [fn] = await rows<{ src: string }>(sql`SELECT prosrc AS src FROM pg_proc WHERE proname = 'linli_book_space'`);
    const lists = statusLists(fn!.src);
    expect(lists.length).toBeGreaterThan(0);
    for (const list of lists) expect(list).toEqual(holding);
  });

  it('the database refuses a claim longer than MAX_CLAIM_MS, and takes one exactly that long', async () => {
    const [check] = await rows<{ def: string }>(sql`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'bookings_max_duration'`);
    const [interval] = await rows<{ ms: number }>(sql`SELECT extract(epoch FROM ${sql.raw(`'${/'([^']+)'::interval/.exec(check!.def)![1]}'`)}::interval) * 1000 AS ms`);
    expect(Number(interval!.ms)).toBe(MAX_CLAIM_MS);
  });
});

describe('catalogue versions move only on real changes', () => {
  it('an update that writes the same values keeps the version; a real change bumps it', async () => {
    const [org] = await database.db.insert(schema.organizations).values({ slug: `guard-${Date.now()}`, name: 'Guardrails' }).returning();
    const [site] = await database.db
      .insert(schema.sites)
      .values({ orgId: org!.id, name: '站点', kind: 'study_room', district: '徐汇区', openingHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } })
      .returning();
    const version = async () => (await database.db.select().from(schema.catalogueVersions).where(eq(schema.catalogueVersions.orgId, org!.id)))[0]!.version;
    const before = await version();

    await database.db.update(schema.sites).set({ name: site!.name, updatedAt: new Date() }).where(eq(schema.sites.id, site!.id));
    expect(await version()).toBe(before);

    await database.db.update(schema.sites).set({ name: '新名字' }).where(eq(schema.sites.id, site!.id));
    expect(await version()).toBe(before + 1);
  });
});
