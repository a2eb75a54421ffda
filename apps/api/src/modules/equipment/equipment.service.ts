/**
 * The equipment pool's inventory (issue #12): types and transit settings per organization, what each site holds
 * (counted stock or tracked items) and what happens to it outside loans, the pool at a glance, a holding's history,
 * and which sites could lend how many units over a window.
 *
 * Reads are open to all staff of the organization: a site borrows from the others, so it must see what they have
 * (and an item borrowed in must open from its QR label). Changes are scoped: holdings are created and edited by the
 * managers of their site, adjusted by its staff; another site's holding answers 404.
 */
import type {
  AdjustHoldingBody,
  CreateEquipmentTypeBody,
  CreateHoldingBody,
  EquipmentSettings,
  EquipmentType,
  HOLDING_ADJUSTMENTS,
  Holding,
  HoldingHistory,
  HoldingListQuery,
  PoolAvailability,
  PoolAvailabilityQuery,
  PoolInventory,
  PoolQuery,
  UpdateEquipmentTypeBody,
  UpdateHoldingBody,
} from '@linli/contracts';
import { type Database, SQLSTATE, constraintOf, sqlStateOf } from '@linli/db';
import { type LoanStatus, judgeLoanRange } from '@linli/domain';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { toIso } from '../../lib/dates.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { type Actor, canManageSite, canSeeSite } from '../../plugins/access.ts';
import { findEquipmentType, findPoolStanding, findTransitSettings, lockStock } from '../claims/equipment-claims.ts';
import {
  type EquipmentTypeRow,
  HISTORY_LIMIT,
  type HoldingRow,
  type HoldingView,
  findActiveSite,
  findHoldingEvents,
  findHoldingRow,
  findHoldingView,
  findLoanEventsOfHolding,
  findPoolRows,
  findUnitsAway,
  insertHolding,
  insertHoldingEvent,
  insertType,
  listHoldingViews,
  listTypes,
  updateHolding as updateHoldingRow,
  updateType,
  upsertSettings,
} from './equipment.repository.ts';

// ---- Types and settings ----

function toEquipmentType(row: EquipmentTypeRow): EquipmentType {
  return { id: row.id, key: row.key, nameZh: row.nameZh, nameEn: row.nameEn, tracked: row.tracked, maxLoanDays: row.maxLoanDays, archived: row.archivedAt !== null };
}

/** The database's unique keys, as the sentence a person needs. */
const DUPLICATE_DETAILS: Record<string, string> = {
  equipment_types_org_id_key_key: 'An equipment type with this key already exists.',
  equipment_holdings_one_stock_key: 'This site already holds a counted stock of this type; adjust that stock instead.',
  equipment_holdings_asset_tag_key: 'Another item of the organization already has this asset tag.',
};

/** A unique violation of one of the pool's keys becomes ALREADY_EXISTS with what was duplicated; anything else is rethrown. */
function refuseDuplicate(error: unknown): never {
  const constraint = constraintOf(error);
  if (sqlStateOf(error) === SQLSTATE.uniqueViolation && constraint && constraint in DUPLICATE_DETAILS) {
    throw new AppError('ALREADY_EXISTS', { detail: DUPLICATE_DETAILS[constraint], details: { constraint } });
  }
  throw error;
}

export async function listEquipmentTypes(db: Database, actor: Actor): Promise<{ items: EquipmentType[] }> {
  return { items: (await listTypes(db, actor.orgId)).map(toEquipmentType) };
}

export async function createEquipmentType(db: Database, actor: Actor, body: CreateEquipmentTypeBody): Promise<EquipmentType> {
  try {
    return toEquipmentType(await insertType(db, actor.orgId, body));
  } catch (error) {
    refuseDuplicate(error);
  }
}

/** Renames, changes the longest loan, or archives (no new holdings or loans) and brings back a type. */
export async function updateEquipmentType(deps: AppDeps, actor: Actor, typeId: string, body: UpdateEquipmentTypeBody): Promise<EquipmentType> {
  const current = await findEquipmentType(deps.db, actor.orgId, typeId);
  const { archived, ...fields } = body;
  const archivedAt = archived === undefined ? current.archivedAt : archived ? (current.archivedAt ?? deps.now()) : null;
  const row = await updateType(deps.db, actor.orgId, typeId, { ...fields, archivedAt });
  if (!row) throw notFound('Equipment type');
  return toEquipmentType(row);
}

