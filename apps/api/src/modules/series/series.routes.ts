import { Booking, CancelSeriesBody, CreateSeriesBody, IdParams, SeriesChangeResult, SeriesResult, UpdateSeriesBody } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ANY_ROLE, actorOf } from '../../plugins/access.ts';
import { BOOKING_REFUSALS } from '../../plugins/openapi.ts';
import { cancelSeries, createSeries, updateSeries } from './series.service.ts';

export async function seriesRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['series'];

  app.post('/series', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'createSeries',
      summary: 'Book a recurring series',
      errors: ['NOT_FOUND', ...BOOKING_REFUSALS, 'INVALID_RECURRENCE', 'SERIES_CONFLICTS', 'SERIES_BOOKS_NOTHING'],
      description:
        "Books a recurrence anchored in the site's zone. Each occurrence is reported: booked, or why not. onConflict 'fail' writes nothing if any occurrence cannot be booked; 'skip' books the rest. dryRun previews without writing.",
      tags,
      body: CreateSeriesBody,
      response: { 200: SeriesResult, 201: SeriesResult },
    },
    handler: async (request, reply) => {
      const result = await createSeries(deps, actorOf(request), request.body);
      return reply.status(result.seriesId ? 201 : 200).send(result);
    },
  });

  app.post('/series/:id/cancel', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'cancelSeries', summary: 'Cancel occurrences of a series', errors: ['INVALID_TRANSITION'], description: 'Cancel one occurrence, this and the following ones, or all upcoming ones.', tags, params: IdParams, body: CancelSeriesBody, response: { 200: z.object({ cancelled: z.array(Booking) }) } },
    handler: async (request) => ({ cancelled: await cancelSeries(deps, actorOf(request), request.params.id, request.body) }),
  });

  app.patch('/series/:id', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'updateSeries', summary: 'Change occurrences of a series', errors: [...BOOKING_REFUSALS, 'SERIES_CONFLICTS'], description: 'Change the local start time, length or party of one, following or all upcoming occurrences.', tags, params: IdParams, body: UpdateSeriesBody, response: { 200: SeriesChangeResult } },
    handler: async (request) => updateSeries(deps, actorOf(request), request.params.id, request.body),
  });
}
