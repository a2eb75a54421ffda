import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAIM_STATUSES, CLAIM_TRANSITIONS, HOLDING_STATUSES, canTransition, isHoldingStatus, judgeClaim } from './claims.ts';

const H = 3_600_000;
const r = (startHour: number, endHour: number) => ({ start: startHour * H, end: endHour * H });

describe('judgeClaim: exclusive resources', () => {
  const room = { mode: 'exclusive', bufferMs: 0 } as const;
  it.each([
    ['an overlapping claim is taken', [r(10, 12)], r(11, 13), 'SLOT_TAKEN'],
    ['back to back is free (half-open ranges)', [r(10, 12)], r(12, 13), null],
    ['a claim inside another is taken', [r(9, 17)], r(10, 11), 'SLOT_TAKEN'],
    ['nothing holding is free', [], r(10, 11), null],
  ] as const)('%s', (_title, holding, range, expected) => {
    expect(judgeClaim(room, range, 1, holding.map((h) => ({ range: h, quantity: 1 })))?.code ?? null).toBe(expected);
  });

  it('a buffer keeps claims apart on both sides', () => {
    const buffered = { mode: 'exclusive', bufferMs: 15 * 60_000 } as const;
    expect(judgeClaim(buffered, r(12, 13), 1, [{ range: r(10, 12), quantity: 1 }])?.code).toBe('SLOT_TAKEN');
    expect(judgeClaim(buffered, { start: 12.25 * H, end: 13 * H }, 1, [{ range: r(10, 12), quantity: 1 }])).toBeNull();
    expect(judgeClaim(buffered, r(9, 10), 1, [{ range: { start: 10.2 * H, end: 11 * H }, quantity: 1 }])?.code).toBe('SLOT_TAKEN');
  });
});

describe('judgeClaim: counted resources', () => {
  const seats = { mode: 'counted', capacity: 10 } as const;
  it('counts the busiest instant, not the sum of everything overlapping', () => {
    const holding = [
      { range: r(9, 11), quantity: 6 },
      { range: r(11, 13), quantity: 6 },
    ];
    expect(judgeClaim(seats, r(10, 12), 4, holding)).toBeNull();
    expect(judgeClaim(seats, r(10, 12), 5, holding)).toEqual({ code: 'CAPACITY_FULL', params: { capacity: 10, taken: 6, remaining: 4 } });
  });

  it('agrees with counting people minute by minute (property)', () => {
    const claim = fc.record({ start: fc.integer({ min: 0, max: 40 }), length: fc.integer({ min: 1, max: 10 }), quantity: fc.integer({ min: 1, max: 5 }) });
    fc.assert(
      fc.property(fc.array(claim, { maxLength: 12 }), claim, fc.integer({ min: 1, max: 20 }), (holding, wanted, capacity) => {
        const toRange = (c: { start: number; length: number }) => ({ start: c.start * 60_000, end: (c.start + c.length) * 60_000 });
        let busiest = 0;
        for (let minute = wanted.start; minute < wanted.start + wanted.length; minute++) {
          const present = holding.filter((h) => h.start <= minute && minute < h.start + h.length).reduce((n, h) => n + h.quantity, 0);
          busiest = Math.max(busiest, present);
        }
        const verdict = judgeClaim({ mode: 'counted', capacity }, toRange(wanted), wanted.quantity, holding.map((h) => ({ range: toRange(h), quantity: h.quantity })));
        expect(verdict === null).toBe(busiest + wanted.quantity <= capacity);
      }),
      { numRuns: 500 },
    );
  });
});

describe('claim statuses and transitions', () => {
  it('holding statuses are exactly the ones that can still change into an end state', () => {
    expect([...HOLDING_STATUSES].sort()).toEqual(CLAIM_STATUSES.filter((s) => CLAIM_TRANSITIONS[s].length > 0).sort());
    expect(isHoldingStatus('confirmed')).toBe(true);
    expect(isHoldingStatus('no_show')).toBe(false);
  });

  it('no end state comes back, and unknown statuses never transition', () => {
    for (const end of ['completed', 'no_show', 'rejected', 'expired', 'cancelled']) {
      for (const to of CLAIM_STATUSES) expect(canTransition(end, to)).toBe(false);
    }
    expect(canTransition('pending', 'confirmed')).toBe(true);
    expect(canTransition('checked_in', 'cancelled')).toBe(false);
    expect(canTransition('deleted', 'pending')).toBe(false);
  });
});
