/**
 * The demo's equipment pool (issue #12): seven types, a few hundred units across the demo sites (some own nothing,
 * some keep stock for themselves), and loans between sites with their whole history: about thirty past loans that
 * came back and were checked (two with damage, which the holdings and their events reflect), a few upcoming
 * requests (some for the borrower's activity sessions), exactly one loan in transit and exactly one overdue.
 *
 * Every loan is planned the way the API would judge it (`judgeLoan` via `unitsFree`, nearest lenders first, transit
 * each way), against the stock as it stands after the damage, so the units claimed never exceed the units in
 * service at any instant. Pure planning from the demo's seeded random source and `now`: no I/O here.
 */
import {
  type HoldingLoan,
  type InstantRange,
  type LoanStatus,
  type SiteStock,
  type TransitSettings,
  addDaysToLocalDate,
  claimWindow,
  judgeLoan,
  localDateOf,
  localTimeToInstant,
  rankLenders,
  siteDistanceKm,
  splitAcrossLenders,
  transitMs,
  unitsFree,
} from '@linli/domain';
import { v7 as uuidv7 } from 'uuid';
import type {
  equipmentHoldingEvents,
  equipmentHoldings,
  equipmentLoanEvents,
  equipmentLoanItems,
  equipmentLoans,
  equipmentRefusals,
  equipmentSettings,
  equipmentTypes,
} from '../schema.ts';
import type { SeededRandom } from './random.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Handling time and city traffic for the demo operator's van (the defaults are 60 min + 4 min/km). */
export const DEMO_TRANSIT: TransitSettings = { transitBaseMinutes: 45, transitMinutesPerKm: 3 };
/** How many past loans came back and were checked. */
const PAST_LOANS = 30;
/** When the pool was registered: the holdings' "added" events. */
const POOL_REGISTERED_DAYS_AGO = 90;
const SITES_OWNING_NOTHING = 0.2;
const KEPT_FOR_OWN_USE = 0.12;

type TypeKey = 'projector' | 'pa_system' | 'wheelchair' | 'folding_chair' | 'round_table' | 'tent' | 'board_game_kit';

interface TypeTemplate {
  key: TypeKey;
  nameZh: string;
  nameEn: string;
  tracked: boolean;
  maxLoanDays: number;
  /** Asset tags of tracked items: `PJ-XH02-01`. */
  tagPrefix?: string;
  serialPrefix?: string;
  /** How many units a borrower asks for at once. */
  ask: { min: number; max: number; step: number };
  /** What people borrow it for. */
  purposes: readonly string[];
  /** How often it is borrowed, relative to the others. */
  weight: number;
}

const TYPES: readonly TypeTemplate[] = [
  {
    key: 'projector',
    nameZh: '投影仪',
    nameEn: 'Projector',
    tracked: true,
    maxLoanDays: 7,
    tagPrefix: 'PJ',
    serialPrefix: 'EB-X51-',
    ask: { min: 1, max: 2, step: 1 },
    purposes: ['社区电影放映', '健康讲座投影', '楼组长培训课件'],
    weight: 3,
  },
  {
    key: 'pa_system',
    nameZh: '便携音响',
    nameEn: 'PA system',
    tracked: true,
    maxLoanDays: 7,
    tagPrefix: 'PA',
    serialPrefix: 'SA-150-',
    ask: { min: 1, max: 1, step: 1 },
    purposes: ['广场舞教学', '社区文艺汇演', '垃圾分类宣传'],
    weight: 2,
  },
  {
    key: 'wheelchair',
    nameZh: '轮椅',
    nameEn: 'Wheelchair',
    tracked: true,
    maxLoanDays: 30,
    tagPrefix: 'WC',
    serialPrefix: 'H050-',
    ask: { min: 1, max: 1, step: 1 },
    purposes: ['居民术后康复借用', '长者外出就医', '为老服务日'],
    weight: 2,
  },
  {
    key: 'folding_chair',
    nameZh: '折叠椅',
    nameEn: 'Folding chair',
    tracked: false,
    maxLoanDays: 14,
    ask: { min: 10, max: 40, step: 5 },
    purposes: ['社区议事会加座', '邻里文艺汇演', '健康义诊排队等候'],
    weight: 5,
  },
  {
    key: 'round_table',
    nameZh: '折叠圆桌',
    nameEn: 'Round table',
    tracked: false,
    maxLoanDays: 14,
    ask: { min: 2, max: 6, step: 1 },
    purposes: ['百家宴', '邻里节摆摊', '志愿者培训分组'],
    weight: 3,
  },
  {
    key: 'tent',
    nameZh: '活动帐篷',
    nameEn: 'Event tent',
    tracked: false,
    maxLoanDays: 7,
    ask: { min: 1, max: 3, step: 1 },
    purposes: ['社区跳蚤市场', '广场义诊', '垃圾分类宣传点'],
    weight: 2,
  },
  {
    key: 'board_game_kit',
    nameZh: '桌游套装',
    nameEn: 'Board-game kit',
    tracked: false,
    maxLoanDays: 30,
    ask: { min: 1, max: 3, step: 1 },
    purposes: ['青少年暑期活动', '白领桌游夜', '亲子周末'],
    weight: 2,
  },
];

