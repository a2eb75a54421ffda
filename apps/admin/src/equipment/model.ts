/** What the equipment screens share: names in the UI language, a site's zone, which steps the caller may take, refusals in words. */
import type { CurrentUser } from '@linli/contracts';
import type { LoanStatus } from '@linli/domain';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { i18n } from '../i18n/index.ts';
import { type Portfolio, getPortfolio } from '../spaces/portfolio.ts';

/** The loan's path, left to right on the board; the ends (checked, rejected, cancelled) are listed apart. */
export const BOARD_STATUSES = ['requested', 'approved', 'dispatched', 'received', 'returned'] as const satisfies readonly LoanStatus[];
export const CLOSED_STATUSES = ['checked', 'rejected', 'cancelled'] as const satisfies readonly LoanStatus[];

/** One colour per status (antd preset names, readable as tags on white). */
export const LOAN_STATUS_COLORS: Record<LoanStatus, string> = {
  requested: 'gold',
  approved: 'cyan',
  dispatched: 'blue',
  received: 'geekblue',
  returned: 'purple',
  checked: 'green',
  rejected: 'red',
  cancelled: 'default',
};

/** A type's name in the UI language. */
export function typeNameOf(type: { nameZh?: string; nameEn?: string; typeNameZh?: string; typeNameEn?: string }, language: string): string {
  const zh = type.nameZh ?? type.typeNameZh ?? '';
  const en = type.nameEn ?? type.typeNameEn ?? '';
  return language.startsWith('zh') ? zh || en : en || zh;
}

/**
 * The sites and spaces in scope, through the query cache so that every loan card on a board shares one answer
 * (the portfolio module keeps its own cache, which setup pages invalidate).
 */
export function usePortfolioQuery() {
  return useQuery({ queryKey: ['portfolio'], queryFn: () => getPortfolio() });
}

/** The browser's own zone: only for a site the portfolio does not (yet) know. */
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone a site's times are shown and entered in. */
export function zoneOfSite(portfolio: Portfolio | undefined, siteId: string | undefined): string {
  return (siteId ? portfolio?.siteById.get(siteId)?.timezone : undefined) ?? BROWSER_ZONE;
}

/** Sites the caller may borrow for: every site for an org admin, else the caller's own. */
export function borrowerSitesOf(user: CurrentUser | null, portfolio: Portfolio | undefined) {
  const sites = (portfolio?.sites ?? []).filter((site) => !site.archivedAt);
  if (!user || user.role === 'org_admin') return sites;
  return sites.filter((site) => user.siteIds.includes(site.id));
}

/** An equipment refusal in the UI's words (with its numbers), any other problem as the app describes it. */
export function describeEquipmentError(error: unknown): string {
  if (error instanceof ApiError && i18n.exists(`equipment.refusals.${error.code}`)) {
    const params = Object.fromEntries(Object.entries(error.details).filter(([, value]) => typeof value === 'number' || typeof value === 'string'));
    return i18n.t(`equipment.refusals.${error.code}` as 'equipment.refusals.EQUIPMENT_SHORTFALL', params);
  }
  return describeError(error);
}

/** Why a loan moved: the system's reasons (a cancelled booking, overdue) in words; what a person typed as it is. */
export function describeLoanReason(reason: string): string {
  const key = `equipment.loanReasons.${reason}`;
  return i18n.exists(key) ? i18n.t(key as 'equipment.loanReasons.requested') : reason;
}

export interface ShortfallLender {
  siteId: string;
  siteName: string;
  free: number;
  distanceKm: number | null;
}

/** What an EQUIPMENT_SHORTFALL refusal says could be had, or null for any other problem. */
export function shortfallOf(error: unknown): { shortfall: number; totalFree: number; lenders: ShortfallLender[] } | null {
  if (!(error instanceof ApiError) || error.code !== 'EQUIPMENT_SHORTFALL') return null;
  const { shortfall, totalFree, lenders } = error.details;
  return {
    shortfall: typeof shortfall === 'number' ? shortfall : 0,
    totalFree: typeof totalFree === 'number' ? totalFree : 0,
    lenders: Array.isArray(lenders) ? (lenders as ShortfallLender[]) : [],
  };
}

/** The page of one holding (what its QR label opens). */
export const itemPath = (holdingId: string) => `/equipment/items/${holdingId}`;
