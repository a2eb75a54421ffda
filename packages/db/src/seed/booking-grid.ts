/**
 * Where generated bookings go, worked out before any SQL runs. Each opening-hours pattern is cut into blocks of
 * up to two hours inside opening hours; a space's bookings are spread over its site's blocks so they never
 * overlap. A shared space runs several "lanes" side by side, each lane a non-overlapping sequence, and lanes x
 * largest party never exceeds the capacity, so the seat count holds at every instant without checking.
 */
import type { WeeklyHours } from '@linli/contracts';
import { type InstantRange, openRanges } from '@linli/domain';

export interface GridBlock {
  start: number;
  minutes: number;
}

const MINUTE = 60_000;
const BLOCK_MINUTES = 120;
const SHORTEST_BLOCK_MINUTES = 60;
/** Study-area bookings are for one or two seats. */
export const LARGEST_SHARED_PARTY = 2;

/**
 * Consecutive blocks filling each open interval from its start: 08:30-11:30 gives 08:30-10:30 and
 * 10:30-11:30. Remainders under an hour are dropped, so every block fits a booking of at least an hour.
 */
export function planGridBlocks(hours: WeeklyHours, zone: string, range: InstantRange): GridBlock[] {
  const blocks: GridBlock[] = [];
  for (const open of openRanges(hours, zone, range)) {
    for (let start = open.start; open.end - start >= SHORTEST_BLOCK_MINUTES * MINUTE; ) {
      const minutes = Math.min(BLOCK_MINUTES, Math.floor((open.end - start) / MINUTE / 30) * 30);
      blocks.push({ start, minutes });
      start += minutes * MINUTE;
    }
  }
  return blocks;
}

/** Bookings are shared out so counts differ by at most one and add up exactly: the first spaces get the extra. */
export function bookingCountForSpace(ordinal: number, totalBookings: number, spaceCount: number): number {
  return Math.floor(totalBookings / spaceCount) + (ordinal < totalBookings % spaceCount ? 1 : 0);
}

/**
 * Parallel booking sequences a space can hold: one for an exclusive room; for a shared area about one per
 * eight seats (a busy but not full study room), never more than the capacity allows at the largest party.
 */
export function lanesFor(space: { bookingMode: string; capacity: number }): number {
  if (space.bookingMode === 'exclusive') return 1;
  const fitting = Math.floor(space.capacity / LARGEST_SHARED_PARTY);
  return Math.max(1, Math.min(fitting, Math.max(2, Math.ceil(space.capacity / 8))));
}

/** Largest party a booking of this space may have. */
export function largestPartyFor(space: { bookingMode: string; capacity: number }): number {
  if (space.bookingMode === 'exclusive') return Math.max(1, Math.floor(space.capacity * 0.6));
  return Math.min(LARGEST_SHARED_PARTY, space.capacity);
}
