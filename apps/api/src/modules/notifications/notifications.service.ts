/**
 * What people do with notifications: read their inbox, choose what reaches them and when, unsubscribe from a
 * link; and what admins see of deliveries, with a resend for a dead one.
 */
import type {
  Delivery,
  DeliveryDetail,
  DeliveryListQuery,
  DeliverySummary,
  InboxItem,
  InboxQuery,
  NotificationPreferences,
  NotificationPreferencesBody,
  UnsubscribeResult,
} from '@linli/contracts';
import {
  CATEGORY_LABELS,
  DEFAULT_QUIET_HOURS,
  type DeliveryChannel,
  NOTIFICATION_CATEGORIES,
  type NotificationFacts,
  type NotificationKind,
  clockTimeOf,
  isLockedInApp,
  notificationLocaleOf,
  optOutKey,
  parseClockTime,
  renderNotification,
} from '@linli/domain';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { toIso } from '../../lib/dates.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import type { Actor } from '../../plugins/access.ts';
import { ACTIVE_CHANNELS, enqueueDeliveries } from '../outbox/outbox.ts';
import {
  type DeliveryRow,
  countDeliveriesByChannel,
  countUnread,
  findDelivery,
  findPreferenceSettings,
  findUserLanguage,
  isInboxItemOf,
  listAttempts,
  listDeliveries,
  listInbox,
  markRead,
  reopenDeadDelivery,
  replacePreferenceSettings,
  useUnsubscribeLink,
  userExistsInOrg,
} from './notifications.repository.ts';
import { unsubscribeTokenHashOf, verifyUnsubscribeToken } from './unsubscribe-tokens.ts';

// ---- the inbox -----------------------------------------------------------------------------------------------------

export async function listInboxPage(deps: AppDeps, actor: Actor, query: InboxQuery): Promise<{ items: InboxItem[]; nextCursor: string | null }> {
  const reader = await readerOf(deps, actor);
  const rows = await listInbox(deps.db, actor.userId, { afterId: decodeCursor(query.cursor), limit: query.limit, unreadOnly: query.unread ?? false });
  const page = toPage(rows, query.limit);
  return {
    nextCursor: page.nextCursor,
    items: page.items.map((row) => {
      const message = renderNotification(row.kind, row.facts as unknown as NotificationFacts[NotificationKind], { ...reader, appBaseUrl: deps.config.APP_BASE_URL });
      return {
        id: row.id,
        kind: row.kind,
        category: row.category,
        subject: message.subject,
        lines: message.lines,
        actionLabel: message.actionLabel,
        link: message.linkPath,
        createdAt: toIso(row.createdAt),
        readAt: toIso(row.readAt),
      };
    }),
  };
}

export async function getUnreadCount(deps: AppDeps, actor: Actor): Promise<{ unread: number }> {
  return { unread: await countUnread(deps.db, actor.userId) };
}

export async function markInboxItemRead(deps: AppDeps, actor: Actor, id: string): Promise<{ marked: number }> {
  if (!(await isInboxItemOf(deps.db, actor.userId, id))) throw notFound('Notification');
  return { marked: await markRead(deps.db, actor.userId, [id], deps.now()) };
}

export async function markInboxRead(deps: AppDeps, actor: Actor): Promise<{ marked: number }> {
  return { marked: await markRead(deps.db, actor.userId, null, deps.now()) };
}

async function readerOf(deps: AppDeps, actor: Actor) {
  const user = await findUserLanguage(deps.db, actor.userId);
  if (!user || user.orgId !== actor.orgId) throw notFound('User');
  return { locale: notificationLocaleOf(user.locale), readerZone: user.zone };
}

// ---- choices -------------------------------------------------------------------------------------------------------

