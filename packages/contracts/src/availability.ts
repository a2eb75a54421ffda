import { MAX_BOOKING_MS } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, LocalDate, Line, boundDateSpan, boundInstantSpan } from './common.ts';
import { Booking } from './bookings.ts';
import { Closure, Site } from './sites.ts';
import { Space } from './spaces.ts';

/** A month of free slots: what the booking calendar pages through; every day costs a slot grid. */
export const MAX_AVAILABILITY_DAYS = 31;

/** Free slots of one space over local dates [from, to] in the site's zone (at most 31 days). */
export const SpaceAvailabilityQuery = z
  .object({
    from: LocalDate,
    to: LocalDate,
    durationMinutes: z.coerce.number().int().min(5).max(24 * 60).optional(),
    partySize: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .superRefine(boundDateSpan(['from', 'to'], MAX_AVAILABILITY_DAYS));
export type SpaceAvailabilityQuery = z.infer<typeof SpaceAvailabilityQuery>;

export const FreeSlot = z.object({
  startAt: IsoInstant,
  endAt: IsoInstant,
  /** Shared-capacity spaces: places left for the whole slot. */
  remaining: z.number().int().nullable(),
});
/**
 * A slot the policy and opening hours would allow but bookings already fill: shown as taken so a resident can
 * join its waitlist. Only the times: never who holds it.
 */
export const TakenSlot = z.object({
  startAt: IsoInstant,
  endAt: IsoInstant,
});
export type TakenSlot = z.infer<typeof TakenSlot>;
export const SpaceAvailability = z.object({
  spaceId: z.uuid(),
  timezone: z.string(),
  durationMinutes: z.number().int(),
  slots: z.array(FreeSlot),
  takenSlots: z.array(TakenSlot),
});
export type SpaceAvailability = z.infer<typeof SpaceAvailability>;

/** Portfolio search: spaces free for exactly [startAt, endAt), ranked; that is a booking, so at most a day long. */
export const SearchSpacesQuery = z.object({
  startAt: IsoInstant,
  endAt: IsoInstant,
  partySize: z.coerce.number().int().min(1).max(10_000).default(1),
  /** Comma-separated feature slugs the space must all have. */
  features: Line({ max: 2000 })
    .transform((s) => s.split(',').map((f) => f.trim()).filter(Boolean))
    .optional(),
  kind: Line({ max: 40 }).optional(),
  siteKind: Line({ max: 40 }).optional(),
  district: Line({ max: 60 }).optional(),
  /** Rank by distance from this site (or from lat/lng). */
  nearSiteId: z.uuid().optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  lng: z.coerce.number().min(-180).max(180).optional(),
  maxDistanceKm: z.coerce.number().positive().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
}).superRefine(boundInstantSpan(['startAt', 'endAt'], { maxMs: MAX_BOOKING_MS, refuseReversed: true }));
export type SearchSpacesQuery = z.infer<typeof SearchSpacesQuery>;

export const SpaceSearchResult = z.object({
  space: Space,
  site: Site.pick({ id: true, name: true, kind: true, district: true, subdistrict: true, address: true, lat: true, lng: true, timezone: true }),
  distanceKm: z.number().nullable(),
  /** Shared-capacity spaces: places left for the whole interval. */
  remaining: z.number().int().nullable(),
});
export const SearchSpacesResponse = z.object({ items: z.array(SpaceSearchResult) });
export type SearchSpacesResponse = z.infer<typeof SearchSpacesResponse>;

/** A site's schedule for the operator timeline: spaces x bookings, with open hours and closures (two weeks at most). */
export const SiteScheduleQuery = z.object({
  date: LocalDate,
  days: z.coerce.number().int().min(1).max(14).default(1),
});
export type SiteScheduleQuery = z.infer<typeof SiteScheduleQuery>;

/**
 * A booking as the timeline draws it: when, where, what state, for how many, and the version a drag-move sends
 * back. Not the check-in code or history (a week's list should not carry every resident's code); the booking's
 * own endpoint has the rest.
 */
export const ScheduleBooking = Booking.pick({
  id: true,
  siteId: true,
  spaceId: true,
  bookerId: true,
  partySize: true,
  startAt: true,
  endAt: true,
  purpose: true,
  status: true,
  seriesId: true,
  version: true,
});
export type ScheduleBooking = z.infer<typeof ScheduleBooking>;

export const SiteSchedule = z.object({
  site: Site,
  from: IsoInstant,
  to: IsoInstant,
  spaces: z.array(Space),
  bookings: z.array(ScheduleBooking),
  /** When the site is open inside [from, to), closures already removed. */
  openRanges: z.array(z.object({ startAt: IsoInstant, endAt: IsoInstant })),
  closures: z.array(Closure),
});
export type SiteSchedule = z.infer<typeof SiteSchedule>;
