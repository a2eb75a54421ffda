import { SPACE_OPENNESS } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, PageQuery, Line, Text } from './common.ts';
import { PolicyRules } from './policies.ts';

export const BOOKING_MODES = ['exclusive', 'shared_capacity'] as const;
export const SPACE_KINDS = ['activity_room', 'meeting_room', 'hall', 'study_area', 'classroom', 'kitchen', 'gym'] as const;
export const SpaceKind = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase slug, e.g. meeting_room');
export const Feature = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase slug, e.g. projector');

/**
 * A photo residents see before booking: an https address only, since the page shows it as an image and a
 * javascript:, data: or plain http: address would run script, smuggle content or be refused as mixed content.
 */
export const SpacePhotoUrl = Line({ min: 1, max: 500 }).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0 && !url.username && !url.password;
  } catch {
    return false;
  }
}, 'must be an https:// address');

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
  /** What residents read about the space before booking (with its site's address and hours). */
  description: Text({ max: 2000 }).nullable().optional(),
  photoUrl: SpacePhotoUrl.nullable().optional(),
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
    description: Text({ max: 2000 }).nullable(),
    photoUrl: SpacePhotoUrl.nullable(),
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
  description: z.string().nullable(),
  photoUrl: z.string().nullable(),
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
