import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type WeeklyHours, openRanges } from './opening-hours.ts';
import {
  type BusyBooking,
  type ListFreeSlotsInput,
  isOnLocalSlotGrid,
  listFreeSlots,
  listLocalGridInstants,
  peakOccupancy,
} from './slots.ts';
import { type InstantRange, localDayRange } from './time.ts';

const SHANGHAI = 'Asia/Shanghai';

/** An instant from a local wall-clock time in a zone, e.g. at('2026-03-03 10:00'). */
function at(local: string, zone = SHANGHAI): number {
  return DateTime.fromFormat(local, 'yyyy-MM-dd HH:mm', { zone }).toMillis();
}

function range(start: string, end: string, zone = SHANGHAI): InstantRange {
  return { start: at(start, zone), end: at(end, zone) };
}

function busy(start: string, end: string, partySize = 1): BusyBooking {
  return { range: range(start, end), partySize };
}

function localTimes(instants: number[], zone = SHANGHAI): string[] {
  return instants.map((i) => DateTime.fromMillis(i, { zone }).toFormat('HH:mm'));
}

function slotStarts(input: Partial<ListFreeSlotsInput>): string[] {
  return localTimes(listFreeSlots({ ...BASE, ...input }).map((s) => s.range.start), input.zone ?? SHANGHAI);
}

const BASE: ListFreeSlotsInput = {
  open: [range('2026-03-03 09:00', '2026-03-03 13:00')],
  busy: [],
  mode: 'exclusive',
  capacity: 10,
  partySize: 1,
  slotMinutes: 30,
  durationMinutes: 60,
  bufferMinutes: 0,
  zone: SHANGHAI,
  now: at('2026-03-01 08:00'),
  leadTimeMinutes: 0,
  horizonEnd: Infinity,
};

const ALL_DAY: WeeklyHours = {
  mon: [{ start: '00:00', end: '24:00' }],
  tue: [{ start: '00:00', end: '24:00' }],
  wed: [{ start: '00:00', end: '24:00' }],
  thu: [{ start: '00:00', end: '24:00' }],
  fri: [{ start: '00:00', end: '24:00' }],
  sat: [{ start: '00:00', end: '24:00' }],
  sun: [{ start: '00:00', end: '24:00' }],
};