export async function getNotificationPreferences(deps: AppDeps, actor: Actor): Promise<NotificationPreferences> {
  const user = await findUserLanguage(deps.db, actor.userId);
  if (!user || user.orgId !== actor.orgId) throw notFound('User');
  const { preferences, optOuts } = await findPreferenceSettings(deps.db, actor.userId);
  const off = new Set(optOuts.map((o) => `${o.category}:${o.channel}`));
  const quiet = preferences ? (preferences.quietStartMinute !== null && preferences.quietEndMinute !== null ? { startMinute: preferences.quietStartMinute, endMinute: preferences.quietEndMinute } : null) : DEFAULT_QUIET_HOURS;
  return {
    language: notificationLocaleOf(user.locale),
    timezone: preferences?.timezone ?? null,
    effectiveTimezone: user.zone,
    quietHours: quiet ? { start: clockTimeOf(quiet.startMinute), end: clockTimeOf(quiet.endMinute) } : null,
    nightOffersByEmail: preferences?.nightOffersByEmail ?? false,
    staffDigest: preferences?.staffDigest ?? false,
    channels: NOTIFICATION_CATEGORIES.flatMap((category) =>
      ACTIVE_CHANNELS.map((channel) => {
        const locked = isLockedInApp(category, channel);
        return { category, channel, locked, enabled: locked || !off.has(optOutKey(category, channel)) };
      }),
    ),
  };
}

export async function updateNotificationPreferences(deps: AppDeps, actor: Actor, body: NotificationPreferencesBody): Promise<NotificationPreferences> {
  const locked = body.disabled.filter((pair) => isLockedInApp(pair.category, pair.channel));
  if (locked.length) {
    throw new AppError('NOTIFICATION_SETTING_LOCKED', { errors: locked.map((pair) => ({ path: 'disabled', message: `${pair.category} on ${pair.channel} cannot be turned off` })) });
  }
  const unique = [...new Map(body.disabled.map((pair) => [optOutKey(pair.category, pair.channel), pair])).values()];
  await deps.db.transaction((tx) =>
    replacePreferenceSettings(
      tx,
      {
        userId: actor.userId,
        orgId: actor.orgId,
        timezone: body.timezone,
        quietStartMinute: body.quietHours ? parseClockTime(body.quietHours.start) : null,
        quietEndMinute: body.quietHours ? parseClockTime(body.quietHours.end) : null,
        nightOffersByEmail: body.nightOffersByEmail,
        staffDigest: body.staffDigest,
      },
      unique,
    ),
  );
  return getNotificationPreferences(deps, actor);
}

// ---- unsubscribe links ---------------------------------------------------------------------------------------------

async function verifiedLink(deps: AppDeps, token: string) {
  const claim = verifyUnsubscribeToken(deps.config.JWT_SECRET, token);
  if (!claim || isLockedInApp(claim.category, claim.channel) || !(await userExistsInOrg(deps.db, claim.orgId, claim.userId))) {
    throw new AppError('INVALID_UNSUBSCRIBE_LINK');
  }
  return claim;
}

/** Turns the link's category off on its channel, once; a second use of the link answers "already". */
export async function unsubscribeByLink(deps: AppDeps, token: string): Promise<UnsubscribeResult> {
  const claim = await verifiedLink(deps, token);
  const first = await deps.db.transaction((tx) =>
    useUnsubscribeLink(tx, { tokenHash: unsubscribeTokenHashOf(token), orgId: claim.orgId, userId: claim.userId, category: claim.category, channel: claim.channel }),
  );
  return { status: first ? 'unsubscribed' : 'already', category: claim.category, channel: claim.channel };
}

/**
 * The page an unsubscribe link opens: it asks before it acts, because mail scanners open links; its button
 * POSTs the same URL (as a mail client's one-click unsubscribe does).
 */
