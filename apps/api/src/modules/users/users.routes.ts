import { CreateUserBody, CurrentUser, IdParams, PageQuery, pageOf } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_ONLY, actorOf } from '../../plugins/access.ts';
import { createUser, getUser, listUsers } from './users.service.ts';

export async function userRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ['users'];

  app.get('/users', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'listUsers', summary: 'List users', tags, querystring: PageQuery, response: { 200: pageOf(CurrentUser) } },
    handler: async (request) => listUsers(db, actorOf(request), request.query),
  });

  app.post('/users', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'createUser', summary: 'Create a staff or resident account', errors: ['NOT_FOUND', 'ALREADY_EXISTS', 'WEAK_PASSWORD'], tags, body: CreateUserBody, response: { 201: CurrentUser } },
    handler: async (request, reply) => reply.status(201).send(await createUser(db, actorOf(request), request.body)),
  });

  app.get('/users/:id', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'getUser', summary: 'Get a user', tags, params: IdParams, response: { 200: CurrentUser } },
    handler: async (request) => getUser(db, actorOf(request), request.params.id),
  });
}
