/**
 * The signed-in person's notifications (issue #13): the inbox behind the bell, the unread count, and what reaches
 * them where and when. Every key starts with 'notifications' and the person's id, so a change invalidates the
 * bell and the inbox together and nobody signing in after someone else on this device sees their messages.
 */
import type {
  Delivery,
  DeliveryDetail,
  DeliveryListQuery,
  DeliverySummary,
  InboxItem,
  MarkedRead,
  NotificationPreferences,
  NotificationPreferencesBody,
  UnreadCount,
} from '@linli/contracts';
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
}

/** A drawer's worth; older messages load on demand. */
const INBOX_PAGE_SIZE = 20;
/** How often the bell asks, besides when the window regains focus. */
export const UNREAD_POLL_MS = 30_000;

export function getUnreadCount(signal?: AbortSignal): Promise<UnreadCount> {
  return data(api.GET('/api/v1/me/notifications/unread-count', { signal }));
}

export function listInbox(cursor: string | undefined, signal?: AbortSignal): Promise<InboxPage> {
  return data(api.GET('/api/v1/me/notifications', { params: { query: { limit: INBOX_PAGE_SIZE, ...(cursor ? { cursor } : {}) } }, signal })) as Promise<InboxPage>;
}

export function markNotificationRead(id: string): Promise<MarkedRead> {
  return data(api.POST('/api/v1/me/notifications/{id}/read', { params: { path: { id } } }));
}

export function markAllNotificationsRead(): Promise<MarkedRead> {
  return data(api.POST('/api/v1/me/notifications/read-all'));
}

export function getNotificationPreferences(signal?: AbortSignal): Promise<NotificationPreferences> {
  return data(api.GET('/api/v1/me/notification-preferences', { signal })) as Promise<NotificationPreferences>;
}

export function updateNotificationPreferences(body: NotificationPreferencesBody): Promise<NotificationPreferences> {
  return data(api.PUT('/api/v1/me/notification-preferences', { body })) as Promise<NotificationPreferences>;
}

export const notificationKeys = {
  of: (userId: string) => ['notifications', userId] as const,
  unread: (userId: string) => ['notifications', userId, 'unread'] as const,
  inbox: (userId: string) => ['notifications', userId, 'inbox'] as const,
  preferences: (userId: string) => ['notifications', userId, 'preferences'] as const,
};

export const notificationQueries = {
  unread: (userId: string) =>
    queryOptions({
      queryKey: notificationKeys.unread(userId),
      queryFn: ({ signal }) => getUnreadCount(signal),
      refetchInterval: UNREAD_POLL_MS,
      // The 30 s staleTime the app uses elsewhere would skip the focus refetch; the bell should be current then.
      refetchOnWindowFocus: 'always',
    }),
  inbox: (userId: string) =>
    infiniteQueryOptions({
      queryKey: notificationKeys.inbox(userId),
      queryFn: ({ signal, pageParam }) => listInbox(pageParam, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  preferences: (userId: string) => queryOptions({ queryKey: notificationKeys.preferences(userId), queryFn: ({ signal }) => getNotificationPreferences(signal) }),
};

/** After reading: the bell's count and the inbox's unread marks are asked again. */
export function invalidateInbox(userId: string): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: notificationKeys.of(userId) });
}

// ---- what the org admin sees of deliveries (issue #13 point 6) ------------------------------------------------------

interface DeliveryPage {
  items: Delivery[];
  nextCursor: string | null;
}

/** The list's filters; the cursor and page size are the query's own. */
export type DeliveryFilter = Pick<DeliveryListQuery, 'status' | 'channel'>;

const DELIVERY_PAGE_SIZE = 50;

export function getDeliverySummary(signal?: AbortSignal): Promise<DeliverySummary> {
  return data(api.GET('/api/v1/notification-deliveries/summary', { signal })) as Promise<DeliverySummary>;
}

export function listDeliveries(filter: DeliveryFilter, cursor: string | undefined, signal?: AbortSignal): Promise<DeliveryPage> {
  return data(
    api.GET('/api/v1/notification-deliveries', {
      params: { query: { limit: DELIVERY_PAGE_SIZE, ...(filter.status ? { status: filter.status } : {}), ...(filter.channel ? { channel: filter.channel } : {}), ...(cursor ? { cursor } : {}) } },
      signal,
    }),
  ) as Promise<DeliveryPage>;
}

export function getDelivery(id: string, signal?: AbortSignal): Promise<DeliveryDetail> {
  return data(api.GET('/api/v1/notification-deliveries/{id}', { params: { path: { id } }, signal })) as Promise<DeliveryDetail>;
}

export function resendDelivery(id: string): Promise<DeliveryDetail> {
  return data(api.POST('/api/v1/notification-deliveries/{id}/resend', { params: { path: { id } } })) as Promise<DeliveryDetail>;
}

/** Keyed by the admin's id like the inbox, so whoever signs in next on this device never sees them cached. */
export const deliveryKeys = {
  of: (userId: string) => ['notification-deliveries', userId] as const,
  summary: (userId: string) => ['notification-deliveries', userId, 'summary'] as const,
  list: (userId: string, filter: DeliveryFilter) => ['notification-deliveries', userId, 'list', filter] as const,
  detail: (userId: string, id: string) => ['notification-deliveries', userId, 'detail', id] as const,
};

export const deliveryQueries = {
  summary: (userId: string) => queryOptions({ queryKey: deliveryKeys.summary(userId), queryFn: ({ signal }) => getDeliverySummary(signal) }),
  list: (userId: string, filter: DeliveryFilter) =>
    infiniteQueryOptions({
      queryKey: deliveryKeys.list(userId, filter),
      queryFn: ({ signal, pageParam }) => listDeliveries(filter, pageParam, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  detail: (userId: string, id: string) => queryOptions({ queryKey: deliveryKeys.detail(userId, id), queryFn: ({ signal }) => getDelivery(id, signal) }),
};

/** After a resend: the counts, every list and the open drawer are asked again. */
export function invalidateDeliveries(userId: string): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: deliveryKeys.of(userId) });
}
