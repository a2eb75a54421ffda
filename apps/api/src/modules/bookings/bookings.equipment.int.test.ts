/**
 * Bookings that ask for equipment with their room ("the hall plus 2 projectors"): the check reports what the pool
 * can lend and from where, creating the booking requests the loans in its transaction (all or nothing), and the loans
 * follow the booking when it moves or does not take place. Units already dispatched stay on their loans.
 */
import { newId, schema } from '@linli/db';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { runLifecycleSweep } from './lifecycle.service.ts';

const { equipmentHoldings, equipmentLoanEvents, equipmentLoans, equipmentRefusals, equipmentTypes, bookings } = schema;

let t: TestApp;
const NOW = at('2027-03-01', '09:00'); // a Monday in Shanghai
const DAY = '2027-03-02';
beforeAll(async () => {
  t = await startTestApp({ now: NOW });
});
afterAll(() => t.close());

async function createEquipmentType(orgId: string, overrides: Partial<typeof equipmentTypes.$inferInsert> = {}) {
  const key = `projector_${newId().slice(0, 8)}`;
  const [row] = await t.db.insert(equipmentTypes).values({ orgId, key, nameZh: '投影仪', nameEn: 'Projector', ...overrides }).returning();
  return row!;
}

async function createHolding(input: { orgId: string; siteId: string; typeId: string; inService: number }) {
  const [row] = await t.db.insert(equipmentHoldings).values(input).returning();
  return row!;
}

/**
 * An organization with three sites a few kilometres apart: the hall is at `home`, which owns no projectors; `near`
 * (about 1 km) holds 3 and `far` (about 10 km) holds 4.
 */
async function pool(policy: { approvalRequired?: boolean } = {}) {
  const org = await createOrg(t.db, { policy });
  const home = await createSite(t.db, { orgId: org.id, name: 'Home', lat: 31.17, lng: 121.43 });
  const near = await createSite(t.db, { orgId: org.id, name: 'Near', lat: 31.18, lng: 121.43 });
  const far = await createSite(t.db, { orgId: org.id, name: 'Far', lat: 31.26, lng: 121.43 });
  const hall = await createSpace(t.db, { orgId: org.id, siteId: home.id, capacity: 60 });
  const projector = await createEquipmentType(org.id);
  await createHolding({ orgId: org.id, siteId: near.id, typeId: projector.id, inService: 3 });
  await createHolding({ orgId: org.id, siteId: far.id, typeId: projector.id, inService: 4 });
  const staff = await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [home.id] });
  const admin = await createUser(t.db, { orgId: org.id, role: 'org_admin' });
  const resident = await createUser(t.db, { orgId: org.id, role: 'resident', homeSiteId: home.id });
  return {
    org,
    home,
    near,
    far,
    hall,
    projector,
    staff,
    resident,
    tokens: { staff: tokenFor(t.app, staff), admin: tokenFor(t.app, admin), resident: tokenFor(t.app, resident) },
  };
}

const post = (token: string, url: string, payload: object = {}, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, payload });
const patch = (token: string, url: string, payload: object, version: number) =>
  t.app.inject({ method: 'PATCH', url: `/api/v1${url}`, headers: { ...bearer(token), 'if-match': `"${version}"` }, payload });

async function bookWithEquipment(token: string, spaceId: string, typeId: string, quantity: number, from = '10:00', to = '12:00') {
  const res = await post(token, '/bookings', { spaceId, startAt: at(DAY, from), endAt: at(DAY, to), equipment: [{ typeId, quantity }] });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; siteId: string };
}

const loansOf = (bookingId: string) => t.db.select().from(equipmentLoans).where(eq(equipmentLoans.bookingId, bookingId)).orderBy(asc(equipmentLoans.quantity));
const loansOfType = (typeId: string) => t.db.select().from(equipmentLoans).where(eq(equipmentLoans.typeId, typeId));
const lastEventOf = async (loanId: string) =>
  (await t.db.select().from(equipmentLoanEvents).where(eq(equipmentLoanEvents.loanId, loanId)).orderBy(asc(equipmentLoanEvents.at))).at(-1)!;
const setLoanStatus = (loanId: string, status: string) => t.db.update(equipmentLoans).set({ status }).where(eq(equipmentLoans.id, loanId));

