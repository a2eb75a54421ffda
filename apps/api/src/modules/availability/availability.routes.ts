import { IdParams, SearchSpacesQuery, SearchSpacesResponse, SpaceAvailability, SpaceAvailabilityQuery } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ANY_ROLE, actorOf } from '../../plugins/access.ts';
import { getSpaceAvailability, searchSpaces } from './availability.service.ts';

export async function availabilityRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['availability'];

  app.get('/spaces/:id/availability', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'getSpaceAvailability',
      summary: 'Free slots of a space',
      description:
        "Free slots of one space over local dates in the site's zone, honouring hours, closures, policy and bookings. A resident asking about a space kept for another site or district is told so (403), as booking would.",
      errors: ['NOT_OPEN_TO_OTHER_SITES', 'NOT_OPEN_TO_OTHER_DISTRICTS'],
      tags,
      params: IdParams,
      querystring: SpaceAvailabilityQuery,
      response: { 200: SpaceAvailability },
    },
    handler: async (request) => getSpaceAvailability(deps, actorOf(request), request.params.id, request.query),
  });

  app.get('/availability/search', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'searchFreeSpaces',
      summary: 'Find free spaces across sites',
      description:
        'Spaces across the portfolio free for [startAt, endAt) with room for the party and the features asked for, ranked. Spaces not open to the resident asking (kept for another site or district) are left out.',
      tags,
      querystring: SearchSpacesQuery,
      response: { 200: SearchSpacesResponse },
    },
    handler: async (request) => searchSpaces(deps, actorOf(request), request.query),
  });
}
