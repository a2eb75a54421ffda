/**
 * Equipment analytics through the API on a real database, against numbers computed by hand from the fixture below.
 * Loans and refusals are inserted straight into their tables: these tests are about counting, not about lending.
 *
 * June 2026 (30 days, Asia/Shanghai), now = 15 July 08:00 local. Projectors: A owns 10 (8 in service, 1 damaged,
 * 1 missing), B owns 4, C none. Folding chairs: A owns 40. Claim windows (local), status, and what June gets:
 *
 *   L1 A→C 3  06-10 00:00 → 06-15 00:00  checked, 1 damaged      5 d × 3 = 15       made in June
 *   L2 A→B 2  05-29 00:00 → 06-03 00:00  checked                 2 d × 2 = 4        made in May
 *   L3 A→C 1  06-28 12:00 → 07-04 12:00  received, overdue       2.5 d × 1 = 2.5    made in June
 *   L4 A→A 2  06-20 00:00 → 06-21 12:00  returned (own use)      1.5 d × 2 = 3      -
 *   L5 A→C 4  06-05 → 06-06              requested: not made    -                  -
 *   L6 A→B 1  06-07 → 06-08              cancelled              -                  -
 *   L7 B→C 2  06-12 00:00 → 06-13 06:00  dispatched              1.25 d × 2 = 2.5   made in June
 *   L8 B→A 1  06-30 20:00 → 07-02 00:00  checked, 1 missing       4 h = 1/6 d        made in June (use 06-30 22:00)
 *   L9 A→B 1  06-30 22:00 → 07-03 00:00  dispatched              2 h = 1/12 d       made in July (use 07-01 00:00)
 *
 * Refusals (use start): C 5 units short 3 (06-18), C 2 short 2 (07-01 00:00: July), B 6 short 1 (06-01 00:00).
 */
import { schema } from '@linli/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolio, createSite, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, bodyOf, startTestApp } from '../../test/harness.ts';

let t: TestApp;
let p: Awaited<ReturnType<typeof createPortfolio>>;
let siteC: { id: string; name: string };
let projector: { id: string };
let chairs: { id: string };
let otherOrgType: { id: string };
let staffOfC: string;

const JUNE = 'from=2026-06-01&to=2026-06-30';
const local = (dateTime: string) => new Date(`2026-${dateTime}:00+08:00`);

async function insertType(orgId: string, key: string, nameZh: string, nameEn: string) {
  const [row] = await t.db.insert(schema.equipmentTypes).values({ orgId, key, nameZh, nameEn }).returning();
  return row!;
}

async function insertLoan(
  lender: { id: string },
  borrower: { id: string },
  quantity: number,
  claim: [string, string],
  use: [string, string],
  status: string,
  extra: Partial<typeof schema.equipmentLoans.$inferInsert> = {},
) {
  const id = crypto.randomUUID();
  await t.db.insert(schema.equipmentLoans).values({
    id,
    orgId: p.org.id,
    typeId: projector.id,
    lenderSiteId: lender.id,
    borrowerSiteId: borrower.id,
    requestId: id,
    quantity,
    claimStart: local(claim[0]),
    claimEnd: local(claim[1]),
    useStart: local(use[0]),
    useEnd: local(use[1]),
    status,
    ...extra,
  });
}

async function insertRefusal(borrower: { id: string }, quantity: number, shortfall: number, useStart: string) {
  await t.db.insert(schema.equipmentRefusals).values({
    orgId: p.org.id,
    typeId: projector.id,
    borrowerSiteId: borrower.id,
    quantity,
    shortfall,
    useStart: local(useStart),
    useEnd: new Date(local(useStart).getTime() + 3_600_000),
  });
}

