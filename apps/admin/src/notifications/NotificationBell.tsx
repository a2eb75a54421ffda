import type { CurrentUser } from '@linli/contracts';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { InboxDrawer } from './InboxDrawer.tsx';
import { notificationQueries } from './notifications.api.ts';

/** The header's bell: how many messages are unread (asked every 30 s and on focus), opening the inbox. */
export function NotificationBell({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const unread = useQuery(notificationQueries.unread(user.id)).data?.unread ?? 0;
  return (
    <>
      <Badge count={unread} size="small" overflowCount={99} offset={[-6, 6]}>
        <Button
          type="text"
          data-testid="notification-bell"
          data-unread={unread}
          aria-label={unread ? t('notifications.bellUnread', { count: unread }) : t('notifications.bell')}
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => setOpen(true)}
        >
          <BellIcon />
        </Button>
      </Badge>
      <InboxDrawer user={user} open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function BellIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" fill="currentColor">
      <path d="M9 1.5a1 1 0 0 1 1 1v.6a5 5 0 0 1 4 4.9v3.3l1.3 1.9a.8.8 0 0 1-.7 1.3H3.4a.8.8 0 0 1-.7-1.3L4 11.3V8a5 5 0 0 1 4-4.9v-.6a1 1 0 0 1 1-1Z" />
      <path d="M7 15.2h4a2 2 0 0 1-4 0Z" />
    </svg>
  );
}
