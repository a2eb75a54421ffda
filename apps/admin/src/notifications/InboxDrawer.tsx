import type { CurrentUser, InboxItem } from '@linli/contracts';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Drawer, Empty, Flex, Grid, Skeleton, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { followLink } from '../routing.ts';
import { navItemAt, navigationFor } from '../shell/navigation.ts';
import { invalidateInbox, markAllNotificationsRead, markNotificationRead, notificationQueries } from './notifications.api.ts';
import { formatReceivedAt } from './receivedAt.ts';

interface Props {
  user: CurrentUser;
  open: boolean;
  onClose: () => void;
}

/** The person's messages, newest first: opening one marks it read, and its link leads to what it is about. */
export function InboxDrawer({ user, open, onClose }: Props) {
  const { t } = useTranslation();
  const wide = Grid.useBreakpoint().sm !== false;
  const { message } = App.useApp();
  const unread = useQuery(notificationQueries.unread(user.id)).data?.unread ?? 0;
  const markAll = useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: () => invalidateInbox(user.id),
    onError: (error) => void message.error(describeError(error)),
  });

  return (
    <Drawer
      open={open}
      onClose={onClose}
      placement="right"
      size={wide ? 420 : '100%'}
      // Mounted only while open, so each opening asks for the newest messages.
      destroyOnHidden
      title={t('notifications.inbox')}
      extra={
        <Button size="small" disabled={unread === 0} loading={markAll.isPending} onClick={() => markAll.mutate()} data-testid="mark-all-read">
          {t('notifications.markAllRead')}
        </Button>
      }
      styles={{ body: { padding: 0 } }}
    >
      <InboxList user={user} onFollow={onClose} />
    </Drawer>
  );
}

function InboxList({ user, onFollow }: { user: CurrentUser; onFollow: () => void }) {
  const { t } = useTranslation();
  const inbox = useInfiniteQuery({ ...notificationQueries.inbox(user.id), staleTime: 0 });
  const items = inbox.data?.pages.flatMap((page) => page.items) ?? [];
  if (inbox.error) {
    return <Alert type="error" showIcon style={{ margin: 16 }} title={describeError(inbox.error)} action={<Button onClick={() => void inbox.refetch()}>{t('errors.retry')}</Button>} />;
  }
  if (inbox.isPending) return <Skeleton active style={{ padding: 16 }} />;
  if (!items.length) return <Empty description={t('notifications.empty')} style={{ marginTop: 48 }} />;
  return (
    <Flex vertical data-testid="inbox">
      {items.map((item) => (
        <InboxEntry key={item.id} item={item} user={user} onFollow={onFollow} />
      ))}
      {inbox.hasNextPage ? (
        <Button type="link" onClick={() => void inbox.fetchNextPage()} loading={inbox.isFetchingNextPage} style={{ margin: 8 }}>
          {t('notifications.older')}
        </Button>
      ) : null}
    </Flex>
  );
}

function InboxEntry({ item, user, onFollow }: { item: InboxItem; user: CurrentUser; onFollow: () => void }) {
  const { t, i18n } = useTranslation();
  const { token } = theme.useToken();
  const markRead = useMutation({ mutationFn: () => markNotificationRead(item.id), onSuccess: () => invalidateInbox(user.id) });
  const unread = item.readAt === null;
  // A link to a page this person's role does not have (a resident's page in a staff member's inbox) is not offered.
  const linkPath = item.link.split('?')[0] ?? item.link;
  const followable = navItemAt(navigationFor(user.role), linkPath) !== undefined;
  const open = () => {
    if (unread && !markRead.isPending) markRead.mutate();
  };

  return (
    <article
      data-testid="inbox-item"
      data-unread={unread}
      data-kind={item.kind}
      aria-label={item.subject}
      onClick={open}
      style={{
        padding: `${token.paddingSM}px ${token.padding}px`,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        background: unread ? token.colorPrimaryBg : undefined,
        cursor: unread ? 'pointer' : undefined,
      }}
    >
      <Flex gap="small" align="baseline">
        <span
          {...(unread ? { role: 'img', 'aria-label': t('notifications.unread') } : { 'aria-hidden': true })}
          style={{ flex: 'none', width: 8, height: 8, borderRadius: 4, background: unread ? token.colorPrimary : 'transparent', transform: 'translateY(-1px)' }}
        />
        <Flex vertical gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Typography.Text strong={unread}>{item.subject}</Typography.Text>
          {item.lines.map((line, index) => (
            <Typography.Text key={index} type="secondary" style={{ fontSize: token.fontSizeSM }}>
              {line}
            </Typography.Text>
          ))}
          <Flex justify="space-between" align="center" gap="small" wrap style={{ marginTop: 4 }}>
            <Typography.Text type="secondary" style={{ fontSize: token.fontSizeSM }}>
              <time dateTime={item.createdAt}>{formatReceivedAt(item.createdAt, i18n.language)}</time>
            </Typography.Text>
            <Flex gap="small" align="center">
              {unread ? (
                <Button
                  type="text"
                  size="small"
                  onClick={(event) => {
                    event.stopPropagation();
                    open();
                  }}
                >
                  {t('notifications.markRead')}
                </Button>
              ) : null}
              {followable ? (
                <Typography.Link
                  href={item.link}
                  data-testid="inbox-link"
                  onClick={(event) => {
                    event.stopPropagation();
                    open();
                    followLink(event, item.link);
                    if (event.defaultPrevented) onFollow();
                  }}
                >
                  {item.actionLabel}
                </Typography.Link>
              ) : null}
            </Flex>
          </Flex>
        </Flex>
      </Flex>
    </article>
  );
}
