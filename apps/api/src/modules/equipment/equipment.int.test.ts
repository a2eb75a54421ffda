/**
 * The equipment pool's inventory through the API: types and transit settings per organization, counted stock and
 * tracked items with their refusals, adjustments under the stock lock, who may do what (another site's holding is
 * 404), the pool at a glance counted by hand, a holding's history, and which sites could lend how many units.
 * Loans are made through the claims core, as the loans feature makes them.
 */
import { randomBytes } from 'node:crypto';
import { schema } from '@linli/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createPortfolio, createSite, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { type LoanRow, claimLoanRequest, transitionLoan } from '../claims/equipment-claims.ts';

const NOW = at('2027-03-01', '09:00');
const DAY = '2027-03-10';
const unique = () => randomBytes(4).toString('hex');

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;

beforeAll(async () => {
  t = await startTestApp({ now: NOW });
  p = await createPortfolio(t.app, t.db);
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
const call = (token: string, method: Method, url: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload !== undefined ? { payload } : {}) });

async function createType(token: string, input: { tracked?: boolean; maxLoanDays?: number; key?: string } = {}) {
  const res = await call(token, 'POST', '/equipment/types', { key: input.key ?? `chair-${unique()}`, nameZh: '折叠椅', nameEn: 'Folding chair', tracked: input.tracked ?? false, ...(input.maxLoanDays ? { maxLoanDays: input.maxLoanDays } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; key: string; tracked: boolean };
}

async function createHolding(token: string, body: object) {
  const res = await call(token, 'POST', '/equipment/holdings', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function holdingRow(id: string) {
  const [row] = await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.id, id));
  return row!;
}

/** A loan claimed through the core, then walked through `steps` as the loans feature would. */
async function makeLoan(input: { orgId: string; typeId: string; lenderSiteId: string; borrowerSiteId: string; quantity: number; start: string; end: string; steps?: ('approved' | 'dispatched' | 'received' | 'returned')[] }) {
  return t.db.transaction(async (tx) => {
    const [claimed] = await claimLoanRequest(tx, {
      orgId: input.orgId,
      typeId: input.typeId,
      borrowerSiteId: input.borrowerSiteId,
      quantity: input.quantity,
      use: { start: Date.parse(input.start), end: Date.parse(input.end) },
      lenders: [{ siteId: input.lenderSiteId, quantity: input.quantity }],
      actorId: null,
      now: new Date(NOW),
    });
    let loan: LoanRow = claimed!;
    for (const to of input.steps ?? []) loan = await transitionLoan(tx, loan, { to, actorId: null, reason: null, now: new Date(NOW) });
    return loan;
  });
}

describe('equipment types', () => {
  it('an org admin adds, lists, renames and archives types; a duplicate key is refused', async () => {
    const type = await createType(p.tokens.admin, { key: `projector-${unique()}`, tracked: true, maxLoanDays: 7 });
    expect(type).toMatchObject({ tracked: true, maxLoanDays: 7, archived: false });

    const duplicate = await call(p.tokens.admin, 'POST', '/equipment/types', { key: type.key, nameZh: '投影仪', nameEn: 'Projector' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('ALREADY_EXISTS');
    // Keys are per organization: another operator may use the same one.
    expect((await call(p.tokens.otherAdmin, 'POST', '/equipment/types', { key: type.key, nameZh: '投影仪', nameEn: 'Projector' })).statusCode).toBe(201);

    const renamed = await call(p.tokens.admin, 'PATCH', `/equipment/types/${type.id}`, { nameEn: 'Laser projector', maxLoanDays: 10 });
    expect(renamed.json()).toMatchObject({ nameEn: 'Laser projector', maxLoanDays: 10, archived: false });
    expect((await call(p.tokens.admin, 'PATCH', `/equipment/types/${type.id}`, { archived: true })).json().archived).toBe(true);

    const list = await call(p.tokens.staff, 'GET', '/equipment/types');
    expect(list.statusCode).toBe(200);
    const listed = list.json().items.find((i: { id: string }) => i.id === type.id);
    expect(listed).toMatchObject({ key: type.key, nameEn: 'Laser projector', archived: true });

    expect((await call(p.tokens.admin, 'PATCH', `/equipment/types/${type.id}`, { archived: false })).json().archived).toBe(false);
  });

  it("another organization's type does not exist here (404) and is not listed", async () => {
    const theirs = await createType(p.tokens.otherAdmin);
    expect((await call(p.tokens.admin, 'PATCH', `/equipment/types/${theirs.id}`, { nameEn: 'taken over' })).statusCode).toBe(404);
    const list = await call(p.tokens.admin, 'GET', '/equipment/types');
    expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(theirs.id);
    const holding = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: theirs.id, units: 3 });
    expect(holding.statusCode).toBe(404);
  });

  it('only org admins add or change types; staff and managers get 403', async () => {
    const type = await createType(p.tokens.admin);
    for (const token of [p.tokens.staff, p.tokens.manager]) {
      expect((await call(token, 'POST', '/equipment/types', { key: `x-${unique()}`, nameZh: '椅', nameEn: 'Chair' })).statusCode).toBe(403);
      expect((await call(token, 'PATCH', `/equipment/types/${type.id}`, { archived: true })).statusCode).toBe(403);
    }
  });

  it('refuses a key with spaces or capitals, and a longest loan past the cap (400)', async () => {
    for (const body of [
      { key: 'Folding Chair', nameZh: '椅', nameEn: 'Chair' },
      { key: `ok-${unique()}`, nameZh: '椅', nameEn: 'Chair', maxLoanDays: 91 },
      { key: `ok-${unique()}`, nameZh: '椅\u0000', nameEn: 'Chair' },
    ]) {
      expect((await call(p.tokens.admin, 'POST', '/equipment/types', body)).statusCode).toBe(400);
    }
  });
});

describe('transit settings', () => {
  it('answer the defaults until set, then what was set; each organization its own', async () => {
    const org = await createOrg(t.db);
    const admin = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
    const staff = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [] }));
    expect((await call(staff, 'GET', '/equipment/settings')).json()).toEqual({ transitBaseMinutes: 60, transitMinutesPerKm: 4 });

    const put = await call(admin, 'PUT', '/equipment/settings', { transitBaseMinutes: 30, transitMinutesPerKm: 2.5 });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ transitBaseMinutes: 30, transitMinutesPerKm: 2.5 });
    expect((await call(admin, 'PUT', '/equipment/settings', { transitBaseMinutes: 45, transitMinutesPerKm: 3 })).statusCode).toBe(200);
    expect((await call(staff, 'GET', '/equipment/settings')).json()).toEqual({ transitBaseMinutes: 45, transitMinutesPerKm: 3 });
    expect(await t.db.select().from(schema.equipmentSettings).where(eq(schema.equipmentSettings.orgId, org.id))).toHaveLength(1);

    expect((await call(p.tokens.staff, 'GET', '/equipment/settings')).json()).toEqual({ transitBaseMinutes: 60, transitMinutesPerKm: 4 });
    expect((await call(staff, 'PUT', '/equipment/settings', { transitBaseMinutes: 0, transitMinutesPerKm: 0 })).statusCode).toBe(403);
    expect((await call(admin, 'PUT', '/equipment/settings', { transitBaseMinutes: 2000, transitMinutesPerKm: 3 })).statusCode).toBe(400);
    expect((await call(admin, 'PUT', '/equipment/settings', { transitBaseMinutes: 30 })).statusCode).toBe(400);
  });
});

