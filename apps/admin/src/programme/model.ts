/** What the programme screens show for one session: the session, its activity, where and when in the site's zone. */
import type { ActivityCategory, ActivitySession, ActivityWithSessions } from '@linli/contracts';
import { type Portfolio, zoneOf } from '../spaces/portfolio.ts';
import { localDateOf } from '../time/zoned.ts';

export type RowStatus = ActivityWithSessions['status'];

export interface SessionRow {
  session: ActivitySession;
  activity: ActivityWithSessions;
  zone: string;
  siteName: string;
  spaceName: string;
  /** The session's date in its site's zone. */
  localDate: string;
  /** A cancelled session counts as cancelled whatever its activity's state. */
  status: RowStatus;
  /** Places held by registrations, when known (published sessions); null otherwise. */
  held: number | null;
}

/** The rows need the portfolio: a session's date and times are read in its site's zone, which the portfolio names. */
export function rowsOf(activities: ActivityWithSessions[], portfolio: Portfolio, placesLeft: Map<string, number>): SessionRow[] {
  const rows: SessionRow[] = [];
  const now = Date.now();
  for (const activity of activities) {
    for (const session of activity.sessions) {
      const site = portfolio.siteById.get(session.siteId);
      // A site archived since is not in the portfolio: the organization's zone is the best guess left.
      const zone = zoneOf(portfolio, session.siteId) ?? portfolio.organizationZone;
      const left = placesLeft.get(session.id);
      rows.push({
        session,
        activity,
        zone,
        siteName: site?.name ?? '',
        spaceName: portfolio.spaceById.get(session.spaceId)?.name ?? '',
        localDate: localDateOf(Date.parse(session.startAt), zone),
        status: session.status === 'cancelled' ? 'cancelled' : activity.status,
        // The programme's places left count places still held, which a session that has ended no longer has.
        held: activity.status === 'draft' ? 0 : left !== undefined && Date.parse(session.endAt) > now ? session.places - left : null,
      });
    }
  }
  return rows.sort((a, b) => a.session.startAt.localeCompare(b.session.startAt));
}

/** The activity's title in the UI language when it has one. */
export function titleOf(activity: { title: string; titleEn: string | null }, language: string): string {
  return language.startsWith('en') && activity.titleEn ? activity.titleEn : activity.title;
}

export function categoryName(categories: ActivityCategory[] | undefined, slug: string, language: string): string {
  const category = categories?.find((c) => c.slug === slug);
  if (!category) return slug;
  return language.startsWith('en') ? category.nameEn : category.nameZh;
}

export const STATUS_COLORS: Record<RowStatus, string> = { draft: 'default', published: 'green', completed: 'blue', cancelled: 'red' };