interface StockRule {
  chance: number;
  min: number;
  max: number;
  step?: number;
}

/** What each kind of site tends to own: centres the furniture and the care kit, hubs projectors, study rooms games. */
const STOCK_BY_KIND: Record<string, Partial<Record<TypeKey, StockRule>>> = {
  neighborhood_center: {
    folding_chair: { chance: 0.75, min: 20, max: 50, step: 10 },
    round_table: { chance: 0.5, min: 4, max: 8 },
    tent: { chance: 0.35, min: 2, max: 4 },
    pa_system: { chance: 0.5, min: 1, max: 1 },
    projector: { chance: 0.5, min: 1, max: 2 },
    wheelchair: { chance: 0.5, min: 1, max: 2 },
  },
  study_room: {
    board_game_kit: { chance: 0.6, min: 3, max: 8 },
    projector: { chance: 0.3, min: 1, max: 1 },
    folding_chair: { chance: 0.25, min: 10, max: 20, step: 5 },
  },
  white_collar_hub: {
    projector: { chance: 0.85, min: 1, max: 2 },
    pa_system: { chance: 0.3, min: 1, max: 1 },
    folding_chair: { chance: 0.3, min: 10, max: 30, step: 10 },
    board_game_kit: { chance: 0.3, min: 2, max: 4 },
  },
};

/** Two letters per district for asset tags (PJ-XH02-01: the second site in 徐汇区). */
const DISTRICT_CODES: Record<string, string> = {
  浦东新区: 'PD',
  徐汇区: 'XH',
  静安区: 'JA',
  黄浦区: 'HP',
  杨浦区: 'YP',
  闵行区: 'MH',
  长宁区: 'CN',
  普陀区: 'PT',
};

/** Activities that ask for equipment with their room, by title. */
const SESSION_NEEDS: Readonly<Record<string, readonly { type: TypeKey; quantity: number }[]>> = {
  '银龄健康讲座：预防跌倒': [{ type: 'projector', quantity: 1 }, { type: 'folding_chair', quantity: 20 }],
  反诈骗知识讲座: [{ type: 'projector', quantity: 1 }, { type: 'pa_system', quantity: 1 }],
  '社区急救技能培训（AED）': [{ type: 'projector', quantity: 1 }],
  加装电梯协商会: [{ type: 'folding_chair', quantity: 15 }],
  志愿者服务日: [{ type: 'tent', quantity: 2 }, { type: 'round_table', quantity: 4 }],
  社区广场舞教学: [{ type: 'pa_system', quantity: 1 }],
};

export interface EquipmentSiteRef {
  id: string;
  kind: string;
  district: string;
  lat?: number | null;
  lng?: number | null;
  timezone?: string;
}

interface SessionRef {
  id: string;
  activityId: string;
  siteId: string;
  startAt: Date;
  endAt: Date;
  status?: string;
}

export interface DemoEquipmentInput {
  orgId: string;
  now: Date;
  sites: readonly EquipmentSiteRef[];
  /** The staff member who acts for each site (requests, dispatches, receives, checks). */
  staffBySite: ReadonlyMap<string, string>;
  /** Who registered the pool. */
  adminId: string;
  sessions: readonly SessionRef[];
  activities: readonly { id: string; title: string }[];
}

type TypeRow = typeof equipmentTypes.$inferInsert & { id: string };
type HoldingRow = typeof equipmentHoldings.$inferInsert & { id: string; inService: number; damaged: number; lendable: boolean };
type LoanRow = typeof equipmentLoans.$inferInsert & { id: string; status: LoanStatus; quantity: number };

export interface DemoEquipment {
  settings: typeof equipmentSettings.$inferInsert;
  types: TypeRow[];
  holdings: HoldingRow[];
  /** After the loans: a damage event names the loan it came back from. */
  holdingEvents: (typeof equipmentHoldingEvents.$inferInsert)[];
  loans: LoanRow[];
  loanItems: (typeof equipmentLoanItems.$inferInsert)[];
  loanEvents: (typeof equipmentLoanEvents.$inferInsert)[];
  refusals: (typeof equipmentRefusals.$inferInsert)[];
}

interface PlannedType extends TypeTemplate {
  id: string;
}

