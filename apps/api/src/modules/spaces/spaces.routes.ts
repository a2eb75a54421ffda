import {
  ArchivedSpace,
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
  archiveSpace,
  createSpace,
  deleteSpace,
  getSpace,
  getSpaceEffectivePolicy,
  listSpaces,
  unarchiveSpace,
  updateSpace,
} from './spaces.service.ts';

export async function spaceRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db, now } = app.deps;
  const tags = ['spaces'];

  app.get('/spaces', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'listSpaces', summary: 'List spaces', tags, querystring: ListSpacesQuery, response: { 200: pageOf(Space) } },
    handler: async (request) => listSpaces(db, actorOf(request), request.query),
  });

  app.post('/spaces', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'createSpace', summary: 'Create a space at a site', errors: ['NOT_FOUND', 'ARCHIVED', 'ALREADY_EXISTS'], tags, body: CreateSpaceBody, response: { 201: Space } },
    handler: async (request, reply) => reply.status(201).send(await createSpace(db, actorOf(request), request.body)),
  });

  app.get('/spaces/:id', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getSpace', summary: 'Get a space', tags, params: IdParams, response: { 200: Space } },
    handler: async (request) => getSpace(db, actorOf(request), request.params.id),
  });

  app.get('/spaces/:id/policy', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'getSpaceEffectivePolicy',
      summary: "A space's effective booking rules and where each comes from",
      description: "The space's effective booking policy and, for each rule, the level it comes from.",
      tags,
      params: IdParams,
      response: { 200: EffectivePolicyResponse },
    },
    handler: async (request) => getSpaceEffectivePolicy(db, actorOf(request), request.params.id),
  });

  app.patch('/spaces/:id', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'updateSpace', summary: 'Change a space', errors: ['ARCHIVED', 'CONFLICT'], tags, params: IdParams, body: UpdateSpaceBody, response: { 200: Space } },
    handler: async (request) => updateSpace(db, actorOf(request), request.params.id, request.body, now()),
  });

  app.post('/spaces/:id/archive', {
    config: { access: MANAGER_ROLES },
    schema: {
      operationId: 'archiveSpace',
      summary: 'Archive a space',
      errors: ['CONFLICT'],
      description: 'Archives the space and cancels its bookings that would start later; bookings under way stay. cancelledBookings says how many.',
      tags,
      params: IdParams,
      response: { 200: ArchivedSpace },
    },
    handler: async (request) => archiveSpace(db, actorOf(request), request.params.id, now()),
  });

  app.post('/spaces/:id/unarchive', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'unarchiveSpace', summary: 'Bring an archived space back', errors: ['ARCHIVED', 'CONFLICT'], tags, params: IdParams, response: { 200: Space } },
    handler: async (request) => unarchiveSpace(db, actorOf(request), request.params.id, now()),
  });

  app.delete('/spaces/:id', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'deleteSpace', summary: 'Delete a space that was never booked', errors: ['CONFLICT'], tags, params: IdParams, response: { 200: OkResponse } },
    handler: async (request) => {
      await deleteSpace(db, actorOf(request), request.params.id);
      return { ok: true as const };
    },
  });
}
