/**
 * Availability: which slots of a space are free, given when the site is open and what is already booked.
 * The slot grid is the local wall clock's (a 30-minute grid is :00 and :30 on the site's clocks, in any zone and on
 * DST days), because that is what residents read on the wall.
 */
import { DateTime } from 'luxon';
import { type InstantRange, findInstantsAtLocalTime, ianaZoneOf, localDatesBetween, localDayRange, overlaps, utcEpochMsOf, zoneOf } from './time.ts';

export type BookingMode = 'exclusive' | 'shared_capacity';

/** A booking that holds the space (pending, confirmed or checked in). */
export interface BusyBooking {
  range: InstantRange;
  partySize: number;
}

export interface ListFreeSlotsInput {
  /** When the site is open, e.g. from `openRanges` (closures already removed). */
  open: InstantRange[];
  busy: BusyBooking[];
  mode: BookingMode;
  capacity: number;
  partySize: number;
  slotMinutes: number;
  durationMinutes: number;
  /** Kept free before and after every booking of an exclusive space; not used for shared capacity. */
  bufferMinutes: number;
  zone: string;
  now: number;
  /** Earliest start is `now + leadTimeMinutes`; pass 0 for staff. */
  leadTimeMinutes: number;
  /** A slot must end by this instant (see `bookingHorizonEnd`); pass Infinity for staff. */
  horizonEnd: number;
}

export interface FreeSlot {
  range: InstantRange;
  /** Shared capacity only: people that could still join for the whole slot, this party included. */
  remaining?: number;
}

const MS_PER_MINUTE = 60_000;

/**
 * Free slots, in order: starts on the local slot grid; `[start, start + duration)` wholly inside one open range;
 * for an exclusive space clear of every booking widened by the buffer on both sides; for a shared space the peak
 * number of people over the whole slot plus this party within capacity. A party larger than the capacity gets
 * nothing in either mode.
 */
export function listFreeSlots(input: ListFreeSlotsInput): FreeSlot[] {
  assertPositiveWholeMinutes('slotMinutes', input.slotMinutes);
  assertPositiveWholeMinutes('durationMinutes', input.durationMinutes);
  if (input.partySize > input.capacity) return [];

  const durationMs = input.durationMinutes * MS_PER_MINUTE;
  const earliestStart = input.now + Math.max(0, input.leadTimeMinutes) * MS_PER_MINUTE;
  const slots: FreeSlot[] = [];
  for (const open of input.open) {
    const startsWindow = { start: Math.max(open.start, earliestStart), end: Math.min(open.end, input.horizonEnd) - durationMs + 1 };
    if (startsWindow.start >= startsWindow.end) continue;
    for (const start of listLocalGridInstants(startsWindow, input.zone, input.slotMinutes)) {
      const slot = checkSlot({ start, end: start + durationMs }, input);
      if (slot) slots.push(slot);
    }
  }
  return slots;
}

function checkSlot(range: InstantRange, input: ListFreeSlotsInput): FreeSlot | null {
  if (input.mode === 'exclusive') {
    const bufferMs = input.bufferMinutes * MS_PER_MINUTE;
    const clashes = input.busy.some((b) => overlaps(range, { start: b.range.start - bufferMs, end: b.range.end + bufferMs }));
    return clashes ? null : { range };
  }
  const peak = peakOccupancy(input.busy, range);
  return peak + input.partySize <= input.capacity ? { range, remaining: input.capacity - peak } : null;
}

/**
 * The largest number of people present at any instant of `range`. Half-open: a booking ending when another
 * starts never counts together with it.
 */
export function peakOccupancy(busy: BusyBooking[], range: InstantRange): number {
  const changes: { at: number; delta: number }[] = [];
  for (const booking of busy) {
    if (!overlaps(booking.range, range)) continue;
    changes.push({ at: Math.max(booking.range.start, range.start), delta: booking.partySize });
    changes.push({ at: Math.min(booking.range.end, range.end), delta: -booking.partySize });
  }
  // At equal instants, departures before arrivals: that is what half-open intervals mean.
  changes.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let present = 0;
  let peak = 0;
  for (const change of changes) {
    present += change.delta;
    peak = Math.max(peak, present);
  }
  return peak;
}

/** Whether an instant's local wall-clock time is on the slot grid counted from local midnight. */
export function isOnLocalSlotGrid(instant: number, zone: string, slotMinutes: number): boolean {
  const local = DateTime.fromMillis(instant, { zone: zoneOf(zone) });
  return local.second === 0 && local.millisecond === 0 && (local.hour * 60 + local.minute) % slotMinutes === 0;
}

/**
 * Every instant in `[range.start, range.end)` whose local wall clock is on the grid, ascending. On a spring-forward
 * day the missing wall times are simply absent; on a fall-back day the repeated ones appear twice.
 */
export function listLocalGridInstants(range: InstantRange, zone: string, slotMinutes: number): number[] {
  assertPositiveWholeMinutes('slotMinutes', slotMinutes);
  const instants: number[] = [];
  for (const localDate of localDatesBetween(range, zone)) {
    for (const instant of listGridInstantsOfDay(localDate, zone, slotMinutes)) {
      if (range.start <= instant && instant < range.end) instants.push(instant);
    }
  }
  return instants.sort((a, b) => a - b);
}

function listGridInstantsOfDay(localDate: string, zone: string, slotMinutes: number): number[] {
  const instants: number[] = [];
  const midnight = findSingleOffsetMidnight(localDate, zone);
  if (midnight !== null) {
    // Most days have one offset throughout, so wall time maps to instants by plain arithmetic.
    for (let minute = 0; minute < 24 * 60; minute += slotMinutes) instants.push(midnight + minute * MS_PER_MINUTE);
    return instants;
  }
  for (let minute = 0; minute < 24 * 60; minute += slotMinutes) {
    instants.push(...findInstantsAtLocalTime(localDate, minute, zone));
  }
  return instants;
}

/** The instant of local midnight when the whole local day has one UTC offset (no DST change), else null. */
function findSingleOffsetMidnight(localDate: string, zone: string): number | null {
  const day = localDayRange(localDate, zone);
  const ianaZone = ianaZoneOf(zone);
  const offset = ianaZone.offset(day.start);
  const [year, month, dayOfMonth] = localDate.split('-').map(Number) as [number, number, number];
  const wallMidnightAsUtc = utcEpochMsOf(year, month, dayOfMonth);
  // The second test fails where midnight itself falls in a gap (the day then starts at 01:00).
  const isSingleOffset = offset === ianaZone.offset(day.end - 1) && wallMidnightAsUtc - offset * MS_PER_MINUTE === day.start;
  return isSingleOffset ? day.start : null;
}

function assertPositiveWholeMinutes(name: string, value: number): void {
  // A zero or fractional step would loop forever or produce a grid nobody can read; this is a programming error.
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive whole number of minutes`);
}
