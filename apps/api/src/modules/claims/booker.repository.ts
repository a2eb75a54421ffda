/**
 * Reading who a booking is for, for answers: the booker's columns joined onto bookings (BOOKER_COLUMNS with the
 * `bookerHomeSites` alias), or read by id when an answer is built from a row just written. Shared by every module
 * that answers bookings (bookings, series, front desk), so each answers with the same identity rules
 * (booking-answers.ts).
 */
import type { Booking } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { and, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../../plugins/access.ts';
import { type BookerColumns, NO_BOOKER, answerBookings } from './booking-answers.ts';
import { AppError } from '../../lib/app-error.ts';
import type { BookingRow } from './space-context.ts';

const { users, sites } = schema;
type Db = Database | Transaction;

/** The booker's home site, joined under its own name (a booking query may join the booking's site as well). */
export const bookerHomeSites = alias(sites, 'booker_home_site');

/** The booker's columns, for a query that left-joins `users` on the booker and `bookerHomeSites` on their home site. */
export const BOOKER_COLUMNS = {
  bookerName: users.displayName,
  bookerPhone: users.phone,
  bookerHomeSiteId: users.homeSiteId,
  bookerHomeSiteName: bookerHomeSites.name,
};

export type BookerWithHome = BookerColumns & { homeDistrict: string | null };

/** The columns of one person a booking may be for, by id in the organization; undefined when there is no such person. */
async function findBooker(db: Db, orgId: string, userId: string): Promise<BookerWithHome | undefined> {
  const [row] = await db
    .select({ ...BOOKER_COLUMNS, homeDistrict: bookerHomeSites.district })
    .from(users)
    .leftJoin(bookerHomeSites, eq(bookerHomeSites.id, users.homeSiteId))
    .where(and(eq(users.id, userId), eq(users.orgId, orgId)));
  return row;
}

/** The columns of one person a booking may be for (for answers built without a read-back); none for no one. */
export async function findBookerColumns(db: Db, orgId: string, userId: string | null): Promise<BookerWithHome> {
  return (userId ? await findBooker(db, orgId, userId) : undefined) ?? { ...NO_BOOKER, homeDistrict: null };
}

/** Whom a booking is for, as asked: a resident books for themselves; staff for someone (`bookerId`) or for no one. */
function requestedBooker(actor: Actor, requested: string | undefined): string | null {
  if (actor.role === 'resident') {
    if (requested && requested !== actor.userId) throw new AppError('FORBIDDEN', { detail: 'Residents book for themselves.' });
    return actor.userId;
  }
  return requested ?? null;
}

/**
 * Whom a new booking is for and their columns, in one read: the booker is checked to be in the organization by the
 * same query that reads their name and home for the answer (one round trip on the booking's path, not two).
 */
export async function resolveBookerWithColumns(db: Db, actor: Actor, requested: string | undefined): Promise<{ bookerId: string | null; booker: BookerWithHome }> {
  const bookerId = requestedBooker(actor, requested);
  if (!bookerId) return { bookerId: null, booker: { ...NO_BOOKER, homeDistrict: null } };
  const booker = await findBooker(db, actor.orgId, bookerId);
  if (!booker) throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'body.bookerId', message: 'no such user' }] });
  return { bookerId, booker };
}

/** Whom a booking is for, checked as above, when its name and home are not needed (a series, a pre-check). */
export async function resolveBooker(db: Db, actor: Actor, requested: string | undefined): Promise<string | null> {
  return (await resolveBookerWithColumns(db, actor, requested)).bookerId;
}

/** One booking row as this actor may read it (its booker read by id: one query, none for a walk-in or nobody). */
export async function answerBooking(db: Database, actor: Actor, row: BookingRow): Promise<Booking> {
  const [booking] = await answerBookingsOfOneBooker(db, actor, [row]);
  return booking!;
}

/** Rows that share one booker (a series' occurrences), answered with one read of that booker. */
export async function answerBookingsOfOneBooker(db: Database, actor: Actor, rows: readonly BookingRow[]): Promise<Booking[]> {
  const first = rows[0];
  if (!first) return [];
  const booker = first.bookerId ? await findBookerColumns(db, first.orgId, first.bookerId) : NO_BOOKER;
  return answerBookings(db, actor, rows.map((booking) => ({ booking, booker })));
}
