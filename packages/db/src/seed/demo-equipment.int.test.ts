import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../client.ts';
import { openIsolatedDatabase } from '../testing.ts';
import { planDemoPortfolio, seedDemoPortfolio } from './demo.ts';
import { queryRows } from './query-rows.ts';

// Wednesday 14:20 in Shanghai, as in demo.int.test.ts.
const NOW = new Date('2026-11-18T06:20:00Z');
const DAY = 86_400_000;

let database: DatabaseHandle;

beforeAll(async () => {
  database = await openIsolatedDatabase(inject('databaseTemplate'));
  await seedDemoPortfolio(database.db, { now: NOW });
});

afterAll(async () => {
  await database?.close();
});

/** Instants as epoch ms: the drivers disagree on whether raw timestamptz comes back as Date or text. */
const epochMs = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);

interface LoanFacts {
  id: string;
  lender: string;
  borrower: string;
  type: string;
  quantity: number;
  status: string;
  claimStart: number;
  claimEnd: number;
}

interface StockFacts {
  inService: number;
  lendable: number;
  owned: number;
}

const HOLDING = ['requested', 'approved', 'dispatched', 'received', 'returned'];
const OUT = ['dispatched', 'received'];

/**
 * Loans of one lender and type that exceed a limit at some instant: the sum of the quantities of the loans whose
 * claim window covers it, checked at every loan's start and end. Units still out after their window hold on until
 * they come back (an overdue loan keeps them), so such a loan counts to the end of time.
 */
function overCommitments(loans: readonly LoanFacts[], limitOf: (lender: string, type: string) => number, now: number): string[] {
  const groups = new Map<string, LoanFacts[]>();
  for (const loan of loans) groups.set(`${loan.lender}|${loan.type}`, [...(groups.get(`${loan.lender}|${loan.type}`) ?? []), loan]);
  const found: string[] = [];
  for (const [key, group] of groups) {
    const [lender, type] = key.split('|') as [string, string];
    const occupied = group.map((l) => ({ ...l, end: OUT.includes(l.status) && l.claimEnd <= now ? Number.POSITIVE_INFINITY : l.claimEnd }));
    for (const instant of occupied.flatMap((l) => [l.claimStart, l.end])) {
      const held = occupied.filter((l) => l.claimStart <= instant && instant < l.end).reduce((n, l) => n + l.quantity, 0);
      if (held > limitOf(lender, type)) found.push(`${key} holds ${held} > ${limitOf(lender, type)} at ${new Date(instant).toISOString()}`);
    }
  }
  return found;
}

async function selectLoans(): Promise<LoanFacts[]> {
  return queryRows<LoanFacts & Record<string, unknown>>(
    database.db,
    sql`SELECT id, lender_site_id AS lender, borrower_site_id AS borrower, type_id AS type, quantity, status,
               ${epochMs('claim_start')} AS "claimStart", ${epochMs('claim_end')} AS "claimEnd"
        FROM equipment_loans`,
  );
}

async function selectStock(): Promise<Map<string, StockFacts>> {
  const rows = await queryRows<{ key: string; in_service: number; lendable: number; owned: number }>(
    database.db,
    sql`SELECT site_id || '|' || type_id AS key, sum(in_service)::int AS in_service,
               coalesce(sum(in_service) FILTER (WHERE lendable), 0)::int AS lendable, sum(in_service + damaged + missing)::int AS owned
        FROM equipment_holdings GROUP BY site_id, type_id`,
  );
  return new Map(rows.map((r) => [r.key, { inService: r.in_service, lendable: r.lendable, owned: r.owned }]));
}

