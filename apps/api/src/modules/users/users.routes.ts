import { CreateUserBody, CurrentUser, IdParams, Invitation, InviteUserBody, ListUsersQuery, UpdateUserBody, UserAccount, pageOf } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_ONLY, actorOf } from '../../plugins/access.ts';
import { createUser, deactivateUser, getUser, inviteUser, listUsers, reactivateUser, reissueInvitation, updateUser } from './users.service.ts';

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db, config, now } = app.deps;
  const tags = ['users'];
  const invitationContext = () => ({ appBaseUrl: config.APP_BASE_URL, now: now() });
  /** After a change to an account has committed, this process reads its access version afresh (access-states.ts). */
  const forgetAccessAfter = async <T>(userId: string, change: Promise<T>): Promise<T> => {
    const result = await change;
    app.accessStates.forget(userId);
    return result;
  };

  app.get('/users', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'listUsers',
      summary: 'List users',
      description: 'Filter by role, site (works at or lives near), part of the name, email or phone, and whether the account is active.',
      tags,
      querystring: ListUsersQuery,
      response: { 200: pageOf(UserAccount) },
    },
    handler: async (request) => listUsers(db, actorOf(request), request.query),
  });

  app.post('/users', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'createUser', summary: 'Create a staff or resident account', errors: ['NOT_FOUND', 'ALREADY_EXISTS', 'WEAK_PASSWORD'], tags, body: CreateUserBody, response: { 201: CurrentUser } },
    handler: async (request, reply) => reply.status(201).send(await createUser(db, actorOf(request), request.body)),
  });

  app.post('/users/invitations', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'inviteUser',
      summary: 'Create an account and a one-time link for its owner to set a password',
      description: 'The link works once, for 7 days; only this answer holds it. Pass it on to the invitee.',
      errors: ['ALREADY_EXISTS'],
      tags,
      body: InviteUserBody,
      response: { 201: Invitation },
    },
    handler: async (request, reply) => reply.status(201).send(await inviteUser(db, actorOf(request), request.body, invitationContext())),
  });

  app.get('/users/:id', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'getUser', summary: 'Get a user', tags, params: IdParams, response: { 200: UserAccount } },
    handler: async (request) => getUser(db, actorOf(request), request.params.id),
  });

  app.patch('/users/:id', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'updateUser',
      summary: "Change a user's role, sites, home site, name or language",
      description: 'An admin cannot demote themselves, nor anyone demote the last active admin (409, details.reason OWN_ACCOUNT / LAST_ORG_ADMIN).',
      errors: ['CONFLICT'],
      tags,
      params: IdParams,
      body: UpdateUserBody,
      response: { 200: UserAccount },
    },
    handler: async (request) => forgetAccessAfter(request.params.id, updateUser(db, actorOf(request), request.params.id, request.body, now())),
  });

  app.post('/users/:id/deactivate', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'deactivateUser',
      summary: 'Deactivate an account and end its sessions',
      description: 'Not one\'s own account, nor the last active admin (409, details.reason OWN_ACCOUNT / LAST_ORG_ADMIN).',
      errors: ['CONFLICT'],
      tags,
      params: IdParams,
      response: { 200: UserAccount },
    },
    handler: async (request) => forgetAccessAfter(request.params.id, deactivateUser(db, actorOf(request), request.params.id, now())),
  });

  app.post('/users/:id/reactivate', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'reactivateUser', summary: 'Let a deactivated account sign in again', tags, params: IdParams, response: { 200: UserAccount } },
    handler: async (request) => forgetAccessAfter(request.params.id, reactivateUser(db, actorOf(request), request.params.id, now())),
  });

  app.post('/users/:id/invitation', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'reissueInvitation',
      summary: 'A new invitation link for an invitee who has not set a password yet',
      description: 'The previous link stops working.',
      errors: ['CONFLICT'],
      tags,
      params: IdParams,
      response: { 200: Invitation },
    },
    handler: async (request) => reissueInvitation(db, actorOf(request), request.params.id, invitationContext()),
  });
}
