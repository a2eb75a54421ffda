import type {
  Booking,
  BookingCheck,
  BookingEvent,
  CheckInBody,
  CreateBookingBody,
  CreateWaitlistBody,
  SiteSchedule,
  UpdateBookingBody,
  WaitlistEntry,
} from '@linli/contracts';
import { apiRequest, queryString } from '../api/client.ts';

export type BookingWithHistory = Booking & { events: BookingEvent[] };

export interface BookingPage {
  items: Booking[];
  nextCursor: string | null;
}

export interface BookingFilter {
  siteId?: string;
  spaceId?: string;
  status?: readonly Booking['status'][];
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export function listBookings(filter: BookingFilter, signal?: AbortSignal): Promise<BookingPage> {
  const { status, ...rest } = filter;
  return apiRequest<BookingPage>('GET', `/api/v1/bookings${queryString({ ...rest, status: status?.join(',') })}`, { signal });
}

/** Every page of a filter (the API's pages are at most 200); for one site's day or week that is a few pages. */
export async function listAllBookings(filter: BookingFilter, signal?: AbortSignal): Promise<Booking[]> {
  const items: Booking[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const result = await listBookings({ limit: 200, ...filter, ...(cursor ? { cursor } : {}) }, signal);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export function getBooking(id: string, signal?: AbortSignal): Promise<BookingWithHistory> {
  return apiRequest<BookingWithHistory>('GET', `/api/v1/bookings/${id}`, { signal });
}

/** The key makes a retried submit (a double tap, a lost answer) book once. */
export function createBooking(body: CreateBookingBody, idempotencyKey: string): Promise<Booking> {
  return apiRequest<Booking>('POST', '/api/v1/bookings', { body, headers: { 'Idempotency-Key': idempotencyKey } });
}

/** Whether a booking would be accepted now, judged as POST /bookings judges it; writes nothing. */
export function checkBooking(body: CreateBookingBody, signal?: AbortSignal): Promise<BookingCheck> {
  return apiRequest<BookingCheck>('POST', '/api/v1/bookings/check', { body, signal });
}

export function updateBooking(booking: Pick<Booking, 'id' | 'version'>, body: UpdateBookingBody): Promise<Booking> {
  return apiRequest<Booking>('PATCH', `/api/v1/bookings/${booking.id}`, { body, headers: { 'If-Match': `"${booking.version}"` } });
}

export function cancelBooking(booking: Pick<Booking, 'id' | 'version'>, reason?: string): Promise<Booking> {
  return apiRequest<Booking>('POST', `/api/v1/bookings/${booking.id}/cancel`, {
    body: reason ? { reason } : {},
    headers: { 'If-Match': `"${booking.version}"` },
  });
}

export function approveBooking(booking: Pick<Booking, 'id' | 'version'>): Promise<Booking> {
  return apiRequest<Booking>('POST', `/api/v1/bookings/${booking.id}/approve`, { headers: { 'If-Match': `"${booking.version}"` } });
}

export function rejectBooking(booking: Pick<Booking, 'id' | 'version'>, reason: string): Promise<Booking> {
  return apiRequest<Booking>('POST', `/api/v1/bookings/${booking.id}/reject`, {
    body: { reason },
    headers: { 'If-Match': `"${booking.version}"` },
  });
}

export function checkInBooking(id: string, body: CheckInBody = {}): Promise<Booking> {
  return apiRequest<Booking>('POST', `/api/v1/bookings/${id}/check-in`, { body });
}

export function acceptOffer(id: string): Promise<Booking> {
  return apiRequest<Booking>('POST', `/api/v1/bookings/${id}/accept-offer`, {});
}

export function getSiteSchedule(siteId: string, date: string, days: number, signal?: AbortSignal): Promise<SiteSchedule> {
  return apiRequest<SiteSchedule>('GET', `/api/v1/sites/${siteId}/schedule${queryString({ date, days })}`, { signal });
}

export function joinWaitlist(body: CreateWaitlistBody): Promise<WaitlistEntry> {
  return apiRequest<WaitlistEntry>('POST', '/api/v1/waitlist', { body });
}

export function listMyWaitlist(signal?: AbortSignal): Promise<{ items: WaitlistEntry[] }> {
  return apiRequest<{ items: WaitlistEntry[] }>('GET', '/api/v1/me/waitlist', { signal });
}

export function leaveWaitlist(id: string): Promise<WaitlistEntry> {
  return apiRequest<WaitlistEntry>('POST', `/api/v1/waitlist/${id}/leave`, {});
}

/** Statuses that hold the space: the claims engine's one definition. */
export { HOLDING_STATUSES } from '@linli/domain';