describe('demo equipment pool', () => {
  it('has seven types named in Chinese and English, three tracked, each with a loan limit of its own', async () => {
    const types = await queryRows<{ key: string; name_zh: string; name_en: string; tracked: boolean; max_loan_days: number }>(
      database.db,
      sql`SELECT key, name_zh, name_en, tracked, max_loan_days FROM equipment_types ORDER BY key`,
    );
    expect(types.map((t) => t.key)).toEqual(['board_game_kit', 'folding_chair', 'pa_system', 'projector', 'round_table', 'tent', 'wheelchair']);
    expect(types.filter((t) => t.tracked).map((t) => t.key)).toEqual(['pa_system', 'projector', 'wheelchair']);
    for (const t of types) {
      expect(t.name_zh).toMatch(/\p{Script=Han}/u);
      expect(t.name_en).toMatch(/^[A-Z][A-Za-z -]+$/);
      expect(t.max_loan_days).toBeGreaterThanOrEqual(7);
      expect(t.max_loan_days).toBeLessThanOrEqual(30);
    }
    const [settings] = await queryRows<{ count: number }>(database.db, sql`SELECT count(*)::int AS count FROM equipment_settings`);
    expect(settings!.count).toBe(1);
  });

  it('owns a few hundred units across the sites; some sites own nothing and some stock is kept for its own site', async () => {
    const [pool] = await queryRows<{ units: number; owners: number; sites: number; kept: number; kept_tracked: number }>(
      database.db,
      sql`SELECT sum(h.in_service + h.damaged + h.missing)::int AS units, count(DISTINCT h.site_id)::int AS owners,
                 (SELECT count(*)::int FROM sites) AS sites,
                 count(*) FILTER (WHERE NOT h.lendable AND h.asset_tag IS NULL)::int AS kept,
                 count(*) FILTER (WHERE NOT h.lendable AND h.asset_tag IS NOT NULL)::int AS kept_tracked
          FROM equipment_holdings h`,
    );
    expect(pool!.units).toBeGreaterThanOrEqual(200);
    expect(pool!.units).toBeLessThanOrEqual(1000);
    expect(pool!.owners).toBeGreaterThanOrEqual(pool!.sites / 2);
    expect(pool!.owners).toBeLessThan(pool!.sites);
    expect(pool!.kept + pool!.kept_tracked).toBeGreaterThanOrEqual(1);
    const [added] = await queryRows<{ holdings: number; with_event: number }>(
      database.db,
      sql`SELECT count(*)::int AS holdings, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM equipment_holding_events e WHERE e.holding_id = h.id AND e.kind = 'added'))::int AS with_event
          FROM equipment_holdings h`,
    );
    expect(added!.with_event).toBe(added!.holdings);
  });

  it('tags every tracked item like PJ-XH02-01, once, one unit each', async () => {
    const items = await queryRows<{ asset_tag: string; key: string; units: number }>(
      database.db,
      sql`SELECT h.asset_tag, t.key, h.in_service + h.damaged + h.missing AS units
          FROM equipment_holdings h JOIN equipment_types t ON t.id = h.type_id WHERE t.tracked`,
    );
    expect(items.length).toBeGreaterThanOrEqual(15);
    const prefixes: Record<string, string> = { projector: 'PJ', pa_system: 'PA', wheelchair: 'WC' };
    for (const item of items) {
      expect(item.asset_tag).toMatch(new RegExp(`^${prefixes[item.key]}-[A-Z]{2}\\d{2}-\\d{2}$`));
      expect(item.units).toBe(1);
    }
    expect(new Set(items.map((i) => i.asset_tag)).size).toBe(items.length);
  });

  it('lends about thirty past loans, all back and checked, two of them damaged, which the holdings and their events show', async () => {
    const [past] = await queryRows<{ checked: number; damaged_loans: number; damaged_units: number }>(
      database.db,
      sql`SELECT count(*)::int AS checked, count(*) FILTER (WHERE returned_damaged > 0)::int AS damaged_loans,
                 coalesce(sum(returned_damaged), 0)::int AS damaged_units
          FROM equipment_loans WHERE status = 'checked'`,
    );
    expect(past!.checked).toBeGreaterThanOrEqual(25);
    expect(past!.checked).toBeLessThanOrEqual(40);
    expect(past!.damaged_loans).toBe(2);
    const [held] = await queryRows<{ damaged: number; events: number; event_units: number }>(
      database.db,
      sql`SELECT (SELECT sum(damaged)::int FROM equipment_holdings) AS damaged,
                 count(*)::int AS events, sum(e.units)::int AS event_units
          FROM equipment_holding_events e JOIN equipment_loans l ON l.id = e.loan_id
          WHERE e.kind = 'damaged' AND l.returned_damaged > 0 AND e.units = l.returned_damaged`,
    );
    expect(held!.damaged).toBe(past!.damaged_units);
    expect(held!.events).toBe(2);
    expect(held!.event_units).toBe(past!.damaged_units);
    const [item] = await queryRows<{ count: number }>(
      database.db,
      sql`SELECT count(*)::int AS count FROM equipment_holdings h JOIN equipment_loan_items i ON i.holding_id = h.id
          JOIN equipment_loans l ON l.id = i.loan_id WHERE h.asset_tag IS NOT NULL AND h.damaged = 1 AND l.returned_damaged = 1`,
    );
    expect(item!.count).toBe(1);
  });

  it('has exactly one loan in transit, arriving soon, and exactly one overdue: received, due back yesterday, flagged', async () => {
    const now = NOW.getTime();
    const transit = await queryRows<{ claim_start: number; use_start: number }>(
      database.db,
      sql`SELECT ${epochMs('claim_start')} AS claim_start, ${epochMs('use_start')} AS use_start FROM equipment_loans WHERE status = 'dispatched'`,
    );
    expect(transit).toHaveLength(1);
    expect(transit[0]!.claim_start).toBeLessThanOrEqual(now);
    expect(transit[0]!.use_start).toBeGreaterThan(now);
    expect(transit[0]!.use_start).toBeLessThan(now + 6 * 3_600_000);

    const overdue = await queryRows<{ status: string; claim_end: number; overdue_at: number | null; flag_events: number }>(
      database.db,
      sql`SELECT status, ${epochMs('claim_end')} AS claim_end, ${epochMs('overdue_at')} AS overdue_at,
                 (SELECT count(*)::int FROM equipment_loan_events e WHERE e.loan_id = l.id AND e.reason = 'overdue') AS flag_events
          FROM equipment_loans l WHERE overdue_at IS NOT NULL OR (status IN ('dispatched', 'received') AND claim_end <= ${NOW.toISOString()})`,
    );
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.status).toBe('received');
    expect(overdue[0]!.overdue_at).toBeGreaterThanOrEqual(overdue[0]!.claim_end);
    expect(overdue[0]!.overdue_at).toBeLessThanOrEqual(now);
    expect(new Date(overdue[0]!.claim_end + 8 * 3_600_000).toISOString().slice(0, 10)).toBe(new Date(now - DAY + 8 * 3_600_000).toISOString().slice(0, 10));
    expect(overdue[0]!.flag_events).toBe(1);
  });

  it('never claims more units than a lender has in service, nor lends out more than it lends, at any instant', async () => {
    const loans = await selectLoans();
    const stock = await selectStock();
    const limit = (field: keyof StockFacts) => (lender: string, type: string) => stock.get(`${lender}|${type}`)?.[field] ?? 0;
    const holding = loans.filter((l) => HOLDING.includes(l.status));
    expect(holding.length).toBeGreaterThanOrEqual(5);
    expect(overCommitments(holding, limit('inService'), NOW.getTime())).toEqual([]);
    expect(overCommitments(holding.filter((l) => l.lender !== l.borrower), limit('lendable'), NOW.getTime())).toEqual([]);
    // Loans already checked were judged against what the lender owned then (damage came off after).
    const made = loans.filter((l) => l.status !== 'rejected' && l.status !== 'cancelled');
    expect(overCommitments(made, limit('owned'), NOW.getTime())).toEqual([]);
    expect(loans.every((l) => l.lender !== l.borrower)).toBe(true);
  });

  it('records every step of every loan in order, ending in its status, with the windows the database requires', async () => {
    const histories = await queryRows<{ status: string; version: number; steps: string[]; froms: (string | null)[]; last_at: number; first_at: number; created: number }>(
      database.db,
      sql`SELECT l.status, l.version, ${epochMs('l.created_at')} AS created,
                 array_agg(e.to_status ORDER BY e.at, e.id) AS steps, array_agg(e.from_status ORDER BY e.at, e.id) AS froms,
                 ${epochMs('max(e.at)')} AS last_at, ${epochMs('min(e.at)')} AS first_at
          FROM equipment_loans l JOIN equipment_loan_events e ON e.loan_id = l.id GROUP BY l.id`,
    );
    const [loans] = await queryRows<{ count: number }>(database.db, sql`SELECT count(*)::int AS count FROM equipment_loans`);
    expect(histories).toHaveLength(loans!.count);
    for (const h of histories) {
      expect(h.froms[0]).toBeNull();
      expect(h.steps[0]).toBe('requested');
      expect(h.steps.at(-1)).toBe(h.status);
      for (let i = 1; i < h.steps.length; i++) expect(h.froms[i]).toBe(h.steps[i - 1]);
      expect(h.version).toBe(h.steps.length);
      expect(h.first_at).toBe(h.created);
      expect(h.last_at).toBeLessThanOrEqual(NOW.getTime());
    }
  });

  it('gives each tracked loan that left its lender as many of the lender’s items as units, never one item to two loans at once', async () => {
    const items = await queryRows<{ loan_id: string; quantity: number; items: number; foreign: number }>(
      database.db,
      sql`SELECT l.id AS loan_id, l.quantity, count(i.holding_id)::int AS items,
                 count(*) FILTER (WHERE h.site_id <> l.lender_site_id OR h.type_id <> l.type_id OR NOT h.lendable)::int AS foreign
          FROM equipment_loans l JOIN equipment_types t ON t.id = l.type_id
          LEFT JOIN equipment_loan_items i ON i.loan_id = l.id LEFT JOIN equipment_holdings h ON h.id = i.holding_id
          WHERE t.tracked AND l.status IN ('dispatched', 'received', 'returned', 'checked') GROUP BY l.id`,
    );
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const loan of items) {
      expect(loan.items, loan.loan_id).toBe(loan.quantity);
      expect(loan.foreign).toBe(0);
    }
    const [clashes] = await queryRows<{ count: number }>(
      database.db,
      sql`SELECT count(*)::int AS count FROM equipment_loan_items a JOIN equipment_loan_items b ON a.holding_id = b.holding_id AND a.loan_id < b.loan_id
          JOIN equipment_loans la ON la.id = a.loan_id JOIN equipment_loans lb ON lb.id = b.loan_id
          WHERE la.claim_start < lb.claim_end AND lb.claim_start < la.claim_end`,
    );
    expect(clashes!.count).toBe(0);
  });

  it('has upcoming requests, some approved, some for activity sessions at the borrowing site, and a few refused requests', async () => {
    const upcoming = await queryRows<{ status: string; session_site: string | null; borrower: string; in_session: boolean | null }>(
      database.db,
      sql`SELECT l.status, s.site_id AS session_site, l.borrower_site_id AS borrower,
                 (l.use_start = s.start_at AND l.use_end = s.end_at) AS in_session
          FROM equipment_loans l LEFT JOIN activity_sessions s ON s.id = l.session_id
          WHERE l.status IN ('requested', 'approved')`,
    );
    expect(upcoming.filter((l) => l.status === 'approved').length).toBeGreaterThanOrEqual(1);
    expect(upcoming.filter((l) => l.status === 'requested').length).toBeGreaterThanOrEqual(1);
    const forSessions = upcoming.filter((l) => l.session_site !== null);
    expect(forSessions.length).toBeGreaterThanOrEqual(1);
    for (const loan of forSessions) {
      expect(loan.session_site).toBe(loan.borrower);
      expect(loan.in_session).toBe(true);
    }
    const [refusals] = await queryRows<{ count: number; bad: number }>(
      database.db,
      sql`SELECT count(*)::int AS count, count(*) FILTER (WHERE shortfall > quantity OR use_end <= use_start OR at > ${NOW.toISOString()})::int AS bad FROM equipment_refusals`,
    );
    expect(refusals!.count).toBeGreaterThanOrEqual(3);
    expect(refusals!.bad).toBe(0);
  });
});

