import {
  CreateSpaceBody,
  EffectivePolicyResponse,
  IdParams,
  ListSpacesQuery,
  OkResponse,
  Space,
  UpdateSpaceBody,
  pageOf,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ANY_ROLE, MANAGER_ROLES, actorOf } from '../../plugins/access.ts';
import {
  createSpace,
  deleteSpace,
  getSpace,
  getSpaceEffectivePolicy,
  listSpaces,
  setSpaceArchived,
  updateSpace,
} from './spaces.service.ts';

export async function spaceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db, now } = app.deps;
  const tags = ['spaces'];

  app.get('/spaces', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'listSpaces', tags, querystring: ListSpacesQuery, response: { 200: pageOf(Space) } },
    handler: async (request) => listSpaces(db, actorOf(request), request.query),
  });

  app.post('/spaces', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'createSpace', tags, body: CreateSpaceBody, response: { 201: Space } },
    handler: async (request, reply) => reply.status(201).send(await createSpace(db, actorOf(request), request.body)),
  });

  app.get('/spaces/:id', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getSpace', tags, params: IdParams, response: { 200: Space } },
    handler: async (request) => getSpace(db, actorOf(request), request.params.id),
  });

  app.get('/spaces/:id/policy', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'getSpaceEffectivePolicy',
      description: "The space's effective booking policy and, for each rule, the level it comes from.",
      tags,
      params: IdParams,
      response: { 200: EffectivePolicyResponse },
    },
    handler: async (request) => getSpaceEffectivePolicy(db, actorOf(request), request.params.id),
  });

  app.patch('/spaces/:id', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'updateSpace', tags, params: IdParams, body: UpdateSpaceBody, response: { 200: Space } },
    handler: async (request) => updateSpace(db, actorOf(request), request.params.id, request.body, now()),
  });

  app.post('/spaces/:id/archive', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'archiveSpace', tags, params: IdParams, response: { 200: Space } },
    handler: async (request) => setSpaceArchived(db, actorOf(request), request.params.id, true, now()),
  });

  app.post('/spaces/:id/unarchive', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'unarchiveSpace', tags, params: IdParams, response: { 200: Space } },
    handler: async (request) => setSpaceArchived(db, actorOf(request), request.params.id, false, now()),
  });

  app.delete('/spaces/:id', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'deleteSpace', tags, params: IdParams, response: { 200: OkResponse } },
    handler: async (request) => {
      await deleteSpace(db, actorOf(request), request.params.id);
      return { ok: true as const };
    },
  });
}
