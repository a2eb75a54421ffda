import { CreateWaitlistBody, IdParams, WaitlistEntry } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ANY_ROLE, actorOf } from '../../plugins/access.ts';
import { joinWaitlist, leaveWaitlist, listMyWaitlist } from './waitlist.service.ts';

export async function waitlistRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['waitlist'];
  const RESIDENT = ['resident'] as const;

  app.post('/waitlist', {
    config: { access: RESIDENT },
    schema: {
      operationId: 'joinWaitlist',
      summary: 'Join the waitlist for a space and time',
      errors: ['NOT_FOUND', 'CONFLICT', 'ALREADY_EXISTS', 'ALREADY_WAITLISTED', 'ALREADY_HOLDING'],
      description: 'Wait for a taken slot or a full seat area; promoted first come, first served when it frees up.',
      tags,
      body: CreateWaitlistBody,
      response: { 201: WaitlistEntry },
    },
    handler: async (request, reply) => reply.status(201).send(await joinWaitlist(deps, actorOf(request), request.body)),
  });

  app.get('/me/waitlist', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'listMyWaitlist', summary: "The caller's waitlist entries", tags, response: { 200: z.object({ items: z.array(WaitlistEntry) }) } },
    handler: async (request) => ({ items: await listMyWaitlist(deps.db, actorOf(request)) }),
  });

  app.post('/waitlist/:id/leave', {
    config: { access: RESIDENT },
    schema: { operationId: 'leaveWaitlist', summary: 'Leave the waitlist', errors: ['CONFLICT'], tags, params: IdParams, response: { 200: WaitlistEntry } },
    handler: async (request) => leaveWaitlist(deps.db, actorOf(request), request.params.id),
  });
}
