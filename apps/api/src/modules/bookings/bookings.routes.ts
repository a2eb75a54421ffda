import {
  Booking,
  BookingCheck,
  BookingWithHistory,
  CheckInBody,
  CreateBookingBody,
  ExportBookingsQuery,
  IdParams,
  IdempotencyHeaders,
  IfMatchHeaders,
  ListBookingsQuery,
  ReasonBody,
  RejectBody,
  MAX_BOOKINGS_EXPORT_ROWS,
  UpdateBookingBody,
  pageOf,
} from '@linli/contracts';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ANY_ROLE, STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { BOOKING_CHANGE_REFUSALS, BOOKING_REFUSALS } from '../../plugins/openapi.ts';
import { getBookingWithHistory, listBookings } from './bookings.repository.ts';
import { parseIfMatch } from '../../lib/if-match.ts';
import { sendCsv } from '../../lib/csv.ts';
import { exportBookingsCsv } from './bookings.export.ts';
import { checkBooking, createBooking, updateBooking } from './bookings.service.ts';
import { acceptOffer, approveBooking, cancelBooking, checkInBooking, rejectBooking } from './lifecycle.service.ts';

export async function bookingRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['bookings'];
  const RESIDENT = ['resident'] as const;

  app.post('/bookings', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'createBooking',
      summary: 'Book a space',
      errors: ['NOT_FOUND', ...BOOKING_REFUSALS, 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT', 'EQUIPMENT_SHORTFALL', 'ARCHIVED'],
      description:
        'Books a space. Staff may book on behalf of a resident of the organization (`bookerId`) or for a walk-in without an account (`walkIn`: name, optional phone; residents get 403). Send an Idempotency-Key to make retries safe: the same key and body replay the first answer; the same key with another body is refused (422). Equipment asked for is requested from the pool with the booking; if any of it cannot be lent over that time, nothing is booked (409 EQUIPMENT_SHORTFALL, with the sites that could lend).',
      tags,
      headers: IdempotencyHeaders,
      body: CreateBookingBody,
      response: { 201: Booking },
    },
    handler: async (request, reply) => {
      const outcome = await createBooking(deps, actorOf(request), request.body, request.headers['idempotency-key']);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('etag', `"${outcome.booking.version}"`).send(outcome.booking);
    },
  });

  app.post('/bookings/check', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'checkBooking',
      summary: 'Check whether a booking would be accepted',
      errors: ['NOT_FOUND'],
      description:
        'Whether this booking would be accepted now, judged as POST /bookings judges it, with every reason if not and where the booker stands against each quota, and for each piece of equipment asked for, which sites could lend how many. Writes nothing.',
      tags,
      body: CreateBookingBody,
      response: { 200: BookingCheck },
    },
    handler: async (request) => checkBooking(deps, actorOf(request), request.body),
  });

  app.get('/bookings', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'listBookings',
      summary: 'List bookings',
      description:
        "Residents see their own bookings; staff their sites'; org admins all. `q` finds part of the booker's or walk-in's name, " +
        '4 or more phone digits, or an exact check-in code (a resident only ever searches their own bookings). Sorted by `sort` ' +
        "and paged by a cursor that belongs to that sort. `booker` is filled for staff of the booking's site, org admins and the booker.",
      tags,
      querystring: ListBookingsQuery,
      response: { 200: pageOf(Booking) },
    },
    handler: async (request) => listBookings(deps.db, actorOf(request), request.query),
  });

  app.get('/bookings/export.csv', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'exportBookings',
      summary: 'Export bookings as CSV',
      produces: ['text/csv'],
      errors: ['NOT_FOUND', 'EXPORT_TOO_LARGE'],
      description:
        `The bookings list's filters and sort as text/csv: UTF-8 with BOM, headers and labels in \`lang\`, times in each site's zone (named in a column), ` +
        `bookers as the list shows them (masked phones). Cells that a spreadsheet would run as a formula are prefixed with '. More than ` +
        `${MAX_BOOKINGS_EXPORT_ROWS} matching bookings is refused (422 EXPORT_TOO_LARGE): narrow the filters.`,
      tags,
      querystring: ExportBookingsQuery,
      response: { 200: z.string().describe('text/csv (RFC 4180, UTF-8 with BOM)') },
    },
    handler: async (request, reply) => sendCsv(reply, await exportBookingsCsv(deps.db, actorOf(request), request.query)),
  });

  app.get('/bookings/:id', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getBooking', summary: 'Get a booking with its history', tags, params: IdParams, response: { 200: BookingWithHistory } },
    handler: async (request, reply) => {
      const booking = await getBookingWithHistory(deps.db, actorOf(request), request.params.id);
      return reply.header('etag', `"${booking.version}"`).send(booking);
    },
  });

  app.patch('/bookings/:id', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'updateBooking',
      summary: 'Move or resize a booking',
      errors: [...BOOKING_CHANGE_REFUSALS, ...BOOKING_REFUSALS],
      description: 'Reschedule, move to another space or change the party. Requires If-Match with the current version.',
      tags,
      params: IdParams,
      headers: IfMatchHeaders,
      body: UpdateBookingBody,
      response: { 200: Booking },
    },
    handler: async (request, reply) => {
      const version = parseIfMatch(request.headers['if-match'], true)!;
      const booking = await updateBooking(deps, actorOf(request), request.params.id, request.body, version);
      return reply.header('etag', `"${booking.version}"`).send(booking);
    },
  });

  const ifMatch = (header: string | undefined) => parseIfMatch(header, false);

  app.post('/bookings/:id/cancel', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'cancelBooking', summary: 'Cancel a booking', errors: [...BOOKING_CHANGE_REFUSALS, 'CANCEL_CUTOFF_PASSED'], tags, params: IdParams, headers: IfMatchHeaders, body: ReasonBody, response: { 200: Booking } },
    handler: async (request) =>
      cancelBooking(deps, actorOf(request), request.params.id, request.body.reason, ifMatch(request.headers['if-match'])),
  });

  app.post('/bookings/:id/approve', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'approveBooking', summary: 'Approve a pending booking', errors: BOOKING_CHANGE_REFUSALS, tags, params: IdParams, headers: IfMatchHeaders, response: { 200: Booking } },
    handler: async (request) => approveBooking(deps, actorOf(request), request.params.id, ifMatch(request.headers['if-match'])),
  });

  app.post('/bookings/:id/reject', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'rejectBooking', summary: 'Reject a pending booking', errors: BOOKING_CHANGE_REFUSALS, tags, params: IdParams, headers: IfMatchHeaders, body: RejectBody, response: { 200: Booking } },
    handler: async (request) =>
      rejectBooking(deps, actorOf(request), request.params.id, request.body.reason, ifMatch(request.headers['if-match'])),
  });

  app.post('/bookings/:id/check-in', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'checkInBooking',
      summary: 'Check in to a booking',
      errors: ['INVALID_TRANSITION', 'ALREADY_CHECKED_IN', 'CHECK_IN_NOT_OPEN', 'INVALID_CHECK_IN_CODE'],
      description:
        'Staff check anyone in at their sites; residents check in to their own booking with its code. Outside the window the problem carries `details.opensAt` and `details.closesAt`.',
      tags,
      params: IdParams,
      body: CheckInBody,
      response: { 200: Booking },
    },
    handler: async (request) => checkInBooking(deps, actorOf(request), request.params.id, request.body.code),
  });

  app.post('/bookings/:id/accept-offer', {
    config: { access: RESIDENT },
    schema: { operationId: 'acceptWaitlistOffer', summary: 'Accept a waitlist offer', errors: ['INVALID_TRANSITION', 'OFFER_EXPIRED'], tags, params: IdParams, response: { 200: Booking } },
    handler: async (request) => acceptOffer(deps, actorOf(request), request.params.id),
  });
}
