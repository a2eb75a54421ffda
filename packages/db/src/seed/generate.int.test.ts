import type { WeeklyHours } from '@linli/contracts';
import { isWithinOpenRanges, localDatesBetween, localDayRange, openRanges } from '@linli/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../client.ts';
import { openIsolatedDatabase } from '../testing.ts';
import { seedDemoPortfolio } from './demo.ts';
import { SeedRefusedError } from './errors.ts';
import { type GenerateOptions, type GenerateSummary, generatePortfolio } from './generate.ts';
import { queryRows } from './query-rows.ts';

const NOW = new Date('2026-11-18T06:20:00Z');
const SMALL: GenerateOptions = { sites: 3, spacesPerSite: 5, bookings: 2000, days: 90, seed: 7, now: NOW };
const HOLDING = sql.raw(`('pending', 'confirmed', 'checked_in')`);

let database: DatabaseHandle;
let summary: GenerateSummary;
let demoSites: number;

beforeAll(async () => {
  database = await openIsolatedDatabase(inject('databaseTemplate'));
  demoSites = (await seedDemoPortfolio(database.db, { now: NOW })).sites;
  summary = await generatePortfolio(database.db, SMALL);
});

afterAll(async () => {
  await database?.close();
});

const countOf = async (query: ReturnType<typeof sql>) => (await queryRows<{ count: number }>(database.db, query))[0]!.count;

