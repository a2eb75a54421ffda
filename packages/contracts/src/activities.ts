import { ACTIVITY_STATUSES } from '@linli/domain';
import { z } from 'zod';
import { boundBookingSpan } from './bookings.ts';
import { IsoInstant, Line, LocalDate, PageQuery, Text, boundDateSpan, boundInstantSpan } from './common.ts';
import { EquipmentNeeds } from './equipment.ts';
import { ClockTime, SeriesOccurrence, boundSeriesEnd } from './series.ts';

/** A category's key, e.g. `parent_child`; the names are what people read. */
export const CategorySlug = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase letters, digits and _ (2-40)');

export const ActivityCategory = z.object({ slug: z.string(), nameZh: z.string(), nameEn: z.string() });
export type ActivityCategory = z.infer<typeof ActivityCategory>;
export const CreateActivityCategoryBody = z.strictObject({ slug: CategorySlug, nameZh: Line({ min: 1, max: 40 }), nameEn: Line({ min: 1, max: 60 }) });
export type CreateActivityCategoryBody = z.infer<typeof CreateActivityCategoryBody>;

export const Partner = z.object({ id: z.uuid(), name: z.string(), contact: z.string().nullable() });
export type Partner = z.infer<typeof Partner>;
export const CreatePartnerBody = z.strictObject({ name: Line({ min: 1, max: 120 }), contact: Line({ max: 200 }).optional() });
export type CreatePartnerBody = z.infer<typeof CreatePartnerBody>;

/** Who may register: everyone, residents of a site, of a district, or of an age band (by birth year). */
export const ActivityAudience = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('everyone') }),
  z.strictObject({ kind: z.literal('home_site'), siteId: z.uuid() }),
  z.strictObject({ kind: z.literal('district'), district: Line({ min: 1, max: 100 }) }),
  z.strictObject({ kind: z.literal('age_band'), minAge: z.number().int().min(0).max(120), maxAge: z.number().int().min(0).max(120) }),
]);
export type ActivityAudience = z.infer<typeof ActivityAudience>;

export const ActivityStatus = z.enum(ACTIVITY_STATUSES);
const Places = z.number().int().min(1).max(10_000);

const activityFields = {
  title: Line({ min: 1, max: 200 }),
  titleEn: Line({ max: 200 }).nullable(),
  description: Text({ max: 4000 }).nullable(),
  descriptionEn: Text({ max: 4000 }).nullable(),
  category: CategorySlug,
  /** A staff member of the organization; defaults to whoever creates the activity. */
  organizerUserId: z.uuid().nullable(),
  partnerId: z.uuid().nullable(),
  audience: ActivityAudience,
  /** Places per session unless a session says otherwise. */
  places: Places,
  maxPartySize: z.number().int().min(1).max(50),
  registrationOpensAt: IsoInstant.nullable(),
  registrationClosesAt: IsoInstant.nullable(),
  cancelCutoffMinutes: z.number().int().min(0).max(7 * 24 * 60),
  waitlistMode: z.enum(['offer', 'auto_book']),
  offerHoldMinutes: z.number().int().min(1).max(7 * 24 * 60),
  /** At most this many open registrations per resident in this category per ISO week (null: no limit). */
  categoryWeeklyLimit: z.number().int().min(1).max(100).nullable(),
};

// A registration window longer than two years is a mistake, and the bound keeps every window check cheap.
const boundRegistrationWindow = boundInstantSpan(['registrationOpensAt', 'registrationClosesAt'], { maxMs: 731 * 86_400_000, refuseReversed: true });
const windowOf = (body: { registrationOpensAt?: string | null; registrationClosesAt?: string | null }) => ({
  registrationOpensAt: body.registrationOpensAt ?? undefined,
  registrationClosesAt: body.registrationClosesAt ?? undefined,
});