describe('holdings', () => {
  it('counted stock: one per site and type, with its "added" event; a second one is refused', async () => {
    const type = await createType(p.tokens.admin);
    const stock = await createHolding(p.tokens.manager, { siteId: p.siteA.id, typeId: type.id, units: 40, notes: '仓库二楼' });
    expect(stock).toMatchObject({ siteId: p.siteA.id, siteName: p.siteA.name, typeId: type.id, assetTag: null, inService: 40, damaged: 0, missing: 0, lendable: true, outNow: 0, whereabouts: { kind: 'stock' }, version: 1 });
    const events = await t.db.select().from(schema.equipmentHoldingEvents).where(eq(schema.equipmentHoldingEvents.holdingId, stock.id));
    expect(events).toMatchObject([{ kind: 'added', units: 40 }]);

    const again = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: type.id, units: 5 });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'ALREADY_EXISTS', details: { constraint: 'equipment_holdings_one_stock_key' } });
    // Another site may hold the same type.
    await createHolding(p.tokens.admin, { siteId: p.siteB.id, typeId: type.id, units: 5 });
  });

  it('tracked items: one unit each, a unique asset tag in the organization, only for a tracked type', async () => {
    const projector = await createType(p.tokens.admin, { tracked: true });
    const chairs = await createType(p.tokens.admin);
    const tag = `PRJ-${unique()}`;
    const item = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: projector.id, assetTag: tag, serialNumber: 'SN-1', photoUrl: 'https://example.org/p.jpg' });
    expect(item).toMatchObject({ assetTag: tag, serialNumber: 'SN-1', inService: 1, outNow: 0, whereabouts: { kind: 'home' }, photoUrl: 'https://example.org/p.jpg' });

    const sameTag = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteB.id, typeId: projector.id, assetTag: tag });
    expect(sameTag.statusCode).toBe(409);
    expect(sameTag.json()).toMatchObject({ code: 'ALREADY_EXISTS', details: { constraint: 'equipment_holdings_asset_tag_key' } });

    const countedOfTracked = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: projector.id, units: 3 });
    expect(countedOfTracked.statusCode).toBe(400);
    expect(countedOfTracked.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'assetTag' }] });
    expect(countedOfTracked.json().detail).toContain('tracked one by one');

    const itemOfCounted = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: chairs.id, assetTag: `CH-${unique()}` });
    expect(itemOfCounted.statusCode).toBe(400);
    expect(itemOfCounted.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'units' }] });

    const both = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: projector.id, assetTag: `X-${unique()}`, units: 1 });
    expect(both.statusCode).toBe(400);
    const holdings = await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.typeId, projector.id));
    expect(holdings).toHaveLength(1);
  });

  it('refuses a javascript: photo and a NUL in the notes (400), writing nothing', async () => {
    const type = await createType(p.tokens.admin);
    for (const body of [
      { siteId: p.siteA.id, typeId: type.id, units: 2, photoUrl: 'javascript:alert(1)' },
      { siteId: p.siteA.id, typeId: type.id, units: 2, photoUrl: 'data:image/png;base64,AAAA' },
      { siteId: p.siteA.id, typeId: type.id, units: 2, notes: 'before\u0000after' },
      { siteId: p.siteA.id, typeId: type.id, units: 0 },
    ]) {
      const res = await call(p.tokens.admin, 'POST', '/equipment/holdings', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect(await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.typeId, type.id))).toHaveLength(0);
  });

  it('an archived type takes no new stock (409), an archived site none either (404)', async () => {
    const type = await createType(p.tokens.admin);
    await call(p.tokens.admin, 'PATCH', `/equipment/types/${type.id}`, { archived: true });
    const res = await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: type.id, units: 2 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('ARCHIVED');

    const open = await createType(p.tokens.admin);
    const archivedSite = await createSite(t.db, { orgId: p.org.id, archivedAt: new Date(NOW) });
    expect((await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: archivedSite.id, typeId: open.id, units: 2 })).statusCode).toBe(404);
    expect((await call(p.tokens.admin, 'POST', '/equipment/holdings', { siteId: p.otherSite.id, typeId: open.id, units: 2 })).statusCode).toBe(404);
  });

  it('lists with filters and pages, for all staff of the organization', async () => {
    const type = await createType(p.tokens.admin, { tracked: true });
    const prefix = `LST-${unique()}`;
    const a1 = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, assetTag: `${prefix}-1` });
    const a2 = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, assetTag: `${prefix}-2` });
    const b1 = await createHolding(p.tokens.admin, { siteId: p.siteB.id, typeId: type.id, assetTag: `${prefix}-3` });

    const ofType = await call(p.tokens.staff, 'GET', `/equipment/holdings?typeId=${type.id}`);
    expect(ofType.json().items.map((h: { id: string }) => h.id)).toEqual([a1.id, a2.id, b1.id]);
    const atB = await call(p.tokens.staff, 'GET', `/equipment/holdings?typeId=${type.id}&siteId=${p.siteB.id}`);
    expect(atB.json().items.map((h: { id: string }) => h.id)).toEqual([b1.id]);
    const searched = await call(p.tokens.staff, 'GET', `/equipment/holdings?q=${prefix}-2`);
    expect(searched.json().items.map((h: { id: string }) => h.id)).toEqual([a2.id]);
    // A % in a search is a percent sign, not "anything".
    expect((await call(p.tokens.staff, 'GET', `/equipment/holdings?q=${encodeURIComponent('%')}&typeId=${type.id}`)).json().items).toEqual([]);
    const counted = await call(p.tokens.staff, 'GET', `/equipment/holdings?typeId=${type.id}&tracked=false`);
    expect(counted.json().items).toEqual([]);

    const first = await call(p.tokens.manager, 'GET', `/equipment/holdings?typeId=${type.id}&limit=2`);
    expect(first.json().items).toHaveLength(2);
    const second = await call(p.tokens.manager, 'GET', `/equipment/holdings?typeId=${type.id}&limit=2&cursor=${first.json().nextCursor}`);
    expect(second.json()).toMatchObject({ items: [{ id: b1.id }], nextCursor: null });

    expect((await call(p.tokens.staff, 'GET', `/equipment/holdings/${b1.id}`)).json()).toMatchObject({ id: b1.id, siteId: p.siteB.id });
    expect((await call(p.tokens.otherAdmin, 'GET', `/equipment/holdings/${b1.id}`)).statusCode).toBe(404);
    expect((await call(p.tokens.otherAdmin, 'GET', `/equipment/holdings?typeId=${type.id}`)).json().items).toEqual([]);
  });

  it("managers edit their own site's holdings; another site's is 404, staff get 403", async () => {
    const type = await createType(p.tokens.admin);
    const atA = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, units: 6 });
    const atB = await createHolding(p.tokens.admin, { siteId: p.siteB.id, typeId: type.id, units: 6 });

    const edited = await call(p.tokens.manager, 'PATCH', `/equipment/holdings/${atA.id}`, { lendable: false, conditionNote: '略有划痕', notes: null });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ lendable: false, conditionNote: '略有划痕', notes: null, version: 2 });
    expect((await call(p.tokens.manager, 'PATCH', `/equipment/holdings/${atB.id}`, { lendable: false })).statusCode).toBe(404);
    expect((await holdingRow(atB.id)).lendable).toBe(true);
    expect((await call(p.tokens.staff, 'PATCH', `/equipment/holdings/${atA.id}`, { lendable: true })).statusCode).toBe(403);
    expect((await call(p.tokens.manager, 'PATCH', `/equipment/holdings/${atA.id}`, { photoUrl: 'javascript:alert(1)' })).statusCode).toBe(400);
  });
});