describe('generated benchmark portfolio', () => {
  it('creates exactly the requested sites, spaces and bookings in its own organization beside the demo', async () => {
    expect(summary).toMatchObject({ orgSlug: 'bench', sites: 3, spaces: 15, bookings: 2000, bookingEvents: 0 });
    const orgId = summary.orgId;
    expect(await countOf(sql`SELECT count(*)::int AS count FROM sites WHERE org_id = ${orgId}`)).toBe(3);
    expect(await countOf(sql`SELECT count(*)::int AS count FROM spaces WHERE org_id = ${orgId}`)).toBe(15);
    expect(await countOf(sql`SELECT count(*)::int AS count FROM bookings WHERE org_id = ${orgId}`)).toBe(2000);
    expect(
      await countOf(sql`SELECT count(*)::int AS count FROM sites s JOIN organizations o ON o.id = s.org_id WHERE o.slug = 'demo'`),
    ).toBe(demoSites);
  });

  it('never overlaps two bookings of one exclusive room, whatever their status', async () => {
    const overlaps = await countOf(
      sql`SELECT count(*)::int AS count FROM bookings a JOIN bookings b
            ON b.space_id = a.space_id AND a.id < b.id AND a.during && b.during
          WHERE a.exclusive AND a.org_id = ${summary.orgId}`,
    );
    expect(overlaps).toBe(0);
    expect(await countOf(sql`SELECT count(*)::int AS count FROM bookings WHERE exclusive AND org_id = ${summary.orgId}`)).toBeGreaterThan(0);
  });

  it('fills study areas with concurrent residents but never beyond their seats', async () => {
    // Peak occupancy happens at some booking's start, so checking every start instant checks every instant.
    const peaks = await queryRows<{ capacity: number; peak_people: number; peak_bookings: number }>(
      database.db,
      sql`SELECT s.capacity, max(x.people)::int AS peak_people, max(x.bookings)::int AS peak_bookings
          FROM (
            SELECT a.space_id, a.id, sum(b.party_size) AS people, count(*) AS bookings
            FROM bookings a
            JOIN bookings b ON b.space_id = a.space_id AND b.during @> a.start_at AND b.status IN ${HOLDING}
            WHERE NOT a.exclusive AND a.status IN ${HOLDING} AND a.org_id = ${summary.orgId}
            GROUP BY a.space_id, a.id
          ) x JOIN spaces s ON s.id = x.space_id
          GROUP BY s.id, s.capacity`,
    );
    expect(peaks.length).toBeGreaterThan(0);
    for (const p of peaks) expect(p.peak_people).toBeLessThanOrEqual(p.capacity);
    expect(Math.max(...peaks.map((p) => p.peak_bookings))).toBeGreaterThan(1);
  });

  it('mixes statuses as a live system would: history mostly completed, upcoming mostly confirmed', async () => {
    const rows = await queryRows<{ status: string; past: boolean; future: boolean; count: number }>(
      database.db,
      sql`SELECT status, end_at <= ${NOW.toISOString()}::timestamptz AS past, start_at > ${NOW.toISOString()}::timestamptz AS future,
                 count(*)::int AS count
          FROM bookings WHERE org_id = ${summary.orgId} GROUP BY 1, 2, 3`,
    );
    const total = (filter: (r: (typeof rows)[number]) => boolean) => rows.filter(filter).reduce((n, r) => n + r.count, 0);
    for (const r of rows) {
      if (r.past) expect(['completed', 'cancelled', 'no_show', 'rejected', 'expired']).toContain(r.status);
      else if (r.future) expect(['confirmed', 'pending', 'cancelled']).toContain(r.status);
      else expect(['checked_in', 'confirmed']).toContain(r.status);
    }
    expect(total((r) => r.past && r.status === 'completed') / total((r) => r.past)).toBeGreaterThan(0.6);
    expect(total((r) => r.future && r.status === 'confirmed') / total((r) => r.future)).toBeGreaterThan(0.5);
    expect(total((r) => r.future)).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.status)).size).toBeGreaterThanOrEqual(4);
  });

  it('keeps bookings inside opening hours and on each space’s slot grid', async () => {
    const bookings = await queryRows<{ start_ms: number; end_ms: number; hours: WeeklyHours; zone: string; slot: number }>(
      database.db,
      sql`SELECT (extract(epoch FROM b.start_at) * 1000)::float8 AS start_ms, (extract(epoch FROM b.end_at) * 1000)::float8 AS end_ms,
                 si.opening_hours AS hours, si.timezone AS zone, coalesce((sp.policy ->> 'slotMinutes')::int, 30) AS slot
          FROM bookings b JOIN spaces sp ON sp.id = b.space_id JOIN sites si ON si.id = b.site_id
          WHERE b.org_id = ${summary.orgId}`,
    );
    for (const b of bookings) {
      const range = { start: b.start_ms, end: b.end_ms };
      expect(isWithinOpenRanges(range, openRanges(b.hours, b.zone, range))).toBe(true);
      const dayStart = localDayRange(localDatesBetween(range, b.zone)[0]!, b.zone).start;
      expect(((b.start_ms - dayStart) / 60_000) % b.slot).toBe(0);
      expect(((b.end_ms - b.start_ms) / 60_000) % b.slot).toBe(0);
    }
  });

  it('says why, and writes nothing, when the bookings cannot fit the opening hours', async () => {
    const attempt = generatePortfolio(database.db, { sites: 1, spacesPerSite: 1, bookings: 100_000, days: 7, orgSlug: 'too-full' });
    await expect(attempt).rejects.toThrow(/time blocks/);
    expect(await countOf(sql`SELECT count(*)::int AS count FROM organizations WHERE slug = 'too-full'`)).toBe(0);
  });

  it('refuses to run twice into the same organization without --force', async () => {
    await expect(generatePortfolio(database.db, SMALL)).rejects.toThrow(SeedRefusedError);
  });

  it('with --force replaces all data and regenerates the same bookings from the same seed, with events', async () => {
    // Rows as a benchmark would see them: where, when, what state; ids are new on every run.
    const fingerprint = () =>
      queryRows<{ row: string }>(
        database.db,
        sql`SELECT concat_ws('|', si.name, sp.name, b.start_at, b.end_at, b.status, b.party_size) AS row
            FROM bookings b JOIN spaces sp ON sp.id = b.space_id JOIN sites si ON si.id = b.site_id
            JOIN organizations o ON o.id = b.org_id WHERE o.slug = 'bench' ORDER BY 1`,
      );
    const before = await fingerprint();
    expect(before).toHaveLength(2000);
    const again = await generatePortfolio(database.db, { ...SMALL, force: true, events: true });
    expect(again.bookingEvents).toBe(2000);
    expect(await fingerprint()).toEqual(before);
    expect(await countOf(sql`SELECT count(*)::int AS count FROM organizations`)).toBe(1);
    expect(
      await countOf(
        sql`SELECT count(*)::int AS count FROM booking_events e JOIN bookings b ON b.id = e.booking_id
            WHERE e.to_status = b.status AND e.from_status IS NULL`,
      ),
    ).toBe(2000);
  });
});
