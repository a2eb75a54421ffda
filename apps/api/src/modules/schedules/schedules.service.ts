/** A site's schedule for the operator timeline: its spaces, their bookings, when it is open, and its closures. */
import type { ScheduleBooking, SiteSchedule, SiteScheduleQuery } from '@linli/contracts';
import { type Database, queryPrepared } from '@linli/db';
import { CONSUMING_STATUSES, MAX_BOOKING_MS, addDaysToLocalDate, localDayRange, openRanges } from '@linli/domain';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { SCHEDULE_BOOKING_COLUMNS } from '../claims/space-context.ts';
import { catalogueVersionSql, readWithCatalogue } from '../catalogue/catalogue.ts';
import { findVisibleSiteIn, toSite } from '../sites/sites.service.ts';
import { toSpace } from '../spaces/spaces.service.ts';

/** Cancelled, rejected and expired bookings are history, not part of the day's plan. */
// A schedule shows what took the space: what holds it, and what held it (completed, released as a no-show).
const SHOWN_ON_SCHEDULE = CONSUMING_STATUSES;

/**
 * Sites, spaces and closures come from the in-memory catalogue; the bookings are the one query, which also
 * confirms the catalogue snapshot is current (see readWithCatalogue).
 */
export async function getSiteSchedule(db: Database, actor: Actor, siteId: string, query: SiteScheduleQuery): Promise<SiteSchedule> {
  return readWithCatalogue(db, actor.orgId, async (catalogue) => {
    const site = findVisibleSiteIn(catalogue, actor, siteId);
    const zone = site.timezone;
    const from = localDayRange(query.date, zone).start;
    // The end of the last local day: N days are not N x 24 hours across a DST change.
    const to = localDayRange(addDaysToLocalDate(query.date, query.days - 1), zone).end;
    const rows = await queryPrepared<Partial<ScheduleBooking> & { catalogueVersion: number | null }>(
      db,
      sql`SELECT ${catalogueVersionSql(actor.orgId)} AS "catalogueVersion", ${SCHEDULE_BOOKING_COLUMNS}
          FROM (SELECT 1) AS one
          LEFT JOIN bookings b ON b.site_id = ${site.id}
            AND b.status IN (${sql.join(SHOWN_ON_SCHEDULE.map((s) => sql`${s}`), sql`, `)})
            AND b.start_at < ${new Date(to).toISOString()} AND b.start_at > ${new Date(from - MAX_BOOKING_MS).toISOString()}
            AND b.end_at > ${new Date(from).toISOString()}
          ORDER BY b.start_at`,
    );
    const siteClosures = catalogue.closuresOf(site);
    const window = { start: from, end: to };
    const schedule: SiteSchedule = {
      site: toSite(site),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      spaces: (catalogue.activeSpacesBySite.get(site.id) ?? []).map(toSpace),
      // A site with no bookings in the window still answers one row (the catalogue version), with no booking in it.
      bookings: rows.filter((r) => r.id) as ScheduleBooking[],
      openRanges: openRanges(site.openingHours, zone, window, siteClosures).map((r) => ({
        startAt: new Date(r.start).toISOString(),
        endAt: new Date(r.end).toISOString(),
      })),
      closures: siteClosures
        .filter((c) => c.endDate >= query.date)
        .map((c) => ({ id: c.id, scope: c.scope as 'org' | 'district' | 'site', district: c.district, siteId: c.siteId, startDate: c.startDate, endDate: c.endDate, reason: c.reason })),
    };
    return { result: schedule, version: rows[0]?.catalogueVersion ?? null };
  });
}
