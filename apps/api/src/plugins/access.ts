/**
 * Who may call what. Every route under /api declares `config.access`: 'public' or the roles allowed. A route
 * without it refuses to register, so no endpoint is open by accident.
 */
import { Role } from '@linli/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../lib/app-error.ts';

export type Access = 'public' | readonly Role[];

/** The signed-in caller, from the access token. */
export interface Actor {
  userId: string;
  orgId: string;
  role: Role;
  /** Sites a site_manager or staff member works at (empty for others). */
  siteIds: string[];
}

export interface AccessTokenClaims {
  sub: string;
  org: string;
  role: Role;
  sites: string[];
  /** The account's access version the token was issued for (users.access_version, migration 0020). */
  ver?: number;
}

/** The account's current access version, and whether it may act (see modules/auth/access-states.ts). */
export type AccessStateLookup = (userId: string) => Promise<{ version: number; active: boolean } | null>;

/** Claims a token must carry to be accepted, whatever else it says; checked when the signature is. */
export const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'sub', 'org', 'role'] as const;

// A token signed with our key but with claims of the wrong shape (a role that does not exist, an org that is not
// an id) would otherwise reach services as an actor they never expect.
// A token from before access versions (none is older than the access token lifetime) counts as version 1.
const VerifiedClaims = z.object({ sub: z.uuid(), org: z.uuid(), role: Role, sites: z.array(z.uuid()).default([]), ver: z.number().int().positive().default(1) });

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const STAFF_ROLES = ['org_admin', 'site_manager', 'staff'] as const satisfies readonly Role[];
export const MANAGER_ROLES = ['org_admin', 'site_manager'] as const satisfies readonly Role[];
export const ANY_ROLE = ['org_admin', 'site_manager', 'staff', 'resident'] as const satisfies readonly Role[];
export const ADMIN_ONLY = ['org_admin'] as const satisfies readonly Role[];

export function registerAccessControl(app: FastifyInstance, currentAccessOf: AccessStateLookup) {
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    if (route.config?.access === undefined) {
      throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    request.actor = await authenticate(request, currentAccessOf);
    if (!access.includes(request.actor.role)) throw new AppError('FORBIDDEN');
  });
}

async function authenticate(request: FastifyRequest, currentAccessOf: AccessStateLookup): Promise<Actor> {
  if (!request.headers.authorization) throw new AppError('UNAUTHENTICATED');
  const claims = VerifiedClaims.safeParse(await request.jwtVerify().catch(() => null));
  if (!claims.success) throw new AppError('UNAUTHENTICATED', { detail: 'The access token is missing, expired or invalid.' });
  const { sub, org, role, sites, ver } = claims.data;
  // The token's role and sites are the account's only while its access version is: a deactivation or a change of
  // role or sites since it was issued ends it now (the app refreshes, and gets the new ones or is signed out).
  const current = await currentAccessOf(sub);
  if (!current || !current.active || current.version !== ver) {
    throw new AppError('UNAUTHENTICATED', { detail: 'This session has ended: the account was deactivated or its access changed. Sign in again.' });
  }
  return { userId: sub, orgId: org, role, siteIds: sites };
}

/** The actor of a route that is not public; the onRequest hook has already made sure there is one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED');
  return request.actor;
}

/** Site staff work only at their sites; anything elsewhere answers 404, as if it did not exist. */
export function canSeeSite(actor: Actor, siteId: string): boolean {
  if (actor.role === 'org_admin' || actor.role === 'resident') return true;
  return actor.siteIds.includes(siteId);
}

export function canManageSite(actor: Actor, siteId: string): boolean {
  if (actor.role === 'org_admin') return true;
  return actor.role === 'site_manager' && actor.siteIds.includes(siteId);
}