export const CreateActivityBody = z
  .strictObject({
    ...activityFields,
    titleEn: activityFields.titleEn.optional(),
    description: activityFields.description.optional(),
    descriptionEn: activityFields.descriptionEn.optional(),
    organizerUserId: activityFields.organizerUserId.optional(),
    partnerId: activityFields.partnerId.optional(),
    audience: activityFields.audience.default({ kind: 'everyone' }),
    maxPartySize: activityFields.maxPartySize.default(1),
    registrationOpensAt: activityFields.registrationOpensAt.optional(),
    registrationClosesAt: activityFields.registrationClosesAt.optional(),
    cancelCutoffMinutes: activityFields.cancelCutoffMinutes.default(120),
    waitlistMode: activityFields.waitlistMode.default('offer'),
    offerHoldMinutes: activityFields.offerHoldMinutes.default(120),
    categoryWeeklyLimit: activityFields.categoryWeeklyLimit.optional(),
  })
  .superRefine((body, ctx) => boundRegistrationWindow(windowOf(body), ctx));
export type CreateActivityBody = z.infer<typeof CreateActivityBody>;

/** Which fields may change depends on the activity's state (packages/domain activity-rules). */
export const UpdateActivityBody = z
  .strictObject(activityFields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' })
  .superRefine((body, ctx) => boundRegistrationWindow(windowOf(body), ctx));
export type UpdateActivityBody = z.infer<typeof UpdateActivityBody>;

export const Activity = z.object({
  id: z.uuid(),
  title: z.string(),
  titleEn: z.string().nullable(),
  description: z.string().nullable(),
  descriptionEn: z.string().nullable(),
  category: z.string(),
  organizerUserId: z.uuid().nullable(),
  partnerId: z.uuid().nullable(),
  audience: ActivityAudience,
  places: z.number().int(),
  maxPartySize: z.number().int(),
  registrationOpensAt: IsoInstant.nullable(),
  registrationClosesAt: IsoInstant.nullable(),
  cancelCutoffMinutes: z.number().int(),
  waitlistMode: z.string(),
  offerHoldMinutes: z.number().int(),
  categoryWeeklyLimit: z.number().int().nullable(),
  status: ActivityStatus,
  version: z.number().int(),
  createdAt: IsoInstant,
});
export type Activity = z.infer<typeof Activity>;

export const ActivitySession = z.object({
  id: z.uuid(),
  activityId: z.uuid(),
  siteId: z.uuid(),
  spaceId: z.uuid(),
  /** The booking (source 'activity') that holds the room. */
  bookingId: z.uuid(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  places: z.number().int(),
  status: z.enum(['scheduled', 'cancelled']),
  version: z.number().int(),
});
export type ActivitySession = z.infer<typeof ActivitySession>;

export const ActivityWithSessions = Activity.extend({ sessions: z.array(ActivitySession) });
export type ActivityWithSessions = z.infer<typeof ActivityWithSessions>;

export const ListActivitiesQuery = PageQuery.extend({ status: ActivityStatus.optional(), category: CategorySlug.optional() });
export type ListActivitiesQuery = z.infer<typeof ListActivitiesQuery>;

const ONE_SESSION_FIELDS = ['startAt', 'endAt'] as const;
const RECURRING_FIELDS = ['startDate', 'startTime', 'durationMinutes', 'rule'] as const;

/** Exactly one of the two shapes, each complete, so every problem is reported on the field it concerns. */
function oneShapeOfSessions(body: Partial<Record<string, unknown>>, ctx: z.RefinementCtx) {
  const given = (fields: readonly string[]) => fields.filter((f) => body[f] !== undefined);
  const one = given(ONE_SESSION_FIELDS);
  const recurring = given([...RECURRING_FIELDS, 'exdates', 'onConflict']);
  if (one.length && recurring.length) {
    ctx.addIssue({ code: 'custom', path: [recurring[0]!], message: 'send either startAt/endAt (one session) or startDate/startTime/durationMinutes/rule (recurring)' });
    return;
  }
  const required = recurring.length ? RECURRING_FIELDS : ONE_SESSION_FIELDS;
  for (const field of required) if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required' });
}

/**
 * One session (spaceId, startAt, endAt), or recurring sessions expanded like a booking series in the site's zone
 * (startDate, startTime, durationMinutes, rule, exdates, onConflict). `places` defaults to the activity's and must
 * fit the room.
 */
export const CreateSessionsBody = z
  .strictObject({
    spaceId: z.uuid(),
    startAt: IsoInstant.optional(),
    endAt: IsoInstant.optional(),
    startDate: LocalDate.optional(),
    startTime: ClockTime.optional(),
    durationMinutes: z.number().int().min(5).max(24 * 60).optional(),
    rule: Line({ min: 6, max: 500 }).optional(),
    exdates: z.array(LocalDate).max(400).optional(),
    places: Places.optional(),
    /** 'skip': schedule what fits and report the rest; 'fail' (default): schedule nothing if any occurrence does not fit. */
    onConflict: z.enum(['skip', 'fail']).optional(),
    /** Equipment each session needs with its room, lent from the pool over the session's time. */
    equipment: EquipmentNeeds.optional(),
  })
  .superRefine(oneShapeOfSessions)
  .superRefine(boundBookingSpan)
  .superRefine((body, ctx) => {
    if (body.startDate !== undefined && body.rule !== undefined) boundSeriesEnd({ startDate: body.startDate, rule: body.rule }, ctx);
  });
export type CreateSessionsBody = z.infer<typeof CreateSessionsBody>;

export const SessionsResult = z.object({
  sessions: z.array(ActivitySession),
  /** Recurring requests: every occurrence, scheduled ('ok') or why not. Empty for a single session. */
  occurrences: z.array(SeriesOccurrence),
});
export type SessionsResult = z.infer<typeof SessionsResult>;

/** Move a session in time or to another room; registrations are kept and the change is recorded. */
export const UpdateSessionBody = z
  .strictObject({ spaceId: z.uuid(), startAt: IsoInstant, endAt: IsoInstant })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' })
  .superRefine(boundBookingSpan);
export type UpdateSessionBody = z.infer<typeof UpdateSessionBody>;

export const CancelSessionBody = z.strictObject({ reason: Text({ min: 1, max: 500 }).optional() });
export type CancelSessionBody = z.infer<typeof CancelSessionBody>;

/** The public programme covers at most two months at a time. */
export const MAX_PROGRAMME_DAYS = 62;
export const ProgrammeQuery = z
  .object({
    orgId: z.uuid(),
    siteId: z.uuid().optional(),
    district: Line({ min: 1, max: 100 }).optional(),
    category: CategorySlug.optional(),
    /** Local dates in each site's zone; default from today for MAX_PROGRAMME_DAYS days. */
    from: LocalDate.optional(),
    to: LocalDate.optional(),
  })
  .superRefine(boundDateSpan(['from', 'to'], MAX_PROGRAMME_DAYS));
export type ProgrammeQuery = z.infer<typeof ProgrammeQuery>;

/** A published session as the public sees it: what, where, when, places left; nobody's name or registration. */
export const ProgrammeEntry = z.object({
  sessionId: z.uuid(),
  activityId: z.uuid(),
  title: z.string(),
  titleEn: z.string().nullable(),
  description: z.string().nullable(),
  category: z.string(),
  partnerName: z.string().nullable(),
  audience: ActivityAudience,
  siteId: z.uuid(),
  siteName: z.string(),
  district: z.string(),
  spaceName: z.string(),
  timezone: z.string(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  places: z.number().int(),
  placesLeft: z.number().int(),
  registrationOpensAt: IsoInstant.nullable(),
  registrationClosesAt: IsoInstant.nullable(),
  /** The largest party one registration may bring. */
  maxPartySize: z.number().int(),
  /** Residents may cancel until this many minutes before the start. */
  cancelCutoffMinutes: z.number().int(),
});
export type ProgrammeEntry = z.infer<typeof ProgrammeEntry>;
export const Programme = z.object({ from: LocalDate, to: LocalDate, items: z.array(ProgrammeEntry) });
export type Programme = z.infer<typeof Programme>;

export const OrganizedSessionsQuery = z
  .object({ from: LocalDate.optional(), to: LocalDate.optional() })
  .superRefine(boundDateSpan(['from', 'to'], MAX_PROGRAMME_DAYS));
export type OrganizedSessionsQuery = z.infer<typeof OrganizedSessionsQuery>;
export const OrganizedSession = ActivitySession.extend({ title: z.string(), activityStatus: ActivityStatus, placesTaken: z.number().int() });
export type OrganizedSession = z.infer<typeof OrganizedSession>;