describe('adjustments', () => {
  it('damage and loss take units out of service, repair and finding bring them back, retirement removes damaged first', async () => {
    const type = await createType(p.tokens.admin);
    const stock = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, units: 10 });
    const adjust = (kind: string, units: number, token = p.tokens.staff) => call(token, 'POST', `/equipment/holdings/${stock.id}/adjustments`, { kind, units, note: `${kind} ${units}` });
    const steps: [string, number, { inService: number; damaged: number; missing: number }][] = [
      ['damaged', 3, { inService: 7, damaged: 3, missing: 0 }],
      ['missing', 2, { inService: 5, damaged: 3, missing: 2 }],
      ['repaired', 1, { inService: 6, damaged: 2, missing: 2 }],
      ['found', 1, { inService: 7, damaged: 2, missing: 1 }],
      ['retired', 3, { inService: 7, damaged: 0, missing: 0 }],
      ['adjusted', 12, { inService: 12, damaged: 0, missing: 0 }],
    ];
    let version = 1;
    for (const [kind, units, counts] of steps) {
      const res = await adjust(kind, units);
      expect(res.statusCode, `${kind} ${units}: ${res.body}`).toBe(200);
      expect(res.json()).toMatchObject({ ...counts, version: ++version });
    }
    const events = await t.db.select().from(schema.equipmentHoldingEvents).where(eq(schema.equipmentHoldingEvents.holdingId, stock.id));
    expect(events.map((e) => [e.kind, e.units]).sort()).toEqual([['added', 10], ...steps.map(([kind, units]) => [kind, units])].sort());
  });

  it('retiring takes missing units once the damaged ones are gone', async () => {
    const type = await createType(p.tokens.admin);
    const stock = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, units: 10 });
    await call(p.tokens.staff, 'POST', `/equipment/holdings/${stock.id}/adjustments`, { kind: 'damaged', units: 1 });
    await call(p.tokens.staff, 'POST', `/equipment/holdings/${stock.id}/adjustments`, { kind: 'missing', units: 2 });
    const retired = await call(p.tokens.staff, 'POST', `/equipment/holdings/${stock.id}/adjustments`, { kind: 'retired', units: 2 });
    expect(retired.json()).toMatchObject({ inService: 7, damaged: 0, missing: 1 });
  });

  it.each([
    ['damaging more than are in service', 'damaged', 11],
    ['losing more than are in service', 'missing', 11],
    ['repairing units that are not damaged', 'repaired', 1],
    ['finding units that are not missing', 'found', 1],
    ['retiring units neither damaged nor missing', 'retired', 1],
  ])('%s is HOLDING_UNITS_INSUFFICIENT, nothing written', async (_title, kind, units) => {
    const type = await createType(p.tokens.admin);
    const stock = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, units: 10 });
    const res = await call(p.tokens.staff, 'POST', `/equipment/holdings/${stock.id}/adjustments`, { kind, units });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('HOLDING_UNITS_INSUFFICIENT');
    expect(await holdingRow(stock.id)).toMatchObject({ inService: 10, damaged: 0, missing: 0, version: 1 });
    expect(await t.db.select().from(schema.equipmentHoldingEvents).where(eq(schema.equipmentHoldingEvents.holdingId, stock.id))).toHaveLength(1);
  });

  it('a tracked item is one unit: damaged and repaired, never recounted or damaged twice', async () => {
    const type = await createType(p.tokens.admin, { tracked: true });
    const item = await createHolding(p.tokens.admin, { siteId: p.siteA.id, typeId: type.id, assetTag: `T-${unique()}` });
    const adjust = (kind: string, units = 1) => call(p.tokens.staff, 'POST', `/equipment/holdings/${item.id}/adjustments`, { kind, units });
    expect((await adjust('adjusted', 2)).statusCode).toBe(400);
    expect((await adjust('damaged')).json()).toMatchObject({ inService: 0, damaged: 1 });
    expect((await adjust('damaged')).json().code).toBe('HOLDING_UNITS_INSUFFICIENT');
    expect((await adjust('retired')).statusCode).toBe(400);
    expect((await adjust('repaired')).json()).toMatchObject({ inService: 1, damaged: 0 });
  });

  it("staff adjust only their own site's holdings (404 elsewhere); bad input is 400", async () => {
    const type = await createType(p.tokens.admin);
    const atB = await createHolding(p.tokens.admin, { siteId: p.siteB.id, typeId: type.id, units: 4 });
    expect((await call(p.tokens.staff, 'POST', `/equipment/holdings/${atB.id}/adjustments`, { kind: 'damaged', units: 1 })).statusCode).toBe(404);
    expect((await call(p.tokens.manager, 'POST', `/equipment/holdings/${atB.id}/adjustments`, { kind: 'damaged', units: 1 })).statusCode).toBe(404);
    expect((await call(p.tokens.admin, 'POST', `/equipment/holdings/${atB.id}/adjustments`, { kind: 'damaged', units: 1 })).statusCode).toBe(200);
    for (const body of [{ kind: 'stolen', units: 1 }, { kind: 'damaged', units: 0 }, { kind: 'damaged', units: 1, note: 'a\u0000b' }]) {
      expect((await call(p.tokens.admin, 'POST', `/equipment/holdings/${atB.id}/adjustments`, body)).statusCode).toBe(400);
    }
    expect(await holdingRow(atB.id)).toMatchObject({ inService: 3, damaged: 1 });
  });
});

