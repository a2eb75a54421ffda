import type { CurrentUser } from '@linli/contracts';
import { useQuery } from '@tanstack/react-query';
import { lazy, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, LoadingOverlay } from '../ui/light.tsx';
import { WithAntd } from '../ui/WithAntd.tsx';
import { notificationQueries } from './notifications.api.ts';

// The inbox (an antd drawer) loads when it is first opened: the bell is on every first screen, the inbox is not.
const InboxDrawer = lazy(() => import('./InboxDrawer.tsx').then((module) => ({ default: module.InboxDrawer })));

/** The header's bell: how many messages are unread (asked every 30 s and on focus), opening the inbox. */
export function NotificationBell({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // Once opened, the drawer stays mounted so that closing it can animate.
  const [opened, setOpened] = useState(false);
  const unread = useQuery(notificationQueries.unread(user.id)).data?.unread ?? 0;
  return (
    <>
      <span className="l-bell">
        <Button
          variant="text"
          data-testid="notification-bell"
          data-unread={unread}
          aria-label={unread ? t('notifications.bellUnread', { count: unread }) : t('notifications.bell')}
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => {
            setOpened(true);
            setOpen(true);
          }}
        >
          <BellIcon />
        </Button>
        {unread ? (
          <span className="l-badge" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </span>
      {opened ? (
        <WithAntd fallback={<LoadingOverlay />}>
          <InboxDrawer user={user} open={open} onClose={() => setOpen(false)} />
        </WithAntd>
      ) : null}
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
