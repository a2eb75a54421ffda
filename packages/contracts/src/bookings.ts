import { CLAIM_STATUSES, HOLDING_STATUSES, MAX_BOOKING_MS } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, LocalDate, MAX_FILTER_DAYS, PageQuery, Line, Text, boundInstantSpan } from './common.ts';
import { EquipmentNeedStanding, EquipmentNeeds } from './equipment.ts';
import { Phone } from './auth.ts';

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
  /** Staff booking for a walk-in who has no account (name, optional phone): instead of `bookerId`. */
  walkIn: z.strictObject({ name: Line({ min: 1, max: 60 }), phone: Phone.optional() }).optional(),
  /** Equipment wanted with the room ("the hall plus 2 projectors"): lent from the pool over the booking's time. */
  equipment: EquipmentNeeds.optional(),
})
  .refine((b) => !(b.bookerId && b.walkIn), { message: 'a booking is for a resident or a walk-in, not both', path: ['walkIn'] })
  .superRefine(boundBookingSpan);
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

/**
 * Who a booking is for, as staff of its site see it (name, masked phone such as 139****0001, home site). A
 * resident sees it on their own bookings only; everyone else gets `booker: null`.
 */
export const BookerIdentity = z.object({
  /** Null for a walk-in without an account. */
  userId: z.uuid().nullable(),
  displayName: z.string(),
  /** The first three and last four digits; null when there is no phone. */
  maskedPhone: z.string().nullable(),
  homeSiteId: z.uuid().nullable(),
  homeSiteName: z.string().nullable(),
  walkIn: z.boolean(),
});
export type BookerIdentity = z.infer<typeof BookerIdentity>;

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
  /** When check-in opens and closes for this booking (null when it cannot be checked in: not confirmed). */
  checkInOpensAt: IsoInstant.nullable(),
  checkInClosesAt: IsoInstant.nullable(),
  /** Who it is for: see BookerIdentity for who may see it. */
  booker: BookerIdentity.nullable(),
  version: z.number().int(),
  createdAt: IsoInstant,
});
export type Booking = z.infer<typeof Booking>;

/** One field a move or change changed, before -> after. */
export const BOOKING_CHANGE_FIELDS = ['spaceId', 'startAt', 'endAt', 'partySize', 'purpose'] as const;
export const BookingChange = z.object({
  field: z.enum(BOOKING_CHANGE_FIELDS),
  // Nullable inside the union: OpenAPI 3.0 wants `nullable` beside a `type`, which a nullable union does not have.
  from: z.union([z.string().nullable(), z.number()]),
  to: z.union([z.string().nullable(), z.number()]),
});
export type BookingChange = z.infer<typeof BookingChange>;

export const BookingEvent = z.object({
  id: z.uuid(),
  actorId: z.uuid().nullable(),
  /** Who made the change, by display name: shown to staff, and to a resident for their own changes. */
  actorName: z.string().nullable(),
  fromStatus: z.string().nullable(),
  toStatus: z.string(),
  reason: z.string().nullable(),
  /** What a move or change changed, before -> after (empty for status changes). Times as ISO instants. */
  changes: z.array(BookingChange),
  /** The booking's version after this change: history is listed in this order, the order changes committed. */
  version: z.number().int(),
  at: IsoInstant,
});
export type BookingEvent = z.infer<typeof BookingEvent>;

export const BookingWithHistory = Booking.extend({ events: z.array(BookingEvent) });

export const BookingSource = z.enum(BOOKING_SOURCES);
export const BOOKING_SORTS = ['startAt', '-startAt', 'createdAt', '-createdAt'] as const;

/** The filters the bookings list and its CSV export share. */
const BookingFilters = {
  siteId: z.uuid().optional(),
  spaceId: z.uuid().optional(),
  bookerId: z.uuid().optional(),
  /**
   * Part of the booker's or walk-in's name (any case), 4 or more phone digits, or an exact check-in code. A
   * resident's search only ever looks through their own bookings.
   */
  q: Line({ min: 1, max: 60 }).optional(),
  /** Comma-separated sources, e.g. `staff,resident`. */
  source: Line({ max: 200 })
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(BookingSource))
    .optional(),
  /** Default `startAt` (earliest first); `-` for newest first. A cursor belongs to the sort it was issued for. */
  sort: z.enum(BOOKING_SORTS).default('startAt'),
  status: Line({ max: 200 })
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(BookingStatus))
    .optional(),
  /** Bookings that end after `from` and start before `to` (at most a year apart; either may be left open). */
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
};
const boundFilterSpan = boundInstantSpan(['from', 'to'], { maxMs: MAX_FILTER_DAYS * 86_400_000, refuseReversed: true });

export const ListBookingsQuery = PageQuery.extend(BookingFilters).superRefine(boundFilterSpan);
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

/**
 * The bookings list as CSV (UTF-8 with BOM, headers in `lang`, times in each site's zone): the list's filters and
 * sort, every page. More than MAX_BOOKINGS_EXPORT_ROWS matching rows is refused (EXPORT_TOO_LARGE), never cut short.
 */
export const MAX_BOOKINGS_EXPORT_ROWS = 10_000;
export const ExportBookingsQuery = z
  .object({ ...BookingFilters, lang: z.enum(['zh-CN', 'en']).default('zh-CN') })
  .superRefine(boundFilterSpan);
export type ExportBookingsQuery = z.infer<typeof ExportBookingsQuery>;

/** A resident found by staff to book on their behalf: by part of the name or phone digits. */
export const PeopleSearchQuery = z.object({ q: Line({ min: 1, max: 60 }), limit: z.coerce.number().int().min(1).max(50).default(20) });
export type PeopleSearchQuery = z.infer<typeof PeopleSearchQuery>;
export const PersonMatch = z.object({
  id: z.uuid(),
  displayName: z.string(),
  maskedPhone: z.string().nullable(),
  /** Masked the same way (j***@example.com). */
  maskedEmail: z.string().nullable(),
  homeSiteId: z.uuid().nullable(),
  homeSiteName: z.string().nullable(),
});
export type PersonMatch = z.infer<typeof PersonMatch>;
export const PersonMatches = z.object({ items: z.array(PersonMatch) });

/** Staff check a booking in by its code at their site (typed, or scanned from the resident's QR code). */
export const SiteCheckInBody = z.strictObject({ code: Line({ min: 4, max: 16 }) });
export type SiteCheckInBody = z.infer<typeof SiteCheckInBody>;

/**
 * A site's kiosk (a screen at the door, signed in as staff): a QR code residents scan with their phone to check in.
 * The token changes every `rotatesEverySeconds`, so a photo of the code stops working soon after.
 */
export const KioskToken = z.object({
  siteId: z.uuid(),
  siteName: z.string(),
  timezone: z.string(),
  token: z.string(),
  /** The app URL the QR code encodes: opening it signed in as a resident checks in their booking here. */
  checkInUrl: z.string(),
  /** When this token stops being accepted (the end of the next period: a code scanned just before a rotation still works). */
  expiresAt: IsoInstant,
  rotatesEverySeconds: z.number().int(),
});
export type KioskToken = z.infer<typeof KioskToken>;
export const KioskCheckInBody = z.strictObject({ token: Line({ min: 8, max: 200 }) });
export type KioskCheckInBody = z.infer<typeof KioskCheckInBody>;
