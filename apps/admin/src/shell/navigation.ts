/**
 * What each role sees in the side menu, and the page behind each entry. Pages load on first visit, so the
 * first screen carries none of them.
 */
import type { Role } from '@linli/contracts';
import type { CustomTypeOptions } from 'i18next';
import { type ComponentType, type LazyExoticComponent, lazy } from 'react';

import type { PageProps } from './page-props.ts';

export type { PageProps };

export interface NavItem {
  path: string;
  label: keyof CustomTypeOptions['resources']['translation']['nav'];
  roles: readonly Role[];
  Page: LazyPage;
  /** The page also answers the paths below its own (e.g. /equipment/items/:id, what a printed QR label opens). */
  ownsSubPaths?: boolean;
  /** Reached by a link or a scanned QR code, not from the menu (the resident's check-in at the door). */
  inMenu?: false;
  /** Shown without the header and menu: the kiosk screen at a site's door. */
  bare?: true;
  /**
   * Built with the light kit (ui/light.tsx), not antd: the shell does not fetch antd for it. Only the screens a
   * resident opens the app onto (booking; checking in at the door), which must load within the 200 KB budget
   * (docs/performance.md).
   */
  light?: true;
}

/** A page's component, loaded on first render, whose code can also be fetched ahead (`preload`). */
export type LazyPage = LazyExoticComponent<ComponentType<PageProps>> & { preload: () => void };

function lazyPage(load: () => Promise<{ default: ComponentType<PageProps> }>): LazyPage {
  // One fetch, however often the shell asks ahead (it does on every render of an antd page).
  let started = false;
  const preload = () => {
    if (started) return;
    started = true;
    load().catch(() => {
      started = false;
    });
  };
  return Object.assign(lazy(load), { preload });
}

const SITE_TEAM: readonly Role[] = ['org_admin', 'site_manager', 'staff'];
const EVERYONE: readonly Role[] = [...SITE_TEAM, 'resident'];

const TimelinePage = lazyPage(() => import('../timeline/TimelinePage.tsx'));
const ApprovalsPage = lazyPage(() => import('../bookings/ApprovalsPage.tsx'));
const TodayPage = lazyPage(() => import('../bookings/TodayPage.tsx'));
const AnalyticsPage = lazyPage(() => import('../analytics/AnalyticsPage.tsx'));
const SitesPage = lazyPage(() => import('../sites/SitesPage.tsx'));
const ProgrammePage = lazyPage(() => import('../programme/ProgrammePage.tsx'));
const SetupPage = lazyPage(() => import('../setup/SetupPage.tsx'));
const BookPage = lazyPage(() => import('../resident/BookPage.tsx'));
const MyBookingsPage = lazyPage(() => import('../resident/MyBookingsPage.tsx'));
const ActivitiesPage = lazyPage(() => import('../activities/ActivitiesPage.tsx'));
const EquipmentPage = lazyPage(() => import('../equipment/EquipmentPage.tsx'));
const NotificationSettingsPage = lazyPage(() => import('../notifications/NotificationSettingsPage.tsx'));
const DeliveriesPage = lazyPage(() => import('../notifications/DeliveriesPage.tsx'));
const BookingsPage = lazyPage(() => import('../bookings/BookingsPage.tsx'));
const KioskPage = lazyPage(() => import('../kiosk/KioskPage.tsx'));
const DoorCheckInPage = lazyPage(() => import('../kiosk/DoorCheckInPage.tsx'));
const UsersPage = lazyPage(() => import('../users/UsersPage.tsx'));

const NAV_ITEMS: readonly NavItem[] = [
  // The site team lands on today across their sites: what is happening, what needs them.
  { path: '/today', label: 'today', roles: SITE_TEAM, Page: TodayPage },
  { path: '/timeline', label: 'timeline', roles: SITE_TEAM, Page: TimelinePage },
  { path: '/approvals', label: 'approvals', roles: SITE_TEAM, Page: ApprovalsPage },
  { path: '/bookings', label: 'bookings', roles: SITE_TEAM, Page: BookingsPage },
  // /kiosk/<siteId>: a screen at the door showing the QR code residents scan.
  { path: '/kiosk', label: 'kiosk', roles: SITE_TEAM, Page: KioskPage, ownsSubPaths: true, bare: true },
  { path: '/analytics', label: 'analytics', roles: SITE_TEAM, Page: AnalyticsPage },
  { path: '/programme', label: 'programme', roles: SITE_TEAM, Page: ProgrammePage },
  { path: '/sites', label: 'sites', roles: SITE_TEAM, Page: SitesPage },
  { path: '/equipment', label: 'equipment', roles: SITE_TEAM, Page: EquipmentPage, ownsSubPaths: true },
  // Setting up sites, spaces and policies is the portfolio admin's work; site teams run the day.
  { path: '/setup', label: 'setup', roles: ['org_admin'], Page: SetupPage },
  { path: '/users', label: 'users', roles: ['org_admin'], Page: UsersPage },
  { path: '/book', label: 'book', roles: ['resident'], Page: BookPage, light: true },
  { path: '/my-bookings', label: 'myBookings', roles: ['resident'], Page: MyBookingsPage },
  { path: '/activities', label: 'activities', roles: ['resident'], Page: ActivitiesPage },
  // /check-in/<siteId>?t=<token>: what the kiosk's QR code opens on the resident's phone.
  { path: '/check-in', label: 'checkIn', roles: ['resident'], Page: DoorCheckInPage, ownsSubPaths: true, inMenu: false, light: true },
  // Delivery health is organization-wide, so only the org admin watches and resends.
  { path: '/notification-deliveries', label: 'deliveries', roles: ['org_admin'], Page: DeliveriesPage },
  { path: '/settings/notifications', label: 'notificationSettings', roles: EVERYONE, Page: NotificationSettingsPage },
];

/** Never empty: every role has at least one page, and the first is where '/' leads. */
export function navigationFor(role: Role): [NavItem, ...NavItem[]] {
  const items = NAV_ITEMS.filter((item) => item.roles.includes(role));
  if (!items[0]) throw new Error(`no pages for role ${role}`);
  return [items[0], ...items.slice(1)];
}

/** The entry whose page answers `path`: its own path, or a path below it when the entry owns sub-paths. */
export function navItemAt(items: readonly NavItem[], path: string): NavItem | undefined {
  return items.find((item) => item.path === path || (item.ownsSubPaths === true && path.startsWith(`${item.path}/`)));
}
