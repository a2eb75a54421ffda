import { CLAIM_STATUSES, HOLDING_STATUSES, MAX_BOOKING_MS } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, LocalDate, MAX_FILTER_DAYS, PageQuery, Line, Text, boundInstantSpan } from './common.ts';
import { EquipmentNeedStanding, EquipmentNeeds } from './equipment.ts';

/** A booking is a claim on a space: its statuses and which of them hold the space are the claims engine's. */
export const BOOKING_STATUSES = CLAIM_STATUSES;
export { HOLDING_STATUSES };
export const BookingStatus = z.enum(BOOKING_STATUSES);
export type BookingStatus = z.infer<typeof BookingStatus>;
export const BOOKING_SOURCES = ['resident', 'staff', 'activity', 'series', 'waitlist'] as const;

const Purpose = Line({ max: 200 });
const PartySize = z.number().int().min(1).max(10_000);
/**
 * No booking lasts longer than the engine allows (a day), so a longer one is refused at validation, before the
 * policy check lays out days of opening hours for it. A reversed one is left to the policy check (INVALID_INTERVAL).
 */
export const boundBookingSpan = boundInstantSpan(['startAt', 'endAt'], { maxMs: MAX_BOOKING_MS, refuseReversed: false });

export const CreateBookingBody = z.strictObject({
  spaceId: z.uuid(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  partySize: PartySize.default(1),
  purpose: Purpose.optional(),
  /** Staff booking on behalf of a resident; residents always book for themselves. */
  bookerId: z.uuid().optional(),
  /** Equipment wanted with the room ("the hall plus 2 projectors"): lent from the pool over the booking's time. */
  equipment: EquipmentNeeds.optional(),
}).superRefine(boundBookingSpan);
export type CreateBookingBody = z.infer<typeof CreateBookingBody>;

/** Reschedule, move to another space, change the party: all checked like a new booking. */
export const UpdateBookingBody = z
  .strictObject({ spaceId: z.uuid(), startAt: IsoInstant, endAt: IsoInstant, partySize: PartySize, purpose: Purpose })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' })
  .superRefine(boundBookingSpan);
export type UpdateBookingBody = z.infer<typeof UpdateBookingBody>;

export const ReasonBody = z.strictObject({ reason: Text({ min: 1, max: 500 }).optional() });
export type ReasonBody = z.infer<typeof ReasonBody>;
export const RejectBody = z.strictObject({ reason: Text({ min: 1, max: 500 }) });
export const CheckInBody = z.strictObject({ code: Line({ min: 4, max: 16 }).optional() });
export type CheckInBody = z.infer<typeof CheckInBody>;

export const Booking = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  spaceId: z.uuid(),
  bookerId: z.uuid().nullable(),
  createdById: z.uuid().nullable(),
  partySize: z.number().int(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  purpose: z.string().nullable(),
  status: BookingStatus,
  source: z.string(),
  seriesId: z.uuid().nullable(),
  /** Shown to the booker and staff only; residents type it (or scan it) at check-in. */
  checkInCode: z.string().nullable(),
  checkedInAt: IsoInstant.nullable(),
  offerExpiresAt: IsoInstant.nullable(),
  version: z.number().int(),
  createdAt: IsoInstant,
});
export type Booking = z.infer<typeof Booking>;

export const BookingEvent = z.object({
  id: z.uuid(),
  actorId: z.uuid().nullable(),
  /** Who made the change, by display name: shown to staff, and to a resident for their own changes. */
  actorName: z.string().nullable(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  reason: z.string().nullable(),
  /** The booking's version after this change: history is listed in this order, the order changes committed. */
  version: z.number().int(),
  at: IsoInstant,
});
export type BookingEvent = z.infer<typeof BookingEvent>;

export const BookingWithHistory = Booking.extend({ events: z.array(BookingEvent) });

export const ListBookingsQuery = PageQuery.extend({
  siteId: z.uuid().optional(),
  spaceId: z.uuid().optional(),
  bookerId: z.uuid().optional(),
  status: Line({ max: 200 })
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(BookingStatus))
    .optional(),
  /** Bookings that end after `from` and start before `to` (at most a year apart; either may be left open). */
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
}).superRefine(boundInstantSpan(['from', 'to'], { maxMs: MAX_FILTER_DAYS * 86_400_000, refuseReversed: true }));
export type ListBookingsQuery = z.infer<typeof ListBookingsQuery>;

/** A bookable alternative offered when a request is refused as taken or full. */
export const BookingAlternative = z.object({
  spaceId: z.uuid(),
  siteId: z.uuid(),
  spaceName: z.string(),
  siteName: z.string(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  /** 'same_space' (another time) or 'nearby_space' (same time, another space or site). */
  kind: z.enum(['same_space', 'nearby_space']),
  distanceKm: z.number().nullable(),
});
export type BookingAlternative = z.infer<typeof BookingAlternative>;

export const IfMatchHeaders = z.object({ 'if-match': Line({ max: 64 }).optional() });
export const IdempotencyHeaders = z.object({ 'idempotency-key': Line({ min: 1, max: 200 }).optional() });

export const LocalDateRangeQuery = z.object({ from: LocalDate, to: LocalDate });

/**
 * Whether a booking would be accepted now, judged exactly as POST /bookings would judge it (policy, quotas and
 * the space's bookings), without writing anything: for telling a resident before they confirm.
 */
export const BookingCheck = z.object({
  bookable: z.boolean(),
  /** Every reason it would be refused, with its numbers, as a refusal would carry them. */
  reasons: z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() })),
  /** Where the booker stands against each resident quota that applies, and at which level it is set. */
  quotas: z.array(
    z.object({
      quota: z.enum(['quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes']),
      scope: z.enum(['default', 'org', 'site', 'space']),
      limit: z.number(),
      used: z.number(),
      requested: z.number(),
      /** The local date or ISO week the booking falls in. */
      period: z.string(),
    }),
  ),
  /** What the pool can lend for each piece of equipment asked for (empty when none was): a shortfall is reported here, beside the room's verdict. */
  equipment: z.array(EquipmentNeedStanding),
});
export type BookingCheck = z.infer<typeof BookingCheck>;
