import type { CurrentUser } from '@linli/contracts';
import { type MouseEvent, Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queryClient } from '../api/queryClient.ts';
import { useSession } from '../auth/session.tsx';
import { LanguageSwitch } from '../i18n/LanguageSwitch.tsx';
import { NotificationBell } from '../notifications/NotificationBell.tsx';
import { followLink, navigate, usePath } from '../routing.ts';
import { Button, Empty, Spinner, useWide } from '../ui/light.tsx';
import { WithAntd, preloadAntd } from '../ui/WithAntd.tsx';
import { LoadErrorBoundary } from './LoadErrorBoundary.tsx';
import { type NavItem, navItemAt, navigationFor } from './navigation.ts';

/**
 * The signed-in frame: header, role-dependent menu (a drawer on phones), and the current page. Drawn with the light
 * kit, not antd: it is part of every first screen, a resident's phone included (docs/performance.md). Pages built
 * with antd get antd's theme around them (WithAntd), fetched together with the page's own code.
 */
export default function AppShell({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const path = usePath();
  const wide = useWide();
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

  // An antd page needs antd's frame and its own chunk: both are asked for at once, not one after the other.
  if (current && !current.light) {
    preloadAntd();
    current.Page.preload();
  }

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

  const content = current ? <current.Page title={title ?? ''} /> : path === '/' ? null : <NotFound home={home} />;
  const page = (
    <LoadErrorBoundary key={path}>
      <Suspense fallback={<Spinner />}>{current && !current.light ? <WithAntd>{content}</WithAntd> : content}</Suspense>
    </LoadErrorBoundary>
  );
  if (current?.bare) return <main style={{ minHeight: '100dvh' }}>{page}</main>;

  return (
    <div className="l-shell">
      <header className={wide ? 'l-header l-header--wide' : 'l-header'}>
        {wide ? null : (
          <Button variant="text" aria-label={t('shell.openMenu')} aria-expanded={drawerOpen} onClick={() => setDrawerOpen(true)}>
            <MenuIcon />
          </Button>
        )}
        <a href={home} onClick={(event) => followLink(event, home)} className="l-brand">
          {t('app.name')}
        </a>
        <div className="l-header-end">
          <NotificationBell user={user} />
          {wide ? <AccountControls user={user} /> : <LanguageSwitch />}
        </div>
      </header>

      <div className="l-body">
        {wide ? (
          <aside className="l-sider">{menu}</aside>
        ) : (
          <MenuDrawer open={drawerOpen} onClose={() => setDrawerOpen(false)} title={t('app.name')}>
            <AccountControls user={user} />
            {menu}
          </MenuDrawer>
        )}
        <main className={wide ? 'l-content l-content--wide' : 'l-content'}>{page}</main>
      </div>
    </div>
  );
}

/**
 * The phone's menu: a modal <dialog> at the left edge. The browser keeps focus inside it, closes it on Escape and
 * gives focus back to the menu button; a tap on the dimmed page beside it closes it too.
 */
function MenuDrawer({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: React.ReactNode }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="l-drawer"
      aria-label={title}
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop lands on the dialog element itself, outside its box.
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="l-drawer-head">
        <span className="l-strong">{title}</span>
        <Button variant="text" aria-label={t('common.close')} onClick={onClose}>
          ×
        </Button>
      </div>
      <div className="l-drawer-body">{open ? children : null}</div>
    </dialog>
  );
}

/**
 * The side menu: a list of plain links, the current one marked for eyes and for screen readers (aria-current).
 * Not antd's Menu: a resident's phone would download it (and its overflow and sub-menu machinery) on the first
 * screen, for what a list of links does as well.
 */
function NavLinks({ items, current, onFollow }: { items: readonly NavItem[]; current: NavItem | undefined; onFollow: (event: MouseEvent<HTMLAnchorElement>, item: NavItem) => void }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('shell.navigation')} className="l-nav">
      <ul>
        {items.map((item) => (
          <li key={item.path}>
            <a href={item.path} aria-current={item === current ? 'page' : undefined} onClick={(event) => onFollow(event, item)}>
              {t(`nav.${item.label}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function AccountControls({ user }: { user: CurrentUser }) {
  const { t } = useTranslation();
  const { signOut } = useSession();
  return (
    <div className="l-row">
      <span>{user.displayName}</span>
      <span className="l-tag">{t(`roles.${user.role}`)}</span>
      <LanguageSwitch />
      <Button onClick={signOut}>{t('shell.signOut')}</Button>
    </div>
  );
}

function NotFound({ home }: { home: NavItem['path'] }) {
  const { t } = useTranslation();
  return (
    <Empty>
      <p>{t('page.notFound')}</p>
      <a className="l-btn l-btn--primary" href={home} onClick={(event) => followLink(event, home)}>
        {t('page.toStart')}
      </a>
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