export async function getEquipmentSettings(db: Database, actor: Actor): Promise<EquipmentSettings> {
  return findTransitSettings(db, actor.orgId);
}

export async function putEquipmentSettings(deps: AppDeps, actor: Actor, body: EquipmentSettings): Promise<EquipmentSettings> {
  const row = await upsertSettings(deps.db, actor.orgId, body, deps.now());
  return { transitBaseMinutes: row.transitBaseMinutes, transitMinutesPerKm: row.transitMinutesPerKm };
}

// ---- Holdings ----

type UnitsAway = Awaited<ReturnType<typeof findUnitsAway>>;

function toHolding(view: HoldingView, away: UnitsAway): Holding {
  const { holding } = view;
  const itemOut = holding.assetTag === null ? undefined : away.itemsOut.get(holding.id);
  return {
    id: holding.id,
    siteId: holding.siteId,
    siteName: view.siteName,
    typeId: holding.typeId,
    typeKey: view.typeKey,
    typeNameZh: view.typeNameZh,
    typeNameEn: view.typeNameEn,
    assetTag: holding.assetTag,
    serialNumber: holding.serialNumber,
    inService: holding.inService,
    damaged: holding.damaged,
    missing: holding.missing,
    lendable: holding.lendable,
    conditionNote: holding.conditionNote,
    notes: holding.notes,
    photoUrl: holding.photoUrl,
    outNow: holding.assetTag === null ? (away.unitsByStock.get(`${holding.siteId}:${holding.typeId}`) ?? 0) : itemOut ? 1 : 0,
    whereabouts:
      holding.assetTag === null
        ? { kind: 'stock' }
        : itemOut
          ? { kind: 'out', loanId: itemOut.loanId, siteId: itemOut.borrowerSiteId, siteName: itemOut.borrowerSiteName, status: itemOut.status as LoanStatus }
          : { kind: 'home' },
    version: holding.version,
  };
}

async function toHoldings(db: Database, orgId: string, views: HoldingView[]): Promise<Holding[]> {
  const away = await findUnitsAway(db, orgId, views.map((v) => v.holding));
  return views.map((view) => toHolding(view, away));
}

export async function listHoldings(db: Database, actor: Actor, query: HoldingListQuery) {
  const views = await listHoldingViews(db, actor.orgId, { siteId: query.siteId, typeId: query.typeId, tracked: query.tracked, q: query.q, afterId: decodeCursor(query.cursor) }, query.limit + 1);
  const page = toPage(views.map((view) => ({ id: view.holding.id, view })), query.limit);
  return { items: await toHoldings(db, actor.orgId, page.items.map((item) => item.view)), nextCursor: page.nextCursor };
}

async function findHoldingOf(db: Database, actor: Actor, holdingId: string): Promise<HoldingView> {
  const view = await findHoldingView(db, actor.orgId, holdingId);
  if (!view) throw notFound('Holding');
  return view;
}

export async function getHolding(db: Database, actor: Actor, holdingId: string): Promise<Holding> {
  const [holding] = await toHoldings(db, actor.orgId, [await findHoldingOf(db, actor, holdingId)]);
  return holding!;
}

/**
 * Adds counted stock (one per site and type; more units are a recount of it) or one tracked item (a type tracked one
 * by one, a unique asset tag), with its 'added' event.
 */
