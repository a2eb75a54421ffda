/** A site's schedule for the operator timeline: its spaces, their bookings, when it is open, and its closures. */
import type { SiteSchedule, SiteScheduleQuery } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { MAX_BOOKING_MS, addDaysToLocalDate, localDayRange, openRanges } from '@linli/domain';
import { and, asc, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { toBooking } from '../bookings/booking-context.ts';
import { closuresAffecting } from '../closures/closures.service.ts';
import { findVisibleSite, toSite } from '../sites/sites.service.ts';
import { toSpace } from '../spaces/spaces.service.ts';

const { spaces, bookings, closures } = schema;
/** Cancelled, rejected and expired bookings are history, not part of the day's plan. */
const SHOWN_ON_SCHEDULE = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'];

export async function getSiteSchedule(db: Database, actor: Actor, siteId: string, query: SiteScheduleQuery): Promise<SiteSchedule> {
  const site = await findVisibleSite(db, actor, siteId);
  const zone = site.timezone;
  const from = localDayRange(query.date, zone).start;
  // The end of the last local day: N days are not N x 24 hours across a DST change.
  const to = localDayRange(addDaysToLocalDate(query.date, query.days - 1), zone).end;
  const [siteSpaces, siteBookings, siteClosures] = await Promise.all([
    db.select().from(spaces).where(and(eq(spaces.siteId, site.id), isNull(spaces.archivedAt))).orderBy(asc(spaces.name)),
    db
      .select()
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
      .orderBy(asc(bookings.startAt)),
    db.select().from(closures).where(and(eq(closures.orgId, actor.orgId), closuresAffecting(site))),
  ]);
  const window = { start: from, end: to };
  return {
    site: toSite(site),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    spaces: siteSpaces.map(toSpace),
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
