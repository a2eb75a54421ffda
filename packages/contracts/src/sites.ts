import { DEFAULT_TIME_ZONE, WEEKDAYS, findWeeklyHoursProblems, isValidTimeZone } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, LocalDate, MAX_FILTER_DAYS, PageQuery, Line, Text, boundDateSpan } from './common.ts';
import { PolicyRules } from './policies.ts';

export const SITE_KINDS = ['neighborhood_center', 'white_collar_hub', 'study_room'] as const;
/** Kinds are extensible: the three above are the known ones, operators may add their own slug. */
export const SiteKind = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase slug, e.g. study_room');

export const TimeZone = z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone, e.g. Asia/Shanghai' });

const ClockTime = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be HH:mm');
export const ClockInterval = z.strictObject({ start: ClockTime, end: ClockTime });

/** Several intervals a day are allowed (e.g. closed for lunch); days left out are closed. */
export const WeeklyHours = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(ClockInterval).max(12).default([])])) as Record<
    (typeof WEEKDAYS)[number],
    z.ZodDefault<z.ZodArray<typeof ClockInterval>>
  >)
  .superRefine((hours, ctx) => {
    for (const problem of findWeeklyHoursProblems(hours)) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    }
  });
export type WeeklyHours = z.infer<typeof WeeklyHours>;

const SiteFields = {
  name: Line({ min: 1, max: 120 }),
  kind: SiteKind,
  district: Line({ min: 1, max: 60 }),
  subdistrict: Line({ min: 1, max: 60 }).nullable().optional(),
  address: Line({ max: 300 }).nullable().optional(),
  lat: z.number().min(-90).max(90).nullable().optional(),
  lng: z.number().min(-180).max(180).nullable().optional(),
  timezone: TimeZone.default(DEFAULT_TIME_ZONE),
  openingHours: WeeklyHours,
  policy: PolicyRules.default({}),
};

export const CreateSiteBody = z.strictObject(SiteFields);
export type CreateSiteBody = z.infer<typeof CreateSiteBody>;

export const UpdateSiteBody = z
  .strictObject({
    name: SiteFields.name,
    kind: SiteFields.kind,
    district: SiteFields.district,
    subdistrict: SiteFields.subdistrict,
    address: SiteFields.address,
    lat: SiteFields.lat,
    lng: SiteFields.lng,
    timezone: TimeZone,
    openingHours: WeeklyHours,
    policy: PolicyRules,
  })
  .partial();
export type UpdateSiteBody = z.infer<typeof UpdateSiteBody>;

export const Site = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.string(),
  district: z.string(),
  subdistrict: z.string().nullable(),
  address: z.string().nullable(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  timezone: z.string(),
  openingHours: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))),
  policy: PolicyRules,
  archivedAt: IsoInstant.nullable(),
  createdAt: IsoInstant,
});
export type Site = z.infer<typeof Site>;

export const ListSitesQuery = PageQuery.extend({
  kind: SiteKind.optional(),
  district: Line({ max: 60 }).optional(),
  includeArchived: z.stringbool().default(false),
});
export type ListSitesQuery = z.infer<typeof ListSitesQuery>;

export const CLOSURE_SCOPES = ['org', 'district', 'site'] as const;
/** A closure lasts at most a year (a renovation); a site shut for longer is archived instead. */
export const MAX_CLOSURE_DAYS = 366;
const boundClosureDates = boundDateSpan(['startDate', 'endDate'], MAX_CLOSURE_DAYS);

export const CreateClosureBody = z
  .strictObject({
    scope: z.enum(CLOSURE_SCOPES),
    district: Line({ min: 1, max: 60 }).optional(),
    siteId: z.uuid().optional(),
    startDate: LocalDate,
    endDate: LocalDate,
    reason: Text({ min: 1, max: 200 }),
  })
  .superRefine((c, ctx) => {
    boundClosureDates(c, ctx);
    if (c.scope === 'site' && !c.siteId) ctx.addIssue({ code: 'custom', path: ['siteId'], message: 'required for a site closure' });
    if (c.scope === 'district' && !c.district) ctx.addIssue({ code: 'custom', path: ['district'], message: 'required for a district closure' });
    if (c.scope !== 'site' && c.siteId) ctx.addIssue({ code: 'custom', path: ['siteId'], message: 'only for scope "site"' });
    if (c.scope !== 'district' && c.district) ctx.addIssue({ code: 'custom', path: ['district'], message: 'only for scope "district"' });
  });
export type CreateClosureBody = z.infer<typeof CreateClosureBody>;

export const Closure = z.object({
  id: z.uuid(),
  scope: z.enum(CLOSURE_SCOPES),
  district: z.string().nullable(),
  siteId: z.uuid().nullable(),
  startDate: LocalDate,
  endDate: LocalDate,
  reason: z.string(),
});
export type Closure = z.infer<typeof Closure>;

export const ListClosuresQuery = PageQuery.extend({
  siteId: z.uuid().optional(),
  from: LocalDate.optional(),
  to: LocalDate.optional(),
}).superRefine(boundDateSpan(['from', 'to'], MAX_FILTER_DAYS));
export type ListClosuresQuery = z.infer<typeof ListClosuresQuery>;
