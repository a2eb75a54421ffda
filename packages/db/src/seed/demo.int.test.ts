import { verify } from '@node-rs/argon2';
import { PolicyRules, WeeklyHours } from '@linli/contracts';
import {
  findPolicyProblems,
  getEffectivePolicy,
  isWithinOpenRanges,
  localDatesBetween,
  localDayRange,
  openRanges,
} from '@linli/domain';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../client.ts';
import { openIsolatedDatabase } from '../testing.ts';
import { DEMO_PASSWORD, type DemoSummary, databaseHasData, planDemoPortfolio, seedDemoPortfolio } from './demo.ts';
import { SeedRefusedError } from './errors.ts';
import { queryRows } from './query-rows.ts';

// Wednesday 14:20 in Shanghai: the demo then has history, a booking in progress, and upcoming bookings.
const NOW = new Date('2026-11-18T06:20:00Z');

let database: DatabaseHandle;
let summary: DemoSummary;
let hadDataBeforeSeeding: boolean;
let seedSeconds: number;

beforeAll(async () => {
  database = await openIsolatedDatabase(inject('databaseTemplate'));
  hadDataBeforeSeeding = await databaseHasData(database.db);
  const started = performance.now();
  summary = await seedDemoPortfolio(database.db, { now: NOW });
  seedSeconds = (performance.now() - started) / 1000;
});

afterAll(async () => {
  await database?.close();
});

interface SiteRow extends Record<string, unknown> {
  id: string;
  name: string;
  kind: string;
  district: string;
  subdistrict: string | null;
  lat: number;
  lng: number;
  timezone: string;
  opening_hours: WeeklyHours;
  policy: PolicyRules;
}

/** Instants as epoch ms: the drivers disagree on whether raw timestamptz comes back as Date or text. */
const epochMs = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);

const selectSites = () =>
  queryRows<SiteRow>(
    database.db,
    sql`SELECT id, name, kind, district, subdistrict, lat, lng, timezone, opening_hours, policy FROM sites ORDER BY id`,
  );

/** What a resident would recognise across two seeds: names and sizes, not ids. */
const selectPortfolioFingerprint = () =>
  queryRows<{ site: string; space: string; capacity: number; booking_mode: string }>(
    database.db,
    sql`SELECT si.name AS site, sp.name AS space, sp.capacity, sp.booking_mode
        FROM spaces sp JOIN sites si ON si.id = sp.site_id ORDER BY si.id, sp.id`,
  );

