import { CalendarFeed, IdParams, OkResponse } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ANY_ROLE, actorOf } from '../../plugins/access.ts';
import { createCalendarFeed, renderPersonalFeed, renderSiteBusyFeed, renderSpaceBusyFeed, revokeCalendarFeeds } from './calendar.service.ts';

const ICS = 'text/calendar; charset=utf-8';
const IcsText = z.string().describe('text/calendar (RFC 5545)');
const FeedTokenParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,64}\.ics$/, 'a feed token ending in .ics') });

export async function calendarRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db, now } = app.deps;
  const tags = ['calendar'];

  app.get('/calendar/spaces/:id/busy.ics', {
    config: { access: 'public' },
    schema: { operationId: 'getSpaceBusyFeed', summary: "A space's busy times as an iCalendar feed", produces: ['text/calendar'], description: 'Busy blocks of a space, without personal data.', tags, params: IdParams, response: { 200: IcsText } },
    handler: async (request, reply) => reply.type(ICS).send(await renderSpaceBusyFeed(db, request.params.id, now())),
  });

  app.get('/calendar/sites/:id/busy.ics', {
    config: { access: 'public' },
    schema: { operationId: 'getSiteBusyFeed', summary: "A site's busy times as an iCalendar feed", produces: ['text/calendar'], description: 'Busy blocks of every bookable space at a site, without personal data.', tags, params: IdParams, response: { 200: IcsText } },
    handler: async (request, reply) => reply.type(ICS).send(await renderSiteBusyFeed(db, request.params.id, now())),
  });

  app.get('/calendar/feeds/:token', {
    config: { access: 'public' },
    schema: { operationId: 'getPersonalFeed', summary: "A resident's own bookings as an iCalendar feed", produces: ['text/calendar'], description: "A resident's own bookings; the secret URL is the credential.", tags, params: FeedTokenParams, response: { 200: IcsText } },
    handler: async (request, reply) => reply.type(ICS).send(await renderPersonalFeed(db, request.params.token.replace(/\.ics$/, ''), now())),
  });

  app.post('/me/calendar-feed', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'createCalendarFeed', summary: 'Create a private calendar feed URL', description: 'A new private feed URL; the previous one stops working.', tags, response: { 201: CalendarFeed } },
    handler: async (request, reply) => reply.status(201).send(await createCalendarFeed(db, actorOf(request), now())),
  });

  app.delete('/me/calendar-feed', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'revokeCalendarFeed', summary: 'Revoke the private calendar feed', tags, response: { 200: OkResponse } },
    handler: async (request) => {
      await revokeCalendarFeeds(db, actorOf(request), now());
      return { ok: true as const };
    },
  });
}
