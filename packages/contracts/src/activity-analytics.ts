/**
 * Activity analytics (docs/metrics.md, "Activities"): sessions held in a period, by activity, category, site,
 * district or organizer. The period is local dates [from, to], inclusive, each session judged in its site's zone.
 */
import { z } from 'zod';
import { AnalyticsPeriodFields, checkAnalyticsPeriod } from './analytics.ts';
import { Line, LocalDate } from './common.ts';

export const ACTIVITY_ANALYTICS_GROUPS = ['activity', 'category', 'site', 'district', 'organizer'] as const;
export type ActivityAnalyticsGroup = (typeof ACTIVITY_ANALYTICS_GROUPS)[number];

// Unknown parameters are refused, as in every analytics query.
export const ActivityAnalyticsQuery = z
  .strictObject({
    from: AnalyticsPeriodFields.from,
    to: AnalyticsPeriodFields.to,
    siteId: AnalyticsPeriodFields.siteId,
    district: AnalyticsPeriodFields.district,
    /** A category slug. */
    category: Line({ min: 1, max: 60 }).optional(),
    groupBy: z.enum(ACTIVITY_ANALYTICS_GROUPS).default('activity'),
    format: AnalyticsPeriodFields.format,
  })
  .superRefine(checkAnalyticsPeriod);
export type ActivityAnalyticsQuery = z.infer<typeof ActivityAnalyticsQuery>;

const Count = z.number().int().min(0);
/** A share of a whole; null when the whole is zero. Fill rate may pass 1 if places were cut after registration. */
const Ratio = z.number().min(0).nullable();

export const ActivityAnalyticsMetrics = {
  /** Sessions held: not cancelled, of a published or completed activity, ended within the period (and by now). */
  sessions: Count,
  /** Places of those sessions, summed. */
  placesOffered: Count,
  /** Registrations that got a place (holding, completed or no-show), and the people they count (party sizes). */
  registrations: Count,
  registeredPeople: Count,
  /** registeredPeople / placesOffered. */
  fillRate: Ratio,
  /** Distinct people who joined a session's waitlist and never got a place at it. */
  waitlistUnserved: Count,
  /** People of checked-in or completed registrations. */
  attendedPeople: Count,
  /** attendedPeople / registeredPeople. */
  attendanceRate: Ratio,
  noShowPeople: Count,
  /** noShowPeople / registeredPeople. */
  noShowRate: Ratio,
  /** Distinct residents with an attended registration. */
  residentsReached: Count,
  /** Of those, the ones with no attended registration and no booking in the organization before the period. */
  newResidents: Count,
  /** Residents who attended two or more sessions. */
  repeatParticipants: Count,
  feedbackCount: Count,
  /** Mean rating 1-5, two decimals; null without feedback. */
  averageRating: z.number().nullable(),
  /** feedbackCount / attended registrations. */
  responseRate: Ratio,
  /** People recorded as walk-ins. */
  walkIns: Count,
};

export const ActivityAnalyticsRow = z.object({
  /** The activity id, category slug, site id, district, or organizer id (staff member or partner); null for an activity without organizer. */
  key: z.string().nullable(),
  /** Activity title, category name, site name, district, or organizer name (zh-CN). */
  label: z.string().nullable(),
  /** English title or category name where one exists. */
  labelEn: z.string().nullable(),
  /** Organizer rows: a staff member or a partner organization. */
  organizerKind: z.enum(['staff', 'partner']).nullable(),
  ...ActivityAnalyticsMetrics,
});
export type ActivityAnalyticsRow = z.infer<typeof ActivityAnalyticsRow>;

export const ActivityAnalyticsResponse = z.object({
  from: LocalDate,
  to: LocalDate,
  groupBy: z.enum(ACTIVITY_ANALYTICS_GROUPS),
  /** Groups with at least one session held, by label. */
  rows: z.array(ActivityAnalyticsRow),
  /** Everything in scope together: people are counted once across groups. */
  total: z.object(ActivityAnalyticsMetrics),
});
export type ActivityAnalyticsResponse = z.infer<typeof ActivityAnalyticsResponse>;
