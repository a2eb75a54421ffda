/**
 * The front desk's reads: residents found by name or phone, a site as its staff (or a resident at its door) may
 * reach it, and the bookings a check-in could be meant for (by the code at the desk, by the resident at the door).
 */
import { type Database, schema } from '@linli/db';
import { MAX_BOOKING_MS } from '@linli/domain';
import { type SQL, and, asc, desc, eq, gt, ilike, inArray, isNull, like, lt, or } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../../plugins/access.ts';
import { notFound } from '../../lib/app-error.ts';
import { containing } from '../../lib/sql.ts';
import type { BookingRow } from '../claims/space-context.ts';

const { bookings, sites, users } = schema;
const homeSites = alias(sites, 'home_site');

export interface ResidentMatch {
  id: string;
  displayName: string;
  phone: string | null;
  email: string | null;
  homeSiteId: string | null;
  homeSiteName: string | null;
}

/** Residents of the organization (active accounts) whose name contains `q`, or whose phone contains its 4+ digits. */
export async function findResidentMatches(db: Database, orgId: string, q: string, limit: number): Promise<ResidentMatch[]> {
  const matches: SQL[] = [ilike(users.displayName, containing(q))];
  const digits = q.replace(/[\s-]/g, '').replace(/^\+/, '');
  if (/^\d{4,}$/.test(digits)) matches.push(like(users.phone, containing(digits.replace(/^86(?=1\d{10}$)/, ''))));
  return db
    .select({
      id: users.id,
      displayName: users.displayName,
      phone: users.phone,
      email: users.email,
      homeSiteId: users.homeSiteId,
      homeSiteName: homeSites.name,
    })
    .from(users)
    .leftJoin(homeSites, eq(homeSites.id, users.homeSiteId))
    .where(and(eq(users.orgId, orgId), eq(users.role, 'resident'), isNull(users.disabledAt), or(...matches)))
    .orderBy(asc(users.displayName), asc(users.id))
    .limit(limit);
}

export type SiteRow = typeof sites.$inferSelect;

/**
 * A site the actor works at (staff and managers), or any site of the organization (org admins, and residents at its
 * door). Another site's staff get 404, as if it did not exist.
 */
export async function findReachableSite(db: Database, actor: Actor, siteId: string): Promise<SiteRow> {
  const [site] = await db
    .select()
    .from(sites)
    .where(and(eq(sites.id, siteId), eq(sites.orgId, actor.orgId)));
  if (!site) throw notFound('Site');
  if ((actor.role === 'site_manager' || actor.role === 'staff') && !actor.siteIds.includes(site.id)) throw notFound('Site');
  return site;
}

/**
 * The site's bookings carrying this check-in code, newest first (codes are short, so one may come round again over
 * the years; the (site_id, check_in_code) index keeps this a handful of rows).
 */
export async function findBookingsByCode(db: Database, siteId: string, code: string): Promise<BookingRow[]> {
  return db
    .select()
    .from(bookings)
    .where(and(eq(bookings.siteId, siteId), eq(bookings.checkInCode, code.toUpperCase())))
    .orderBy(desc(bookings.startAt))
    .limit(20);
}

/**
 * The resident's bookings at the site that could be checked in around now: confirmed or already checked in,
 * starting within a day either side (no booking lasts longer, and check-in opens minutes before the start).
 */
export async function findResidentBookingsNear(db: Database, actor: Actor, siteId: string, now: Date): Promise<BookingRow[]> {
  return db
    .select()
    .from(bookings)
    .where(
      and(
        eq(bookings.orgId, actor.orgId),
        eq(bookings.bookerId, actor.userId),
        eq(bookings.siteId, siteId),
        inArray(bookings.status, ['confirmed', 'checked_in']),
        gt(bookings.startAt, new Date(now.getTime() - MAX_BOOKING_MS)),
        lt(bookings.startAt, new Date(now.getTime() + MAX_BOOKING_MS)),
      ),
    )
    .orderBy(asc(bookings.startAt))
    .limit(20);
}