export async function createHolding(deps: AppDeps, actor: Actor, body: CreateHoldingBody): Promise<Holding> {
  const site = await findActiveSite(deps.db, actor.orgId, body.siteId);
  if (!site || !canManageSite(actor, site.id)) throw notFound('Site');
  const type = await findEquipmentType(deps.db, actor.orgId, body.typeId);
  if (type.archivedAt) throw new AppError('ARCHIVED', { detail: 'This equipment type is archived; bring it back before adding stock.' });
  const isItem = body.assetTag !== undefined;
  if (type.tracked && !isItem) {
    throw new AppError('VALIDATION_FAILED', {
      detail: `"${type.nameEn}" is tracked one by one: add each item with its asset tag instead of a number of units.`,
      errors: [{ path: 'assetTag', message: 'required for a tracked type' }],
    });
  }
  if (!type.tracked && isItem) {
    throw new AppError('VALIDATION_FAILED', {
      detail: `"${type.nameEn}" is counted, not tracked one by one: give a number of units instead of an asset tag.`,
      errors: [{ path: 'units', message: 'required for a counted type' }],
    });
  }
  const units = isItem ? 1 : body.units!;
  let created: HoldingRow;
  try {
    created = await deps.db.transaction(async (tx) => {
      const row = await insertHolding(tx, {
        orgId: actor.orgId,
        siteId: site.id,
        typeId: type.id,
        assetTag: body.assetTag ?? null,
        serialNumber: body.serialNumber ?? null,
        inService: units,
        lendable: body.lendable,
        conditionNote: body.conditionNote ?? null,
        notes: body.notes ?? null,
        photoUrl: body.photoUrl ?? null,
        createdAt: deps.now(),
        updatedAt: deps.now(),
      });
      await insertHoldingEvent(tx, { orgId: actor.orgId, holdingId: row.id, actorId: actor.userId, kind: 'added', units, note: null });
      return row;
    });
  } catch (error) {
    refuseDuplicate(error);
  }
  return getHolding(deps.db, actor, created.id);
}

/** The managers of a holding's site change its description and whether it is lent to other sites. */
export async function updateHolding(deps: AppDeps, actor: Actor, holdingId: string, body: UpdateHoldingBody): Promise<Holding> {
  const found = await findHoldingRow(deps.db, actor.orgId, holdingId);
  if (!found || !canManageSite(actor, found.siteId)) throw notFound('Holding');
  if (Object.keys(body).length > 0) {
    await deps.db.transaction(async (tx) => {
      // Whether units are lendable changes what loans may claim: the same lock a loan takes.
      await lockStock(tx, found.siteId, found.typeId);
      const current = (await findHoldingRow(tx, actor.orgId, holdingId))!;
      if (!(await updateHoldingRow(tx, current, body, deps.now()))) throw new AppError('VERSION_MISMATCH');
    });
  }
  return getHolding(deps.db, actor, holdingId);
}

type HoldingCounts = Pick<HoldingRow, 'inService' | 'damaged' | 'missing'>;

/**
 * The counts after an adjustment, or the refusal. Damage and loss take units out of service, repair and finding
 * bring them back, retirement removes damaged units first and then missing ones; a recount sets the units in
 * service of counted stock.
 */
function adjustedCounts(holding: HoldingRow, body: AdjustHoldingBody): HoldingCounts {
  const { inService, damaged, missing } = holding;
  const short = (condition: string, have: number) =>
    new AppError('HOLDING_UNITS_INSUFFICIENT', { detail: `Only ${have} unit(s) ${condition}; cannot take ${body.units}.`, details: { condition, available: have, requested: body.units } });
  switch (body.kind) {
    case 'adjusted':
      if (holding.assetTag !== null) throw new AppError('VALIDATION_FAILED', { detail: 'A tracked item is one unit and cannot be recounted; record it damaged, missing or found instead.' });
      return { inService: body.units, damaged, missing };
    case 'damaged':
    case 'missing':
      if (inService < body.units) throw short('in service', inService);
      return body.kind === 'damaged' ? { inService: inService - body.units, damaged: damaged + body.units, missing } : { inService: inService - body.units, damaged, missing: missing + body.units };
    case 'repaired':
      if (damaged < body.units) throw short('damaged', damaged);
      return { inService: inService + body.units, damaged: damaged - body.units, missing };
    case 'found':
      if (missing < body.units) throw short('missing', missing);
      return { inService: inService + body.units, damaged, missing: missing - body.units };
    case 'retired': {
      // The database keeps a tracked item at exactly one unit (equipment_holdings_item_is_one_unit): it stays on record.
      if (holding.assetTag !== null) throw new AppError('VALIDATION_FAILED', { detail: 'A tracked item stays on record as damaged or missing; it cannot be retired.' });
      if (damaged + missing < body.units) throw short('damaged or missing', damaged + missing);
      const fromDamaged = Math.min(damaged, body.units);
      return { inService, damaged: damaged - fromDamaged, missing: missing - (body.units - fromDamaged) };
    }
  }
}

