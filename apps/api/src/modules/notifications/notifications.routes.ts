import {
  DeliveryDetail,
  DeliveryListQuery,
  DeliveryPage,
  DeliverySummary,
  IdParams,
  InboxPage,
  InboxQuery,
  MarkedRead,
  NotificationPreferences,
  NotificationPreferencesBody,
  UnreadCount,
  UnsubscribeQuery,
  UnsubscribeResult,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ADMIN_ONLY, ANY_ROLE, actorOf } from '../../plugins/access.ts';
import {
  getDeliveryDetail,
  getNotificationPreferences,
  getUnreadCount,
  listDeliveryPage,
  listInboxPage,
  markInboxItemRead,
  markInboxRead,
  renderUnsubscribePage,
  resendDeadDelivery,
  summarizeDeliveries,
  unsubscribeByLink,
  updateNotificationPreferences,
} from './notifications.service.ts';

const HTML = 'text/html; charset=utf-8';

export async function notificationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['notifications'];
  // Mail clients' one-click unsubscribe POSTs "List-Unsubscribe=One-Click" as a form (RFC 8058); the token is in
  // the URL, so the body is read and ignored. Only these routes accept a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, done) => done(null, {}));

  app.get('/me/notifications', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'listMyNotifications', summary: "The caller's inbox, newest first", tags, querystring: InboxQuery, response: { 200: InboxPage } },
    handler: async (request) => listInboxPage(deps, actorOf(request), request.query),
  });

  app.get('/me/notifications/unread-count', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'countMyUnreadNotifications', summary: 'How many inbox messages the caller has not read (the bell)', tags, response: { 200: UnreadCount } },
    handler: async (request) => getUnreadCount(deps, actorOf(request)),
  });

  app.post('/me/notifications/:id/read', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'markNotificationRead', summary: 'Mark one inbox message read', errors: ['NOT_FOUND'], tags, params: IdParams, response: { 200: MarkedRead } },
    handler: async (request) => markInboxItemRead(deps, actorOf(request), request.params.id),
  });

  app.post('/me/notifications/read-all', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'markAllNotificationsRead', summary: 'Mark every inbox message read', tags, response: { 200: MarkedRead } },
    handler: async (request) => markInboxRead(deps, actorOf(request)),
  });

  app.get('/me/notification-preferences', {
    config: { access: ANY_ROLE },
    schema: { operationId: 'getMyNotificationPreferences', summary: 'What reaches the caller, where and when', tags, response: { 200: NotificationPreferences } },
    handler: async (request) => getNotificationPreferences(deps, actorOf(request)),
  });

  app.put('/me/notification-preferences', {
    config: { access: ANY_ROLE },
    schema: {
      operationId: 'updateMyNotificationPreferences',
      summary: 'Choose what reaches the caller, where and when',
      description: 'Replaces the choices: zone, quiet hours, night offers by email, staff digest, and the category x channel pairs turned off. Booking and registration messages cannot be turned off in the app.',
      errors: ['NOTIFICATION_SETTING_LOCKED'],
      tags,
      body: NotificationPreferencesBody,
      response: { 200: NotificationPreferences },
    },
    handler: async (request) => updateNotificationPreferences(deps, actorOf(request), request.body),
  });

  app.get('/notifications/unsubscribe', {
    config: { access: 'public' },
    schema: {
      operationId: 'showUnsubscribePage',
      summary: 'The page an email unsubscribe link opens',
      description: 'Asks before it acts (mail scanners open links); its button POSTs the same URL.',
      produces: ['text/html'],
      errors: ['INVALID_UNSUBSCRIBE_LINK'],
      tags,
      querystring: UnsubscribeQuery,
      response: { 200: z.string().describe('text/html') },
    },
    handler: async (request, reply) => reply.type(HTML).send(await renderUnsubscribePage(deps, request.query.token)),
  });

  app.post('/notifications/unsubscribe', {
    config: { access: 'public' },
    schema: {
      operationId: 'unsubscribe',
      summary: 'Turn a category off on a channel from an unsubscribe link',
      description: 'One-click (RFC 8058) or from the unsubscribe page. A link works once; using it again answers status "already" and changes nothing.',
      errors: ['INVALID_UNSUBSCRIBE_LINK'],
      tags,
      querystring: UnsubscribeQuery,
      response: { 200: UnsubscribeResult },
    },
    handler: async (request) => unsubscribeByLink(deps, request.query.token),
  });

  app.get('/notification-deliveries/summary', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'summarizeNotificationDeliveries', summary: 'Deliveries per channel: queued, sent, failed, dead, skipped', tags, response: { 200: DeliverySummary } },
    handler: async (request) => summarizeDeliveries(deps, actorOf(request)),
  });

  app.get('/notification-deliveries', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'listNotificationDeliveries', summary: 'Deliveries, newest first, by status and channel', tags, querystring: DeliveryListQuery, response: { 200: DeliveryPage } },
    handler: async (request) => listDeliveryPage(deps, actorOf(request), request.query),
  });

  app.get('/notification-deliveries/:id', {
    config: { access: ADMIN_ONLY },
    schema: { operationId: 'getNotificationDelivery', summary: 'One delivery with its attempts', errors: ['NOT_FOUND'], tags, params: IdParams, response: { 200: DeliveryDetail } },
    handler: async (request) => getDeliveryDetail(deps, actorOf(request), request.params.id),
  });

  app.post('/notification-deliveries/:id/resend', {
    config: { access: ADMIN_ONLY },
    schema: {
      operationId: 'resendNotificationDelivery',
      summary: 'Send a dead delivery again',
      errors: ['NOT_FOUND', 'DELIVERY_NOT_DEAD'],
      tags,
      params: IdParams,
      response: { 200: DeliveryDetail },
    },
    handler: async (request) => resendDeadDelivery(deps, actorOf(request), request.params.id),
  });
}
