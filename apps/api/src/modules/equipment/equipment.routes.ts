import {
  AdjustHoldingBody,
  CreateEquipmentTypeBody,
  CreateHoldingBody,
  EquipmentSettings,
  EquipmentType,
  EquipmentTypeList,
  Holding,
  HoldingHistory,
  HoldingListQuery,
  HoldingPage,
  IdParams,
  PoolAvailability,
  PoolAvailabilityQuery,
  PoolInventory,
  PoolQuery,
  UpdateEquipmentTypeBody,
  UpdateHoldingBody,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_ONLY, MANAGER_ROLES, STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import {
  adjustHolding,
  createEquipmentType,
  createHolding,
  getEquipmentSettings,
  getHolding,
  getHoldingHistory,
  getPoolAvailability,
  getPoolInventory,
  listEquipmentTypes,
  listHoldings,
  putEquipmentSettings,
  updateEquipmentType,
  updateHolding,
} from './equipment.service.ts';

export async function equipmentRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const { db } = deps;
  const tags = ['equipment'];

  app.get('/equipment/types', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'listEquipmentTypes', summary: "The organization's equipment types", tags, response: { 200: EquipmentTypeList } },
    handler: async (request) => listEquipmentTypes(db, actorOf(request)),
  });

  app.post('/equipment/types', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'createEquipmentType', summary: 'Add an equipment type', errors: ['ALREADY_EXISTS'], tags, body: CreateEquipmentTypeBody, response: { 201: EquipmentType } },
    handler: async (request, reply) => reply.status(201).send(await createEquipmentType(db, actorOf(request), request.body)),
  });

  app.patch('/equipment/types/:id', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'updateEquipmentType',
      summary: 'Change or archive an equipment type',
      description: 'An archived type takes no new holdings or loans; loans already made run their course.',
      errors: ['NOT_FOUND'],
      tags,
      params: IdParams,
      body: UpdateEquipmentTypeBody,
      response: { 200: EquipmentType },
    },
    handler: async (request) => updateEquipmentType(deps, actorOf(request), request.params.id, request.body),
  });

  app.get('/equipment/settings', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'getEquipmentSettings', summary: 'Transit times between sites', description: 'The defaults until the organization sets its own.', tags, response: { 200: EquipmentSettings } },
    handler: async (request) => getEquipmentSettings(db, actorOf(request)),
  });

  app.put('/equipment/settings', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'putEquipmentSettings', summary: 'Set transit times between sites', description: 'Applies to loans requested from now on.', tags, body: EquipmentSettings, response: { 200: EquipmentSettings } },
    handler: async (request) => putEquipmentSettings(deps, actorOf(request), request.body),
  });

  app.get('/equipment/pool', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getPoolInventory',
      summary: 'The pool at a glance',
      description: 'Per site and type: units in service, lendable, damaged and missing, lent out and borrowed in now. The whole organization, for all its staff.',
      tags,
      querystring: PoolQuery,
      response: { 200: PoolInventory },
    },
    handler: async (request) => getPoolInventory(db, actorOf(request), request.query),
  });

  app.get('/equipment/holdings', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'listHoldings', summary: 'Counted stock and tracked items of the organization', tags, querystring: HoldingListQuery, response: { 200: HoldingPage } },
    handler: async (request) => listHoldings(db, actorOf(request), request.query),
  });

  app.post('/equipment/holdings', {
    config: { access: MANAGER_ROLES },
    schema: {
      operationId: 'createHolding',
      summary: 'Add stock or a tracked item to a site',
      description: 'Counted stock (one per site and type) with a number of units, or one item of a tracked type with its asset tag.',
      errors: ['NOT_FOUND', 'ARCHIVED', 'ALREADY_EXISTS', 'VALIDATION_FAILED'],
      tags,
      body: CreateHoldingBody,
      response: { 201: Holding },
    },
    handler: async (request, reply) => reply.status(201).send(await createHolding(deps, actorOf(request), request.body)),
  });

  app.get('/equipment/holdings/:id', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'getHolding', summary: 'A holding and where its units are', errors: ['NOT_FOUND'], tags, params: IdParams, response: { 200: Holding } },
    handler: async (request) => getHolding(db, actorOf(request), request.params.id),
  });

  app.patch('/equipment/holdings/:id', {
    config: { access: MANAGER_ROLES },
    schema: {
      operationId: 'updateHolding',
      summary: 'Describe a holding or change whether it is lent',
      errors: ['NOT_FOUND', 'VERSION_MISMATCH'],
      tags,
      params: IdParams,
      body: UpdateHoldingBody,
      response: { 200: Holding },
    },
    handler: async (request) => updateHolding(deps, actorOf(request), request.params.id, request.body),
  });

  app.post('/equipment/holdings/:id/adjustments', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'adjustHolding',
      summary: 'Record a recount, damage, loss, repair, find or retirement',
      description: 'Staff of the holding\'s site; taken under the same lock as loans, since it changes what they may claim.',
      errors: ['NOT_FOUND', 'HOLDING_UNITS_INSUFFICIENT', 'VALIDATION_FAILED', 'VERSION_MISMATCH'],
      tags,
      params: IdParams,
      body: AdjustHoldingBody,
      response: { 200: Holding },
    },
    handler: async (request) => adjustHolding(deps, actorOf(request), request.params.id, request.body),
  });

  app.get('/equipment/holdings/:id/history', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getHoldingHistory',
      summary: "A holding's history",
      description: 'Its own events and those of the loans its units went on, newest first, at most 500.',
      errors: ['NOT_FOUND'],
      tags,
      params: IdParams,
      response: { 200: HoldingHistory },
    },
    handler: async (request) => getHoldingHistory(db, actorOf(request), request.params.id),
  });

  app.get('/equipment/availability', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getPoolAvailability',
      summary: 'Which sites could lend how many units',
      description: 'For a destination site and window: lenders nearest first with the units each has free over the window plus transit, the shortfall and how a request would be split.',
      errors: ['NOT_FOUND', 'ARCHIVED', 'LOAN_TOO_LONG'],
      tags,
      querystring: PoolAvailabilityQuery,
      response: { 200: PoolAvailability },
    },
    handler: async (request) => getPoolAvailability(deps, actorOf(request), request.query),
  });
}
