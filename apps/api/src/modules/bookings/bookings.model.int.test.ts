/**
 * Random sequences of create / move / cancel / approve / reject / no-show sweeps, run through the real API and
 * mirrored by a small in-memory model. Every answer must match the model's prediction, and after every step the
 * database must hold no overlapping exclusive bookings and no over-capacity seat area.
 */
import { schema } from '@linli/db';
import { HOLDING_STATUSES, judgeClaim } from '@linli/domain';
import fc from 'fast-check';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, createOrg, createSite, createSpace, createUser, tokenFor } from '../../test/factories.ts';
import { type TestApp, bearer, startTestApp } from '../../test/harness.ts';
import { findHoldingClaims } from '../claims/claims.repository.ts';
import { runLifecycleSweep } from './lifecycle.service.ts';

const DAY = '2027-03-02';
const START = Date.parse(at(DAY, '08:00'));
const SLOT_MS = 30 * 60_000;
const CAPACITY = 3;
const NO_SHOW_MS = 15 * 60_000;

type Op =
  | { kind: 'create'; space: 0 | 1; slot: number; length: number; party: number; user: number }
  | { kind: 'move'; index: number; slot: number }
  | { kind: 'cancel'; index: number }
  | { kind: 'approve'; index: number }
  | { kind: 'reject'; index: number }
  | { kind: 'sweep'; slot: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('create' as const), space: fc.constantFrom(0 as const, 1 as const), slot: fc.integer({ min: 0, max: 12 }), length: fc.integer({ min: 1, max: 4 }), party: fc.integer({ min: 1, max: 2 }), user: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), index: fc.nat(30), slot: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), index: fc.nat(30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('approve' as const), index: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), index: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), slot: fc.integer({ min: 0, max: 14 }) }) },
);

interface ModelBooking {
  id: string;
  space: 0 | 1;
  start: number;
  end: number;
  party: number;
  status: string;
  version: number;
}

const HOLDING: ReadonlySet<string> = new Set(HOLDING_STATUSES);
const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/** The model's answer to "may this booking hold [start, end) now?". */
function fits(model: ModelBooking[], candidate: Omit<ModelBooking, 'id' | 'status' | 'version'>, now: number, ignoreId?: string) {
  if (candidate.start < now) return false;
  const others = model.filter((b) => b.space === candidate.space && HOLDING.has(b.status) && b.id !== ignoreId);
  if (candidate.space === 0) return !others.some((b) => overlaps(b, candidate));
  // Peak occupancy over the candidate: check at every start inside it.
  const instants = [candidate.start, ...others.map((b) => b.start).filter((s) => s > candidate.start && s < candidate.end)];
  return instants.every((t) => others.filter((b) => b.start <= t && t < b.end).reduce((n, b) => n + b.party, 0) + candidate.party <= CAPACITY);
}

/** What judgeClaim says about the candidate, given the claims the database holds for the space now. */
async function judgedFree(space: { id: string; bookingMode: string; capacity: number }, candidate: { start: number; end: number; party: number }) {
  const holding = await findHoldingClaims(t.db, space.id, { start: candidate.start, end: candidate.end });
  const resource = space.bookingMode === 'exclusive' ? { mode: 'exclusive' as const, bufferMs: 0 } : { mode: 'counted' as const, capacity: space.capacity };
  const claims = holding.map((b) => ({ range: { start: b.startAt.getTime(), end: b.endAt.getTime() }, quantity: b.partySize }));
  return judgeClaim(resource, { start: candidate.start, end: candidate.end }, candidate.party, claims) === null;
}

let t: TestApp;
let org: Awaited<ReturnType<typeof createOrg>>;
let site: Awaited<ReturnType<typeof createSite>>;
let staffToken: string;
let residentTokens: string[];
beforeAll(async () => {
  t = await startTestApp({ now: at('2027-03-01', '09:00') });
  org = await createOrg(t.db);
  site = await createSite(t.db, { orgId: org.id });
  staffToken = tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'staff', siteIds: [site.id] }));
  residentTokens = await Promise.all([0, 1, 2, 3].map(async () => tokenFor(t.app, await createUser(t.db, { orgId: org.id, role: 'resident' }))));
});
afterAll(() => t.close());

