/**
 * The claims engine's pure rules. A claim is a quantity of a resource over a half-open `[start, end)`: a booking of
 * a room (the whole room), of seats (a party), and later a registration for an activity's places or a loan of
 * equipment units. The same statuses decide whether a claim holds its resource, the same table says which status
 * changes are allowed, and one judgement says whether a new claim fits beside the ones already holding.
 *
 * This file is the one definition: the API, the app (through @linli/contracts) and the SQL that must repeat the
 * holding statuses (the exclusion constraint, linli_book_space) are checked against it by tests.
 */
import { peakOccupancy } from './slots.ts';
import { type InstantRange, MAX_BOOKING_MS } from './time.ts';

/** Every status a claim can be in, in the order of its life. */
export const CLAIM_STATUSES = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show', 'rejected', 'expired', 'cancelled'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** Statuses that hold the resource: nobody else may take what they claim. */
export const HOLDING_STATUSES = ['pending', 'confirmed', 'checked_in'] as const satisfies readonly ClaimStatus[];
export type HoldingStatus = (typeof HOLDING_STATUSES)[number];

/** Statuses that used up an entitlement: quotas and booked time count them; refusals and cancellations do not. */
export const CONSUMING_STATUSES = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'] as const satisfies readonly ClaimStatus[];

const HOLDING_SET: ReadonlySet<string> = new Set(HOLDING_STATUSES);
export const isHoldingStatus = (status: string): status is HoldingStatus => HOLDING_SET.has(status);

/**
 * Which status may follow which. `pending -> pending` is a change that keeps waiting (an accepted offer that still
 * needs approval, a moved booking that needs approval again). No status comes back from an end state: history is
 * kept, never rewritten.
 */
export const CLAIM_TRANSITIONS = {
  pending: ['pending', 'confirmed', 'rejected', 'expired', 'cancelled'],
  confirmed: ['pending', 'checked_in', 'completed', 'no_show', 'cancelled'],
  checked_in: ['completed'],
  completed: [],
  no_show: [],
  rejected: [],
  expired: [],
  cancelled: [],
} as const satisfies Record<ClaimStatus, readonly ClaimStatus[]>;

export function canTransition(from: string, to: string): boolean {
  const allowed = (CLAIM_TRANSITIONS as Record<string, readonly string[]>)[from];
  return allowed !== undefined && allowed.includes(to);
}

/**
 * The longest claim (24 hours). Range queries bound `start_at` from below by `start - MAX_CLAIM_MS` so they can use
 * the (resource, start_at) index; the database refuses longer rows (CHECK bookings_max_duration, migration 0010).
 */
export const MAX_CLAIM_MS = MAX_BOOKING_MS;

/** How a resource is shared: whole (one claim at a time, kept `bufferMs` apart) or counted up to a capacity. */
export type ClaimableResource =
  | { mode: 'exclusive'; bufferMs: number }
  | { mode: 'counted'; capacity: number };

export interface HoldingClaim {
  range: InstantRange;
  quantity: number;
}

export type ClaimRefusal =
  | { code: 'SLOT_TAKEN' }
  | { code: 'CAPACITY_FULL'; params: { capacity: number; taken: number; remaining: number } };

/**
 * Whether a claim of `quantity` over `range` fits beside the claims already holding the resource (they must
 * include every holding claim near `range`; extra ones are ignored). Exclusive: nothing within the buffer.
 * Counted: the busiest instant of `range` plus this quantity within capacity. `linli_book_space` makes the same
 * judgement under the resource's lock; the model-based test drives both against one model.
 */
export function judgeClaim(resource: ClaimableResource, range: InstantRange, quantity: number, holding: readonly HoldingClaim[]): ClaimRefusal | null {
  if (resource.mode === 'exclusive') {
    const start = range.start - resource.bufferMs;
    const end = range.end + resource.bufferMs;
    return holding.some((claim) => claim.range.start < end && claim.range.end > start) ? { code: 'SLOT_TAKEN' } : null;
  }
  const taken = peakOccupancy(
    holding.map((claim) => ({ range: claim.range, partySize: claim.quantity })),
    range,
  );
  if (taken + quantity <= resource.capacity) return null;
  return { code: 'CAPACITY_FULL', params: { capacity: resource.capacity, taken, remaining: Math.max(0, resource.capacity - taken) } };
}
