import { CreateSiteBody, IdParams, ListSitesQuery, OkResponse, PolicyAtLevel, Site, UpdateSiteBody, pageOf } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_ONLY, ANY_ROLE, MANAGER_ROLES, STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { createSite, deleteSite, getSite, getSitePolicy, listSites, setSiteArchived, updateSite } from './sites.service.ts';

export async function siteRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ['sites'];

  app.get('/sites', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'listSites', summary: 'List sites', tags, querystring: ListSitesQuery, response: { 200: pageOf(Site) } },
    handler: async (request) => listSites(db, actorOf(request), request.query),
  });

  app.post('/sites', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'createSite', summary: 'Create a site', errors: ['ALREADY_EXISTS'], tags, body: CreateSiteBody, response: { 201: Site } },
    handler: async (request, reply) => reply.status(201).send(await createSite(db, actorOf(request), request.body)),
  });

  app.get('/sites/:id', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getSite', summary: 'Get a site', tags, params: IdParams, response: { 200: Site } },
    handler: async (request) => getSite(db, actorOf(request), request.params.id),
  });

  app.get('/sites/:id/policy', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getSitePolicy',
      summary: "A site's booking rules",
      description: "The booking rules the site sets, beside what it inherits from the organization and the defaults (for editing them).",
      tags,
      params: IdParams,
      response: { 200: PolicyAtLevel },
    },
    handler: async (request) => getSitePolicy(db, actorOf(request), request.params.id),
  });

  app.patch('/sites/:id', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'updateSite', summary: 'Change a site', errors: ['ARCHIVED', 'CONFLICT'], tags, params: IdParams, body: UpdateSiteBody, response: { 200: Site } },
    handler: async (request) => updateSite(db, actorOf(request), request.params.id, request.body),
  });

  app.post('/sites/:id/archive', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'archiveSite', summary: 'Archive a site', errors: ['CONFLICT'], tags, params: IdParams, response: { 200: Site } },
    handler: async (request) => setSiteArchived(db, actorOf(request), request.params.id, true),
  });

  app.post('/sites/:id/unarchive', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'unarchiveSite', summary: 'Bring an archived site back', errors: ['CONFLICT'], tags, params: IdParams, response: { 200: Site } },
    handler: async (request) => setSiteArchived(db, actorOf(request), request.params.id, false),
  });

  app.delete('/sites/:id', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'deleteSite', summary: 'Delete a site that was never used', errors: ['CONFLICT'], tags, params: IdParams, response: { 200: OkResponse } },
    handler: async (request) => {
      await deleteSite(db, actorOf(request), request.params.id);
      return { ok: true as const };
    },
  });
}
