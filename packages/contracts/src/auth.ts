import { z } from 'zod';
import { Line } from './common.ts';
import { isCommonPassword } from './common-passwords.ts';
import { OrgSlug } from './organizations.ts';

export const ROLES = ['org_admin', 'site_manager', 'staff', 'resident'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Email = z.email().max(254).transform((e) => e.toLowerCase());
/** Mainland mobile numbers, optionally with +86. */
export const Phone = z
  .string()
  .regex(/^(\+?86)?1[3-9]\d{9}$/, 'must be a mainland China mobile number')
  .transform((p) => p.replace(/^\+?86/, ''));
/** A new password: long enough and not one an attacker tries first (the problem code says which, for the UI). */
export const Password = Line({ max: 200, trim: false })
  .min(8, 'at least 8 characters')
  .refine((p) => !isCommonPassword(p), { message: 'is one of the most common passwords', params: { problem: 'WEAK_PASSWORD' } });

export const RegisterBody = z
  .strictObject({
    org: OrgSlug,
    email: Email.optional(),
    phone: Phone.optional(),
    password: Password,
    displayName: Line({ min: 1, max: 60 }),
    homeSiteId: z.uuid().optional(),
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  })
  .refine((b) => b.email || b.phone, { message: 'email or phone is required', path: ['email'] });
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.strictObject({
  org: OrgSlug,
  /** An email address or a phone number. */
  login: Line({ min: 3, max: 254 }),
  password: Line({ min: 1, max: 200, trim: false }),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.strictObject({ refreshToken: Line({ min: 20, max: 200, trim: false }) });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const CurrentUser = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  role: Role,
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  homeSiteId: z.uuid().nullable(),
  siteIds: z.array(z.uuid()),
  locale: z.string(),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const TokenResponse = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  user: CurrentUser,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** Staff accounts are made by an org admin (residents register themselves). */
export const CreateUserBody = z
  .strictObject({
    role: Role,
    email: Email.optional(),
    phone: Phone.optional(),
    password: Password,
    displayName: Line({ min: 1, max: 60 }),
    siteIds: z.array(z.uuid()).max(500).default([]),
    homeSiteId: z.uuid().optional(),
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  })
  .refine((b) => b.email || b.phone, { message: 'email or phone is required', path: ['email'] })
  .refine((b) => !['site_manager', 'staff'].includes(b.role) || b.siteIds.length > 0, {
    message: 'site staff need at least one site',
    path: ['siteIds'],
  });
export type CreateUserBody = z.infer<typeof CreateUserBody>;
