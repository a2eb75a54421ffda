import type { CurrentUser } from '@linli/contracts';
import { Button, Drawer, Empty, Flex, Grid, Layout, Spin, Tag, Typography, theme } from 'antd';
import { type MouseEvent, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queryClient } from '../api/queryClient.ts';
import { useSession } from '../auth/session.tsx';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { NotificationBell } from '../notifications/NotificationBell.tsx';
import { followLink, navigate, usePath } from '../routing.ts';
import { LoadErrorBoundary } from './LoadErrorBoundary.tsx';
import { type NavItem, navItemAt, navigationFor } from './navigation.ts';

/** The signed-in frame: header, role-dependent menu (a drawer on phones), and the current page. */
export default function AppShell({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const path = usePath();
  const wide = Grid.useBreakpoint().md !== false;
  const [drawerOpen, setDrawerOpen] = useState(false);

  const items = navigationFor(user.role);
  const home = items[0].path;
  const current = navItemAt(items, path);
  const title = current ? t(`nav.${current.label}`) : undefined;

  // Cached answers are this person's: whoever signs in next on this device starts from nothing.
  useEffect(() => () => queryClient.clear(), [user.id]);

  useEffect(() => {
    if (path === '/') navigate(home, { replace: true });
  }, [path, home]);

  useEffect(() => {
    document.title = title ? `${title} · ${t('app.name')}` : t('app.name');
  }, [title, t]);

  const menu = (
    <NavLinks
      items={items.filter((item) => item.inMenu !== false)}
      current={current}
      onFollow={(event, item) => {
        followLink(event, item.path);
        setDrawerOpen(false);
      }}
    />
  );

  const page = (
    <LoadErrorBoundary key={path}>
      <Suspense fallback={<Spin style={{ display: 'block', margin: '48px auto' }} />}>
        {current ? <current.Page title={title ?? ''} /> : path === '/' ? null : <NotFound home={home} />}
      </Suspense>
    </LoadErrorBoundary>
  );
  if (current?.bare) return <main style={{ minHeight: '100dvh' }}>{page}</main>;

  return (
    <Layout style={{ minHeight: '100dvh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: token.marginSM,
          paddingInline: wide ? token.paddingLG : token.paddingSM,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
          position: 'sticky',
          top: 0,
          zIndex: 10,
        }}
      >
        {wide ? null : (
          <Button type="text" aria-label={t('shell.openMenu')} aria-expanded={drawerOpen} onClick={() => setDrawerOpen(true)}>
            <MenuIcon />
          </Button>
        )}
        <a href={home} onClick={(event) => followLink(event, home)} style={{ color: token.colorText }}>
          <Typography.Text strong style={{ fontSize: token.fontSizeLG, whiteSpace: 'nowrap' }}>
            {t('app.name')}
          </Typography.Text>
        </a>
        <Flex flex={1} justify="flex-end" align="center" gap={token.marginSM}>
          <NotificationBell user={user} />
          {wide ? <AccountControls user={user} /> : <LanguageSwitch />}
        </Flex>
      </Layout.Header>

      <Layout>
        {wide ? (
          <Layout.Sider width={208} theme="light" style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}>
            {menu}
          </Layout.Sider>
        ) : (
          <Drawer placement="left" size={280} open={drawerOpen} onClose={() => setDrawerOpen(false)} title={t('app.name')}>
            <Flex vertical gap={token.marginMD}>
              <AccountControls user={user} />
              {menu}
            </Flex>
          </Drawer>
        )}
        <Layout.Content style={{ padding: wide ? token.paddingLG : token.paddingSM, minWidth: 0 }}>
          {page}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/**
 * The side menu: a list of plain links, the current one marked for eyes and for screen readers (aria-current).
 * Not antd's Menu: a resident's phone would download it (and its overflow and sub-menu machinery) on the first
 * screen, for what a list of links does as well.
 */
function NavLinks({ items, current, onFollow }: { items: readonly NavItem[]; current: NavItem | undefined; onFollow: (event: MouseEvent<HTMLAnchorElement>, item: NavItem) => void }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const [hovered, setHovered] = useState<string | null>(null);
  return (
    <nav aria-label={t('shell.navigation')}>
      <ul style={{ listStyle: 'none', margin: 0, padding: token.paddingXXS, display: 'flex', flexDirection: 'column', gap: token.marginXXS }}>
        {items.map((item) => {
          const selected = item === current;
          return (
            <li key={item.path}>
              <a
                href={item.path}
                aria-current={selected ? 'page' : undefined}
                onClick={(event) => onFollow(event, item)}
                onMouseEnter={() => setHovered(item.path)}
                onMouseLeave={() => setHovered(null)}
                style={{
                  display: 'flex',
                  alignItems: 'center',
                  minHeight: token.controlHeightLG,
                  paddingInline: token.padding,
                  borderRadius: token.borderRadiusLG,
                  color: selected ? token.colorPrimary : token.colorText,
                  fontWeight: selected ? token.fontWeightStrong : undefined,
                  background: selected ? token.colorPrimaryBg : hovered === item.path ? token.colorBgTextHover : undefined,
                }}
              >
                {t(`nav.${item.label}`)}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function AccountControls({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const { signOut } = useSession();
  const role = t(`roles.${user.role}`);
  return (
    <Flex align="center" gap="small" wrap>
      <Typography.Text>{user.displayName}</Typography.Text>
      <Tag style={{ marginInlineEnd: 0 }}>{role}</Tag>
      <LanguageSwitch />
      <Button onClick={signOut}>{t('shell.signOut')}</Button>
    </Flex>
  );
}

function NotFound({ home }: { home: NavItem['path'] }) {
  const { t } = useTranslation();
  return (
    <Empty description={t('page.notFound')} style={{ marginTop: 48 }}>
      <Button type="primary" href={home} onClick={(event) => followLink(event, home)}>
        {t('page.toStart')}
      </Button>
    </Empty>
  );
}

function MenuIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" fill="currentColor">
      <rect x="2" y="3.5" width="14" height="1.6" rx="0.8" />
      <rect x="2" y="8.2" width="14" height="1.6" rx="0.8" />
      <rect x="2" y="12.9" width="14" height="1.6" rx="0.8" />
    </svg>
  );
}