describe('booking engine against an in-memory model', () => {
  it('random sequences never double-book, never overfill, and answer as the model predicts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 25 }), async (ops) => {
        t.setNow(at('2027-03-01', '09:00'));
        let now = Date.parse(at('2027-03-01', '09:00'));
        const policy = { checkInRequired: true, noShowAfterMinutes: 15, approvalRequired: true };
        const spaces = [
          await createSpace(t.db, { orgId: org.id, siteId: site.id, bookingMode: 'exclusive', capacity: 4, policy }),
          await createSpace(t.db, { orgId: org.id, siteId: site.id, bookingMode: 'shared_capacity', capacity: CAPACITY, kind: 'study_area', policy }),
        ];
        const model: ModelBooking[] = [];
        const slotStart = (slot: number) => START + slot * SLOT_MS;

        for (const op of ops) {
          const target = 'index' in op ? model[op.index % Math.max(model.length, 1)] : undefined;
          switch (op.kind) {
            case 'create': {
              const candidate = { space: op.space, start: slotStart(op.slot), end: slotStart(op.slot + op.length), party: op.party };
              const expected = fits(model, candidate, now);
              // The pure judgement (judgeClaim, what checks, moves and searches use) agrees with the model too.
              if (candidate.start >= now) expect(await judgedFree(spaces[op.space]!, candidate)).toBe(expected);
              const res = await t.app.inject({
                method: 'POST',
                url: '/api/v1/bookings',
                headers: bearer(residentTokens[op.user]!),
                payload: { spaceId: spaces[op.space]!.id, startAt: new Date(candidate.start).toISOString(), endAt: new Date(candidate.end).toISOString(), partySize: op.party },
              });
              expect(res.statusCode, JSON.stringify({ op, body: res.json() })).toBe(expected ? 201 : res.statusCode === 422 ? 422 : 409);
              expect(res.statusCode === 201).toBe(expected);
              if (expected) model.push({ id: res.json().id, ...candidate, status: 'pending', version: res.json().version });
              break;
            }
            case 'move': {
              if (!target) break;
              const moved = { ...target, start: slotStart(op.slot), end: slotStart(op.slot) + (target.end - target.start) };
              const changeable = (target.status === 'pending' || target.status === 'confirmed') && target.start > now;
              const expected = changeable && fits(model, moved, now, target.id);
              const res = await t.app.inject({
                method: 'PATCH',
                url: `/api/v1/bookings/${target.id}`,
                headers: { ...bearer(staffToken), 'if-match': `"${target.version}"` },
                payload: { startAt: new Date(moved.start).toISOString(), endAt: new Date(moved.end).toISOString() },
              });
              expect(res.statusCode === 200, JSON.stringify({ op, target, body: res.json() })).toBe(expected);
              if (expected) Object.assign(target, { start: moved.start, end: moved.end, version: res.json().version });
              break;
            }
            case 'cancel':
            case 'approve':
            case 'reject': {
              if (!target) break;
              const allowedFrom = op.kind === 'cancel' ? ['pending', 'confirmed'] : ['pending'];
              const expected = allowedFrom.includes(target.status);
              const res = await t.app.inject({
                method: 'POST',
                url: `/api/v1/bookings/${target.id}/${op.kind}`,
                headers: bearer(staffToken),
                payload: op.kind === 'reject' ? { reason: 'model test' } : {},
              });
              expect(res.statusCode === 200, JSON.stringify({ op, target, body: res.json() })).toBe(expected);
              if (expected) Object.assign(target, { status: res.json().status, version: res.json().version });
              break;
            }
            case 'sweep': {
              now = Math.max(now, slotStart(op.slot));
              t.setNow(new Date(now));
              await runLifecycleSweep(t.db, new Date(now));
              for (const b of model) {
                if (b.status === 'pending' && b.start <= now) b.status = 'expired';
                if (b.status === 'confirmed' && Math.min(b.start + NO_SHOW_MS, b.end) <= now) b.status = 'no_show';
              }
              break;
            }
          }
        }

        const rows = await t.db.select().from(schema.bookings).where(inArray(schema.bookings.spaceId, spaces.map((s) => s.id)));
        // What the database says equals what the model says, booking by booking.
        expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual(Object.fromEntries(model.map((b) => [b.id, b.status])));
        const holding = rows.filter((r) => HOLDING.has(r.status)).map((r) => ({ ...r, start: r.startAt.getTime(), end: r.endAt.getTime() }));
        const exclusive = holding.filter((r) => r.spaceId === spaces[0]!.id);
        for (const a of exclusive) for (const b of exclusive) if (a.id !== b.id) expect(overlaps(a, b)).toBe(false);
        const shared = holding.filter((r) => r.spaceId === spaces[1]!.id);
        for (const r of shared) {
          const present = shared.filter((o) => o.start <= r.start && r.start < o.end).reduce((n, o) => n + o.partySize, 0);
          expect(present).toBeLessThanOrEqual(CAPACITY);
        }
        const events = await t.db.select().from(schema.bookingEvents).where(inArray(schema.bookingEvents.bookingId, rows.length ? rows.map((r) => r.id) : ['00000000-0000-0000-0000-000000000000']));
        // Every booking's history ends in its current status.
        for (const r of rows) {
          const last = events.filter((e) => e.bookingId === r.id).sort((a, b) => a.version - b.version).at(-1);
          expect(last?.toStatus).toBe(r.status);
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