describe('demo portfolio', () => {
  it('seeds an empty database, which then reports having data', async () => {
    expect(hadDataBeforeSeeding).toBe(false);
    expect(await databaseHasData(database.db)).toBe(true);
    expect(summary.orgSlug).toBe('demo');
  });

  it('seeds in well under 10 seconds, so `npm start` on an empty database is not held up', () => {
    expect(seedSeconds).toBeLessThan(10);
  });

  it('spans at least 30 sites in at least 6 Shanghai districts, of all three kinds', async () => {
    const sites = await selectSites();
    expect(sites.length).toBeGreaterThanOrEqual(30);
    expect(sites.length).toBe(summary.sites);
    expect(new Set(sites.map((s) => s.district)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(sites.map((s) => s.kind))).toEqual(new Set(['neighborhood_center', 'white_collar_hub', 'study_room']));
    expect(new Set(sites.map((s) => s.name)).size).toBe(sites.length);
    for (const site of sites) {
      expect(site.subdistrict).toMatch(/(街道|镇)$/);
      expect(site.timezone).toBe('Asia/Shanghai');
      // Inside Shanghai's bounding box: a swapped lat/lng would put a site in the sea or in another province.
      expect(site.lat).toBeGreaterThan(30.6);
      expect(site.lat).toBeLessThan(31.9);
      expect(site.lng).toBeGreaterThan(120.8);
      expect(site.lng).toBeLessThan(122.2);
    }
  });

  it("gives every site opening hours the API accepts, open on at least one day", async () => {
    for (const site of await selectSites()) {
      const parsed = WeeklyHours.safeParse(site.opening_hours);
      expect(parsed.success, `${site.name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      expect(Object.values(site.opening_hours).some((day) => day.length > 0), site.name).toBe(true);
    }
  });

  it('has at least 150 spaces: shared study seats for 40-120 people and exclusive rooms for 6-80', async () => {
    const spaces = await queryRows<{ booking_mode: string; capacity: number; kind: string }>(
      database.db,
      sql`SELECT booking_mode, capacity, kind FROM spaces`,
    );
    expect(spaces.length).toBeGreaterThanOrEqual(150);
    expect(spaces.length).toBe(summary.spaces);
    const shared = spaces.filter((s) => s.booking_mode === 'shared_capacity');
    const exclusive = spaces.filter((s) => s.booking_mode === 'exclusive');
    expect(shared.length).toBeGreaterThan(0);
    for (const space of shared) expect(space.capacity).toSatisfy((c: number) => c >= 40 && c <= 120);
    for (const space of exclusive) expect(space.capacity).toSatisfy((c: number) => c >= 6 && c <= 80);
    expect([...new Set(spaces.map((s) => s.kind))]).toEqual(
      expect.arrayContaining(['activity_room', 'meeting_room', 'hall', 'kitchen', 'gym', 'study_area']),
    );
  });

  it('sets policies the API accepts and whose merged values do not contradict each other', async () => {
    const [org] = await queryRows<{ policy: PolicyRules }>(database.db, sql`SELECT policy FROM organizations`);
    expect(org!.policy.quotaPerWeekCount).toBe(10);
    const rows = await queryRows<{ name: string; site_policy: PolicyRules; space_policy: PolicyRules; kind: string }>(
      database.db,
      sql`SELECT sp.name, sp.kind, si.policy AS site_policy, sp.policy AS space_policy
          FROM spaces sp JOIN sites si ON si.id = sp.site_id`,
    );
    for (const row of rows) {
      expect(PolicyRules.safeParse(row.space_policy).success, row.name).toBe(true);
      expect(PolicyRules.safeParse(row.site_policy).success, row.name).toBe(true);
      const effective = getEffectivePolicy({ org: org!.policy, site: row.site_policy, space: row.space_policy });
      expect(findPolicyProblems(effective.values), row.name).toEqual([]);
    }
    expect(rows.filter((r) => r.kind === 'hall').every((r) => r.space_policy.approvalRequired === true)).toBe(true);
    const seats = rows.filter((r) => r.kind === 'study_area');
    expect(seats.every((r) => r.space_policy.slotMinutes === 60 && r.space_policy.checkInRequired === true)).toBe(true);
  });

  it('closes the whole org for a holiday, one district, and one site for maintenance', async () => {
    const closures = await queryRows<{ scope: string; reason: string }>(database.db, sql`SELECT scope, reason FROM closures`);
    expect(closures.map((c) => c.scope).sort()).toEqual(['district', 'org', 'site']);
    expect(closures.find((c) => c.scope === 'org')!.reason).toContain('元旦');
  });

  it('links every manager and staff member to sites, and staffs every site', async () => {
    const unlinked = await queryRows<{ email: string }>(
      database.db,
      sql`SELECT email FROM users u WHERE role IN ('site_manager', 'staff')
          AND NOT EXISTS (SELECT 1 FROM user_sites us WHERE us.user_id = u.id)`,
    );
    expect(unlinked).toEqual([]);
    const unstaffed = await queryRows<{ name: string }>(
      database.db,
      sql`SELECT name FROM sites s WHERE NOT EXISTS (
            SELECT 1 FROM user_sites us JOIN users u ON u.id = us.user_id WHERE us.site_id = s.id AND u.role = 'staff')`,
    );
    expect(unstaffed).toEqual([]);
    const [staff1] = await queryRows<{ sites: number }>(
      database.db,
      sql`SELECT count(*)::int AS sites FROM user_sites us JOIN users u ON u.id = us.user_id WHERE u.email = 'staff1@demo.linli.dev'`,
    );
    expect(staff1!.sites).toBeGreaterThanOrEqual(2);
  });

  it('has residents with a home site and phone, and logins whose password really is linli-demo', async () => {
    const residents = await queryRows<{ phone: string; home_site_id: string | null; display_name: string }>(
      database.db,
      sql`SELECT phone, home_site_id, display_name FROM users WHERE role = 'resident' ORDER BY phone`,
    );
    expect(residents.length).toBeGreaterThanOrEqual(50);
    expect(residents[0]!.phone).toBe('13900000001');
    expect(residents.every((r) => r.home_site_id !== null && /^[\u4e00-\u9fff]{2,3}$/.test(r.display_name))).toBe(true);
    for (const login of summary.logins) {
      const [user] = await queryRows<{ password_hash: string; role: string }>(
        database.db,
        sql`SELECT password_hash, role FROM users WHERE email = ${login.login} OR phone = ${login.login}`,
      );
      expect(user?.role, login.login).toBe(login.role);
      expect(await verify(user!.password_hash, DEMO_PASSWORD)).toBe(true);
    }
  });
});

describe('demo bookings', () => {
  interface BookingRow extends Record<string, unknown> {
    id: string;
    start_ms: number;
    end_ms: number;
    status: string;
    exclusive: boolean;
    booking_mode: string;
    site_id: string;
    district: string;
    opening_hours: WeeklyHours;
    timezone: string;
    slot_minutes: number | null;
  }
  const selectBookings = () =>
    queryRows<BookingRow>(
      database.db,
      sql`SELECT b.id, ${epochMs('b.start_at')} AS start_ms, ${epochMs('b.end_at')} AS end_ms, b.status, b.exclusive, sp.booking_mode, b.site_id, si.district,
                 si.opening_hours, si.timezone, (sp.policy ->> 'slotMinutes')::int AS slot_minutes
          FROM bookings b JOIN spaces sp ON sp.id = b.space_id JOIN sites si ON si.id = b.site_id`,
    );

  it('fills the week before and after now with bookings whose statuses fit their time', async () => {
    const bookings = await selectBookings();
    expect(bookings.length).toBe(summary.bookings);
    expect(bookings.length).toBeGreaterThanOrEqual(20);
    const now = NOW.getTime();
    for (const b of bookings) {
      if (b.end_ms <= now) expect(['completed', 'no_show', 'cancelled']).toContain(b.status);
      else if (b.start_ms <= now) expect(b.status).toBe('checked_in');
      else expect(['confirmed', 'pending', 'cancelled']).toContain(b.status);
      expect(b.exclusive).toBe(b.booking_mode === 'exclusive');
    }
    expect(new Set(bookings.map((b) => b.status)).size).toBeGreaterThanOrEqual(5);
  });

  it('puts every booking inside its site’s opening hours, off closed days, on the slot grid', async () => {
    const closures = await queryRows<{ scope: string; district: string | null; site_id: string | null; start_date: string; end_date: string }>(
      database.db,
      sql`SELECT scope, district, site_id, start_date::text, end_date::text FROM closures`,
    );
    for (const b of await selectBookings()) {
      const range = { start: b.start_ms, end: b.end_ms };
      const closed = closures
        .filter((c) => c.scope === 'org' || c.district === b.district || c.site_id === b.site_id)
        .map((c) => ({ startDate: c.start_date, endDate: c.end_date }));
      expect(isWithinOpenRanges(range, openRanges(b.opening_hours, b.timezone, range, closed)), b.id).toBe(true);
      const dayStart = localDayRange(localDatesBetween(range, b.timezone)[0]!, b.timezone).start;
      expect(((range.start - dayStart) / 60_000) % (b.slot_minutes ?? 30)).toBe(0);
      expect(((range.end - range.start) / 60_000) % (b.slot_minutes ?? 30)).toBe(0);
    }
  });

  it('records each booking’s history in booking_events, ending in its current status', async () => {
    const histories = await queryRows<{ status: string; version: number; first_from: string | null; last_to: string; events: number }>(
      database.db,
      sql`SELECT b.status, b.version, count(e.id)::int AS events,
                 (array_agg(e.from_status ORDER BY e.at, e.id))[1] AS first_from,
                 (array_agg(e.to_status ORDER BY e.at DESC, e.id DESC))[1] AS last_to
          FROM bookings b LEFT JOIN booking_events e ON e.booking_id = b.id GROUP BY b.id`,
    );
    for (const h of histories) {
      expect(h.events).toBeGreaterThanOrEqual(1);
      expect(h.first_from).toBeNull();
      expect(h.last_to).toBe(h.status);
      expect(h.version).toBe(h.events);
    }
  });

  it('never double-books an exclusive room nor overfills a study area', async () => {
    const [overlaps] = await queryRows<{ count: number }>(
      database.db,
      sql`SELECT count(*)::int AS count FROM bookings a JOIN bookings b
            ON a.space_id = b.space_id AND a.id < b.id AND a.during && b.during
          WHERE a.exclusive AND a.status IN ('pending','confirmed','checked_in') AND b.status IN ('pending','confirmed','checked_in')`,
    );
    expect(overlaps!.count).toBe(0);
    const [overfull] = await queryRows<{ count: number }>(
      database.db,
      sql`SELECT count(*)::int AS count FROM (
            SELECT a.id FROM bookings a JOIN bookings b ON b.space_id = a.space_id AND b.during @> a.start_at
              AND b.status IN ('pending','confirmed','checked_in')
            JOIN spaces s ON s.id = a.space_id
            WHERE NOT a.exclusive AND a.status IN ('pending','confirmed','checked_in')
            GROUP BY a.id, s.capacity HAVING sum(b.party_size) > s.capacity) x`,
    );
    expect(overfull!.count).toBe(0);
  });
});

describe('seeding again', () => {
  it('refuses without --force and leaves the data alone', async () => {
    const before = await selectPortfolioFingerprint();
    const attempt = seedDemoPortfolio(database.db, { now: NOW });
    await expect(attempt).rejects.toThrow(SeedRefusedError);
    await expect(attempt).rejects.toThrow(/--force/);
    expect(await selectPortfolioFingerprint()).toEqual(before);
  });

  it('with --force replaces everything with the same portfolio: same sites, same rooms, same order', async () => {
    const sitesBefore = (await selectSites()).map((s) => s.name);
    const portfolioBefore = await selectPortfolioFingerprint();
    const again = await seedDemoPortfolio(database.db, { now: NOW, force: true });
    expect((await selectSites()).map((s) => s.name)).toEqual(sitesBefore);
    expect(await selectPortfolioFingerprint()).toEqual(portfolioBefore);
    expect(again).toEqual(summary);
    const [orgs] = await queryRows<{ count: number }>(database.db, sql`SELECT count(*)::int AS count FROM organizations`);
    expect(orgs!.count).toBe(1);
  });

  it('plans the same portfolio from the fixed seed every time (pure, no database)', () => {
    const first = planDemoPortfolio(NOW);
    const second = planDemoPortfolio(NOW);
    expect(second.sites.map((s) => s.name)).toEqual(first.sites.map((s) => s.name));
    expect(second.bookings.map((b) => [b.startAt, b.status])).toEqual(first.bookings.map((b) => [b.startAt, b.status]));
  });
});
