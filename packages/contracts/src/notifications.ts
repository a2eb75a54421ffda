import { DELIVERY_CHANNELS, NOTIFICATION_CATEGORIES, NOTIFICATION_KIND_NAMES, NOTIFICATION_LOCALES, type NotificationKind } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, Line, PageQuery, pageOf } from './common.ts';
import { ClockTime } from './series.ts';
import { TimeZone } from './sites.ts';

export const DELIVERY_STATUSES = ['queued', 'sent', 'failed', 'dead', 'skipped'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export const DeliveryChannelName = z.enum(DELIVERY_CHANNELS);
export const NotificationCategoryName = z.enum(NOTIFICATION_CATEGORIES);
export const NotificationKindName = z.enum(NOTIFICATION_KIND_NAMES as [NotificationKind, ...NotificationKind[]]);

// ---- the caller's inbox ------------------------------------------------------------------------------------------

/** One message in the caller's inbox, written in the caller's language. */
export const InboxItem = z.object({
  id: z.uuid(),
  kind: NotificationKindName,
  category: NotificationCategoryName,
  subject: z.string(),
  lines: z.array(z.string()),
  actionLabel: z.string(),
  /** The app path the message leads to, e.g. /my-bookings?offer=<id>. */
  link: z.string(),
  createdAt: IsoInstant,
  readAt: IsoInstant.nullable(),
});
export type InboxItem = z.infer<typeof InboxItem>;
export const InboxPage = pageOf(InboxItem);

export const InboxQuery = PageQuery.extend({
  unread: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export type InboxQuery = z.infer<typeof InboxQuery>;

export const UnreadCount = z.object({ unread: z.number().int() });
export type UnreadCount = z.infer<typeof UnreadCount>;
export const MarkedRead = z.object({ marked: z.number().int() });
export type MarkedRead = z.infer<typeof MarkedRead>;

// ---- the caller's choices ------------------------------------------------------------------------------------------

export const QuietHoursSetting = z.strictObject({ start: ClockTime, end: ClockTime }).refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] });

export const ChannelSetting = z.strictObject({ category: NotificationCategoryName, channel: DeliveryChannelName });

/** What the caller chose; `disabled` lists the category x channel pairs turned off. */
export const NotificationPreferencesBody = z.strictObject({
  /** Null: the home site's zone, else the organization's. */
  timezone: TimeZone.nullable(),
  /** Null: no quiet hours. */
  quietHours: QuietHoursSetting.nullable(),
  nightOffersByEmail: z.boolean(),
  staffDigest: z.boolean(),
  disabled: z.array(ChannelSetting).max(NOTIFICATION_CATEGORIES.length * DELIVERY_CHANNELS.length),
});
export type NotificationPreferencesBody = z.infer<typeof NotificationPreferencesBody>;

export const NotificationPreferences = z.object({
  language: z.enum(NOTIFICATION_LOCALES),
  timezone: z.string().nullable(),
  /** The zone quiet hours are read in. */
  effectiveTimezone: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  nightOffersByEmail: z.boolean(),
  staffDigest: z.boolean(),
  /** Every category on every channel the caller can be reached on; `locked` ones cannot be turned off. */
  channels: z.array(z.object({ category: NotificationCategoryName, channel: DeliveryChannelName, enabled: z.boolean(), locked: z.boolean() })),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

// ---- unsubscribe links ---------------------------------------------------------------------------------------------

export const UnsubscribeQuery = z.strictObject({
  token: Line({ min: 20, max: 600 }).regex(/^[A-Za-z0-9_.-]+$/, 'is not an unsubscribe token'),
});
export const UnsubscribeResult = z.object({
  /** `already`: this link was used before; nothing changed. */
  status: z.enum(['unsubscribed', 'already']),
  category: NotificationCategoryName,
  channel: DeliveryChannelName,
});
export type UnsubscribeResult = z.infer<typeof UnsubscribeResult>;

// ---- what admins see -----------------------------------------------------------------------------------------------

export const ChannelDeliveryCounts = z.object({
  channel: DeliveryChannelName,
  queued: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  dead: z.number().int(),
  skipped: z.number().int(),
});
export const DeliverySummary = z.object({ channels: z.array(ChannelDeliveryCounts) });
export type DeliverySummary = z.infer<typeof DeliverySummary>;

export const DeliveryListQuery = PageQuery.extend({
  status: DeliveryStatus.optional(),
  channel: DeliveryChannelName.optional(),
});
export type DeliveryListQuery = z.infer<typeof DeliveryListQuery>;

export const Delivery = z.object({
  id: z.uuid(),
  notificationId: z.uuid(),
  kind: NotificationKindName,
  category: NotificationCategoryName,
  recipientId: z.uuid(),
  channel: DeliveryChannelName,
  status: DeliveryStatus,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  messageId: z.string().nullable(),
  requestId: z.string().nullable(),
  notBefore: IsoInstant,
  sentAt: IsoInstant.nullable(),
  createdAt: IsoInstant,
  updatedAt: IsoInstant,
});
export type Delivery = z.infer<typeof Delivery>;
export const DeliveryPage = pageOf(Delivery);

export const DeliveryAttempt = z.object({
  attempt: z.number().int(),
  worker: z.string(),
  startedAt: IsoInstant,
  finishedAt: IsoInstant.nullable(),
  /** Null: the attempt never finished (the worker died mid-send). */
  outcome: z.enum(['sent', 'failed', 'dead', 'skipped']).nullable(),
  error: z.string().nullable(),
});
export const DeliveryDetail = Delivery.extend({ attemptLog: z.array(DeliveryAttempt) });
export type DeliveryDetail = z.infer<typeof DeliveryDetail>;
