/**
 * The front desk (issue #14): finding the resident staff book for, checking a booking in at the desk by the code on
 * the resident's QR code, and the kiosk at the door whose rotating QR code residents scan to check themselves in.
 * Every check-in goes through the bookings lifecycle's one check-in transition; this module only finds which
 * booking is meant and says clearly why none can be checked in.
 */
import type { Booking, KioskToken, PersonMatch } from '@linli/contracts';
import { checkInWindow } from '@linli/domain';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';
import type { AppDeps } from '../../lib/context.ts';
import { type Catalogue, readCatalogue } from '../catalogue/catalogue.ts';
import { maskEmail, maskPhone, noShowMinutesOf } from '../claims/booking-answers.ts';
import { type CheckInPlace, checkInBooking, checkInNotOpen } from '../bookings/lifecycle.service.ts';
import { type BookingRow, checkInTimesOf } from '../claims/space-context.ts';
import { findBookingsByCode, findReachableSite, findResidentBookingsNear, findResidentMatches } from './front-desk.repository.ts';
import { KIOSK_TOKEN_PERIOD_SECONDS, issueKioskToken, kioskCheckInUrl, verifyKioskToken } from './kiosk-tokens.ts';

/**
 * Residents matching a name or phone digits, masked. Staff search the whole organization, not only residents whose
 * home is their site: a resident may book at any site, so the desk may serve anyone who walks up to it.
 */
export async function searchPeople(deps: AppDeps, actor: Actor, q: string, limit: number): Promise<PersonMatch[]> {
  const matches = await findResidentMatches(deps.db, actor.orgId, q, limit);
  return matches.map((m) => ({
    id: m.id,
    displayName: m.displayName,
    maskedPhone: maskPhone(m.phone),
    maskedEmail: maskEmail(m.email),
    homeSiteId: m.homeSiteId,
    homeSiteName: m.homeSiteName,
  }));
}

/**
 * Of the bookings a check-in could mean, the one to check in: a confirmed one whose window is open now (the
 * soonest to start). If there is none, the clearest refusal: not open yet (when it opens), already checked in, the
 * window has closed, or the booking is in a state that cannot be checked in. Null when there are no candidates.
 */
export function chooseBookingToCheckIn(candidates: readonly BookingRow[], now: Date, catalogue: Catalogue): BookingRow | AppError | null {
  if (candidates.length === 0) return null;
  const judged = candidates.map((row) => {
    const noShowAfterMinutes = noShowMinutesOf(catalogue, row.spaceId) ?? 0;
    const window = row.status === 'confirmed' ? checkInWindow({ now: now.getTime(), start: row.startAt.getTime(), end: row.endAt.getTime(), noShowAfterMinutes }) : null;
    return { row, window, times: checkInTimesOf(row, noShowAfterMinutes) };
  });
  const byStart = (a: { row: BookingRow }, b: { row: BookingRow }) => a.row.startAt.getTime() - b.row.startAt.getTime();
  const open = judged.filter((j) => j.window === 'open').sort(byStart);
  if (open.length) return open[0]!.row;
  const upcoming = judged.filter((j) => j.window === 'too_early').sort(byStart);
  if (upcoming.length) return checkInNotOpen('too_early', upcoming[0]!.times);
  const checkedIn = judged.filter((j) => j.row.status === 'checked_in').sort(byStart).reverse();
  if (checkedIn.length) return new AppError('ALREADY_CHECKED_IN', { details: { bookingId: checkedIn[0]!.row.id, checkedInAt: checkedIn[0]!.row.checkedInAt?.toISOString() ?? null } });
  const closed = judged.filter((j) => j.window === 'closed').sort(byStart).reverse();
  if (closed.length) return checkInNotOpen('closed', closed[0]!.times);
  const latest = [...judged].sort(byStart).reverse()[0]!.row;
  return new AppError('INVALID_TRANSITION', { detail: `A ${latest.status} booking cannot be checked in.`, details: { bookingId: latest.id, status: latest.status } });
}

async function checkInChosen(deps: AppDeps, actor: Actor, candidates: BookingRow[], place: CheckInPlace, none: () => AppError): Promise<Booking> {
  const choice = chooseBookingToCheckIn(candidates, deps.now(), await readCatalogue(deps.db, actor.orgId));
  if (choice === null) throw none();
  if (choice instanceof AppError) throw choice;
  // The lifecycle judges it again under the space lock: someone may have checked it in a moment ago.
  return checkInBooking(deps, actor, choice.id, choice.checkInCode ?? undefined, place);
}

/** POST /sites/:id/check-in: staff of the site check in the booking whose code the resident shows (or reads out). */
export async function checkInByCode(deps: AppDeps, actor: Actor, siteId: string, code: string): Promise<Booking> {
  const site = await findReachableSite(deps.db, actor, siteId);
  const candidates = await findBookingsByCode(deps.db, site.id, code.trim());
  return checkInChosen(deps, actor, candidates, 'desk', () => new AppError('CHECK_IN_CODE_UNKNOWN', { details: { code: code.trim().toUpperCase() } }));
}

/** GET /sites/:id/kiosk: the token the door's screen shows as a QR code, and the URL it encodes. */
export async function getKioskToken(deps: AppDeps, actor: Actor, siteId: string, appBaseUrl: string): Promise<KioskToken> {
  const site = await findReachableSite(deps.db, actor, siteId);
  const issued = issueKioskToken(deps.config.JWT_SECRET, site.id, deps.now());
  return {
    siteId: site.id,
    siteName: site.name,
    timezone: site.timezone,
    token: issued.token,
    checkInUrl: kioskCheckInUrl(appBaseUrl, site.id, issued.token),
    expiresAt: issued.expiresAt.toISOString(),
    rotatesEverySeconds: KIOSK_TOKEN_PERIOD_SECONDS,
  };
}

/**
 * POST /sites/:id/kiosk/check-in: a resident who scanned the door's code checks in their own booking here whose
 * window is open now. The token stands in for the booking's code: it proves they are at the door.
 */
export async function checkInAtKiosk(deps: AppDeps, actor: Actor, siteId: string, token: string): Promise<Booking> {
  const site = await findReachableSite(deps.db, actor, siteId);
  const verdict = verifyKioskToken(deps.config.JWT_SECRET, site.id, token, deps.now());
  if (verdict === 'expired') throw new AppError('KIOSK_TOKEN_EXPIRED');
  if (verdict === 'invalid') throw new AppError('KIOSK_TOKEN_INVALID');
  const candidates = await findResidentBookingsNear(deps.db, actor, site.id, deps.now());
  return checkInChosen(deps, actor, candidates, 'kiosk', () => new AppError('NO_BOOKING_TO_CHECK_IN'));
}
