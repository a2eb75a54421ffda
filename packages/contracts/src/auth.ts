import { z } from 'zod';
import { IsoInstant, Line, PageQuery } from './common.ts';
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
    /** Left out: the organization's language (organizations.locale). */
    locale: z.enum(['zh-CN', 'en']).optional(),
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

/** Roles scoped to sites: they must work at one at least, and see only theirs. */
export const SITE_SCOPED_ROLES = ['site_manager', 'staff'] as const satisfies readonly Role[];
export const isSiteScopedRole = (role: Role) => (SITE_SCOPED_ROLES as readonly Role[]).includes(role);

const NewAccountFields = {
  role: Role,
  email: Email.optional(),
  phone: Phone.optional(),
  displayName: Line({ min: 1, max: 60 }),
  siteIds: z.array(z.uuid()).max(500).default([]),
  homeSiteId: z.uuid().optional(),
  /** Left out: the organization's language (organizations.locale). */
  locale: z.enum(['zh-CN', 'en']).optional(),
};
const hasLogin = (b: { email?: string; phone?: string }) => Boolean(b.email || b.phone);
const HAS_LOGIN = { message: 'email or phone is required', path: ['email'] };
const scopedHasSite = (b: { role: Role; siteIds: string[] }) => !isSiteScopedRole(b.role) || b.siteIds.length > 0;
const SCOPED_HAS_SITE = { message: 'site staff need at least one site', path: ['siteIds'] };

/** Staff accounts are made by an org admin (residents register themselves). */
export const CreateUserBody = z
  .strictObject({ ...NewAccountFields, password: Password })
  .refine(hasLogin, HAS_LOGIN)
  .refine(scopedHasSite, SCOPED_HAS_SITE);
export type CreateUserBody = z.infer<typeof CreateUserBody>;

/** An account made without a password: the invitee sets one through the link the admin passes on. */
export const InviteUserBody = z.strictObject(NewAccountFields).refine(hasLogin, HAS_LOGIN).refine(scopedHasSite, SCOPED_HAS_SITE);
export type InviteUserBody = z.infer<typeof InviteUserBody>;

/** An invitation link works this long. */
export const INVITE_VALID_DAYS = 7;

/** An account as its admin sees it: whether it is in use, waiting for its invitee, or deactivated. */
export const USER_STATUSES = ['active', 'invited', 'deactivated'] as const;
export const UserAccount = CurrentUser.extend({
  status: z.enum(USER_STATUSES),
  disabledAt: IsoInstant.nullable(),
  /** When the pending invitation stops working; null once accepted (or for accounts never invited). */
  inviteExpiresAt: IsoInstant.nullable(),
});
export type UserAccount = z.infer<typeof UserAccount>;

/** The account and its one-time link; only this answer ever holds the token (the database keeps its hash). */
export const Invitation = z.object({ user: UserAccount, inviteUrl: z.string(), expiresAt: IsoInstant });
export type Invitation = z.infer<typeof Invitation>;

export const ListUsersQuery = PageQuery.extend({
  role: Role.optional(),
  /** Works at this site, or (residents) lives near it. */
  siteId: z.uuid().optional(),
  /** Part of the name, email or phone. */
  q: Line({ min: 1, max: 100 }).optional(),
  /** true: accounts that are not deactivated (invited ones included); false: deactivated ones. */
  active: z.stringbool().optional(),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

/** What an admin may change about an account; email and phone stay the person's own. */
export const UpdateUserBody = z
  .strictObject({
    role: Role,
    siteIds: z.array(z.uuid()).max(500),
    homeSiteId: z.uuid().nullable(),
    displayName: Line({ min: 1, max: 60 }),
    locale: z.enum(['zh-CN', 'en']),
  })
  .partial();
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

/** The invitation token is 32 random bytes in base64url: 43 characters. */
export const InviteToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not an invitation token');

export const AcceptInviteBody = z.strictObject({ token: InviteToken, password: Password });
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

/**
 * Why an account change or an invitation was refused, in the problem's `details.reason` (its `code` is the
 * catalogue's CONFLICT, or NOT_FOUND for an unknown link): the app says which in words.
 */
export const ACCOUNT_REFUSALS = ['LAST_ORG_ADMIN', 'OWN_ACCOUNT', 'INVITE_INVALID', 'INVITE_EXPIRED'] as const;
export type AccountRefusal = (typeof ACCOUNT_REFUSALS)[number];
