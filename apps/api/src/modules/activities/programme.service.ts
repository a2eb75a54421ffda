/**
 * Calendars of activities: the public programme (JSON and iCalendar) of published sessions with places left, and an
 * organizer's own sessions. The public answers name no person: no organizer, no registrant.
 */
import type { ActivityAudience, OrganizedSession, OrganizedSessionsQuery, Programme, ProgrammeEntry, ProgrammeQuery } from '@linli/contracts';
import { MAX_PROGRAMME_DAYS } from '@linli/contracts';
import type { Database } from '@linli/db';
import { DEFAULT_TIME_ZONE, addDaysToLocalDate, localDateOf, toZonedDateTime } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { toIso } from '../../lib/dates.ts';
import { feedText, newCalendar } from '../../lib/ical.ts';
import { findOrganizedSessions, findPlacesHeld, findProgrammeSessions } from './activities.repository.ts';
import { toSession } from './sessions.service.ts';

const DAY_MS = 86_400_000;
// Sites keep their own zones (UTC-12 to UTC+14): the query window is padded by that much, then each session is kept
// only if its local date in its own site's zone falls in [from, to].
const ZONE_PADDING_MS = 15 * 3_600_000;

/** The dates asked for, or from today (in the default zone) for MAX_PROGRAMME_DAYS days. */
export function programmeDates(query: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const span = MAX_PROGRAMME_DAYS - 1;
  if (query.from && query.to) return { from: query.from, to: query.to };
  if (query.to) return { from: addDaysToLocalDate(query.to, -span), to: query.to };
  const from = query.from ?? localDateOf(now.getTime(), DEFAULT_TIME_ZONE);
  return { from, to: addDaysToLocalDate(from, span) };
}

const paddedWindow = ({ from, to }: { from: string; to: string }) => ({
  start: new Date(Date.parse(`${from}T00:00:00Z`) - ZONE_PADDING_MS),
  end: new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS + ZONE_PADDING_MS),
});
const withinDates = (instant: Date, zone: string, dates: { from: string; to: string }) => {
  const local = localDateOf(instant.getTime(), zone);
  return local >= dates.from && local <= dates.to;
};

async function readProgramme(db: Database, query: ProgrammeQuery, now: Date): Promise<Programme & { addresses: Map<string, string | null> }> {
  const dates = programmeDates(query, now);
  const rows = (await findProgrammeSessions(db, { ...query, window: paddedWindow(dates) })).filter((r) => withinDates(r.session.startAt, r.site.timezone, dates));
  const held = await findPlacesHeld(db, rows.map((r) => r.session.id));
  const items: ProgrammeEntry[] = rows.map(({ session, activity, partnerName, site, spaceName }) => ({
    sessionId: session.id,
    activityId: session.activityId,
    title: activity.title,
    titleEn: activity.titleEn,
    description: activity.description,
    category: activity.category,
    partnerName,
    audience: activity.audience as ActivityAudience,
    siteId: session.siteId,
    siteName: site.name,
    district: site.district,
    spaceName,
    timezone: site.timezone,
    startAt: toIso(session.startAt),
    endAt: toIso(session.endAt),
    places: session.places,
    placesLeft: Math.max(0, session.places - (held.get(session.id) ?? 0)),
    registrationOpensAt: toIso(activity.registrationOpensAt),
    registrationClosesAt: toIso(activity.registrationClosesAt),
    maxPartySize: activity.maxPartySize,
    cancelCutoffMinutes: activity.cancelCutoffMinutes,
  }));
  return { ...dates, items, addresses: new Map(rows.map((r) => [r.session.id, r.site.address])) };
}

export async function getProgramme(db: Database, query: ProgrammeQuery, now: Date): Promise<Programme> {
  const { from, to, items } = await readProgramme(db, query, now);
  return { from, to, items };
}

/** The same programme as an iCalendar feed, each session in its site's zone. */
export async function renderProgrammeFeed(db: Database, query: ProgrammeQuery, now: Date): Promise<string> {
  const { items, addresses } = await readProgramme(db, query, now);
  const calendar = newCalendar('邻里 Linli · 活动 Activities');
  for (const item of items) {
    calendar.createEvent({
      id: `${item.sessionId}@linli`,
      start: toZonedDateTime(new Date(item.startAt), item.timezone),
      end: toZonedDateTime(new Date(item.endAt), item.timezone),
      timezone: item.timezone,
      summary: feedText(item.titleEn ? `${item.title} · ${item.titleEn}` : item.title),
      location: feedText(`${item.siteName} · ${item.spaceName}${addresses.get(item.sessionId) ? ` · ${addresses.get(item.sessionId)}` : ''}`),
      description: feedText([item.description, `余位 Places left: ${item.placesLeft}/${item.places}`].filter(Boolean).join('\n')),
      stamp: now,
    });
  }
  return calendar.toString();
}

/** GET /me/organized-sessions: the caller's sessions as organizer, with places taken. */
export async function listOrganizedSessions(db: Database, actor: Actor, query: OrganizedSessionsQuery, now: Date): Promise<OrganizedSession[]> {
  const dates = programmeDates(query, now);
  const rows = await findOrganizedSessions(db, { orgId: actor.orgId, userId: actor.userId, window: paddedWindow(dates) });
  const held = await findPlacesHeld(db, rows.map((r) => r.session.id));
  return rows.map(({ session, title, activityStatus }) => ({
    ...toSession(session),
    title,
    activityStatus: activityStatus as OrganizedSession['activityStatus'],
    placesTaken: held.get(session.id) ?? 0,
  }));
}