interface Planner {
  random: SeededRandom;
  input: DemoEquipmentInput;
  now: number;
  types: Map<TypeKey, PlannedType>;
  holdings: HoldingRow[];
  loans: LoanRow[];
  loanEvents: DemoEquipment['loanEvents'];
  holdingEvents: DemoEquipment['holdingEvents'];
  /** Tracked items a loan must carry (the one that came back damaged). */
  forcedItems: Map<string, string[]>;
  /** Tracked items taken out of service, and the loan whose check did it. */
  damagedBy: Map<string, string>;
}

export function planDemoEquipment(random: SeededRandom, input: DemoEquipmentInput): DemoEquipment {
  const now = input.now.getTime();
  const types = new Map(TYPES.map((t) => [t.key, { ...t, id: uuidv7() }] as const));
  const p: Planner = { random, input, now, types, holdings: [], loans: [], loanEvents: [], holdingEvents: [], forcedItems: new Map(), damagedBy: new Map() };
  planHoldings(p);
  planDamagedReturns(p);
  planOverdueLoan(p);
  planLoanInTransit(p);
  planPastLoans(p);
  planWithdrawnRequests(p);
  planSessionLoans(p);
  planUpcomingRequests(p);
  const refusals = planRefusals(p);
  return {
    settings: { orgId: input.orgId, ...DEMO_TRANSIT, updatedAt: new Date(now - POOL_REGISTERED_DAYS_AGO * DAY) },
    types: [...types.values()].map((t) => ({
      id: t.id,
      orgId: input.orgId,
      key: t.key,
      nameZh: t.nameZh,
      nameEn: t.nameEn,
      tracked: t.tracked,
      maxLoanDays: t.maxLoanDays,
      createdAt: new Date(now - POOL_REGISTERED_DAYS_AGO * DAY),
    })),
    holdings: p.holdings,
    holdingEvents: p.holdingEvents,
    loans: p.loans,
    loanItems: assignItems(p),
    loanEvents: p.loanEvents,
    refusals,
  };
}

// ---- Holdings ----

function planHoldings(p: Planner): void {
  const registered = p.now - POOL_REGISTERED_DAYS_AGO * DAY;
  const perDistrict = new Map<string, number>();
  for (const site of p.input.sites) {
    const ordinal = (perDistrict.get(site.district) ?? 0) + 1;
    perDistrict.set(site.district, ordinal);
    const code = `${DISTRICT_CODES[site.district] ?? 'SH'}${String(ordinal).padStart(2, '0')}`;
    if (p.random.chance(SITES_OWNING_NOTHING)) continue;
    for (const [key, rule] of Object.entries(STOCK_BY_KIND[site.kind] ?? {}) as [TypeKey, StockRule][]) {
      if (!p.random.chance(rule.chance)) continue;
      const type = p.types.get(key)!;
      const units = p.random.intStep(rule.min, rule.max, rule.step ?? 1);
      const lendable = !p.random.chance(KEPT_FOR_OWN_USE);
      const base = { orgId: p.input.orgId, siteId: site.id, typeId: type.id, damaged: 0, missing: 0, lendable, createdAt: new Date(registered), updatedAt: new Date(registered) };
      const rows: HoldingRow[] = type.tracked
        ? Array.from({ length: units }, (_, i) => ({
            ...base,
            id: uuidv7(),
            assetTag: `${type.tagPrefix}-${code}-${String(i + 1).padStart(2, '0')}`,
            serialNumber: `${type.serialPrefix}${p.random.int(100_000, 999_999)}`,
            inService: 1,
          }))
        : [{ ...base, id: uuidv7(), assetTag: null, inService: units, notes: lendable ? null : '本站自用，不外借' }];
      for (const row of rows) {
        if (!row.lendable && type.tracked) row.notes = '本站自用，不外借';
        p.holdings.push(row);
        p.holdingEvents.push({ id: uuidv7(), orgId: p.input.orgId, holdingId: row.id, actorId: p.input.adminId, kind: 'added', units: row.inService, note: '设备池建档', at: new Date(registered) });
      }
    }
  }
}

function holdingsOf(p: Planner, siteId: string, type: PlannedType): HoldingRow[] {
  return p.holdings.filter((h) => h.siteId === siteId && h.typeId === type.id);
}

function stockOf(p: Planner, siteId: string, type: PlannedType): SiteStock {
  const rows = holdingsOf(p, siteId, type);
  return { inService: rows.reduce((n, h) => n + h.inService, 0), lendable: rows.reduce((n, h) => n + (h.lendable ? h.inService : 0), 0) };
}

/** Every loan that took or promises the lender's units, as the judgement counts them. */
function claimsOn(p: Planner, lenderSiteId: string, type: PlannedType): HoldingLoan[] {
  return p.loans
    .filter((l) => l.lenderSiteId === lenderSiteId && l.typeId === type.id && l.status !== 'rejected' && l.status !== 'cancelled')
    .map((l) => ({ claim: { start: l.claimStart.getTime(), end: l.claimEnd.getTime() }, quantity: l.quantity, status: l.status, external: l.lenderSiteId !== l.borrowerSiteId }));
}