beforeAll(async () => {
  t = await startTestApp({ now: '2026-07-15T00:00:00Z' });
  p = await createPortfolio(t.app, t.db);
  siteC = await createSite(t.db, { orgId: p.org.id, name: `C 站 ${crypto.randomUUID().slice(0, 8)}` });
  staffOfC = tokenFor(t.app, await createUser(t.db, { orgId: p.org.id, role: 'staff', siteIds: [siteC.id] }));
  projector = await insertType(p.org.id, 'projector', '投影仪', 'Projector');
  chairs = await insertType(p.org.id, 'folding-chair', '折叠椅', 'Folding chair');
  otherOrgType = await insertType(p.otherOrg.id, 'projector', '投影仪', 'Projector');
  await t.db.insert(schema.equipmentHoldings).values([
    { orgId: p.org.id, siteId: p.siteA.id, typeId: projector.id, inService: 8, damaged: 1, missing: 1 },
    { orgId: p.org.id, siteId: p.siteB.id, typeId: projector.id, inService: 4 },
    { orgId: p.org.id, siteId: p.siteA.id, typeId: chairs.id, inService: 40 },
  ]);
  const { siteA: A, siteB: B } = p;
  await insertLoan(A, siteC, 3, ['06-10T00:00', '06-15T00:00'], ['06-10T02:00', '06-14T22:00'], 'checked', { returnedDamaged: 1 });
  await insertLoan(A, B, 2, ['05-29T00:00', '06-03T00:00'], ['05-29T06:00', '06-02T18:00'], 'checked');
  await insertLoan(A, siteC, 1, ['06-28T12:00', '07-04T12:00'], ['06-28T18:00', '07-04T06:00'], 'received', { overdueAt: local('07-04T12:05') });
  await insertLoan(A, A, 2, ['06-20T00:00', '06-21T12:00'], ['06-20T00:00', '06-21T12:00'], 'returned');
  await insertLoan(A, siteC, 4, ['06-05T00:00', '06-06T00:00'], ['06-05T02:00', '06-05T22:00'], 'requested');
  await insertLoan(A, B, 1, ['06-07T00:00', '06-08T00:00'], ['06-07T02:00', '06-07T22:00'], 'cancelled');
  await insertLoan(B, siteC, 2, ['06-12T00:00', '06-13T06:00'], ['06-12T02:00', '06-13T04:00'], 'dispatched');
  await insertLoan(B, A, 1, ['06-30T20:00', '07-02T00:00'], ['06-30T22:00', '07-01T22:00'], 'checked', { returnedMissing: 1 });
  await insertLoan(A, B, 1, ['06-30T22:00', '07-03T00:00'], ['07-01T00:00', '07-02T22:00'], 'dispatched');
  await insertRefusal(siteC, 5, 3, '06-18T10:00');
  await insertRefusal(siteC, 2, 2, '07-01T00:00');
  await insertRefusal(p.siteB, 6, 1, '06-01T00:00');
});

afterAll(async () => {
  await t?.close();
});

