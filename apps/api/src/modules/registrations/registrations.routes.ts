import {
  Feedback,
  FeedbackBody,
  IdParams,
  MyRegistrations,
  RegisterForSessionBody,
  RegisteredResponse,
  Registration,
  RegistrationCheckInBody,
  RegistrationReasonBody,
  SessionFeedback,
  SessionRegistrationParams,
  SessionRegistrations,
  WaitlistedResponse,
  WalkIn,
  WalkInBody,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ANY_ROLE, STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import {
  acceptRegistrationOffer,
  cancelRegistration,
  checkInRegistration,
  getSessionFeedback,
  giveFeedback,
  listMyRegistrations,
  listSessionRegistrations,
  recordWalkIn,
  registerForSession,
  removeRegistration,
} from './registrations.service.ts';

const REGISTRATION_REFUSALS = [
  'NOT_FOUND',
  'ACTIVITY_NOT_PUBLISHED',
  'SESSION_CANCELLED',
  'SESSION_PAST',
  'REGISTRATION_NOT_OPEN',
  'REGISTRATION_CLOSED',
  'PARTY_TOO_LARGE',
  'NOT_IN_AUDIENCE',
  'ALREADY_REGISTERED',
  'CATEGORY_LIMIT_REACHED',
  'CAPACITY_FULL',
] as const;

export async function registrationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['registrations'];
  const RESIDENT = ['resident'] as const;

  app.post('/activity-sessions/:id/registrations', {
    config: { access: RESIDENT },
    schema: {
      operationId: 'registerForSession',
      summary: 'Register for an activity session',
      description: 'Takes places for the party (201), or a place in the session\'s line when it is full (202).',
      errors: REGISTRATION_REFUSALS,
      tags,
      params: IdParams,
      body: RegisterForSessionBody,
      response: { 201: RegisteredResponse, 202: WaitlistedResponse },
    },
    handler: async (request, reply) => {
      const outcome = await registerForSession(deps, actorOf(request), request.params.id, request.body.partySize);
      return reply.status('registration' in outcome ? 201 : 202).send(outcome);
    },
  });

  app.get('/me/registrations', {
    config: { access: RESIDENT },
    schema: { operationId: 'listMyRegistrations', summary: "The caller's registrations and places in line", tags, response: { 200: MyRegistrations } },
    handler: async (request) => listMyRegistrations(deps, actorOf(request)),
  });

  app.post('/registrations/:id/cancel', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'cancelRegistration',
      summary: 'Cancel a registration',
      description: 'Residents cancel their own until the cut-off; staff any time. The places go to the line.',
      errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'CANCEL_CUTOFF_PASSED'],
      tags,
      params: IdParams,
      body: RegistrationReasonBody,
      response: { 200: Registration },
    },
    handler: async (request) => cancelRegistration(deps, actorOf(request), request.params.id, request.body.reason),
  });

  app.post('/registrations/:id/accept-offer', {
    config: { access: RESIDENT },
    schema: { operationId: 'acceptRegistrationOffer', summary: 'Accept a place offered from the line', errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'OFFER_EXPIRED'], tags, params: IdParams, response: { 200: Registration } },
    handler: async (request) => acceptRegistrationOffer(deps, actorOf(request), request.params.id),
  });

  app.post('/activity-sessions/:id/registrations/:rid/remove', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'removeRegistration',
      summary: 'Remove someone from a session',
      description: 'The organizer or the site\'s staff; the places go to the line.',
      errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
      tags,
      params: SessionRegistrationParams,
      body: RegistrationReasonBody,
      response: { 200: Registration },
    },
    handler: async (request) => removeRegistration(deps, actorOf(request), request.params.id, request.params.rid, request.body.reason),
  });

  app.get('/activity-sessions/:id/registrations', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'listSessionRegistrations', summary: "A session's registrants and line", errors: ['NOT_FOUND'], tags, params: IdParams, response: { 200: SessionRegistrations } },
    handler: async (request) => listSessionRegistrations(deps, actorOf(request), request.params.id),
  });

  app.post('/registrations/:id/check-in', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'checkInRegistration',
      summary: 'Check in to a session',
      description: 'From 30 minutes before the start until the end: staff mark anyone; residents use their code.',
      errors: ['NOT_FOUND', 'INVALID_TRANSITION', 'CHECK_IN_NOT_OPEN', 'INVALID_CHECK_IN_CODE'],
      tags,
      params: IdParams,
      body: RegistrationCheckInBody,
      response: { 200: Registration },
    },
    handler: async (request) => checkInRegistration(deps, actorOf(request), request.params.id, request.body.code),
  });

  app.post('/activity-sessions/:id/walk-ins', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'recordWalkIn', summary: 'Record people who came without registering', errors: ['NOT_FOUND', 'SESSION_CANCELLED'], tags, params: IdParams, body: WalkInBody, response: { 201: WalkIn } },
    handler: async (request, reply) => reply.status(201).send(await recordWalkIn(deps, actorOf(request), request.params.id, request.body)),
  });

  app.post('/registrations/:id/feedback', {
    config: { access: RESIDENT },
    schema: {
      operationId: 'giveSessionFeedback',
      summary: 'Rate a session you attended',
      description: 'Once, after checking in and after the session ended.',
      errors: ['NOT_FOUND', 'NOT_ATTENDED', 'FEEDBACK_ALREADY_GIVEN'],
      tags,
      params: IdParams,
      body: FeedbackBody,
      response: { 201: Feedback },
    },
    handler: async (request, reply) => reply.status(201).send(await giveFeedback(deps, actorOf(request), request.params.id, request.body)),
  });

  app.get('/activity-sessions/:id/feedback', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'getSessionFeedback', summary: 'How a session felt, without names', errors: ['NOT_FOUND'], tags, params: IdParams, response: { 200: SessionFeedback } },
    handler: async (request) => getSessionFeedback(deps, actorOf(request), request.params.id),
  });
}