// ---- Requests against the pool ----

interface Part {
  lender: EquipmentSiteRef;
  quantity: number;
  claim: InstantRange;
}

function siteById(p: Planner, id: string): EquipmentSiteRef {
  return p.input.sites.find((s) => s.id === id)!;
}

const place = (site: EquipmentSiteRef) => ({ lat: site.lat ?? null, lng: site.lng ?? null });

function transitBetween(lender: EquipmentSiteRef, borrower: EquipmentSiteRef): number {
  return transitMs(lender.id === borrower.id, siteDistanceKm(place(lender), place(borrower)), DEMO_TRANSIT);
}

/**
 * What the pool offers a borrower over `use`: every other site's free units over its own claim window, nearest
 * first, and the split a request would make. Judged against everything planned so far, as if now.
 */
function poolStanding(p: Planner, borrower: EquipmentSiteRef, type: PlannedType, use: InstantRange, quantity: number, onlyLender?: string) {
  const owners = [...new Set(p.holdings.filter((h) => h.typeId === type.id).map((h) => h.siteId))].filter((id) => id !== borrower.id && (!onlyLender || id === onlyLender));
  const offers = owners.map((id) => {
    const lender = siteById(p, id);
    const transit = transitBetween(lender, borrower);
    const claim = claimWindow(use, transit);
    const km = siteDistanceKm(place(lender), place(borrower));
    return { siteId: id, lender, distanceKm: km, transitMs: transit, claim, free: unitsFree(stockOf(p, id, type), claim, true, claimsOn(p, id, type), p.now) };
  });
  const ranked = rankLenders(offers.filter((o) => o.free > 0));
  const { parts, shortfall } = splitAcrossLenders(ranked, quantity);
  return { totalFree: ranked.reduce((n, o) => n + o.free, 0), shortfall, parts: parts.map((part) => ({ lender: part.lender.lender, quantity: part.quantity, claim: part.lender.claim })) };
}

/** The parts of a request the pool can fill, or null when it cannot (nothing planned then). */
function requestParts(p: Planner, borrower: EquipmentSiteRef, type: PlannedType, use: InstantRange, quantity: number, onlyLender?: string): Part[] | null {
  if (use.end - use.start > type.maxLoanDays * DAY) return null;
  const standing = poolStanding(p, borrower, type, use, quantity, onlyLender);
  return standing.shortfall > 0 ? null : standing.parts;
}

interface LoanPlan {
  borrower: EquipmentSiteRef;
  type: PlannedType;
  use: InstantRange;
  parts: readonly Part[];
  /** Where the loan's life stops. */
  status: LoanStatus;
  /** When each step happened, in order; the statuses follow from `status`. */
  times: readonly number[];
  purpose: string;
  sessionId?: string;
  firstReason?: string;
  /** Reasons or details of particular steps. */
  stepReasons?: Partial<Record<LoanStatus, string>>;
  stepDetails?: Partial<Record<LoanStatus, Record<string, unknown>>>;
  returnedDamaged?: number;
  overdueAt?: number;
}

const PATHS: Record<string, readonly LoanStatus[]> = {
  requested: ['requested'],
  approved: ['requested', 'approved'],
  dispatched: ['requested', 'approved', 'dispatched'],
  received: ['requested', 'approved', 'dispatched', 'received'],
  returned: ['requested', 'approved', 'dispatched', 'received', 'returned'],
  checked: ['requested', 'approved', 'dispatched', 'received', 'returned', 'checked'],
  rejected: ['requested', 'rejected'],
  cancelled: ['requested', 'approved', 'cancelled'],
};

/** Which side takes each step: the lender approves, dispatches and checks; the borrower asks, receives, returns, cancels. */
const BY_LENDER: ReadonlySet<LoanStatus> = new Set(['approved', 'rejected', 'dispatched', 'checked']);

