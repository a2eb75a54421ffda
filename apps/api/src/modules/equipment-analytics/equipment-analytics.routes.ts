import { EquipmentAnalyticsQuery, EquipmentAnalyticsResponse, EquipmentFlowsResponse } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendCsv } from '../../lib/csv.ts';
import { STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { preferredLanguage } from '../../plugins/errors.ts';
import { equipmentAnalyticsCsv, equipmentFlowsCsv } from './equipment-analytics.csv.ts';
import { getEquipmentAnalytics, getEquipmentFlows } from './equipment-analytics.service.ts';

const CSV_NOTE =
  ' With `format=csv`: the rows as text/csv (UTF-8 with BOM), headers in the Accept-Language (zh or en). Definitions: docs/metrics.md, "Equipment pool".';

export async function equipmentAnalyticsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;

  app.get('/analytics/equipment', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getEquipmentAnalytics',
      summary: 'Equipment pool use per type and site: lent out, idle, loans, refusals, overdue and damage',
      produces: ['application/json', 'text/csv'],
      tags: ['analytics'],
      description:
        'Per equipment type and site: units owned today, unit-days available, lent out, used by the site itself and idle, loans made ' +
        'and received, requests refused for want of units, overdue and damage rates. Site staff see their sites only.' +
        CSV_NOTE,
      errors: ['NOT_FOUND'],
      querystring: EquipmentAnalyticsQuery,
      response: { 200: EquipmentAnalyticsResponse },
    },
    handler: async (request, reply) => {
      const result = await getEquipmentAnalytics(db, actorOf(request), request.query, app.deps.now());
      return request.query.format === 'json' ? result : sendCsv(reply, equipmentAnalyticsCsv(result, preferredLanguage(request)));
    },
  });

  app.get('/analytics/equipment/flows', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getEquipmentFlows',
      summary: 'Who lends equipment to whom: loans and units per lender, borrower and type',
      produces: ['application/json', 'text/csv'],
      tags: ['analytics'],
      description:
        'Loans made between two sites (dispatched or later) whose use starts in the period, per lender, borrower and type. ' +
        'Site staff see the flows their sites lend or borrow in.' +
        CSV_NOTE,
      errors: ['NOT_FOUND'],
      querystring: EquipmentAnalyticsQuery,
      response: { 200: EquipmentFlowsResponse },
    },
    handler: async (request, reply) => {
      const result = await getEquipmentFlows(db, actorOf(request), request.query, app.deps.now());
      return request.query.format === 'json' ? result : sendCsv(reply, equipmentFlowsCsv(result, preferredLanguage(request)));
    },
  });
}
