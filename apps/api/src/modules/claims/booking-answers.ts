/**
 * How a booking is answered to the person reading it: who it is for (issue #14) shown to staff of its site, org
 * admins and the booker themselves, and to nobody else; phones and emails masked even then (the desk needs to
 * recognise a person, not to copy their number); and when check-in opens and closes, from the space's policy.
 */
import type { BookerIdentity, Booking } from '@linli/contracts';
import type { Database } from '@linli/db';
import type { Actor } from '../../plugins/access.ts';
import { type Catalogue, readCatalogue } from '../catalogue/catalogue.ts';
import { type BookingFields, toBooking } from './space-context.ts';

/** The booker's columns read with the booking (a join, never a query per booking); null where there is no booker. */
export interface BookerColumns {
  bookerName: string | null;
  bookerPhone: string | null;
  bookerHomeSiteId: string | null;
  bookerHomeSiteName: string | null;
}

export const NO_BOOKER: BookerColumns = { bookerName: null, bookerPhone: null, bookerHomeSiteId: null, bookerHomeSiteName: null };

/** A booking row with its booker's columns. */
export interface BookingView {
  booking: BookingFields;
  booker: BookerColumns;
}

/** 13900010001 -> 139****0001: enough to tell two people apart at the desk, not enough to call them. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  if (phone.length < 8) return `****${phone.slice(-2)}`;
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** li.ming@example.com -> l***@example.com. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}


/**
 * Who may see who a booking is for: org admins, staff of the booking's site, and the booker. A resident never
 * sees another resident's name or phone, even on a booking they can otherwise see (there is none today).
 */
export function mayKnowBooker(actor: Actor, booking: Pick<BookingFields, 'siteId' | 'bookerId'>): boolean {
  if (booking.bookerId !== null && booking.bookerId === actor.userId) return true;
  if (actor.role === 'org_admin') return true;
  if (actor.role === 'site_manager' || actor.role === 'staff') return actor.siteIds.includes(booking.siteId);
  return false;
}

/** The identity a booking carries: its booker's account, or the walk-in's name and phone; null for neither. */
export function bookerIdentityOf(booking: Pick<BookingFields, 'bookerId' | 'walkInName' | 'walkInPhone'>, booker: BookerColumns): BookerIdentity | null {
  if (booking.bookerId && booker.bookerName !== null) {
    return {
      userId: booking.bookerId,
      displayName: booker.bookerName,
      maskedPhone: maskPhone(booker.bookerPhone),
      homeSiteId: booker.bookerHomeSiteId,
      homeSiteName: booker.bookerHomeSiteName,
      walkIn: false,
    };
  }
  if (booking.walkInName) {
    return { userId: null, displayName: booking.walkInName, maskedPhone: maskPhone(booking.walkInPhone), homeSiteId: null, homeSiteName: null, walkIn: true };
  }
  return null;
}

/** The no-show minutes of a space's effective policy, from the organization's catalogue (undefined if unknown). */
export function noShowMinutesOf(catalogue: Catalogue, spaceId: string): number | undefined {
  const space = catalogue.spaces.get(spaceId);
  return space ? catalogue.contextOf(space).policy.values.noShowAfterMinutes : undefined;
}

/** Bookings as this actor may read them; the check-in windows come from the cached catalogue, not a query each. */
export async function answerBookings(db: Database, actor: Actor, views: readonly BookingView[]): Promise<Booking[]> {
  if (views.length === 0) return [];
  const catalogue = await readCatalogue(db, actor.orgId);
  return views.map(({ booking, booker }) => answerBookingWith(catalogue, actor, booking, booker));
}

export function answerBookingWith(catalogue: Catalogue, actor: Actor, booking: BookingFields, booker: BookerColumns): Booking {
  return toBooking(booking, {
    booker: mayKnowBooker(actor, booking) ? bookerIdentityOf(booking, booker) : null,
    noShowAfterMinutes: noShowMinutesOf(catalogue, booking.spaceId),
  });
}
