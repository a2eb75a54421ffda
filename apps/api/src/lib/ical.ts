/**
 * What every iCalendar (RFC 5545) feed needs: text made safe for a feed line, and a calendar whose events carry
 * their site's zone with a VTIMEZONE. Shared by the booking feeds and the activity programme.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical from 'ical-generator';

// Names and addresses may hold line breaks or other controls (written by seeds or SQL, or before input was
// checked); raw, a line break would start a property of its own in the feed.
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_EXCEPT_TAB_NEWLINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Text for the properties ical-generator escapes itself (SUMMARY, LOCATION, DESCRIPTION): breaks become \n. */
export function feedText(value: string): string {
  return value.replace(LINE_BREAK, '\n').replace(CONTROL_EXCEPT_TAB_NEWLINE, '');
}

/** RFC 5545 TEXT escaping, for the properties ical-generator writes raw (NAME, X-WR-CALNAME). */
export function escapeFeedText(value: string): string {
  return feedText(value)
    .replace(/[\\;,]/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n');
}

/**
 * The zone is set on each event, not the calendar: with a calendar zone ical-generator writes DTSTAMP as a local
 * time without `Z` (RFC 5545 wants UTC). VTIMEZONE components still come from the events' zones.
 */
export function newCalendar(name: string) {
  return ical({
    name: escapeFeedText(name),
    prodId: { company: 'linli', product: 'linli', language: 'ZH' },
    timezone: { name: null, generator: getVtimezoneComponent },
  });
}

export const ICS_CONTENT_TYPE = 'text/calendar; charset=utf-8';
