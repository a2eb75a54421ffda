/**
 * iCalendar (RFC 5545) feeds. Space and site feeds are public and show busy blocks only, with no names or
 * purposes; a resident's private feed lists their own bookings and is reached by a revocable secret URL.
 * Events carry the site's zone with a VTIMEZONE, so calendar apps show the wall-clock time of the site.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CalendarFeed } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { HOLDING_STATUSES, toZonedDateTime } from '@linli/domain';
import { and, asc, eq, gt, inArray, isNull, lt } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { feedText, newCalendar } from '../../lib/ical.ts';

const { bookings, spaces, sites, calendarTokens, activities, activitySessions, activityRegistrations } = schema;
// Public feeds show what holds a space; a resident's own feed also keeps what they attended.
const BUSY = [...HOLDING_STATUSES];
const MINE = [...HOLDING_STATUSES, 'completed'];
const DAY_MS = 86_400_000;
/** Feeds cover a week back and three months ahead: enough for a phone calendar, bounded for the server. */
const feedWindow = (now: Date) => ({ from: new Date(now.getTime() - 7 * DAY_MS), to: new Date(now.getTime() + 92 * DAY_MS) });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function findPublicSpace(db: Database, spaceId: string) {
  const [row] = await db
    .select({ space: spaces, site: sites })
    .from(spaces)
    .innerJoin(sites, eq(sites.id, spaces.siteId))
    .where(and(eq(spaces.id, spaceId), isNull(spaces.archivedAt), isNull(sites.archivedAt), eq(spaces.bookableBy, 'residents')));
  if (!row) throw notFound('Space');
  return row;
}

export async function renderSpaceBusyFeed(db: Database, spaceId: string, now: Date): Promise<string> {
  const { space, site } = await findPublicSpace(db, spaceId);
  const { from, to } = feedWindow(now);
  const busy = await db
    .select({ id: bookings.id, startAt: bookings.startAt, endAt: bookings.endAt })
    .from(bookings)
    .where(and(eq(bookings.spaceId, space.id), inArray(bookings.status, BUSY), lt(bookings.startAt, to), gt(bookings.endAt, from)))
    .orderBy(asc(bookings.startAt));
  const calendar = newCalendar(`${site.name} · ${space.name}`);
  for (const b of busy) {
    calendar.createEvent({ id: `${b.id}@linli`, start: toZonedDateTime(b.startAt, site.timezone), end: toZonedDateTime(b.endAt, site.timezone), timezone: site.timezone, summary: feedText(`已预约 Booked · ${space.name}`), location: feedText(site.address ?? site.name), stamp: now });
  }
  return calendar.toString();
}

export async function renderSiteBusyFeed(db: Database, siteId: string, now: Date): Promise<string> {
  const [site] = await db.select().from(sites).where(and(eq(sites.id, siteId), isNull(sites.archivedAt)));
  if (!site) throw notFound('Site');
  const { from, to } = feedWindow(now);
  const busy = await db
    .select({ id: bookings.id, startAt: bookings.startAt, endAt: bookings.endAt, spaceName: spaces.name })
    .from(bookings)
    .innerJoin(spaces, eq(spaces.id, bookings.spaceId))
    .where(
      and(
        eq(bookings.siteId, site.id),
        eq(spaces.bookableBy, 'residents'),
        inArray(bookings.status, BUSY),
        lt(bookings.startAt, to),
        gt(bookings.endAt, from),
      ),
    )
    .orderBy(asc(bookings.startAt));
  const calendar = newCalendar(site.name);
  for (const b of busy) {
    calendar.createEvent({ id: `${b.id}@linli`, start: toZonedDateTime(b.startAt, site.timezone), end: toZonedDateTime(b.endAt, site.timezone), timezone: site.timezone, summary: feedText(`已预约 Booked · ${b.spaceName}`), location: feedText(site.address ?? site.name), stamp: now });
  }
  return calendar.toString();
}