const get = (path: string, query: string, token = p.tokens.admin, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/api/v1/analytics/${path}?${query}`, headers: { ...bearer(token), ...headers } });

const NOTHING = {
  unitsOwned: 0, unitsInService: 0, unitDaysAvailable: 0, unitDaysLentOut: 0, unitDaysOwnUse: 0, unitDaysIdle: 0, lendShare: null,
  loansMade: 0, unitsLent: 0, loansReceived: 0, unitsBorrowed: 0, refusals: 0, unitsRequestedRefused: 0, unitsShort: 0,
  loansOverdue: 0, overdueRate: null, unitsChecked: 0, unitsDamagedOrMissing: 0, damageRate: null,
};
const projectorAt = (site: { id: string; name: string }) => ({
  typeId: projector.id, typeKey: 'projector', typeName: '投影仪', typeNameEn: 'Projector', siteId: site.id, siteName: site.name,
});
// Available 8 × 30; lent out 15 + 4 + 2.5 + 1/12 = 21.583333; own use 3; idle 240 − 24.583333.
const A_PROJECTOR_JUNE = {
  ...NOTHING,
  unitsOwned: 10, unitsInService: 8, unitDaysAvailable: 240, unitDaysLentOut: 21.58, unitDaysOwnUse: 3, unitDaysIdle: 215.42,
  lendShare: 0.089931, loansMade: 2, unitsLent: 4, loansReceived: 1, unitsBorrowed: 1,
  loansOverdue: 1, overdueRate: 0.5, unitsChecked: 3, unitsDamagedOrMissing: 1, damageRate: 0.333333,
};
// Available 4 × 30; lent out 2.5 + 1/6 = 2.666667.
const B_PROJECTOR_JUNE = {
  ...NOTHING,
  unitsOwned: 4, unitsInService: 4, unitDaysAvailable: 120, unitDaysLentOut: 2.67, unitDaysIdle: 117.33, lendShare: 0.022222,
  loansMade: 2, unitsLent: 3, loansOverdue: 0, overdueRate: 0, unitsChecked: 1, unitsDamagedOrMissing: 1, damageRate: 1,
  refusals: 1, unitsRequestedRefused: 6, unitsShort: 1,
};
const C_PROJECTOR_JUNE = { ...NOTHING, loansReceived: 3, unitsBorrowed: 6, refusals: 1, unitsRequestedRefused: 5, unitsShort: 3 };
const A_CHAIRS_JUNE = {
  ...NOTHING,
  typeId: '', typeKey: 'folding-chair', typeName: '折叠椅', typeNameEn: 'Folding chair',
  unitsOwned: 40, unitsInService: 40, unitDaysAvailable: 1200, unitDaysIdle: 1200, lendShare: 0,
};

describe('every figure against hand-computed numbers', () => {
  it('per type and site: unit-days lent out, own use and idle, loans made and received, refusals, overdue and damage', async () => {
    const res = await get('equipment', JUNE);
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({
      from: '2026-06-01',
      to: '2026-06-30',
      // By type name in zh-CN order (tóu before zhé), then site name.
      rows: [
        { ...projectorAt(p.siteA), ...A_PROJECTOR_JUNE },
        { ...projectorAt(p.siteB), ...B_PROJECTOR_JUNE },
        { ...projectorAt(siteC), ...C_PROJECTOR_JUNE },
        { ...A_CHAIRS_JUNE, typeId: chairs.id, siteId: p.siteA.id, siteName: p.siteA.name },
      ],
    });
  });

  it('who depends on whom: loans made between sites in the period, by lender then most units', async () => {
    const res = await get('equipment/flows', JUNE);
    expect(res.statusCode).toBe(200);
    const flow = (lender: { id: string; name: string }, borrower: { id: string; name: string }, loans: number, units: number) => ({
      lenderSiteId: lender.id, lenderSiteName: lender.name, borrowerSiteId: borrower.id, borrowerSiteName: borrower.name,
      typeId: projector.id, typeName: '投影仪', loans, units,
    });
    expect(bodyOf(res)).toEqual({
      from: '2026-06-01',
      to: '2026-06-30',
      rows: [flow(p.siteA, siteC, 2, 4), flow(p.siteB, siteC, 1, 2), flow(p.siteB, p.siteA, 1, 1)],
    });
  });

  it('a period still running counts unit-days only up to now, and a loan starting at its first midnight is made in it', async () => {
    // 1 July 00:00 to 15 July 08:00 local: 14⅓ days. A lent L3 3.5 d and L9 2 d; L9 is made in July.
    const body = bodyOf(await get('equipment', `from=2026-07-01&to=2026-07-31&typeId=${projector.id}&siteId=${p.siteA.id}`));
    expect(body.rows).toEqual([
      {
        ...projectorAt(p.siteA), ...NOTHING,
        unitsOwned: 10, unitsInService: 8, unitDaysAvailable: 114.67, unitDaysLentOut: 5.5, unitDaysIdle: 109.17, lendShare: 0.047965,
        loansMade: 1, unitsLent: 1, loansOverdue: 0, overdueRate: 0, unitsChecked: 0, damageRate: null,
      },
    ]);
    const future = bodyOf(await get('equipment', `from=2026-08-01&to=2026-08-31&siteId=${p.siteA.id}`));
    expect(future.rows.map((r: { unitDaysAvailable: number; lendShare: number | null }) => [r.unitDaysAvailable, r.lendShare])).toEqual([
      [0, null],
      [0, null],
    ]);
  });

  it('narrowed by type and by site', async () => {
    const byType = bodyOf(await get('equipment', `${JUNE}&typeId=${chairs.id}`));
    expect(byType.rows).toEqual([{ ...A_CHAIRS_JUNE, typeId: chairs.id, siteId: p.siteA.id, siteName: p.siteA.name }]);
    const bySite = bodyOf(await get('equipment', `${JUNE}&siteId=${siteC.id}`));
    expect(bySite.rows).toEqual([{ ...projectorAt(siteC), ...C_PROJECTOR_JUNE }]);
    const flowsOfChairs = bodyOf(await get('equipment/flows', `${JUNE}&typeId=${chairs.id}`));
    expect(flowsOfChairs.rows).toEqual([]);
  });
});

describe('scope: site staff see their sites only', () => {
  it('staff of A get A rows, and the flows A lends or borrows in', async () => {
    const rows = bodyOf(await get('equipment', JUNE, p.tokens.staff)).rows;
    expect(rows.map((r: { siteId: string; typeId: string }) => [r.siteId, r.typeId])).toEqual([
      [p.siteA.id, projector.id],
      [p.siteA.id, chairs.id],
    ]);
    expect(rows[0]).toEqual({ ...projectorAt(p.siteA), ...A_PROJECTOR_JUNE });
    const flows = bodyOf(await get('equipment/flows', JUNE, p.tokens.staff)).rows;
    expect(flows.map((f: { lenderSiteId: string; borrowerSiteId: string }) => [f.lenderSiteId, f.borrowerSiteId])).toEqual([
      [p.siteA.id, siteC.id],
      [p.siteB.id, p.siteA.id],
    ]);
  });

  it('staff of C, which owns nothing, see what C borrowed and was refused', async () => {
    expect(bodyOf(await get('equipment', JUNE, staffOfC)).rows).toEqual([{ ...projectorAt(siteC), ...C_PROJECTOR_JUNE }]);
  });

  it("another site's id or another organization's type answers 404, and residents 403", async () => {
    expect((await get('equipment', `${JUNE}&siteId=${p.siteB.id}`, p.tokens.staff)).statusCode).toBe(404);
    expect((await get('equipment/flows', `${JUNE}&siteId=${p.siteB.id}`, p.tokens.staff)).statusCode).toBe(404);
    expect((await get('equipment', `${JUNE}&siteId=${p.otherSite.id}`)).statusCode).toBe(404);
    expect((await get('equipment', `${JUNE}&typeId=${otherOrgType.id}`)).statusCode).toBe(404);
    expect((await get('equipment', JUNE, p.tokens.resident)).statusCode).toBe(403);
  });

  it("another organization's admin sees none of it", async () => {
    expect(bodyOf(await get('equipment', JUNE, p.tokens.otherAdmin)).rows).toEqual([]);
    expect(bodyOf(await get('equipment/flows', JUNE, p.tokens.otherAdmin)).rows).toEqual([]);
  });
});

describe('CSV', () => {
  it('pool rows with a BOM and headers in zh-CN', async () => {
    const res = await get('equipment', `${JUNE}&format=csv&siteId=${siteC.id}`, p.tokens.admin, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="linli-equipment-2026-06-01-2026-06-30.csv"');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const [header, row, end] = res.body.slice(1).split('\r\n');
    expect(header).toBe(
      '类型编号,类型代码,器材类型,英文类型名,站点编号,站点,拥有数量（今日）,可用数量（今日）,可用件·天,借出件·天,自用件·天,闲置件·天,借出率,' +
        '借出次数,借出件数,借入次数,借入件数,未满足申请数,未满足申请件数,短缺件数,逾期次数,逾期率,验收件数,损坏或遗失件数,损坏率',
    );
    expect(row).toBe(`${projector.id},projector,投影仪,Projector,${siteC.id},${siteC.name},0,0,0,0,0,0,,0,0,3,6,1,5,3,0,,0,0,`);
    expect(end).toBe('');
  });

  it('flows with a BOM, in English without a zh Accept-Language', async () => {
    const res = await get('equipment/flows', `${JUNE}&format=csv`, p.tokens.admin, { 'accept-language': 'en' });
    expect(res.headers['content-disposition']).toBe('attachment; filename="linli-equipment-flows-2026-06-01-2026-06-30.csv"');
    const lines = res.body.slice(1).split('\r\n');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    expect(lines[0]).toBe('lender site id,lender site,borrower site id,borrower site,type id,type,loans,units');
    expect(lines[1]).toBe(`${p.siteA.id},${p.siteA.name},${siteC.id},${siteC.name},${projector.id},投影仪,2,4`);
    expect(lines).toHaveLength(5);
  });

  it('flows headers in zh-CN', async () => {
    const res = await get('equipment/flows', `${JUNE}&format=csv`, p.tokens.admin, { 'accept-language': 'zh-CN' });
    expect(res.body.slice(1).split('\r\n')[0]).toBe('出借站点编号,出借站点,借入站点编号,借入站点,类型编号,器材类型,借用次数,件数');
  });
});

describe('bad input answers 400 with the field, never 500', () => {
  it.each([
    ['a century', 'from=2000-01-01&to=2099-12-31', 'querystring.to'],
    ['a reversed period', 'from=2026-06-30&to=2026-06-01', 'querystring.to'],
    ['a period over 13 months', 'from=2025-01-01&to=2026-02-01', 'querystring.to'],
    ['a type that is not an id', `${JUNE}&typeId=projector`, 'querystring.typeId'],
    ['an unknown parameter', `${JUNE}&groupBy=district`, 'querystring'],
    ['a year out of bounds', 'from=0001-01-01&to=2026-01-01', 'querystring.from'],
  ])('%s', async (_label, query, path) => {
    for (const route of ['equipment', 'equipment/flows']) {
      const res = await get(route, query);
      expect(res.statusCode).toBe(400);
      expect(bodyOf(res).errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('the longest period allowed (13 months) answers', async () => {
    expect((await get('equipment', 'from=2025-07-01&to=2026-07-31')).statusCode).toBe(200);
  });
});
