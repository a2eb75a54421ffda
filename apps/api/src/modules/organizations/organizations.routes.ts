import { Organization, PolicyAtLevel, UpdateOrganizationBody } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_ONLY, ANY_ROLE, STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { getOrganizationPolicy, getOwnOrganization, updateOwnOrganization } from './organizations.service.ts';

export async function organizationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps;
  const tags = ['organization'];

  app.get('/organization', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getOrganization', summary: "The caller's organization", tags, response: { 200: Organization } },
    handler: async (request) => getOwnOrganization(db, actorOf(request)),
  });

  app.get('/organization/policy', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getOrganizationPolicy',
      summary: "The organization's booking rules",
      description: 'The booking rules the organization sets, beside the defaults (for editing them).',
      tags,
      response: { 200: PolicyAtLevel },
    },
    handler: async (request) => getOrganizationPolicy(db, actorOf(request)),
  });

  app.patch('/organization', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'updateOrganization',
      summary: 'Change the organization and its booking rules',
      description: 'Name, default zone and the org-level policy every site and space inherits.',
      tags,
      body: UpdateOrganizationBody,
      response: { 200: Organization },
    },
    handler: async (request) => updateOwnOrganization(db, actorOf(request), request.body),
  });
}