/** Writes one loan per part (sharing a request id) with an event per step; returns the loans. */
function addLoans(p: Planner, plan: LoanPlan): LoanRow[] {
  const path = PATHS[plan.status]!;
  if (plan.times.length !== path.length) throw new Error(`a ${plan.status} loan needs ${path.length} step times`);
  const requestId = uuidv7();
  return plan.parts.map((part) => {
    const id = uuidv7();
    const last = plan.times[plan.times.length - 1]!;
    const loan: LoanRow = {
      id,
      orgId: p.input.orgId,
      typeId: plan.type.id,
      lenderSiteId: part.lender.id,
      borrowerSiteId: plan.borrower.id,
      requestId,
      quantity: part.quantity,
      useStart: new Date(plan.use.start),
      useEnd: new Date(plan.use.end),
      claimStart: new Date(part.claim.start),
      claimEnd: new Date(part.claim.end),
      status: plan.status,
      sessionId: plan.sessionId ?? null,
      purpose: plan.purpose,
      requestedBy: p.input.staffBySite.get(plan.borrower.id) ?? null,
      returnedDamaged: plan.returnedDamaged ?? 0,
      returnedMissing: 0,
      overdueAt: plan.overdueAt === undefined ? null : new Date(plan.overdueAt),
      version: path.length + (plan.overdueAt === undefined ? 0 : 1),
      createdAt: new Date(plan.times[0]!),
      updatedAt: new Date(plan.overdueAt ?? last),
    };
    p.loans.push(loan);
    path.forEach((to, i) => {
      p.loanEvents.push({
        id: uuidv7(),
        orgId: p.input.orgId,
        loanId: id,
        actorId: p.input.staffBySite.get(BY_LENDER.has(to) ? part.lender.id : plan.borrower.id) ?? null,
        fromStatus: i === 0 ? null : path[i - 1]!,
        toStatus: to,
        reason: i === 0 ? (plan.firstReason ?? 'requested') : (plan.stepReasons?.[to] ?? null),
        details: plan.stepDetails?.[to] ?? null,
        at: new Date(plan.times[i]!),
      });
    });
    if (plan.overdueAt !== undefined) {
      // The lifecycle sweep's flag: the units were not back when the claim window ended.
      p.loanEvents.push({ id: uuidv7(), orgId: p.input.orgId, loanId: id, actorId: null, fromStatus: plan.status, toStatus: plan.status, reason: 'overdue', details: null, at: new Date(plan.overdueAt) });
    }
    return loan;
  });
}

/** Step times of a loan that ran its course: asked days ahead, out at the claim start, checked after it came back. */
function pastTimes(p: Planner, use: InstantRange, claim: InstantRange, until: LoanStatus): number[] {
  const requested = use.start - p.random.int(2, 6) * DAY - p.random.int(1, 8) * HOUR;
  const all = [requested, requested + p.random.int(1, 20) * HOUR, claim.start, use.start - 10 * MINUTE, use.end + 10 * MINUTE, claim.end + p.random.int(1, 18) * HOUR];
  return all.slice(0, PATHS[until]!.length);
}

/** Step times of a request made in the last few days and perhaps approved since. */
function recentTimes(p: Planner, until: LoanStatus): number[] {
  const requested = p.now - p.random.int(6, 72) * HOUR;
  const times = [requested];
  if (until !== 'requested') times.push(requested + Math.floor((p.now - requested) * (0.3 + p.random.next() * 0.5)));
  return times;
}

/** A local date and clock time at a site. */
function at(site: EquipmentSiteRef, localDate: string, clock: string): number {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return localTimeToInstant(localDate, h * 60 + m, zoneOf(site));
}

const zoneOf = (site: EquipmentSiteRef) => site.timezone ?? 'Asia/Shanghai';
const today = (p: Planner, site: EquipmentSiteRef) => localDateOf(p.now, zoneOf(site));

/** The owner with the most lendable units of a type (ties: first planned). */
function biggestLender(p: Planner, type: PlannedType, minimum: number): EquipmentSiteRef {
  let best: { id: string; lendable: number } | null = null;
  for (const id of new Set(p.holdings.filter((h) => h.typeId === type.id).map((h) => h.siteId))) {
    const { lendable } = stockOf(p, id, type);
    if (!best || lendable > best.lendable) best = { id, lendable };
  }
  if (!best || best.lendable < minimum) throw new Error(`the demo pool has no site lending ${minimum} ${type.key}`);
  return siteById(p, best.id);
}

function otherSite(p: Planner, not: readonly string[], preferWithout?: PlannedType): EquipmentSiteRef {
  const candidates = p.input.sites.filter((s) => !not.includes(s.id));
  const without = preferWithout ? candidates.filter((s) => holdingsOf(p, s.id, preferWithout).length === 0) : [];
  return p.random.pick(without.length > 0 ? without : candidates);
}

// ---- The scripted loans ----