describe('who may do what', () => {
  it('a site manager adding stock at another site gets 404; staff may not add stock (403)', async () => {
    const type = await createType(p.tokens.admin);
    expect((await call(p.tokens.manager, 'POST', '/equipment/holdings', { siteId: p.siteB.id, typeId: type.id, units: 3 })).statusCode).toBe(404);
    expect((await call(p.tokens.staff, 'POST', '/equipment/holdings', { siteId: p.siteA.id, typeId: type.id, units: 3 })).statusCode).toBe(403);
    expect(await t.db.select().from(schema.equipmentHoldings).where(eq(schema.equipmentHoldings.typeId, type.id))).toHaveLength(0);
  });

  it('a resident gets 403 on every equipment route', async () => {
    const id = crypto.randomUUID();
    const routes: [Method, string, object?][] = [
      ['GET', '/equipment/types'],
      ['POST', '/equipment/types', { key: 'x', nameZh: 'x', nameEn: 'x' }],
      ['PATCH', `/equipment/types/${id}`, {}],
      ['GET', '/equipment/settings'],
      ['PUT', '/equipment/settings', { transitBaseMinutes: 1, transitMinutesPerKm: 1 }],
      ['GET', '/equipment/pool'],
      ['GET', '/equipment/holdings'],
      ['POST', '/equipment/holdings', {}],
      ['GET', `/equipment/holdings/${id}`],
      ['PATCH', `/equipment/holdings/${id}`, {}],
      ['POST', `/equipment/holdings/${id}/adjustments`, { kind: 'damaged', units: 1 }],
      ['GET', `/equipment/holdings/${id}/history`],
      ['GET', `/equipment/availability?typeId=${id}&quantity=1&siteId=${p.siteA.id}&start=${at(DAY, '10:00')}&end=${at(DAY, '12:00')}`],
    ];
    for (const [method, url, body] of routes) {
      const res = await call(p.tokens.resident, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
  });
});

describe('the pool at a glance and where units are', () => {
  let org: Awaited<ReturnType<typeof createOrg>>;
  let admin: string;
  let staffOfQ: string;
  let lender: Awaited<ReturnType<typeof createSite>>;
  let borrowerQ: Awaited<ReturnType<typeof createSite>>;
  let borrowerR: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    org = await createOrg(t.db);
    lender = await createSite(t.db, { orgId: org.id, name: `P 站 ${unique()}` });
    borrowerQ = await createSite(t.db, { orgId: org.id, name: `Q 站 ${unique()}` });
    borrowerR = await createSite(t.db, { orgId: org.id, name: `R 站 ${unique()}` });
    admin = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
    staffOfQ = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [borrowerQ.id] }));
  });

  const window = { start: at(DAY, '10:00'), end: at(DAY, '18:00') };

  it('counts stock, units lent out and borrowed in now, per site and type, by hand', async () => {
    const chairs = await createType(admin);
    const stockP = await createHolding(admin, { siteId: lender.id, typeId: chairs.id, units: 10 });
    await createHolding(admin, { siteId: borrowerQ.id, typeId: chairs.id, units: 4, lendable: false });
    await call(admin, 'POST', `/equipment/holdings/${stockP.id}/adjustments`, { kind: 'damaged', units: 1 });
    // P has 9 in service: 3 with Q (dispatched), 1 with R (received), 1 on its way back from R (returned), 2 promised to Q (requested),
    // 1 used at P itself (dispatched to itself: away from the store, not at another site).
    const base = { orgId: org.id, typeId: chairs.id, lenderSiteId: lender.id, ...window };
    await makeLoan({ ...base, borrowerSiteId: borrowerQ.id, quantity: 3, steps: ['approved', 'dispatched'] });
    await makeLoan({ ...base, borrowerSiteId: borrowerR.id, quantity: 1, steps: ['approved', 'dispatched', 'received'] });
    await makeLoan({ ...base, borrowerSiteId: borrowerR.id, quantity: 1, steps: ['approved', 'dispatched', 'received', 'returned'] });
    await makeLoan({ ...base, borrowerSiteId: borrowerQ.id, quantity: 2 });
    await makeLoan({ ...base, borrowerSiteId: lender.id, quantity: 1, steps: ['approved', 'dispatched'] });

    const pool = await call(staffOfQ, 'GET', `/equipment/pool?typeId=${chairs.id}`);
    expect(pool.statusCode).toBe(200);
    const bySite = Object.fromEntries(pool.json().rows.map((row: { siteId: string }) => [row.siteId, row]));
    expect(Object.keys(bySite).sort()).toEqual([lender.id, borrowerQ.id, borrowerR.id].sort());
    expect(bySite[lender.id]).toMatchObject({ inService: 9, lendable: 9, damaged: 1, missing: 0, lentOutNow: 4, borrowedInNow: 0, typeKey: chairs.key });
    expect(bySite[borrowerQ.id]).toMatchObject({ inService: 4, lendable: 0, damaged: 0, lentOutNow: 0, borrowedInNow: 3 });
    // R owns none of the type but has one borrowed in: it still has a row.
    expect(bySite[borrowerR.id]).toMatchObject({ inService: 0, lendable: 0, lentOutNow: 0, borrowedInNow: 1, siteName: borrowerR.name });

    const onlyQ = await call(admin, 'GET', `/equipment/pool?siteId=${borrowerQ.id}&typeId=${chairs.id}`);
    expect(onlyQ.json().rows.map((row: { siteId: string }) => row.siteId)).toEqual([borrowerQ.id]);

    // The holding's units away from the store: 3 + 1 + 1 (on its way back) + 1 (at P itself); the requested 2 are still home.
    expect((await call(staffOfQ, 'GET', `/equipment/holdings/${stockP.id}`)).json()).toMatchObject({ outNow: 6, whereabouts: { kind: 'stock' } });
    expect((await call(p.tokens.admin, 'GET', `/equipment/pool?typeId=${chairs.id}`)).json().rows).toEqual([]);
  });

  it("a tracked item's whereabouts and history follow the loan it went out with", async () => {
    const projector = await createType(admin, { tracked: true });
    const item = await createHolding(admin, { siteId: lender.id, typeId: projector.id, assetTag: `PRJ-${unique()}` });
    const other = await createHolding(admin, { siteId: lender.id, typeId: projector.id, assetTag: `PRJ-${unique()}` });
    await call(admin, 'POST', `/equipment/holdings/${item.id}/adjustments`, { kind: 'damaged', units: 1, note: '镜头裂了' });
    await call(admin, 'POST', `/equipment/holdings/${item.id}/adjustments`, { kind: 'repaired', units: 1 });
    const loan = await makeLoan({ orgId: org.id, typeId: projector.id, lenderSiteId: lender.id, borrowerSiteId: borrowerQ.id, quantity: 1, ...window, steps: ['approved', 'dispatched'] });
    await t.db.insert(schema.equipmentLoanItems).values({ loanId: loan.id, holdingId: item.id, orgId: org.id });

    const out = (await call(staffOfQ, 'GET', `/equipment/holdings/${item.id}`)).json();
    expect(out).toMatchObject({ outNow: 1, whereabouts: { kind: 'out', loanId: loan.id, siteId: borrowerQ.id, siteName: borrowerQ.name, status: 'dispatched' } });
    expect((await call(staffOfQ, 'GET', `/equipment/holdings/${other.id}`)).json()).toMatchObject({ outNow: 0, whereabouts: { kind: 'home' } });

    const history = await call(staffOfQ, 'GET', `/equipment/holdings/${item.id}/history`);
    expect(history.statusCode).toBe(200);
    const entries = history.json().entries as { kind: string; change?: string; to?: string; at: string; actorName: string | null; note?: string | null; borrowerSiteName?: string }[];
    expect(entries.map((e) => (e.kind === 'holding' ? e.change : e.to))).toEqual(['dispatched', 'approved', 'requested', 'repaired', 'damaged', 'added']);
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort().reverse());
    expect(entries.find((e) => e.change === 'damaged')).toMatchObject({ note: '镜头裂了', actorName: expect.stringContaining('org_admin') });
    expect(entries.find((e) => e.to === 'dispatched')).toMatchObject({ borrowerSiteName: borrowerQ.name });
    // The other item never went out: only its own event.
    expect((await call(admin, 'GET', `/equipment/holdings/${other.id}/history`)).json().entries).toMatchObject([{ kind: 'holding', change: 'added' }]);

    await t.db.update(schema.equipmentLoans).set({ status: 'checked' }).where(and(eq(schema.equipmentLoans.id, loan.id)));
    expect((await call(admin, 'GET', `/equipment/holdings/${item.id}`)).json()).toMatchObject({ outNow: 0, whereabouts: { kind: 'home' } });
  });

  it("counted stock's history carries the events of its site's loans of the type", async () => {
    const tents = await createType(admin);
    const stock = await createHolding(admin, { siteId: lender.id, typeId: tents.id, units: 5 });
    const loan = await makeLoan({ orgId: org.id, typeId: tents.id, lenderSiteId: lender.id, borrowerSiteId: borrowerR.id, quantity: 2, ...window, steps: ['approved'] });
    const entries = (await call(admin, 'GET', `/equipment/holdings/${stock.id}/history`)).json().entries;
    expect(entries).toMatchObject([
      { kind: 'loan', loanId: loan.id, from: 'requested', to: 'approved', borrowerSiteName: borrowerR.name },
      { kind: 'loan', loanId: loan.id, from: null, to: 'requested' },
      { kind: 'holding', change: 'added', units: 5 },
    ]);
    expect((await call(p.tokens.admin, 'GET', `/equipment/holdings/${stock.id}/history`)).statusCode).toBe(404);
  });
});

