import { AcceptInviteBody, CurrentUser, LoginBody, OkResponse, RefreshBody, RegisterBody, TokenResponse } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ANY_ROLE, actorOf } from '../../plugins/access.ts';
import { acceptInvitation, getCurrentUser, login, logout, refresh, registerResident } from './auth.service.ts';

export async function authRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const rateLimit = { max: app.deps.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' };
  const tags = ['auth'];

  app.post('/auth/register', {
    config: { access: 'public', rateLimit },
    schema: { operationId: 'registerResident', summary: 'Register as a resident', errors: ['ALREADY_EXISTS', 'WEAK_PASSWORD'], tags, body: RegisterBody, response: { 201: TokenResponse } },
    handler: async (request, reply) => reply.status(201).send(await registerResident(app, request.body)),
  });

  app.post('/auth/login', {
    config: { access: 'public', rateLimit },
    schema: { operationId: 'login', summary: 'Sign in with email or phone and password', errors: ['INVALID_CREDENTIALS'], tags, body: LoginBody, response: { 200: TokenResponse } },
    handler: async (request) => login(app, request.body),
  });

  app.post('/auth/accept-invite', {
    config: { access: 'public', rateLimit },
    schema: {
      operationId: 'acceptInvitation',
      summary: 'Set the password of an invited account and sign in',
      description: 'The link works once, for 7 days. Unknown, used or deactivated: 404 (details.reason INVITE_INVALID); expired: 409 (INVITE_EXPIRED).',
      errors: ['NOT_FOUND', 'CONFLICT', 'WEAK_PASSWORD'],
      tags,
      body: AcceptInviteBody,
      response: { 200: TokenResponse },
    },
    handler: async (request) => acceptInvitation(app, request.body),
  });

  app.post('/auth/refresh', {
    config: { access: 'public', rateLimit },
    schema: { operationId: 'refreshTokens', summary: 'Exchange a refresh token for new tokens', errors: ['INVALID_REFRESH_TOKEN'], tags, body: RefreshBody, response: { 200: TokenResponse } },
    handler: async (request) => refresh(app, request.body.refreshToken),
  });

  app.post('/auth/logout', {
    config: { access: 'public' },
    schema: { operationId: 'logout', summary: 'Sign out (revoke the refresh token)', tags, body: RefreshBody, response: { 200: OkResponse } },
    handler: async (request) => {
      await logout(app, request.body.refreshToken);
      return { ok: true as const };
    },
  });

  app.get('/me', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getCurrentUser', summary: 'The signed-in user', tags, response: { 200: CurrentUser } },
    handler: async (request) => {
      const actor = actorOf(request);
      return getCurrentUser(app.deps.db, actor.userId, actor.orgId);
    },
  });
}