/** Two loans that came back damaged: two folding chairs, and one projector whose lens was scratched. */
function planDamagedReturns(p: Planner): void {
  const chairs = p.types.get('folding_chair')!;
  const chairLender = biggestLender(p, chairs, 20);
  const chairBorrower = otherSite(p, [chairLender.id]);
  const chairDate = addDaysToLocalDate(today(p, chairBorrower), -12);
  const chairUse = { start: at(chairBorrower, chairDate, '09:00'), end: at(chairBorrower, chairDate, '18:00') };
  const chairParts = requestParts(p, chairBorrower, chairs, chairUse, 20, chairLender.id);
  if (!chairParts) throw new Error('the demo chair loan does not fit');
  const [chairLoan] = addLoans(p, {
    borrower: chairBorrower,
    type: chairs,
    use: chairUse,
    parts: chairParts,
    status: 'checked',
    times: pastTimes(p, chairUse, chairParts[0]!.claim, 'checked'),
    purpose: '邻里文艺汇演',
    returnedDamaged: 2,
    stepReasons: { returned: '有两把椅子在搬运中压坏', checked: '清点确认：2把椅面开裂' },
    stepDetails: { returned: { damaged: 2, missing: 0 }, checked: { damaged: 2, missing: 0 } },
  });
  takeOutOfService(p, holdingsOf(p, chairLender.id, chairs).find((h) => h.assetTag === null)!, chairLoan!, 2, '2把椅面开裂，待维修');

  const projectors = p.types.get('projector')!;
  const projectorLender = biggestLender(p, projectors, 1);
  const projectorBorrower = otherSite(p, [projectorLender.id], projectors);
  const projectorDate = addDaysToLocalDate(today(p, projectorBorrower), -20);
  const projectorUse = { start: at(projectorBorrower, projectorDate, '13:00'), end: at(projectorBorrower, addDaysToLocalDate(projectorDate, 1), '17:00') };
  const projectorParts = requestParts(p, projectorBorrower, projectors, projectorUse, 1, projectorLender.id);
  if (!projectorParts) throw new Error('the demo projector loan does not fit');
  const item = holdingsOf(p, projectorLender.id, projectors).find((h) => h.lendable)!;
  const projectorReturn = { damaged: 1, missing: 0, damagedItemIds: [item.id], missingItemIds: [] };
  const [projectorLoan] = addLoans(p, {
    borrower: projectorBorrower,
    type: projectors,
    use: projectorUse,
    parts: projectorParts,
    status: 'checked',
    times: pastTimes(p, projectorUse, projectorParts[0]!.claim, 'checked'),
    purpose: '社区电影放映',
    returnedDamaged: 1,
    stepReasons: { returned: '镜头有划痕', checked: '镜头划伤，投影偏色，送修' },
    stepDetails: { dispatched: { itemIds: [item.id] }, returned: projectorReturn, checked: projectorReturn },
  });
  p.forcedItems.set(projectorLoan!.id, [item.id]);
  p.damagedBy.set(item.id, projectorLoan!.id);
  takeOutOfService(p, item, projectorLoan!, 1, '镜头划伤，投影偏色，待送修');
}

/**
 * The lender's check takes damaged units out of the pool, as the API's check step does: the holding's counts, and
 * a holding event naming the loan with the check's reason as its note. The condition note is the manager's.
 */
function takeOutOfService(p: Planner, holding: HoldingRow, loan: LoanRow, units: number, conditionNote: string): void {
  const check = p.loanEvents.find((e) => e.loanId === loan.id && e.toStatus === 'checked')!;
  holding.inService -= units;
  holding.damaged += units;
  holding.conditionNote = conditionNote;
  holding.version = 2;
  holding.updatedAt = check.at!;
  p.holdingEvents.push({ id: uuidv7(), orgId: p.input.orgId, holdingId: holding.id, actorId: check.actorId, kind: 'damaged', units, loanId: loan.id, note: check.reason, at: check.at! });
}

/** A wheelchair lent for a resident's recovery, received, due back yesterday and not back yet: the sweep flagged it. */
function planOverdueLoan(p: Planner): void {
  const type = p.types.get('wheelchair')!;
  const borrower = otherSite(p, [], type);
  const date = today(p, borrower);
  const use = { start: at(borrower, addDaysToLocalDate(date, -6), '09:00'), end: at(borrower, addDaysToLocalDate(date, -1), '10:00') };
  const parts = requestParts(p, borrower, type, use, 1);
  if (!parts) throw new Error('the demo overdue loan does not fit');
  const claim = parts[0]!.claim;
  addLoans(p, {
    borrower,
    type,
    use,
    parts,
    status: 'received',
    times: pastTimes(p, use, claim, 'received'),
    purpose: '居民术后康复借用',
    overdueAt: claim.end + 5 * MINUTE,
  });
}

/** A projector on its way now: dispatched a few minutes ago, in use at the borrower once it arrives. */
function planLoanInTransit(p: Planner): void {
  const type = p.types.get('projector')!;
  const borrower = otherSite(p, [], type);
  // Dispatched on the last quarter hour at least ten minutes ago; the use starts when it arrives.
  const dispatched = Math.floor((p.now - 10 * MINUTE) / (15 * MINUTE)) * 15 * MINUTE;
  const tentative = { start: dispatched + 2 * HOUR, end: dispatched + 5 * HOUR };
  const [nearest] = poolStanding(p, borrower, type, tentative, 1).parts;
  if (!nearest) throw new Error('no projector can travel now');
  const transit = transitBetween(nearest.lender, borrower);
  const use = { start: dispatched + transit, end: dispatched + transit + 3 * HOUR };
  const claim = claimWindow(use, transit);
  if (judgeLoan(stockOf(p, nearest.lender.id, type), claim, 1, true, claimsOn(p, nearest.lender.id, type), p.now)) throw new Error('the projector in transit does not fit');
  const requested = p.now - 2 * DAY - 3 * HOUR;
  addLoans(p, {
    borrower,
    type,
    use,
    parts: [{ lender: nearest.lender, quantity: 1, claim }],
    status: 'dispatched',
    times: [requested, requested + 4 * HOUR, dispatched],
    purpose: '青年读书会分享投影',
  });
}

