import { z } from 'zod';
import { IsoInstant, Line } from './common.ts';
import { boundBookingSpan } from './bookings.ts';

export const WAITLIST_STATUSES = ['waiting', 'offered', 'booked', 'expired', 'cancelled'] as const;

export const CreateWaitlistBody = z.strictObject({
  spaceId: z.uuid(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  partySize: z.number().int().min(1).max(10_000).default(1),
  purpose: Line({ max: 200 }).optional(),
}).superRefine(boundBookingSpan);
export type CreateWaitlistBody = z.infer<typeof CreateWaitlistBody>;

export const WaitlistEntry = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  spaceId: z.uuid(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  partySize: z.number().int(),
  purpose: z.string().nullable(),
  status: z.enum(WAITLIST_STATUSES),
  /** The booking made or offered when the entry was promoted. */
  bookingId: z.uuid().nullable(),
  /**
   * Place in the queue while waiting: 1 + the active (waiting or offered) entries for the same space and an
   * overlapping time that joined before it. Null once the entry is no longer waiting.
   */
  position: z.number().int().min(1).nullable(),
  createdAt: IsoInstant,
});
export type WaitlistEntry = z.infer<typeof WaitlistEntry>;
