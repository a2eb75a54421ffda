import { ActivityAnalyticsQuery, ActivityAnalyticsResponse } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendCsv } from '../../lib/csv.ts';
import { STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { preferredLanguage } from '../../plugins/errors.ts';
import { activityAnalyticsCsv } from './activity-analytics.csv.ts';
import { getActivityAnalytics } from './activity-analytics.service.ts';

export async function activityAnalyticsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;

  app.get('/analytics/activities', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getActivityAnalytics',
      summary: 'Activity sessions, registrations, attendance and feedback',
      produces: ['application/json', 'text/csv'],
      tags: ['analytics'],
      description:
        'Sessions held, places, fill, waitlist demand, attendance and no-shows, residents reached (new and repeat), ratings and walk-ins, ' +
        'by activity, category, site, district or organizer, with a total. With `format=csv`: the rows as text/csv (UTF-8 with BOM), ' +
        'headers in the Accept-Language (zh or en).',
      errors: ['NOT_FOUND'],
      querystring: ActivityAnalyticsQuery,
      response: { 200: ActivityAnalyticsResponse },
    },
    handler: async (request, reply) => {
      const result = await getActivityAnalytics(db, actorOf(request), request.query, app.deps.now());
      return request.query.format === 'json' ? result : sendCsv(reply, activityAnalyticsCsv(result, preferredLanguage(request)));
    },
  });
}