/** About thirty loans that came and went over the last seven weeks, some split across two lenders. */
function planPastLoans(p: Planner): void {
  const weighted = [...p.types.values()].flatMap((t) => Array.from({ length: t.weight }, () => t));
  for (let attempt = 0; attempt < 500 && countChecked(p) < PAST_LOANS; attempt++) {
    const type = p.random.pick(weighted);
    const borrower = p.random.pick(p.input.sites);
    const days = p.random.int(1, Math.min(3, type.maxLoanDays));
    // Ended at least three days ago, so it came back and was checked before today.
    const first = addDaysToLocalDate(today(p, borrower), -p.random.int(days + 2, 49));
    const use = { start: at(borrower, first, '09:00'), end: at(borrower, addDaysToLocalDate(first, days - 1), '18:00') };
    const quantity = p.random.intStep(type.ask.min, type.ask.max, type.ask.step);
    const parts = requestParts(p, borrower, type, use, quantity);
    if (!parts) continue;
    addLoans(p, { borrower, type, use, parts, status: 'checked', times: pastTimes(p, use, parts[0]!.claim, 'checked'), purpose: p.random.pick(type.purposes) });
  }
}

const countChecked = (p: Planner) => p.loans.filter((l) => l.status === 'checked').length;

/** A request the lender turned down, and one the borrower withdrew after approval: they hold nothing. */
function planWithdrawnRequests(p: Planner): void {
  const tents = p.types.get('tent')!;
  const borrower = otherSite(p, [], tents);
  const date = addDaysToLocalDate(today(p, borrower), -9);
  const use = { start: at(borrower, date, '08:00'), end: at(borrower, date, '17:00') };
  const parts = requestParts(p, borrower, tents, use, 2);
  if (parts) {
    addLoans(p, { borrower, type: tents, use, parts, status: 'rejected', times: pastTimes(p, use, parts[0]!.claim, 'approved'), purpose: '社区跳蚤市场', stepReasons: { rejected: '当天本站自用' } });
  }
  const kits = p.types.get('board_game_kit')!;
  const kitBorrower = otherSite(p, [], kits);
  const kitDate = addDaysToLocalDate(today(p, kitBorrower), 5);
  const kitUse = { start: at(kitBorrower, kitDate, '18:30'), end: at(kitBorrower, kitDate, '21:30') };
  const kitParts = requestParts(p, kitBorrower, kits, kitUse, 2);
  if (kitParts) {
    const requested = p.now - 4 * DAY;
    addLoans(p, { borrower: kitBorrower, type: kits, use: kitUse, parts: kitParts, status: 'cancelled', times: [requested, requested + 6 * HOUR, p.now - DAY], purpose: '白领桌游夜', stepReasons: { cancelled: '活动改期' } });
  }
}

/** Upcoming activity sessions that asked for equipment with their room, at the session's own site. */
function planSessionLoans(p: Planner): void {
  const titles = new Map(p.input.activities.map((a) => [a.id, a.title]));
  const upcoming = [...p.input.sessions]
    .filter((s) => (s.status ?? 'scheduled') === 'scheduled' && s.startAt.getTime() > p.now + DAY && SESSION_NEEDS[titles.get(s.activityId) ?? ''])
    .sort((a, b) => a.startAt.getTime() - b.startAt.getTime());
  const served = new Set<string>();
  for (const session of upcoming) {
    if (served.size >= 3) break;
    if (served.has(session.activityId)) continue;
    served.add(session.activityId);
    const borrower = siteById(p, session.siteId);
    const use = { start: session.startAt.getTime(), end: session.endAt.getTime() };
    const title = titles.get(session.activityId)!;
    for (const need of SESSION_NEEDS[title]!) {
      const type = p.types.get(need.type)!;
      // A site that owns enough uses its own.
      if (stockOf(p, borrower.id, type).inService >= need.quantity) continue;
      const parts = requestParts(p, borrower, type, use, need.quantity);
      if (!parts) continue;
      const status: LoanStatus = served.size === 1 ? 'approved' : 'requested';
      addLoans(p, { borrower, type, use, parts, status, times: recentTimes(p, status), purpose: title, sessionId: session.id, firstReason: 'session' });
    }
  }
}

