import {
  BehaviourQuery,
  BehaviourResponse,
  CrossSiteQuery,
  CrossSiteResponse,
  HeatmapQuery,
  HeatmapResponse,
  SiteRankingQuery,
  SiteRankingResponse,
  UnmetDemandQuery,
  UnmetDemandResponse,
  UtilizationQuery,
  UtilizationResponse,
} from '@linli/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type CsvTable, sendCsv } from '../../lib/csv.ts';
import { STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import {
  behaviourCsv,
  crossSiteCsv,
  heatmapCsv,
  siteRankingCsv,
  unmetDemandCsv,
  utilizationCsv,
} from './analytics.csv.ts';
import { getCrossSiteService } from './analytics.cross-site.ts';
import { getBehaviour, getUnmetDemand } from './analytics.demand.ts';
import { getHeatmap, getSiteRanking, getUtilization } from './analytics.service.ts';

const CSV_NOTE = ' With `format=csv`: the main table as text/csv (UTF-8 with BOM) instead of JSON.';

/** JSON as the response schema says, or the table as a CSV download. */
function answer<T>(reply: FastifyReply, format: 'json' | 'csv', result: T, toCsv: (r: T) => CsvTable) {
  return format === 'json' ? result : sendCsv(reply, toCsv(result));
}

export async function analyticsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ['analytics'];

  app.get('/analytics/utilization', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getUtilization',
      summary: 'Utilization by space, site, kind or district',
      produces: ['application/json', 'text/csv'],
      tags,
      description: `Booked and used utilization by space, site, kind, district or portfolio, per day, week, month or in total.${CSV_NOTE}`,
      querystring: UtilizationQuery,
      response: { 200: UtilizationResponse },
    },
    handler: async (request, reply) =>
      answer(reply, request.query.format, await getUtilization(db, actorOf(request), request.query, app.deps.now()), utilizationCsv),
  });

  app.get('/analytics/heatmap', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getUtilizationHeatmap',
      summary: 'Utilization by weekday and hour',
      produces: ['application/json', 'text/csv'],
      tags,
      description: `Utilization by local weekday and hour (7 x 24) for one site or the caller's sites, with peak hours.${CSV_NOTE}`,
      querystring: HeatmapQuery,
      response: { 200: HeatmapResponse },
    },
    handler: async (request, reply) =>
      answer(reply, request.query.format, await getHeatmap(db, actorOf(request), request.query), heatmapCsv),
  });

  app.get('/analytics/site-ranking', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getSiteRanking',
      summary: 'Sites ranked by utilization',
      produces: ['application/json', 'text/csv'],
      tags,
      description: `Sites ranked by utilization within their kind, with percentiles and the change on the previous period.${CSV_NOTE}`,
      querystring: SiteRankingQuery,
      response: { 200: SiteRankingResponse },
    },
    handler: async (request, reply) =>
      answer(reply, request.query.format, await getSiteRanking(db, actorOf(request), request.query, app.deps.now()), siteRankingCsv),
  });

  app.get('/analytics/behaviour', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getBookingBehaviour',
      summary: 'No-shows, cancellations and other booking behaviour',
      produces: ['application/json', 'text/csv'],
      tags,
      description: `No-show, cancellation and late-cancellation rates, approval turnaround, lead time, residents served, repeat visits and cross-site bookings, per site and in total.${CSV_NOTE}`,
      querystring: BehaviourQuery,
      response: { 200: BehaviourResponse },
    },
    handler: async (request, reply) =>
      answer(reply, request.query.format, await getBehaviour(db, actorOf(request), request.query), behaviourCsv),
  });

  app.get('/analytics/cross-site', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getCrossSiteService',
      summary: "Which sites serve which sites' residents",
      produces: ['application/json', 'text/csv'],
      tags,
      description: `Residents' bookings at each site by the residents' home site (null: no home site): bookings, minutes inside the period and distinct residents. siteId, kind and district narrow the serving site; site staff see their own sites serving anyone.${CSV_NOTE}`,
      querystring: CrossSiteQuery,
      response: { 200: CrossSiteResponse },
    },
    handler: async (request, reply) =>
      answer(reply, request.query.format, await getCrossSiteService(db, actorOf(request), request.query), crossSiteCsv),
  });

  app.get('/analytics/unmet-demand', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getUnmetDemand',
      summary: 'Demand the spaces could not meet',
      produces: ['application/json', 'text/csv'],
      tags,
      description: `Requests refused as taken or full, waitlist entries that never got a place and searches that found nothing, by site and local hour.${CSV_NOTE}`,
      querystring: UnmetDemandQuery,
      response: { 200: UnmetDemandResponse },
    },
    handler: async (request, reply) =>
      answer(reply, request.query.format, await getUnmetDemand(db, actorOf(request), request.query, app.deps.now()), unmetDemandCsv),
  });
}