describe('availability across the pool', () => {
  // Destination D and three lenders due north of it: 1 km, 6 km and 12 km (0.009 degrees of latitude ~ 1.0007 km).
  const LAT = 31.2;
  const LNG = 121.4;
  let org: Awaited<ReturnType<typeof createOrg>>;
  let admin: string;
  let staffOfD: string;
  let staffOfL1: string;
  let dest: Awaited<ReturnType<typeof createSite>>;
  let near: Awaited<ReturnType<typeof createSite>>;
  let mid: Awaited<ReturnType<typeof createSite>>;
  let far: Awaited<ReturnType<typeof createSite>>;
  let chairs: { id: string };
  const start = at(DAY, '10:00');
  const end = at(DAY, '18:00');
  const ask = (token: string, query: Record<string, string | number>) =>
    call(token, 'GET', `/equipment/availability?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`);

  beforeAll(async () => {
    org = await createOrg(t.db);
    dest = await createSite(t.db, { orgId: org.id, name: 'D', lat: LAT, lng: LNG });
    near = await createSite(t.db, { orgId: org.id, name: 'L1', lat: LAT + 0.009, lng: LNG });
    mid = await createSite(t.db, { orgId: org.id, name: 'L2', lat: LAT + 0.054, lng: LNG });
    far = await createSite(t.db, { orgId: org.id, name: 'L3', lat: LAT + 0.108, lng: LNG });
    admin = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'org_admin' }));
    staffOfD = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [dest.id] }));
    staffOfL1 = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [near.id] }));
    // 30 min handling + 3 min/km, rounded up to 15 min: 1 km -> 33 -> 45, 6 km -> 48 -> 60, 12 km -> 66 -> 75.
    expect((await call(admin, 'PUT', '/equipment/settings', { transitBaseMinutes: 30, transitMinutesPerKm: 3 })).statusCode).toBe(200);
    chairs = await createType(admin);
    await createHolding(admin, { siteId: dest.id, typeId: chairs.id, units: 2, lendable: false });
    await createHolding(admin, { siteId: near.id, typeId: chairs.id, units: 3 });
    await createHolding(admin, { siteId: mid.id, typeId: chairs.id, units: 5 });
    await createHolding(admin, { siteId: far.id, typeId: chairs.id, units: 10 });
    // Two of L1's three units are already promised to L2 over an overlapping window.
    await makeLoan({ orgId: org.id, typeId: chairs.id, lenderSiteId: near.id, borrowerSiteId: mid.id, quantity: 2, start: at(DAY, '14:00'), end: at(DAY, '20:00') });
  });

  it('ranks lenders nearest first, the destination itself first, with transit from the settings and what each has free', async () => {
    const res = await ask(staffOfD, { typeId: chairs.id, quantity: 6, siteId: dest.id, start, end });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const minutes = (n: number) => n * 60_000;
    expect(body.lenders.map((l: { siteId: string; transitMinutes: number; free: number }) => [l.siteId, l.transitMinutes, l.free])).toEqual([
      [dest.id, 0, 2],
      [near.id, 45, 1],
      [mid.id, 60, 5],
      [far.id, 75, 10],
    ]);
    expect(body.lenders[1]).toMatchObject({
      siteName: 'L1',
      claimStart: new Date(Date.parse(start) - minutes(45)).toISOString(),
      claimEnd: new Date(Date.parse(end) + minutes(45)).toISOString(),
    });
    expect(body.lenders[1].distanceKm).toBeCloseTo(1.0, 1);
    expect(body.lenders[0]).toMatchObject({ distanceKm: 0, claimStart: new Date(start).toISOString(), claimEnd: new Date(end).toISOString() });
    expect(body).toMatchObject({ typeId: chairs.id, quantity: 6, siteId: dest.id, totalFree: 18, shortfall: 0 });
    expect(body.suggestedSplit).toEqual([
      { siteId: dest.id, quantity: 2 },
      { siteId: near.id, quantity: 1 },
      { siteId: mid.id, quantity: 3 },
    ]);
  });

  it("the destination's own units that it does not lend are not offered to other sites", async () => {
    const body = (await ask(staffOfL1, { typeId: chairs.id, quantity: 4, siteId: near.id, start, end })).json();
    // L1 itself has one unit free for its own use (two promised to L2); D lends nothing.
    expect(body.lenders.map((l: { siteId: string; free: number }) => [l.siteId, l.free])).toEqual([
      [near.id, 1],
      [mid.id, 5],
      [far.id, 10],
    ]);
    expect(body.suggestedSplit).toEqual([
      { siteId: near.id, quantity: 1 },
      { siteId: mid.id, quantity: 3 },
    ]);
  });

  it('reports the shortfall when the pool cannot meet the need, and the split of what it can', async () => {
    const body = (await ask(admin, { typeId: chairs.id, quantity: 20, siteId: dest.id, start, end })).json();
    expect(body).toMatchObject({ totalFree: 18, shortfall: 2 });
    expect(body.suggestedSplit.map((s: { quantity: number }) => s.quantity)).toEqual([2, 1, 5, 10]);
  });

  it('a window clear of the promised loan (plus transit) gets every unit of L1 back', async () => {
    const body = (await ask(admin, { typeId: chairs.id, quantity: 1, siteId: dest.id, start: at(DAY, '06:00'), end: at(DAY, '12:00') })).json();
    // L1's claim for this window ends 12:45; the loan to L2 holds from 13:00 (14:00 less its 60 min transit).
    expect(body.lenders.find((l: { siteId: string }) => l.siteId === near.id).free).toBe(3);
  });

  it('tracked items kept at home count for their own site but are not offered to others', async () => {
    const projector = await createType(admin, { tracked: true });
    for (const lendable of [true, true, false]) await createHolding(admin, { siteId: mid.id, typeId: projector.id, assetTag: `PRJ-${unique()}`, lendable });
    const forOthers = (await ask(admin, { typeId: projector.id, quantity: 3, siteId: dest.id, start, end })).json();
    expect(forOthers).toMatchObject({ lenders: [{ siteId: mid.id, free: 2 }], totalFree: 2, shortfall: 1 });
    const forItself = (await ask(admin, { typeId: projector.id, quantity: 3, siteId: mid.id, start, end })).json();
    expect(forItself).toMatchObject({ lenders: [{ siteId: mid.id, free: 3, transitMinutes: 0 }], shortfall: 0 });
  });

  it('refuses a destination the caller cannot see and a type of another organization (404)', async () => {
    expect((await ask(staffOfL1, { typeId: chairs.id, quantity: 1, siteId: dest.id, start, end })).statusCode).toBe(404);
    expect((await ask(p.tokens.admin, { typeId: chairs.id, quantity: 1, siteId: p.siteA.id, start, end })).statusCode).toBe(404);
    expect((await ask(admin, { typeId: chairs.id, quantity: 1, siteId: p.siteA.id, start, end })).statusCode).toBe(404);
  });

  it.each([
    ['a century-long window', { start: at('2027-01-01', '00:00'), end: at('2099-01-01', '00:00') }],
    ['a reversed window', { start: at(DAY, '18:00'), end: at(DAY, '10:00') }],
    ['an empty window', { start: at(DAY, '10:00'), end: at(DAY, '10:00') }],
    ['the year 0001', { start: '0001-01-01T00:00:00Z', end: at(DAY, '10:00') }],
    ['quantity 0', { quantity: 0 }],
    ['quantity 100000', { quantity: 100000 }],
    ['a quantity that is not a number', { quantity: 'many' }],
  ])('%s is 400', async (_title, override) => {
    const res = await ask(admin, { typeId: chairs.id, quantity: 1, siteId: dest.id, start, end, ...override });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it("a window longer than the type's longest loan is LOAN_TOO_LONG (422)", async () => {
    const res = await ask(admin, { typeId: chairs.id, quantity: 1, siteId: dest.id, start, end: at('2027-03-30', '10:00') });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'LOAN_TOO_LONG', details: { maxDays: 14 } });
  });
});
