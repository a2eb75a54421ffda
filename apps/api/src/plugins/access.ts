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
}

/** Claims a token must carry to be accepted, whatever else it says; checked when the signature is. */
export const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'sub', 'org', 'role'] as const;

// A token signed with our key but with claims of the wrong shape (a role that does not exist, an org that is not
// an id) would otherwise reach services as an actor they never expect.
const VerifiedClaims = z.object({ sub: z.uuid(), org: z.uuid(), role: Role, sites: z.array(z.uuid()).default([]) });

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

export function registerAccessControl(app: FastifyInstance) {
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
    request.actor = await authenticate(request);
    if (!access.includes(request.actor.role)) throw new AppError('FORBIDDEN');
  });
}

async function authenticate(request: FastifyRequest): Promise<Actor> {
  if (!request.headers.authorization) throw new AppError('UNAUTHENTICATED');
  const claims = VerifiedClaims.safeParse(await request.jwtVerify().catch(() => null));
  if (!claims.success) throw new AppError('UNAUTHENTICATED', { detail: 'The access token is missing, expired or invalid.' });
  const { sub, org, role, sites } = claims.data;
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