/** Staff of the holding's site record what happened to its units, under the stock lock loans take. */
export async function adjustHolding(deps: AppDeps, actor: Actor, holdingId: string, body: AdjustHoldingBody): Promise<Holding> {
  const found = await findHoldingRow(deps.db, actor.orgId, holdingId);
  if (!found || !canSeeSite(actor, found.siteId)) throw notFound('Holding');
  await deps.db.transaction(async (tx) => {
    await lockStock(tx, found.siteId, found.typeId);
    const current = (await findHoldingRow(tx, actor.orgId, holdingId))!;
    const counts = adjustedCounts(current, body);
    if (!(await updateHoldingRow(tx, current, counts, deps.now()))) throw new AppError('VERSION_MISMATCH');
    await insertHoldingEvent(tx, { orgId: actor.orgId, holdingId, actorId: actor.userId, kind: body.kind, units: body.units, note: body.note ?? null });
  });
  return getHolding(deps.db, actor, holdingId);
}

/** The database's CHECK on equipment_holding_events.kind holds exactly these. */
type HoldingChange = 'added' | (typeof HOLDING_ADJUSTMENTS)[number];

export async function getHoldingHistory(db: Database, actor: Actor, holdingId: string): Promise<HoldingHistory> {
  const view = await findHoldingOf(db, actor, holdingId);
  const [[holding], holdingEvents, loanEvents] = await Promise.all([toHoldings(db, actor.orgId, [view]), findHoldingEvents(db, holdingId), findLoanEventsOfHolding(db, view.holding)]);
  const entries = [
    ...holdingEvents.map((e) => ({
      sortKey: [e.at.getTime(), e.id] as const,
      entry: { kind: 'holding' as const, at: toIso(e.at), change: e.kind as HoldingChange, units: e.units, note: e.note, actorName: e.actorName, loanId: e.loanId },
    })),
    ...loanEvents.map((e) => ({
      sortKey: [e.at.getTime(), e.id] as const,
      entry: { kind: 'loan' as const, at: toIso(e.at), loanId: e.loanId, from: e.from as LoanStatus | null, to: e.to as LoanStatus, borrowerSiteName: e.borrowerSiteName, actorName: e.actorName, reason: e.reason },
    })),
  ]
    .sort((a, b) => b.sortKey[0] - a.sortKey[0] || b.sortKey[1].localeCompare(a.sortKey[1]))
    .slice(0, HISTORY_LIMIT)
    .map((e) => e.entry);
  return { holding: holding!, entries };
}

// ---- The pool ----

export async function getPoolInventory(db: Database, actor: Actor, query: PoolQuery): Promise<PoolInventory> {
  return { rows: await findPoolRows(db, actor.orgId, query) };
}

/** Which sites could lend how many units to the destination over the window (a read: a request judges again under the lock). */
export async function getPoolAvailability(deps: AppDeps, actor: Actor, query: PoolAvailabilityQuery): Promise<PoolAvailability> {
  if (!canSeeSite(actor, query.siteId)) throw notFound('Site');
  const type = await findEquipmentType(deps.db, actor.orgId, query.typeId);
  if (type.archivedAt) throw new AppError('ARCHIVED', { detail: 'This equipment type is archived.' });
  const use = { start: Date.parse(query.start), end: Date.parse(query.end) };
  const rangeRefusal = judgeLoanRange(use, type.maxLoanDays);
  if (rangeRefusal) throw new AppError(rangeRefusal.code, { details: 'params' in rangeRefusal ? rangeRefusal.params : {} });
  const standing = await findPoolStanding(deps.db, { orgId: actor.orgId, typeId: type.id, destinationSiteId: query.siteId, use, quantity: query.quantity, now: deps.now() });
  return {
    typeId: type.id,
    quantity: query.quantity,
    siteId: query.siteId,
    start: new Date(use.start).toISOString(),
    end: new Date(use.end).toISOString(),
    lenders: standing.lenders.map((lender) => ({
      siteId: lender.siteId,
      siteName: lender.siteName,
      district: lender.district,
      distanceKm: lender.distanceKm,
      transitMinutes: Math.round(lender.transitMs / 60_000),
      free: lender.free,
      claimStart: new Date(lender.claim.start).toISOString(),
      claimEnd: new Date(lender.claim.end).toISOString(),
    })),
    totalFree: standing.totalFree,
    shortfall: standing.shortfall,
    suggestedSplit: standing.split,
  };
}
