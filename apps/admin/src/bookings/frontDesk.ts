/** What the front-desk pages share: the sites a person works at, and what a desk scanner or keyboard hands over. */
import type { CurrentUser, Site } from '@linli/contracts';
import type { ThemeConfig } from 'antd';
import { type Portfolio, zoneOf } from '../spaces/portfolio.ts';

/** The sites a person runs: every open site for an org admin, else the ones they are assigned to. */
export function mySitesOf(user: CurrentUser | null, portfolio: Portfolio | undefined): Site[] {
  const sites = (portfolio?.sites ?? []).filter((site) => !site.archivedAt);
  if (!user || user.role === 'org_admin') return sites;
  return sites.filter((site) => user.siteIds.includes(site.id));
}

/**
 * Whatever was typed or scanned at the desk, as the code the API expects: the resident's pass encodes the code
 * itself, but a link carrying it (…?code=AB12CD) is read too; spaces dropped, upper-cased as codes are issued.
 */
export function checkInCodeOf(scannedOrTyped: string): string {
  const text = scannedOrTyped.trim();
  let code = text;
  if (/^https?:\/\//i.test(text)) {
    try {
      code = new URL(text).searchParams.get('code') ?? text;
    } catch {
      // Not a URL after all: the text itself.
    }
  }
  return code.replace(/\s+/g, '').toUpperCase();
}

/** The browser's own zone: only while the portfolio (and so the site's zone) is not read yet. */
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone a site's times are shown in: the site's, else the organization's, else (still loading) the browser's. */
export function siteZone(portfolio: Portfolio | undefined, siteId: string | null | undefined): string {
  return zoneOf(portfolio, siteId) ?? BROWSER_ZONE;
}

/**
 * antd's red and green text on white reach 3:1 and 2.3:1 (danger buttons, form errors, "checked in"); these darker
 * seeds pass 4.5:1. Wrapped around front-desk screens (a nested ConfigProvider inherits the rest of the theme).
 */
export const READABLE_STATUS_THEME: ThemeConfig = { token: { colorError: '#b91c1c', colorSuccess: '#15803d' } };