export async function renderUnsubscribePage(deps: AppDeps, token: string): Promise<string> {
  const claim = await verifiedLink(deps, token);
  const user = await findUserLanguage(deps.db, claim.userId);
  const locale = notificationLocaleOf(user?.locale);
  const label = CATEGORY_LABELS[claim.category][locale];
  const copy =
    locale === 'zh-CN'
      ? { title: `退订「${label}」${channelName(claim.channel, locale)}`, confirm: '确认退订', done: '已退订。您可以随时在应用的通知设置中重新开启。', failed: '退订失败，请稍后再试。' }
      : { title: `Unsubscribe from "${label}" ${channelName(claim.channel, locale)}`, confirm: 'Unsubscribe', done: 'Done. You can turn these back on in the app\'s notification settings.', failed: 'That did not work; please try again later.' };
  const messages = JSON.stringify({ done: copy.done, failed: copy.failed }).replaceAll('<', '\\u003c');
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(copy.title)}</title></head>
<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1 style="font-size:1.2rem">${escapeHtml(copy.title)}</h1>
<button id="confirm" style="padding:.5rem 1rem">${escapeHtml(copy.confirm)}</button>
<p id="result" role="status"></p>
<script>
const messages = ${messages};
document.getElementById('confirm').addEventListener('click', async (event) => {
  event.target.disabled = true;
  const response = await fetch(location.href, { method: 'POST' }).catch(() => null);
  document.getElementById('result').textContent = response && response.ok ? messages.done : messages.failed;
});
</script>
</body></html>`;
}

const channelName = (channel: DeliveryChannel, locale: 'zh-CN' | 'en') =>
  ({ inbox: ['应用内消息', 'app messages'], email: ['邮件', 'emails'], sms: ['短信', 'text messages'], wechat: ['微信消息', 'WeChat messages'] })[channel][locale === 'zh-CN' ? 0 : 1];

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

// ---- what admins see -----------------------------------------------------------------------------------------------

export async function summarizeDeliveries(deps: AppDeps, actor: Actor): Promise<DeliverySummary> {
  const counts = await countDeliveriesByChannel(deps.db, actor.orgId);
  return {
    channels: ACTIVE_CHANNELS.map((channel) => {
      const of = (status: string) => counts.find((c) => c.channel === channel && c.status === status)?.n ?? 0;
      return { channel, queued: of('queued'), sent: of('sent'), failed: of('failed'), dead: of('dead'), skipped: of('skipped') };
    }),
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    ...row,
    kind: row.kind as Delivery['kind'],
    category: row.category as Delivery['category'],
    channel: row.channel as Delivery['channel'],
    status: row.status as Delivery['status'],
    notBefore: toIso(row.notBefore),
    sentAt: toIso(row.sentAt),
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

export async function listDeliveryPage(deps: AppDeps, actor: Actor, query: DeliveryListQuery): Promise<{ items: Delivery[]; nextCursor: string | null }> {
  const rows = await listDeliveries(deps.db, actor.orgId, { status: query.status, channel: query.channel, afterId: decodeCursor(query.cursor), limit: query.limit });
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toDelivery), nextCursor: page.nextCursor };
}

export async function getDeliveryDetail(deps: AppDeps, actor: Actor, id: string): Promise<DeliveryDetail> {
  const row = await findDelivery(deps.db, actor.orgId, id);
  if (!row) throw notFound('Delivery');
  const attempts = await listAttempts(deps.db, id);
  return {
    ...toDelivery(row),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      worker: a.worker,
      startedAt: toIso(a.startedAt),
      finishedAt: toIso(a.finishedAt),
      outcome: a.outcome as DeliveryDetail['attemptLog'][number]['outcome'],
      error: a.error,
    })),
  };
}

/** Sends a dead delivery again: back to queued, with a new job, in one transaction. */
export async function resendDeadDelivery(deps: AppDeps, actor: Actor, id: string): Promise<DeliveryDetail> {
  await deps.db.transaction(async (tx) => {
    const reopened = await reopenDeadDelivery(tx, actor.orgId, id);
    if (!reopened) {
      if (await findDelivery(tx, actor.orgId, id)) throw new AppError('DELIVERY_NOT_DEAD');
      throw notFound('Delivery');
    }
    await enqueueDeliveries(tx, [reopened]);
  });
  return getDeliveryDetail(deps, actor, id);
}