/** A new secret feed URL for the caller; any earlier one stops working. Only the hash is stored. */
export async function createCalendarFeed(db: Database, actor: Actor, now: Date): Promise<CalendarFeed> {
  const token = randomBytes(24).toString('base64url');
  await db.transaction(async (tx) => {
    await tx.update(calendarTokens).set({ revokedAt: now }).where(and(eq(calendarTokens.userId, actor.userId), isNull(calendarTokens.revokedAt)));
    await tx.insert(calendarTokens).values({ orgId: actor.orgId, userId: actor.userId, tokenHash: sha256(token), createdAt: now });
  });
  return { url: `/api/v1/calendar/feeds/${token}.ics`, createdAt: toIso(now) };
}

export async function revokeCalendarFeeds(db: Database, actor: Actor, now: Date): Promise<void> {
  await db.update(calendarTokens).set({ revokedAt: now }).where(and(eq(calendarTokens.userId, actor.userId), isNull(calendarTokens.revokedAt)));
}

export async function renderPersonalFeed(db: Database, token: string, now: Date): Promise<string> {
  const [owner] = await db
    .select({ userId: calendarTokens.userId })
    .from(calendarTokens)
    .where(and(eq(calendarTokens.tokenHash, sha256(token)), isNull(calendarTokens.revokedAt)));
  if (!owner) throw notFound('Calendar feed');
  const { from, to } = feedWindow(now);
  const mine = await db
    .select({ booking: bookings, spaceName: spaces.name, siteName: sites.name, address: sites.address, zone: sites.timezone })
    .from(bookings)
    .innerJoin(spaces, eq(spaces.id, bookings.spaceId))
    .innerJoin(sites, eq(sites.id, bookings.siteId))
    .where(and(eq(bookings.bookerId, owner.userId), inArray(bookings.status, MINE), lt(bookings.startAt, to), gt(bookings.endAt, from)))
    .orderBy(asc(bookings.startAt));
  const calendar = newCalendar('邻里 Linli · 我的预约 My bookings');
  for (const { booking, spaceName, siteName, address, zone } of mine) {
    calendar.createEvent({
      id: `${booking.id}@linli`,
      start: toZonedDateTime(booking.startAt, zone),
      end: toZonedDateTime(booking.endAt, zone),
      timezone: zone,
      summary: feedText(`${spaceName} · ${siteName}`),
      location: feedText(address ?? siteName),
      description: feedText(
        [booking.purpose, booking.status === 'pending' ? '待审批 Pending approval' : null, `签到码 Check-in code: ${booking.checkInCode}`]
          .filter(Boolean)
          .join('\n'),
      ),
      stamp: now,
    });
  }
  // My activities: the sessions I hold a place in (a held offer included), with the session's room and site.
  const registered = await db
    .select({ registration: activityRegistrations, session: activitySessions, title: activities.title, titleEn: activities.titleEn, spaceName: spaces.name, siteName: sites.name, address: sites.address, zone: sites.timezone })
    .from(activityRegistrations)
    .innerJoin(activitySessions, eq(activitySessions.id, activityRegistrations.sessionId))
    .innerJoin(activities, eq(activities.id, activityRegistrations.activityId))
    .innerJoin(spaces, eq(spaces.id, activitySessions.spaceId))
    .innerJoin(sites, eq(sites.id, activitySessions.siteId))
    .where(
      and(
        eq(activityRegistrations.userId, owner.userId),
        inArray(activityRegistrations.status, MINE),
        eq(activitySessions.status, 'scheduled'),
        lt(activitySessions.startAt, to),
        gt(activitySessions.endAt, from),
      ),
    )
    .orderBy(asc(activitySessions.startAt));
  for (const { registration, session, title, titleEn, spaceName, siteName, address, zone } of registered) {
    calendar.createEvent({
      id: `${registration.id}@linli`,
      start: toZonedDateTime(session.startAt, zone),
      end: toZonedDateTime(session.endAt, zone),
      timezone: zone,
      summary: feedText(titleEn ? `${title} ${titleEn}` : title),
      location: feedText(`${spaceName} · ${siteName}${address ? ` · ${address}` : ''}`),
      description: feedText(
        [`活动 Activity · ${registration.partySize} 人 people`, registration.status === 'pending' ? '候补名额待确认 Waitlist offer to accept' : null, `签到码 Check-in code: ${registration.checkInCode}`]
          .filter(Boolean)
          .join('\n'),
      ),
      stamp: now,
    });
  }
  return calendar.toString();
}