describe('the booking check reports equipment beside the room', () => {
  it('a shortfall names the sites that could lend, nearest first, and the room is still bookable', async () => {
    const w = await pool();
    const res = await post(w.tokens.staff, '/bookings/check', {
      spaceId: w.hall.id,
      startAt: at(DAY, '10:00'),
      endAt: at(DAY, '12:00'),
      equipment: [{ typeId: w.projector.id, quantity: 10 }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const check = res.json();
    expect(check.bookable).toBe(true);
    expect(check.reasons).toEqual([]);
    expect(check.equipment).toHaveLength(1);
    const [standing] = check.equipment;
    expect(standing).toMatchObject({ typeId: w.projector.id, quantity: 10, totalFree: 7, shortfall: 3 });
    expect(standing.lenders.map((l: { siteId: string; free: number }) => [l.siteId, l.free])).toEqual([
      [w.near.id, 3],
      [w.far.id, 4],
    ]);
    for (const lender of standing.lenders) {
      // The lender's units are held from when they leave until they are back: the booking's time widened by transit.
      expect(lender.transitMinutes).toBeGreaterThan(0);
      expect(Date.parse(lender.claimStart)).toBe(Date.parse(at(DAY, '10:00')) - lender.transitMinutes * 60_000);
      expect(Date.parse(lender.claimEnd)).toBe(Date.parse(at(DAY, '12:00')) + lender.transitMinutes * 60_000);
    }
    expect(standing.lenders[0].transitMinutes).toBeLessThan(standing.lenders[1].transitMinutes);
  });

  it('asking for nothing answers an empty list; an unknown type is 404; a repeated type is 400', async () => {
    const w = await pool();
    const times = { spaceId: w.hall.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00') };
    expect((await post(w.tokens.staff, '/bookings/check', times)).json().equipment).toEqual([]);
    expect((await post(w.tokens.staff, '/bookings/check', { ...times, equipment: [{ typeId: crypto.randomUUID(), quantity: 1 }] })).statusCode).toBe(404);
    const twice = [{ typeId: w.projector.id, quantity: 1 }, { typeId: w.projector.id, quantity: 2 }];
    expect((await post(w.tokens.staff, '/bookings/check', { ...times, equipment: twice })).statusCode).toBe(400);
  });

  it("another organization's equipment type does not exist here", async () => {
    const w = await pool();
    const other = await pool();
    const res = await post(w.tokens.staff, '/bookings/check', {
      spaceId: w.hall.id,
      startAt: at(DAY, '10:00'),
      endAt: at(DAY, '12:00'),
      equipment: [{ typeId: other.projector.id, quantity: 1 }],
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('booking with equipment', () => {
  it('writes the loans with the booking, split across the nearest lenders, as one request', async () => {
    const w = await pool();
    const booking = await bookWithEquipment(w.tokens.staff, w.hall.id, w.projector.id, 5);
    const loans = await loansOf(booking.id);
    expect(loans.map((l) => [l.lenderSiteId, l.quantity, l.status])).toEqual([
      [w.far.id, 2, 'requested'],
      [w.near.id, 3, 'requested'],
    ]);
    for (const loan of loans) {
      expect(loan).toMatchObject({ borrowerSiteId: w.home.id, requestedBy: w.staff.id, requestId: loans[0]!.requestId });
      expect([loan.useStart.toISOString(), loan.useEnd.toISOString()]).toEqual([at(DAY, '10:00'), at(DAY, '12:00')]);
      expect(loan.claimStart.getTime()).toBeLessThan(loan.useStart.getTime());
      expect(await lastEventOf(loan.id)).toMatchObject({ fromStatus: null, toStatus: 'requested', reason: 'booking' });
    }
  });

  it('more projectors than the pool can lend: 409 EQUIPMENT_SHORTFALL, no booking and no loan written, the refusal kept', async () => {
    const w = await pool();
    const res = await post(w.tokens.staff, '/bookings', {
      spaceId: w.hall.id,
      startAt: at(DAY, '10:00'),
      endAt: at(DAY, '12:00'),
      equipment: [{ typeId: w.projector.id, quantity: 9 }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EQUIPMENT_SHORTFALL', details: { typeId: w.projector.id, shortfall: 2, totalFree: 7 } });
    expect(res.json().details.lenders.map((l: { siteId: string }) => l.siteId)).toEqual([w.near.id, w.far.id]);
    expect(await t.db.select().from(bookings).where(eq(bookings.spaceId, w.hall.id))).toEqual([]);
    expect(await loansOfType(w.projector.id)).toEqual([]);
    const refusals = await t.db.select().from(equipmentRefusals).where(eq(equipmentRefusals.typeId, w.projector.id));
    expect(refusals.map((r) => [r.borrowerSiteId, r.quantity, r.shortfall, r.useStart.toISOString()])).toEqual([[w.home.id, 9, 2, at(DAY, '10:00')]]);
  });

  it('one need the pool cannot meet refuses the others too (all or nothing)', async () => {
    const w = await pool();
    const chairs = await createEquipmentType(w.org.id, { key: `chairs_${newId().slice(0, 8)}`, nameEn: 'Folding chair' });
    await createHolding({ orgId: w.org.id, siteId: w.near.id, typeId: chairs.id, inService: 10 });
    const res = await post(w.tokens.staff, '/bookings', {
      spaceId: w.hall.id,
      startAt: at(DAY, '10:00'),
      endAt: at(DAY, '12:00'),
      equipment: [
        { typeId: w.projector.id, quantity: 2 },
        { typeId: chairs.id, quantity: 40 },
      ],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().details.typeId).toBe(chairs.id);
    expect([...(await loansOfType(w.projector.id)), ...(await loansOfType(chairs.id))]).toEqual([]);
  });

  it('a resident asks for equipment with their booking; the loans are requested by them', async () => {
    const w = await pool();
    const booking = await bookWithEquipment(w.tokens.resident, w.hall.id, w.projector.id, 1);
    const [loan] = await loansOf(booking.id);
    expect(loan).toMatchObject({ lenderSiteId: w.near.id, quantity: 1, status: 'requested', requestedBy: w.resident.id });
  });

  it('a retry with the same Idempotency-Key but other equipment is refused, and the first loans stand alone', async () => {
    const w = await pool();
    const body = { spaceId: w.hall.id, startAt: at(DAY, '10:00'), endAt: at(DAY, '12:00'), equipment: [{ typeId: w.projector.id, quantity: 2 }] };
    const key = { 'idempotency-key': `eq-${newId()}` };
    const first = await post(w.tokens.staff, '/bookings', body, key);
    expect(first.statusCode, first.body).toBe(201);
    const replay = await post(w.tokens.staff, '/bookings', body, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const changed = await post(w.tokens.staff, '/bookings', { ...body, equipment: [{ typeId: w.projector.id, quantity: 3 }] }, key);
    expect(changed.statusCode).toBe(422);
    expect(changed.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await loansOfType(w.projector.id)).map((l) => l.quantity)).toEqual([2]);
  });
});

describe('the loans follow the booking', () => {
  it('moving the booking moves its requested and approved loans, claim window and all', async () => {
    const w = await pool();
    const booking = await bookWithEquipment(w.tokens.staff, w.hall.id, w.projector.id, 5);
    const [farLoan, nearLoan] = await loansOf(booking.id);
    await setLoanStatus(nearLoan!.id, 'approved');
    const res = await patch(w.tokens.staff, `/bookings/${booking.id}`, { startAt: at(DAY, '14:00'), endAt: at(DAY, '16:00') }, booking.version);
    expect(res.statusCode, res.body).toBe(200);
    const shift = Date.parse(at(DAY, '14:00')) - Date.parse(at(DAY, '10:00'));
    const after = await loansOf(booking.id);
    for (const [before, now] of [[farLoan!, after[0]!], [nearLoan!, after[1]!]] as const) {
      expect([now.useStart.toISOString(), now.useEnd.toISOString()]).toEqual([at(DAY, '14:00'), at(DAY, '16:00')]);
      expect(now.claimStart.getTime() - before.claimStart.getTime()).toBe(shift);
      expect(now.claimEnd.getTime() - before.claimEnd.getTime()).toBe(shift);
      expect(await lastEventOf(now.id)).toMatchObject({ reason: 'moved' });
    }
    expect(after.map((l) => l.status)).toEqual(['requested', 'approved']);
  });

  it('a move into a time when the units are taken cancels the loan as no_longer_available; the booking still moves', async () => {
    const w = await pool();
    const otherRoom = await createSpace(t.db, { orgId: w.org.id, siteId: w.home.id });
    await bookWithEquipment(w.tokens.staff, w.hall.id, w.projector.id, 7, '14:00', '16:00');
    const moving = await bookWithEquipment(w.tokens.staff, otherRoom.id, w.projector.id, 2, '20:00', '21:00');
    const res = await patch(w.tokens.staff, `/bookings/${moving.id}`, { startAt: at(DAY, '14:00'), endAt: at(DAY, '15:00') }, moving.version);
    expect(res.statusCode, res.body).toBe(200);
    const [loan] = await loansOf(moving.id);
    expect(loan!.status).toBe('cancelled');
    expect(await lastEventOf(loan!.id)).toMatchObject({ fromStatus: 'requested', toStatus: 'cancelled', reason: 'no_longer_available' });
  });

  it('moving the booking to a room at another site asks again for the equipment there', async () => {
    const w = await pool();
    const farHall = await createSpace(t.db, { orgId: w.org.id, siteId: w.far.id, capacity: 60 });
    const booking = await bookWithEquipment(w.tokens.admin, w.hall.id, w.projector.id, 5);
    const res = await patch(w.tokens.admin, `/bookings/${booking.id}`, { spaceId: farHall.id }, booking.version);
    expect(res.statusCode, res.body).toBe(200);
    const loans = await loansOf(booking.id);
    expect(loans.filter((l) => l.status === 'cancelled').map((l) => l.borrowerSiteId)).toEqual([w.home.id, w.home.id]);
    // Far's own 4 units need no transit; the fifth comes from Near.
    const live = loans.filter((l) => l.status === 'requested').map((l) => [l.lenderSiteId, l.borrowerSiteId, l.quantity]);
    expect(live.sort((a, b) => Number(a[2]) - Number(b[2]))).toEqual([
      [w.near.id, w.far.id, 1],
      [w.far.id, w.far.id, 4],
    ]);
  });

  it('moved to a site the pool cannot serve, the booking still moves; its loans stay cancelled and the shortfall is kept', async () => {
    const w = await pool();
    // Far's own stock, which it does not lend out: usable at Far, not at Home.
    const screens = await createEquipmentType(w.org.id, { key: `screen_${newId().slice(0, 8)}`, nameEn: 'Screen' });
    await t.db.insert(equipmentHoldings).values({ orgId: w.org.id, siteId: w.far.id, typeId: screens.id, inService: 2, lendable: false });
    const farHall = await createSpace(t.db, { orgId: w.org.id, siteId: w.far.id, capacity: 60 });
    const booking = await bookWithEquipment(w.tokens.admin, farHall.id, screens.id, 2);
    const res = await patch(w.tokens.admin, `/bookings/${booking.id}`, { spaceId: w.hall.id }, booking.version);
    expect(res.statusCode, res.body).toBe(200);
    const [loan, ...others] = await loansOf(booking.id);
    expect(others).toEqual([]);
    expect(loan).toMatchObject({ borrowerSiteId: w.far.id, status: 'cancelled' });
    expect(await lastEventOf(loan!.id)).toMatchObject({ reason: 'moved_to_another_site' });
    const refusals = await t.db.select().from(equipmentRefusals).where(eq(equipmentRefusals.typeId, screens.id));
    expect(refusals.map((r) => [r.borrowerSiteId, r.quantity, r.shortfall])).toEqual([[w.home.id, 2, 2]]);
  });

  it('cancelling the booking cancels its loans, but units already dispatched stay on theirs', async () => {
    const w = await pool();
    const booking = await bookWithEquipment(w.tokens.staff, w.hall.id, w.projector.id, 5);
    const [farLoan, nearLoan] = await loansOf(booking.id);
    await setLoanStatus(farLoan!.id, 'dispatched');
    const res = await post(w.tokens.staff, `/bookings/${booking.id}/cancel`, {});
    expect(res.statusCode, res.body).toBe(200);
    const after = await loansOf(booking.id);
    expect(after.map((l) => [l.id, l.status])).toEqual([
      [farLoan!.id, 'dispatched'],
      [nearLoan!.id, 'cancelled'],
    ]);
    expect(await lastEventOf(nearLoan!.id)).toMatchObject({ fromStatus: 'requested', toStatus: 'cancelled', reason: 'booking_cancelled' });
  });

  it('a rejected request and one that expires unapproved give their equipment back', async () => {
    const w = await pool({ approvalRequired: true });
    const rejected = await bookWithEquipment(w.tokens.resident, w.hall.id, w.projector.id, 1, '10:00', '11:00');
    const expiring = await bookWithEquipment(w.tokens.resident, w.hall.id, w.projector.id, 1, '14:00', '15:00');
    expect((await post(w.tokens.staff, `/bookings/${rejected.id}/reject`, { reason: '设备检修' })).statusCode).toBe(200);
    await runLifecycleSweep(t.db, new Date(at(DAY, '14:00')));
    const [rejectedLoan] = await loansOf(rejected.id);
    const [expiredLoan] = await loansOf(expiring.id);
    expect(await lastEventOf(rejectedLoan!.id)).toMatchObject({ toStatus: 'cancelled', reason: 'booking_rejected' });
    expect(await lastEventOf(expiredLoan!.id)).toMatchObject({ toStatus: 'cancelled', reason: 'booking_expired' });
  });

  it('archiving the room cancels its future bookings and their loans', async () => {
    const w = await pool();
    const booking = await bookWithEquipment(w.tokens.admin, w.hall.id, w.projector.id, 2);
    expect((await post(w.tokens.admin, `/spaces/${w.hall.id}/archive`)).statusCode).toBe(200);
    const loans = await loansOf(booking.id);
    expect(loans.map((l) => l.status)).toEqual(['cancelled']);
    const [row] = await t.db.select().from(bookings).where(and(eq(bookings.id, booking.id)));
    expect(row!.status).toBe('cancelled');
  });
});
