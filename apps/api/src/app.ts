/**
 * Builds the Fastify app from its dependencies. Routes live in modules/<feature>/<feature>.routes.ts; this file
 * only wires plugins and modules together.
 */
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import helmetHeaders, { type HelmetOptions } from 'helmet';
import jwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from './lib/context.ts';
import { REQUIRED_CLAIMS, registerAccessControl } from './plugins/access.ts';
import { registerAdminApp } from './plugins/admin-app.ts';
import { registerCompression } from './plugins/compression.ts';
import { registerErrorHandling, sendRouterProblem } from './plugins/errors.ts';
import { loggerOptions } from './plugins/logging.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { databaseRateLimitStore } from './plugins/rate-limit-store.ts';
import { createAccessStates } from './modules/auth/access-states.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { organizationRoutes } from './modules/organizations/organizations.routes.ts';
import { siteRoutes } from './modules/sites/sites.routes.ts';
import { closureRoutes } from './modules/closures/closures.routes.ts';
import { spaceRoutes } from './modules/spaces/spaces.routes.ts';
import { userRoutes } from './modules/users/users.routes.ts';
import { bookingRoutes } from './modules/bookings/bookings.routes.ts';
import { waitlistRoutes } from './modules/waitlist/waitlist.routes.ts';
import { availabilityRoutes } from './modules/availability/availability.routes.ts';
import { scheduleRoutes } from './modules/schedules/schedules.routes.ts';
import { calendarRoutes } from './modules/calendar/calendar.routes.ts';
import { seriesRoutes } from './modules/series/series.routes.ts';
import { analyticsRoutes } from './modules/analytics/analytics.routes.ts';
import { activityAnalyticsRoutes } from './modules/activity-analytics/activity-analytics.routes.ts';
import { equipmentAnalyticsRoutes } from './modules/equipment-analytics/equipment-analytics.routes.ts';
import { registrationRoutes } from './modules/registrations/registrations.routes.ts';
import { activityRoutes } from './modules/activities/activities.routes.ts';
import { equipmentRoutes } from './modules/equipment/equipment.routes.ts';
import { loanRoutes } from './modules/loans/loans.routes.ts';
import { notificationRoutes } from './modules/notifications/notifications.routes.ts';
import { frontDeskRoutes } from './modules/front-desk/front-desk.routes.ts';
import { notificationRuntime } from './modules/notifications/worker.ts';

export const API_PREFIX = '/api/v1';
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    directives: {
      // antd writes inline styles; the swagger UI page needs its inline init script.
      'style-src': ["'self'", "'unsafe-inline'"],
      'script-src': ["'self'", "'unsafe-inline'"],
      // Space photos are operators' own https addresses (the contract refuses any other scheme).
      'img-src': ["'self'", 'data:', 'https:'],
    },
  },
} satisfies HelmetOptions;
const DEFAULT_ADMIN_DIST = fileURLToPath(new URL('../../admin/dist', import.meta.url));

/** `logStream` receives the log lines instead of stdout (tests read what the log would hold). */
export async function buildApp(deps: AppDeps, options: { logger?: boolean; logStream?: { write(line: string): void } } = {}): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config.LOG_LEVEL, options.logStream),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // No request runs unbounded: a slow handler is answered 503 (its statements are capped by statement_timeout),
    // and a client dribbling its request is cut off.
    handlerTimeout: config.REQUEST_TIMEOUT_MS,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // Behind a proxy the client address comes from X-Forwarded-For; rate limits key on it.
    trustProxy: config.NODE_ENV === 'production',
    // The router refuses a few URLs (a path segment too long, bad encoding) before any hook runs.
    frameworkErrors: (error, request, reply) => {
      helmetHeaders(SECURITY_HEADERS)(request.raw, reply.raw, () => {});
      return sendRouterProblem(request, reply, error);
    },
  });
  app.decorate('deps', deps);
  app.setValidatorCompiler(validatorCompiler);
  // Responses are written by fast-json-stringify compiled from each route's zod schema: it emits only the
  // declared fields (nothing leaks) without re-validating every field of every response at run time.
  app.setSerializerCompiler(({ schema }) => fastJsonStringify(z.toJSONSchema(schema as z.ZodType, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as object));
  // The API speaks JSON only; a text/plain body is refused with 415 instead of failing validation oddly.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerErrorHandling(app);
  // Helmet's onRequest hook must run before access control's, or a 401/403 goes out without the headers.
  await app.register(helmet, SECURITY_HEADERS);
  const accessStates = createAccessStates(deps.db);
  app.decorate('accessStates', accessStates);
  registerAccessControl(app, (userId) => accessStates.of(userId));

  await app.register(cors, { origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false, credentials: true });
  // Counters live in the database so a limit holds across every API process, not once per process.
  await app.register(rateLimit, { global: false, store: databaseRateLimitStore(deps.db) });
  await app.register(jwt, {
    secret: config.JWT_SECRET,
    // Every token expires; one signed with our key but missing a claim (no exp: valid forever) is refused.
    sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE, expiresIn: config.ACCESS_TOKEN_TTL_SECONDS },
    verify: { algorithms: ['HS256'], allowedIss: config.JWT_ISSUER, allowedAud: config.JWT_AUDIENCE, requiredClaims: [...REQUIRED_CLAIMS] },
  });
  // Before every route: the compression plugin attaches itself to each route as it is declared.
  await registerCompression(app);
  await registerOpenApi(app);

  // The request id in scope for the outbox, and the notification queue started and stopped with the app.
  await app.register(notificationRuntime);
  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(organizationRoutes);
      await api.register(siteRoutes);
      await api.register(closureRoutes);
      await api.register(spaceRoutes);
      await api.register(userRoutes);
      await api.register(bookingRoutes);
      await api.register(waitlistRoutes);
      await api.register(availabilityRoutes);
      await api.register(scheduleRoutes);
      await api.register(calendarRoutes);
      await api.register(seriesRoutes);
      await api.register(analyticsRoutes);
      await api.register(activityAnalyticsRoutes);
      await api.register(equipmentAnalyticsRoutes);
      await api.register(registrationRoutes);
      await api.register(activityRoutes);
      await api.register(equipmentRoutes);
      await api.register(loanRoutes);
      await api.register(notificationRoutes);
      await api.register(frontDeskRoutes);
    },
    { prefix: API_PREFIX },
  );

  await registerAdminApp(app, config.ADMIN_DIST_DIR ?? DEFAULT_ADMIN_DIST);
  return app;
}
