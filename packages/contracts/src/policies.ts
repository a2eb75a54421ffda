import { findPolicyProblems } from '@linli/domain';
import { z } from 'zod';

const Minutes = z.number().int().min(0).max(60 * 24 * 366);
const Quota = z.number().int().min(0).max(10_000).nullable();

const PolicyRuleFields = z.strictObject({
  slotMinutes: z.number().int().min(5).max(24 * 60).refine((m) => (24 * 60) % m === 0, {
    message: 'must divide a day evenly (5, 10, 15, 30, 60 ...)',
  }),
  minDurationMinutes: Minutes.min(5).max(24 * 60),
  /** A booking lasts at most a day: range queries rely on it to bound their index scans. */
  maxDurationMinutes: Minutes.min(5).max(24 * 60),
  leadTimeMinutes: Minutes,
  horizonDays: z.number().int().min(1).max(730),
  bufferMinutes: Minutes.max(24 * 60),
  approvalRequired: z.boolean(),
  checkInRequired: z.boolean(),
  noShowAfterMinutes: Minutes.min(1).max(24 * 60),
  cancelCutoffMinutes: Minutes,
  quotaPerDayCount: Quota,
  quotaPerDayMinutes: Quota,
  quotaPerWeekCount: Quota,
  quotaPerWeekMinutes: Quota,
  waitlistMode: z.enum(['auto_book', 'offer']),
  offerHoldMinutes: Minutes.min(1).max(7 * 24 * 60),
}).partial();

/**
 * The rules one level (org, site or space) sets; anything left out is inherited. A level that sets both halves of
 * a pair must not contradict itself (a minimum above its maximum); what it inherits is checked when it is saved.
 */
export const PolicyRules = PolicyRuleFields.superRefine((rules, ctx) => {
  for (const problem of findPolicyProblems(rules)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});
export type PolicyRules = z.infer<typeof PolicyRules>;

const PolicyLevel = z.enum(['default', 'org', 'site', 'space']);
export const EffectivePolicyResponse = z.object({
  spaceId: z.uuid(),
  values: PolicyRuleFields.required(),
  sources: z.record(z.string(), PolicyLevel),
  /** What would apply without the space's own rules (defaults, then the organization's, then the site's). */
  inherited: PolicyRuleFields.required(),
  inheritedSources: z.record(z.string(), PolicyLevel),
  levels: z.object({ org: PolicyRules, site: PolicyRules, space: PolicyRules }),
});
export type EffectivePolicyResponse = z.infer<typeof EffectivePolicyResponse>;

/** One level's rules (the organization's or a site's) beside what it would inherit, for editing that level. */
export const PolicyAtLevel = z.object({
  level: z.enum(['org', 'site']),
  /** What this level sets itself; everything else is inherited. */
  own: PolicyRules,
  values: PolicyRuleFields.required(),
  sources: z.record(z.string(), PolicyLevel),
  inherited: PolicyRuleFields.required(),
  inheritedSources: z.record(z.string(), PolicyLevel),
});
export type PolicyAtLevel = z.infer<typeof PolicyAtLevel>;
