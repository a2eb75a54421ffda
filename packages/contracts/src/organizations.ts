import { z } from 'zod';
import { IsoInstant, Line } from './common.ts';
import { PolicyRules } from './policies.ts';
import { TimeZone } from './sites.ts';

export const Organization = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  timezone: z.string(),
  /** The language of messages to people who have not chosen one, and of new accounts that do not say. */
  locale: z.enum(['zh-CN', 'en']),
  policy: PolicyRules,
  createdAt: IsoInstant,
});
export type Organization = z.infer<typeof Organization>;

export const UpdateOrganizationBody = z
  .strictObject({ name: Line({ min: 1, max: 120 }), timezone: TimeZone, locale: z.enum(['zh-CN', 'en']), policy: PolicyRules })
  .partial();
export type UpdateOrganizationBody = z.infer<typeof UpdateOrganizationBody>;

export const OrgSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase letters, digits and dashes');

/** Public facts the sign-in page needs before anyone is signed in. */
export const PublicMeta = z.object({ defaultOrgSlug: z.string().nullable(), version: z.string() });
export type PublicMeta = z.infer<typeof PublicMeta>;
