import { SPACE_OPENNESS } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, PageQuery, Line } from './common.ts';
import { PolicyRules } from './policies.ts';

export const BOOKING_MODES = ['exclusive', 'shared_capacity'] as const;
export const SPACE_KINDS = ['activity_room', 'meeting_room', 'hall', 'study_area', 'classroom', 'kitchen', 'gym'] as const;
export const SpaceKind = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase slug, e.g. meeting_room');
export const Feature = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase slug, e.g. projector');

const SpaceFields = {
  siteId: z.uuid(),
  name: Line({ min: 1, max: 120 }),
  kind: SpaceKind,
  bookingMode: z.enum(BOOKING_MODES),
  capacity: z.number().int().min(1).max(10_000),
  features: z.array(Feature).max(40).default([]),
  bookableBy: z.enum(['residents', 'staff_only']).default('residents'),
  /** Which residents may book it: every resident, residents of its site's district, or of its own site. */
  openTo: z.enum(SPACE_OPENNESS).default('everyone'),
  policy: PolicyRules.default({}),
};

export const CreateSpaceBody = z.strictObject(SpaceFields);
export type CreateSpaceBody = z.infer<typeof CreateSpaceBody>;

/** A space stays at its site; moving bookings between sites is a booking operation, not a space edit. */
export const UpdateSpaceBody = z
  .strictObject({
    name: SpaceFields.name,
    kind: SpaceFields.kind,
    bookingMode: SpaceFields.bookingMode,
    capacity: SpaceFields.capacity,
    features: z.array(Feature).max(40),
    bookableBy: z.enum(['residents', 'staff_only']),
    openTo: z.enum(SPACE_OPENNESS),
    policy: PolicyRules,
  })
  .partial();
export type UpdateSpaceBody = z.infer<typeof UpdateSpaceBody>;

export const Space = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  name: z.string(),
  kind: z.string(),
  bookingMode: z.enum(BOOKING_MODES),
  capacity: z.number().int(),
  features: z.array(z.string()),
  bookableBy: z.enum(['residents', 'staff_only']),
  openTo: z.enum(SPACE_OPENNESS),
  policy: PolicyRules,
  archivedAt: IsoInstant.nullable(),
  createdAt: IsoInstant,
});
export type Space = z.infer<typeof Space>;

/** The archive answer: the space, and how many of its upcoming bookings archiving cancelled. */
export const ArchivedSpace = Space.extend({ cancelledBookings: z.number().int() });
export type ArchivedSpace = z.infer<typeof ArchivedSpace>;

export const ListSpacesQuery = PageQuery.extend({
  siteId: z.uuid().optional(),
  kind: SpaceKind.optional(),
  bookingMode: z.enum(BOOKING_MODES).optional(),
  minCapacity: z.coerce.number().int().min(1).optional(),
  includeArchived: z.stringbool().default(false),
});
export type ListSpacesQuery = z.infer<typeof ListSpacesQuery>;
