import {
  Activity,
  ActivityCategory,
  ActivitySession,
  ActivityWithSessions,
  CancelSessionBody,
  CreateActivityBody,
  CreateActivityCategoryBody,
  CreatePartnerBody,
  CreateSessionsBody,
  IdParams,
  IfMatchHeaders,
  ListActivitiesQuery,
  OrganizedSession,
  OrganizedSessionsQuery,
  Partner,
  Programme,
  ProgrammeQuery,
  SessionsResult,
  UpdateActivityBody,
  UpdateSessionBody,
  pageOf,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ADMIN_ONLY, ANY_ROLE, MANAGER_ROLES, STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { BOOKING_CHANGE_REFUSALS, BOOKING_REFUSALS } from '../../plugins/openapi.ts';
import { ICS_CONTENT_TYPE } from '../../lib/ical.ts';
import { parseIfMatch } from '../../lib/if-match.ts';
import {
  cancelActivity,
  createActivity,
  createCategory,
  createPartner,
  getActivity,
  listActivities,
  listCategories,
  listPartners,
  publishActivity,
  updateActivity,
} from './activities.service.ts';
import { getProgramme, listOrganizedSessions, renderProgrammeFeed } from './programme.service.ts';
import { cancelSession, createSessions, moveSession } from './sessions.service.ts';

const ActivityChangeRefusals = ['PRECONDITION_REQUIRED', 'VERSION_MISMATCH', 'ACTIVITY_INVALID_TRANSITION'] as const;

export async function activityRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const { db, now } = deps;
  const tags = ['activities'];

  app.get('/activity-categories', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'listActivityCategories',
      summary: 'List activity categories',
      description: 'The organization\'s categories; the eight default ones (亲子, 为老, 青年白领, 文化, 运动, 议事, 志愿, 培训) are created on first use.',
      tags,
      response: { 200: z.object({ items: z.array(ActivityCategory) }) },
    },
    handler: async (request) => ({ items: await listCategories(db, actorOf(request).orgId) }),
  });

  app.post('/activity-categories', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'createActivityCategory', summary: 'Add an activity category', errors: ['ALREADY_EXISTS'], tags, body: CreateActivityCategoryBody, response: { 201: ActivityCategory } },
    handler: async (request, reply) => reply.status(201).send(await createCategory(db, actorOf(request), request.body)),
  });

  app.get('/partners', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'listPartners', summary: 'List partner organizations', tags, response: { 200: z.object({ items: z.array(Partner) }) } },
    handler: async (request) => ({ items: await listPartners(db, actorOf(request)) }),
  });

  app.post('/partners', {
    config: { access: MANAGER_ROLES },
    schema: { operationId: 'createPartner', summary: 'Add a partner organization', description: 'An organization that runs activities with the operator.', tags, body: CreatePartnerBody, response: { 201: Partner } },
    handler: async (request, reply) => reply.status(201).send(await createPartner(db, actorOf(request), request.body)),
  });

  app.post('/activities', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'createActivity',
      summary: 'Create an activity (draft)',
      description: 'A draft activity; the organizer defaults to the caller unless a partner organization runs it. Add sessions, then publish.',
      tags,
      body: CreateActivityBody,
      response: { 201: Activity },
    },
    handler: async (request, reply) => reply.status(201).send(await createActivity(deps, actorOf(request), request.body)),
  });

  app.get('/activities', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'listActivities',
      summary: 'List activities',
      description: 'Org admins see all; site staff those they organize or created, or with a session at their sites.',
      tags,
      querystring: ListActivitiesQuery,
      response: { 200: pageOf(Activity) },
    },
    handler: async (request) => listActivities(db, actorOf(request), request.query),
  });

  app.get('/activities/:id', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'getActivity', summary: 'Get an activity with its sessions', tags, params: IdParams, response: { 200: ActivityWithSessions } },
    handler: async (request) => getActivity(db, actorOf(request), request.params.id),
  });

  app.patch('/activities/:id', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'updateActivity',
      summary: 'Change an activity',
      description: 'Send If-Match with the version read. A draft may change anything; a published activity only its texts, the end of its registration window and its cut-offs (changes are recorded).',
      errors: [...ActivityChangeRefusals, 'ACTIVITY_FIELD_LOCKED'],
      tags,
      params: IdParams,
      headers: IfMatchHeaders,
      body: UpdateActivityBody,
      response: { 200: Activity },
    },
    handler: async (request, reply) => {
      const activity = await updateActivity(deps, actorOf(request), request.params.id, request.body, parseIfMatch(request.headers['if-match'], true)!);
      return reply.header('etag', `"${activity.version}"`).send(activity);
    },
  });

  app.post('/activities/:id/publish', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'publishActivity', summary: 'Publish an activity', description: 'Shows it in the programme; it needs a scheduled session.', errors: ActivityChangeRefusals, tags, params: IdParams, headers: IfMatchHeaders, response: { 200: Activity } },
    handler: async (request) => publishActivity(deps, actorOf(request), request.params.id, parseIfMatch(request.headers['if-match'], false)),
  });

  app.post('/activities/:id/cancel', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'cancelActivity',
      summary: 'Cancel an activity and all its sessions',
      description: 'Every scheduled session releases its room and cancels its registrations, in one transaction.',
      errors: ActivityChangeRefusals,
      tags,
      params: IdParams,
      headers: IfMatchHeaders,
      body: CancelSessionBody,
      response: { 200: ActivityWithSessions },
    },
    handler: async (request) => cancelActivity(deps, actorOf(request), request.params.id, request.body?.reason, parseIfMatch(request.headers['if-match'], false)),
  });

  app.post('/activities/:id/sessions', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'createActivitySessions',
      summary: 'Schedule sessions of an activity',
      description:
        "One session (spaceId, startAt, endAt) or a recurrence (startDate, startTime, durationMinutes, rule, as for a series). Each books its room like a staff booking: a refusal answers the booking's codes with details.reasons and, for one session, details.alternatives. Equipment asked for is requested from the pool for every session; if any of it cannot be lent, nothing is scheduled (409 EQUIPMENT_SHORTFALL).",
      errors: [...BOOKING_REFUSALS, 'ACTIVITY_INVALID_TRANSITION', 'SESSION_PLACES_EXCEED_SPACE', 'INVALID_RECURRENCE', 'SERIES_CONFLICTS', 'SERIES_BOOKS_NOTHING', 'CONFLICT', 'EQUIPMENT_SHORTFALL', 'ARCHIVED'],
      tags,
      params: IdParams,
      body: CreateSessionsBody,
      response: { 201: SessionsResult },
    },
    handler: async (request, reply) => reply.status(201).send(await createSessions(deps, actorOf(request), request.params.id, request.body)),
  });

  app.patch('/activity-sessions/:id', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'moveActivitySession',
      summary: 'Move a session in time or to another room',
      description: 'Send If-Match with the session version. Registrations are kept; the change is recorded for registrants.',
      errors: [...BOOKING_REFUSALS, ...BOOKING_CHANGE_REFUSALS, 'ACTIVITY_INVALID_TRANSITION', 'SESSION_PLACES_EXCEED_SPACE', 'CONFLICT'],
      tags,
      params: IdParams,
      headers: IfMatchHeaders,
      body: UpdateSessionBody,
      response: { 200: ActivitySession },
    },
    handler: async (request, reply) => {
      const session = await moveSession(deps, actorOf(request), request.params.id, request.body, parseIfMatch(request.headers['if-match'], true)!);
      return reply.header('etag', `"${session.version}"`).send(session);
    },
  });

  app.post('/activity-sessions/:id/cancel', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'cancelActivitySession',
      summary: 'Cancel a session',
      description: 'Releases its room and cancels its registrations and waitlist; registrants see it in their list.',
      errors: ActivityChangeRefusals,
      tags,
      params: IdParams,
      headers: IfMatchHeaders,
      body: CancelSessionBody,
      response: { 200: ActivitySession },
    },
    handler: async (request) => cancelSession(deps, actorOf(request), request.params.id, request.body?.reason, parseIfMatch(request.headers['if-match'], false)),
  });

  app.get('/programme', {
    config: { access: 'public' },
    schema: {
      operationId: 'getProgramme',
      summary: 'The public programme of activities',
      description: 'Published sessions by site, district, category and dates (at most 62 days), with places left. No personal data.',
      tags,
      querystring: ProgrammeQuery,
      response: { 200: Programme },
    },
    handler: async (request) => getProgramme(db, request.query, now()),
  });

  app.get('/programme.ics', {
    config: { access: 'public' },
    schema: {
      operationId: 'getProgrammeFeed',
      summary: 'The public programme as an iCalendar feed',
      produces: ['text/calendar'],
      description: 'The same sessions as GET /programme, each in its site\'s zone. No personal data.',
      tags,
      querystring: ProgrammeQuery,
      response: { 200: z.string().describe('text/calendar (RFC 5545)') },
    },
    handler: async (request, reply) => reply.type(ICS_CONTENT_TYPE).send(await renderProgrammeFeed(db, request.query, now())),
  });

  app.get('/me/organized-sessions', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'listOrganizedSessions',
      summary: 'Sessions of the activities I organize',
      description: 'From today for 62 days unless from/to say otherwise, with places taken.',
      tags,
      querystring: OrganizedSessionsQuery,
      response: { 200: z.object({ items: z.array(OrganizedSession) }) },
    },
    handler: async (request) => ({ items: await listOrganizedSessions(db, actorOf(request), request.query, now()) }),
  });
}