describe('demo equipment pool at other times', () => {
  // Sunday just before midnight and Monday just after it, local time: "yesterday" and "soon" move with now.
  it.each(['2026-11-22T15:50:00Z', '2026-11-22T16:10:00Z', '2027-03-01T01:00:00Z'])('plans one loan in transit and one overdue, never over-committed, at %s', (iso) => {
    const now = new Date(iso).getTime();
    const { equipment } = planDemoPortfolio(new Date(iso));
    const loans = equipment.loans.map((l) => ({
      id: l.id,
      lender: l.lenderSiteId,
      borrower: l.borrowerSiteId,
      type: l.typeId,
      quantity: l.quantity,
      status: l.status,
      claimStart: l.claimStart.getTime(),
      claimEnd: l.claimEnd.getTime(),
    }));
    expect(loans.filter((l) => l.status === 'dispatched')).toHaveLength(1);
    expect(equipment.loans.filter((l) => l.overdueAt)).toHaveLength(1);
    expect(loans.filter((l) => OUT.includes(l.status) && l.claimEnd <= now)).toHaveLength(1);
    const inService = new Map<string, number>();
    for (const h of equipment.holdings) inService.set(`${h.siteId}|${h.typeId}`, (inService.get(`${h.siteId}|${h.typeId}`) ?? 0) + h.inService);
    expect(overCommitments(loans.filter((l) => HOLDING.includes(l.status)), (lender, type) => inService.get(`${lender}|${type}`) ?? 0, now)).toEqual([]);
    expect(equipment.loanEvents.every((e) => e.at!.getTime() <= now)).toBe(true);
  });
});
