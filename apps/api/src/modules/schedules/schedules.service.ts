/** A site's schedule for the operator timeline: its spaces, their bookings, when it is open, and its closures. */
import type { SiteSchedule, SiteScheduleQuery } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { MAX_BOOKING_MS, addDaysToLocalDate, localDayRange, openRanges } from '@linli/domain';
import { and, asc, eq, gt, inArray, lt } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { BOOKING_FIELDS, toBooking } from '../bookings/booking-context.ts';
import { readCatalogue } from '../catalogue/catalogue.ts';
import { findVisibleSiteIn, toSite } from '../sites/sites.service.ts';
import { toSpace } from '../spaces/spaces.service.ts';

const { bookings } = schema;
/** Cancelled, rejected and expired bookings are history, not part of the day's plan. */
const SHOWN_ON_SCHEDULE = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'];

/** Sites, spaces and closures come from the in-memory catalogue; the bookings are the one query. */
export async function getSiteSchedule(db: Database, actor: Actor, siteId: string, query: SiteScheduleQuery): Promise<SiteSchedule> {
  const catalogue = await readCatalogue(db, actor.orgId);
  const site = findVisibleSiteIn(catalogue, actor, siteId);
  const zone = site.timezone;
  const from = localDayRange(query.date, zone).start;
  // The end of the last local day: N days are not N x 24 hours across a DST change.
  const to = localDayRange(addDaysToLocalDate(query.date, query.days - 1), zone).end;
  const siteBookings = await db
    .select(BOOKING_FIELDS)
    .from(bookings)
    .where(
      and(
        eq(bookings.siteId, site.id),
        inArray(bookings.status, SHOWN_ON_SCHEDULE),
        lt(bookings.startAt, new Date(to)),
        gt(bookings.startAt, new Date(from - MAX_BOOKING_MS)),
        gt(bookings.endAt, new Date(from)),
      ),
    )
    .orderBy(asc(bookings.startAt));
  const siteClosures = catalogue.closuresOf(site);
  const window = { start: from, end: to };
  return {
    site: toSite(site),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    spaces: (catalogue.activeSpacesBySite.get(site.id) ?? []).map(toSpace),
    bookings: siteBookings.map(toBooking),
    openRanges: openRanges(site.openingHours, zone, window, siteClosures).map((r) => ({
      startAt: new Date(r.start).toISOString(),
      endAt: new Date(r.end).toISOString(),
    })),
    closures: siteClosures
      .filter((c) => c.endDate >= query.date)
      .map((c) => ({ id: c.id, scope: c.scope as 'org' | 'district' | 'site', district: c.district, siteId: c.siteId, startDate: c.startDate, endDate: c.endDate, reason: c.reason })),
  };
}
