import { IdParams, SiteSchedule, SiteScheduleQuery } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { getSiteSchedule } from './schedules.service.ts';

export async function scheduleRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;

  app.get('/sites/:id/schedule', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getSiteSchedule',
      summary: "A site's schedule of spaces by time",
      description: "A site's spaces and bookings for one or more local days, with open hours and closures (the operator timeline).",
      tags: ['schedules'],
      params: IdParams,
      querystring: SiteScheduleQuery,
      response: { 200: SiteSchedule },
    },
    handler: async (request) => getSiteSchedule(db, actorOf(request), request.params.id, request.query),
  });
}