/** A few requests for the next fortnight, some approved already. */
function planUpcomingRequests(p: Planner): void {
  const weighted = [...p.types.values()].flatMap((t) => Array.from({ length: t.weight }, () => t));
  let planned = 0;
  for (let attempt = 0; attempt < 50 && planned < 4; attempt++) {
    const type = p.random.pick(weighted);
    const borrower = p.random.pick(p.input.sites);
    const days = p.random.int(1, Math.min(2, type.maxLoanDays));
    const first = addDaysToLocalDate(today(p, borrower), p.random.int(2, 12));
    const use = { start: at(borrower, first, '09:00'), end: at(borrower, addDaysToLocalDate(first, days - 1), '18:00') };
    const parts = requestParts(p, borrower, type, use, p.random.intStep(type.ask.min, type.ask.max, type.ask.step));
    if (!parts) continue;
    const status: LoanStatus = planned % 2 === 0 ? 'approved' : 'requested';
    addLoans(p, { borrower, type, use, parts, status, times: recentTimes(p, status), purpose: p.random.pick(type.purposes) });
    planned++;
  }
}

/** Requests the pool could not fill (more than every other site could lend then), kept for unmet demand. */
function planRefusals(p: Planner): DemoEquipment['refusals'] {
  const asks: readonly { type: TypeKey; extra: number; daysAhead: number; clock: [string, string] }[] = [
    { type: 'tent', extra: 4, daysAhead: 6, clock: ['08:00', '17:00'] },
    { type: 'pa_system', extra: 2, daysAhead: 3, clock: ['18:00', '21:00'] },
    { type: 'wheelchair', extra: 3, daysAhead: 8, clock: ['09:00', '16:00'] },
    { type: 'round_table', extra: 10, daysAhead: 10, clock: ['10:00', '14:00'] },
    { type: 'projector', extra: 5, daysAhead: -3, clock: ['09:00', '12:00'] },
  ];
  return asks.map((ask) => {
    const type = p.types.get(ask.type)!;
    const borrower = otherSite(p, [], type);
    const date = addDaysToLocalDate(today(p, borrower), ask.daysAhead);
    const use = { start: at(borrower, date, ask.clock[0]), end: at(borrower, date, ask.clock[1]) };
    const quantity = poolStanding(p, borrower, type, use, 1).totalFree + ask.extra;
    return {
      id: uuidv7(),
      orgId: p.input.orgId,
      typeId: type.id,
      borrowerSiteId: borrower.id,
      quantity,
      shortfall: ask.extra,
      useStart: new Date(use.start),
      useEnd: new Date(use.end),
      at: new Date(Math.min(use.start - DAY, p.now - p.random.int(1, 48) * HOUR)),
    };
  });
}

// ---- Tracked items on the loans that moved them ----

const MOVED: ReadonlySet<LoanStatus> = new Set(['dispatched', 'received', 'returned', 'checked']);

/**
 * Assigns each tracked loan that left its lender as many of the lender's lendable items as it lent, in claim order,
 * never one item to two overlapping loans. The counted judgement kept the loans within the units at every instant,
 * so taking any free item in start order always finds one. A damaged item goes out only on loans before the one
 * that broke it; an overdue loan keeps its item for good.
 */
function assignItems(p: Planner): DemoEquipment['loanItems'] {
  const rows: DemoEquipment['loanItems'] = [];
  const trackedTypes = new Set([...p.types.values()].filter((t) => t.tracked).map((t) => t.id));
  const moved = p.loans.filter((l) => trackedTypes.has(l.typeId) && MOVED.has(l.status)).sort((a, b) => a.claimStart.getTime() - b.claimStart.getTime());
  const freeFrom = new Map<string, number>();
  const brokeAt = new Map([...p.damagedBy].map(([item, loanId]) => [item, p.loans.find((l) => l.id === loanId)!.claimStart.getTime()]));
  for (const loan of moved) {
    const start = loan.claimStart.getTime();
    const forced = p.forcedItems.get(loan.id) ?? [];
    const usable = p.holdings.filter(
      (h) =>
        h.siteId === loan.lenderSiteId &&
        h.typeId === loan.typeId &&
        h.lendable &&
        !forced.includes(h.id) &&
        (freeFrom.get(h.id) ?? Number.NEGATIVE_INFINITY) <= start &&
        (!brokeAt.has(h.id) || loan.claimEnd.getTime() <= brokeAt.get(h.id)!),
    );
    const items = [...forced, ...usable.slice(0, loan.quantity - forced.length).map((h) => h.id)];
    if (items.length !== loan.quantity) throw new Error(`no free item for the ${loan.status} loan ${loan.id}`);
    const out = loan.status === 'checked' ? loan.claimEnd.getTime() : Number.POSITIVE_INFINITY;
    for (const holdingId of items) {
      freeFrom.set(holdingId, out);
      rows.push({ loanId: loan.id, holdingId, orgId: p.input.orgId });
    }
  }
  return rows;
}
