import { Booking, IdParams, KioskCheckInBody, KioskToken, PeopleSearchQuery, PersonMatches, SiteCheckInBody } from '@linli/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { checkInAtKiosk, checkInByCode, getKioskToken, searchPeople } from './front-desk.service.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The origin the kiosk's QR code points phones to: APP_BASE_URL, unless it is a loopback address (the default when
 * unset), which no phone can reach; then the address the kiosk's own browser reached this server at.
 */
function appBaseUrlFor(configured: string, request: FastifyRequest): string {
  if (!LOOPBACK_HOSTS.has(new URL(configured).hostname)) return configured;
  return `${request.protocol}://${request.host}`;
}

/** The front desk: finding people and bookings, exporting them, and checking in at the door (issue #14). */
export async function frontDeskRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['front desk'];

  app.get('/people', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'searchPeople',
      summary: 'Find residents to book for',
      description:
        "Residents of the organization whose name contains `q`, or whose phone contains its digits (4 or more), with masked phone and email. Staff search every resident of the organization, not only their sites': anyone may walk up to a desk.",
      tags,
      querystring: PeopleSearchQuery,
      response: { 200: PersonMatches },
    },
    handler: async (request) => ({ items: await searchPeople(deps, actorOf(request), request.query.q, request.query.limit) }),
  });

  app.post('/sites/:id/check-in', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'checkInByCode',
      summary: 'Check a booking in at the desk by its code',
      description:
        "Finds the site's booking with this check-in code (typed, or scanned from the resident's QR code) whose check-in window is open now, and checks it in. " +
        'Unknown code: 404 CHECK_IN_CODE_UNKNOWN; window not open: 409 CHECK_IN_NOT_OPEN with `details.opensAt`; already checked in: 409 ALREADY_CHECKED_IN.',
      errors: ['CHECK_IN_CODE_UNKNOWN', 'CHECK_IN_NOT_OPEN', 'ALREADY_CHECKED_IN', 'INVALID_TRANSITION'],
      tags,
      params: IdParams,
      body: SiteCheckInBody,
      response: { 200: Booking },
    },
    handler: async (request) => checkInByCode(deps, actorOf(request), request.params.id, request.body.code),
  });

  app.get('/sites/:id/kiosk', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'getKioskToken',
      summary: "The door kiosk's check-in QR code",
      description:
        'A token for the QR code the screen at the door shows, and the URL it encodes. It rotates every `rotatesEverySeconds` (fetch a new one then); the previous one is still accepted, so `expiresAt` is the end of the next period.',
      tags,
      params: IdParams,
      response: { 200: KioskToken },
    },
    handler: async (request) => getKioskToken(deps, actorOf(request), request.params.id, appBaseUrlFor(deps.config.APP_BASE_URL, request)),
  });

  app.post('/sites/:id/kiosk/check-in', {
    config: { access: ['resident'] },
    schema: {
      operationId: 'checkInAtKiosk',
      summary: 'Check in at the door by scanning the kiosk',
      description:
        "A signed-in resident who scanned the door's QR code checks in their own booking at this site whose window is open now (the soonest to start, if several). " +
        'A forged or other site\'s token: 403 KIOSK_TOKEN_INVALID; an old one: 403 KIOSK_TOKEN_EXPIRED; no booking: 404 NO_BOOKING_TO_CHECK_IN; too early: 409 CHECK_IN_NOT_OPEN with `details.opensAt`.',
      errors: ['KIOSK_TOKEN_INVALID', 'KIOSK_TOKEN_EXPIRED', 'NO_BOOKING_TO_CHECK_IN', 'CHECK_IN_NOT_OPEN', 'ALREADY_CHECKED_IN'],
      tags,
      params: IdParams,
      body: KioskCheckInBody,
      response: { 200: Booking },
    },
    handler: async (request) => checkInAtKiosk(deps, actorOf(request), request.params.id, request.body.token),
  });
}