describe('listFreeSlots in an exclusive space', () => {
  it.each([
    ['nothing booked: every grid start whose hour fits', [], 0, ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00']],
    // Half-open: a slot ending at 10:00 and a booking starting at 10:00 do not overlap.
    ['a slot touching a booking end-to-start is free', [busy('2026-03-03 10:00', '2026-03-03 11:00')], 0, ['09:00', '11:00', '11:30', '12:00']],
    ['a 15-minute buffer keeps the touching slots off', [busy('2026-03-03 10:00', '2026-03-03 11:00')], 15, ['11:30', '12:00']],
    ['a 30-minute buffer: 11:30 starts exactly where the widened booking ends', [busy('2026-03-03 10:00', '2026-03-03 11:00')], 30, ['11:30', '12:00']],
    ['a 31-minute buffer pushes it off the grid', [busy('2026-03-03 10:00', '2026-03-03 11:00')], 31, ['12:00']],
    ['two bookings leave one hour between them', [busy('2026-03-03 09:00', '2026-03-03 10:00'), busy('2026-03-03 11:00', '2026-03-03 13:00')], 0, ['10:00']],
  ])('%s', (_name, bookings, bufferMinutes, starts) => {
    expect(slotStarts({ busy: bookings, bufferMinutes })).toEqual(starts);
  });

  it('the whole slot must lie inside one open range, not across a lunch break', () => {
    const open = [range('2026-03-03 09:00', '2026-03-03 10:30'), range('2026-03-03 11:00', '2026-03-03 12:00')];
    expect(slotStarts({ open })).toEqual(['09:00', '09:30', '11:00']);
  });

  it('a party larger than the room gets no slot', () => {
    expect(slotStarts({ capacity: 4, partySize: 5 })).toEqual([]);
  });

  it('returns no remaining count for an exclusive space', () => {
    expect(listFreeSlots(BASE)[0]).toEqual({ range: range('2026-03-03 09:00', '2026-03-03 10:00') });
  });

  it('a booking spanning midnight in merged opening hours is offered', () => {
    const hours: WeeklyHours = { ...ALL_DAY, tue: [{ start: '22:00', end: '24:00' }], wed: [{ start: '00:00', end: '02:00' }] };
    const open = openRanges(hours, SHANGHAI, range('2026-03-03 00:00', '2026-03-05 00:00'));
    expect(slotStarts({ open })).toEqual(['22:00', '22:30', '23:00', '23:30', '00:00', '00:30', '01:00']);
  });
});

describe('listFreeSlots respects lead time and horizon', () => {
  it.each([
    ['lead time ends exactly on a grid point: that start is allowed', '2026-03-03 08:30', 30, ['09:00', '09:30']],
    ['lead time ends one minute after: that start is not', '2026-03-03 08:31', 30, ['09:30']],
    ['now itself is on the grid and there is no lead time', '2026-03-03 09:00', 0, ['09:00', '09:30']],
    ['now is past the open range', '2026-03-03 10:31', 0, []],
  ])('%s', (_name, now, leadTimeMinutes, starts) => {
    const open = [range('2026-03-03 09:00', '2026-03-03 10:30')];
    expect(slotStarts({ open, now: at(now), leadTimeMinutes })).toEqual(starts);
  });

  it.each([
    ['2026-03-03 11:00', ['09:00', '09:30', '10:00']],
    ['2026-03-03 10:59', ['09:00', '09:30']],
  ])('horizon %s: a slot must end by it', (horizon, starts) => {
    expect(slotStarts({ horizonEnd: at(horizon) })).toEqual(starts);
  });
});

describe('listFreeSlots in a shared-capacity space', () => {
  const twoAndThree = [busy('2026-03-03 10:00', '2026-03-03 11:00', 2), busy('2026-03-03 10:30', '2026-03-03 11:30', 3)];
  const shared = { mode: 'shared_capacity', capacity: 5, busy: twoAndThree, durationMinutes: 30 } as const;

  it('bookings of 2 and 3 fill a capacity of 5 only where they overlap', () => {
    const slots = listFreeSlots({ ...BASE, ...shared, open: [range('2026-03-03 09:30', '2026-03-03 12:00')] });
    expect(slots.map((s) => [localTimes([s.range.start])[0], s.remaining])).toEqual([
      ['09:30', 5],
      ['10:00', 3],
      ['11:00', 2],
      ['11:30', 5],
    ]);
  });

  // The peak must be taken over the whole interval: at 10:00 only 2 are present, but 5 are by 10:30.
  it('an hour from 10:00 is full although only 2 people are there at its start', () => {
    const starts = slotStarts({ ...shared, durationMinutes: 60, open: [range('2026-03-03 09:00', '2026-03-03 12:30')] });
    // 09:30-10:30 holds 2 people at most and 11:00-12:00 holds 3, so those fit; 10:00 and 10:30 reach 5.
    expect(starts).toEqual(['09:00', '09:30', '11:00', '11:30']);
  });

  it.each([
    [2, ['09:30', '10:00', '11:00', '11:30']],
    [3, ['09:30', '10:00', '11:30']],
    [5, ['09:30', '11:30']],
    [6, []],
  ])('a party of %i fits only where enough seats stay free', (partySize, starts) => {
    expect(slotStarts({ ...shared, partySize, open: [range('2026-03-03 09:30', '2026-03-03 12:00')] })).toEqual(starts);
  });

  it('the buffer does not apply to shared seats', () => {
    expect(slotStarts({ ...shared, bufferMinutes: 60, open: [range('2026-03-03 09:30', '2026-03-03 10:00')] })).toEqual(['09:30']);
  });
});

describe('peakOccupancy', () => {
  const window = range('2026-03-03 10:00', '2026-03-03 12:00');
  it.each([
    ['nobody', [], 0],
    ['one booking', [busy('2026-03-03 10:00', '2026-03-03 11:00', 4)], 4],
    ['back-to-back bookings never count together (half-open)', [busy('2026-03-03 10:00', '2026-03-03 11:00', 2), busy('2026-03-03 11:00', '2026-03-03 12:00', 3)], 3],
    ['overlapping bookings add up', [busy('2026-03-03 10:00', '2026-03-03 11:00', 2), busy('2026-03-03 10:59', '2026-03-03 12:00', 3)], 5],
    ['nested bookings', [busy('2026-03-03 10:00', '2026-03-03 12:00', 1), busy('2026-03-03 10:30', '2026-03-03 11:30', 2), busy('2026-03-03 11:00', '2026-03-03 11:15', 3)], 6],
    ['a booking ending when the window starts is not counted', [busy('2026-03-03 09:00', '2026-03-03 10:00', 7)], 0],
    ['a booking starting when the window ends is not counted', [busy('2026-03-03 12:00', '2026-03-03 13:00', 7)], 0],
    ['an overlap outside the window is not counted', [busy('2026-03-03 09:00', '2026-03-03 10:30', 2), busy('2026-03-03 09:00', '2026-03-03 10:00', 3)], 2],
  ])('%s', (_name, bookings, peak) => {
    expect(peakOccupancy(bookings, window)).toBe(peak);
  });

  it('equals the maximum found by checking every minute', () => {
    const minute = 60_000;
    const origin = at('2026-03-03 10:00');
    const bookingArb = fc
      .record({ start: fc.integer({ min: 0, max: 180 }), length: fc.integer({ min: 1, max: 120 }), partySize: fc.integer({ min: 1, max: 5 }) })
      .map((b) => ({ range: { start: origin + b.start * minute, end: origin + (b.start + b.length) * minute }, partySize: b.partySize }));
    const windowArb = fc
      .record({ start: fc.integer({ min: 0, max: 240 }), length: fc.integer({ min: 1, max: 120 }) })
      .map((w) => ({ start: origin + w.start * minute, end: origin + (w.start + w.length) * minute }));
    fc.assert(
      fc.property(fc.array(bookingArb, { maxLength: 8 }), windowArb, (bookings, w) => {
        let expected = 0;
        for (let t = w.start; t < w.end; t += minute) {
          const present = bookings.filter((b) => b.range.start <= t && t < b.range.end).reduce((sum, b) => sum + b.partySize, 0);
          expected = Math.max(expected, present);
        }
        expect(peakOccupancy(bookings, w)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the slot grid follows the local wall clock', () => {
  it('Asia/Kathmandu (+05:45): a 30-minute grid is :00 and :30 local, i.e. :15 and :45 UTC', () => {
    const zone = 'Asia/Kathmandu';
    const instants = listLocalGridInstants(range('2026-05-01 09:00', '2026-05-01 11:00', zone), zone, 30);
    expect(localTimes(instants, zone)).toEqual(['09:00', '09:30', '10:00', '10:30']);
    expect(new Date(instants[0]!).toISOString()).toBe('2026-05-01T03:15:00.000Z');
  });

  it('Asia/Kathmandu: free slots start on the local grid', () => {
    const zone = 'Asia/Kathmandu';
    const starts = slotStarts({ zone, open: [range('2026-05-01 08:50', '2026-05-01 11:00', zone)], now: at('2026-05-01 00:00', zone) });
    expect(starts).toEqual(['09:00', '09:30', '10:00']);
  });

  it('America/New_York 2026-03-08 has 23 hours; the hourly grid skips 02:00 and stays on the hour', () => {
    const zone = 'America/New_York';
    const day = localDayRange('2026-03-08', zone);
    expect((day.end - day.start) / 3_600_000).toBe(23);
    const starts = listLocalGridInstants(day, zone, 60);
    expect(localTimes(starts, zone)).toEqual(['00:00', '01:00', ...Array.from({ length: 21 }, (_, i) => `${String(i + 3).padStart(2, '0')}:00`)]);
  });

  it('America/New_York 2026-03-08: 30-minute free slots over the whole day keep :00/:30 local and last 60 real minutes', () => {
    const zone = 'America/New_York';
    const open = openRanges(ALL_DAY, zone, localDayRange('2026-03-08', zone));
    const slots = listFreeSlots({ ...BASE, zone, open, now: at('2026-03-01 00:00', zone) });
    // 46 grid points (02:00 and 02:30 do not exist), minus 23:30 whose hour would run past midnight.
    expect(slots).toHaveLength(45);
    expect(localTimes(slots.slice(0, 5).map((s) => s.range.start), zone)).toEqual(['00:00', '00:30', '01:00', '01:30', '03:00']);
    // 01:30 EST + 60 minutes is 03:30 EDT.
    expect(localTimes([slots[3]!.range.end], zone)).toEqual(['03:30']);
    expect(slots.every((s) => s.range.end - s.range.start === 3_600_000)).toBe(true);
    expect(slots.every((s) => isOnLocalSlotGrid(s.range.start, zone, 30))).toBe(true);
  });

  it('America/New_York 2026-11-01 has 25 hours; 01:00 appears twice on the hourly grid', () => {
    const zone = 'America/New_York';
    const starts = listLocalGridInstants(localDayRange('2026-11-01', zone), zone, 60);
    expect(starts).toHaveLength(25);
    expect(localTimes(starts.slice(0, 4), zone)).toEqual(['00:00', '01:00', '01:00', '02:00']);
  });

  it('America/Santiago 2026-09-06 starts at 01:00 (midnight is skipped); the grid starts there', () => {
    const zone = 'America/Santiago';
    const starts = listLocalGridInstants({ start: at('2026-09-05 22:00', zone), end: at('2026-09-06 03:00', zone) }, zone, 60);
    expect(localTimes(starts, zone)).toEqual(['22:00', '23:00', '01:00', '02:00']);
  });

  it('a 45-minute grid restarts at each local midnight', () => {
    const starts = listLocalGridInstants(range('2026-03-03 22:00', '2026-03-04 01:00'), SHANGHAI, 45);
    expect(localTimes(starts)).toEqual(['22:30', '23:15', '00:00', '00:45']);
  });

  it.each([
    ['Asia/Kathmandu', '2026-05-01T03:15:00Z', 30, true],
    ['Asia/Kathmandu', '2026-05-01T03:00:00Z', 30, false],
    ['Asia/Shanghai', '2026-05-01T02:00:00Z', 30, true],
    ['Asia/Shanghai', '2026-05-01T02:00:01Z', 30, false],
    ['Asia/Shanghai', '2026-05-01T02:15:00Z', 15, true],
    ['Asia/Shanghai', '2026-05-01T02:15:00Z', 30, false],
  ])('isOnLocalSlotGrid %s %s every %i min: %s', (zone, iso, slotMinutes, onGrid) => {
    expect(isOnLocalSlotGrid(Date.parse(iso), zone, slotMinutes)).toBe(onGrid);
  });

  it.each([0, -30, 7.5])('refuses slotMinutes %d instead of looping', (slotMinutes) => {
    expect(() => listFreeSlots({ ...BASE, slotMinutes })).toThrow(RangeError);
  });
});
