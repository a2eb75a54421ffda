import { Closure, CreateClosureBody, IdParams, ListClosuresQuery, OkResponse, pageOf } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ANY_ROLE, MANAGER_ROLES, actorOf } from '../../plugins/access.ts';
import { createClosure, deleteClosure, listClosures } from './closures.service.ts';

export async function closureRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ['closures'];

  app.get('/closures', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'listClosures', summary: 'List closures', tags, querystring: ListClosuresQuery, response: { 200: pageOf(Closure) } },
    handler: async (request) => listClosures(db, actorOf(request), request.query),
  });

  app.post('/closures', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'createClosure', summary: 'Close a site, a district or the organization for some days', errors: ['NOT_FOUND', 'CONFLICT'], tags, body: CreateClosureBody, response: { 201: Closure } },
    handler: async (request, reply) => reply.status(201).send(await createClosure(db, actorOf(request), request.body)),
  });

  app.delete('/closures/:id', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'deleteClosure', summary: 'Remove a closure', tags, params: IdParams, response: { 200: OkResponse } },
    handler: async (request) => {
      await deleteClosure(db, actorOf(request), request.params.id);
      return { ok: true as const };
    },
  });
}
