import { PublicMeta } from '@linli/contracts';
import { schema } from '@linli/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../lib/app-error.ts';

const Health = z.object({ status: z.enum(['ok']) });

export async function healthRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['health'];

  app.get('/healthz', {
    config: { access: 'public' },
    schema: { operationId: 'getLiveness', summary: 'Liveness probe', tags, response: { 200: Health } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    config: { access: 'public' },
    schema: { operationId: 'getReadiness', summary: 'Readiness probe (the database answers)', errors: ['NOT_READY'], tags, response: { 200: Health } },
    handler: async () => {
      try {
        await app.deps.ping();
      } catch {
        throw new AppError('NOT_READY', { detail: 'The database is not reachable.' });
      }
      return { status: 'ok' as const };
    },
  });

  app.get('/api/v1/meta', {
    config: { access: 'public' },
    schema: { operationId: 'getPublicMeta', summary: 'Installation facts the sign-in page needs', tags, response: { 200: PublicMeta } },
    handler: async () => {
      const { db, config } = app.deps;
      if (config.DEFAULT_ORG_SLUG) return { defaultOrgSlug: config.DEFAULT_ORG_SLUG, version: '0.1.0' };
      // With exactly one operator on this installation, sign-in needs no organization field.
      const orgs = await db.select({ slug: schema.organizations.slug }).from(schema.organizations).limit(2);
      return { defaultOrgSlug: orgs.length === 1 ? orgs[0]!.slug : null, version: '0.1.0' };
    },
  });
}
