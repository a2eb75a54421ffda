/**
 * Bookings through the typed client (openapi-fetch, typed from the server's OpenAPI document): the requests, and
 * the TanStack Query keys and options the pages share. Every key starts with 'bookings', so one invalidation after
 * a change refreshes the drawer, Today, Approvals and the bookings list together.
 */
import type {
  Booking,
  BookingCheck,
  BookingEvent,
  CheckInBody,
  CreateBookingBody,
  CreateWaitlistBody,
  KioskToken,
  PersonMatch,
  SiteSchedule,
  UpdateBookingBody,
  WaitlistEntry,
} from '@linli/contracts';
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

export type BookingWithHistory = Booking & { events: BookingEvent[] };

export interface BookingPage {
  items: Booking[];
  nextCursor: string | null;
}

export const BOOKING_SORTS = ['startAt', '-startAt', 'createdAt', '-createdAt'] as const;
export type BookingSort = (typeof BOOKING_SORTS)[number];
export type BookingSource = 'resident' | 'staff' | 'activity' | 'series' | 'waitlist';

export interface BookingFilter {
  siteId?: string;
  spaceId?: string;
  bookerId?: string;
  /** Part of the booker's name, phone digits, or a check-in code. */
  q?: string;
  status?: readonly Booking['status'][];
  source?: readonly BookingSource[];
  sort?: BookingSort;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** The filter as the API's query: lists travel comma-separated, empty values are left out. */
function bookingQuery(filter: BookingFilter) {
  const { status, source, q, ...rest } = filter;
  return {
    ...rest,
    ...(status?.length ? { status: status.join(',') } : {}),
    ...(source?.length ? { source: source.join(',') } : {}),
    ...(q?.trim() ? { q: q.trim() } : {}),
  };
}

export async function listBookings(filter: BookingFilter, signal?: AbortSignal): Promise<BookingPage> {
  return data(api.GET('/api/v1/bookings', { params: { query: bookingQuery(filter) }, signal })) as Promise<BookingPage>;
}

/** Pages fetched at most by listAllBookings: 20 x 200 covers a busy portfolio's day. */
const MAX_PAGES = 20;

/** Every page of a filter (the API's pages are at most 200); for one site's day or week that is a few pages. */
export async function listAllBookings(filter: BookingFilter, signal?: AbortSignal): Promise<Booking[]> {
  const items: Booking[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await listBookings({ limit: 200, ...filter, ...(cursor ? { cursor } : {}) }, signal);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

export async function getBooking(id: string, signal?: AbortSignal): Promise<BookingWithHistory> {
  return data(api.GET('/api/v1/bookings/{id}', { params: { path: { id } }, signal })) as Promise<BookingWithHistory>;
}

/** The key makes a retried submit (a double tap, a lost answer) book once. */
export async function createBooking(body: CreateBookingBody, idempotencyKey: string): Promise<Booking> {
  return data(api.POST('/api/v1/bookings', { body, params: { header: { 'idempotency-key': idempotencyKey } } })) as Promise<Booking>;
}

/** Whether a booking would be accepted now, judged as POST /bookings judges it; writes nothing. */
export async function checkBooking(body: CreateBookingBody, signal?: AbortSignal): Promise<BookingCheck> {
  return data(api.POST('/api/v1/bookings/check', { body, signal })) as Promise<BookingCheck>;
}

const ifMatch = (booking: Pick<Booking, 'version'>) => ({ 'if-match': `"${booking.version}"` });

export async function updateBooking(booking: Pick<Booking, 'id' | 'version'>, body: UpdateBookingBody): Promise<Booking> {
  return data(api.PATCH('/api/v1/bookings/{id}', { params: { path: { id: booking.id }, header: ifMatch(booking) }, body })) as Promise<Booking>;
}

export async function cancelBooking(booking: Pick<Booking, 'id' | 'version'>, reason?: string): Promise<Booking> {
  return data(
    api.POST('/api/v1/bookings/{id}/cancel', { params: { path: { id: booking.id }, header: ifMatch(booking) }, body: reason ? { reason } : {} }),
  ) as Promise<Booking>;
}

export async function approveBooking(booking: Pick<Booking, 'id' | 'version'>): Promise<Booking> {
  return data(api.POST('/api/v1/bookings/{id}/approve', { params: { path: { id: booking.id }, header: ifMatch(booking) } })) as Promise<Booking>;
}

export async function rejectBooking(booking: Pick<Booking, 'id' | 'version'>, reason: string): Promise<Booking> {
  return data(
    api.POST('/api/v1/bookings/{id}/reject', { params: { path: { id: booking.id }, header: ifMatch(booking) }, body: { reason } }),
  ) as Promise<Booking>;
}

export async function checkInBooking(id: string, body: CheckInBody = {}): Promise<Booking> {
  return data(api.POST('/api/v1/bookings/{id}/check-in', { params: { path: { id } }, body })) as Promise<Booking>;
}

export async function acceptOffer(id: string): Promise<Booking> {
  return data(api.POST('/api/v1/bookings/{id}/accept-offer', { params: { path: { id } } })) as Promise<Booking>;
}

export async function getSiteSchedule(siteId: string, date: string, days: number, signal?: AbortSignal): Promise<SiteSchedule> {
  return data(api.GET('/api/v1/sites/{id}/schedule', { params: { path: { id: siteId }, query: { date, days } }, signal })) as Promise<SiteSchedule>;
}

export async function joinWaitlist(body: CreateWaitlistBody): Promise<WaitlistEntry> {
  return data(api.POST('/api/v1/waitlist', { body })) as Promise<WaitlistEntry>;
}

export async function listMyWaitlist(signal?: AbortSignal): Promise<{ items: WaitlistEntry[] }> {
  return data(api.GET('/api/v1/me/waitlist', { signal })) as Promise<{ items: WaitlistEntry[] }>;
}

export async function leaveWaitlist(id: string): Promise<WaitlistEntry> {
  return data(api.POST('/api/v1/waitlist/{id}/leave', { params: { path: { id } } })) as Promise<WaitlistEntry>;
}

// --- The front desk (issue #14) ---

/** Residents found by part of the name or phone digits, for staff booking on their behalf. */
export async function searchPeople(q: string, signal?: AbortSignal): Promise<PersonMatch[]> {
  const found = await data(api.GET('/api/v1/people', { params: { query: { q, limit: 20 } }, signal }));
  return found.items as PersonMatch[];
}

/** Staff check a booking in at their site by its code (typed at the desk, or read from the resident's QR code). */
export async function checkInAtSite(siteId: string, code: string): Promise<Booking> {
  return data(api.POST('/api/v1/sites/{id}/check-in', { params: { path: { id: siteId } }, body: { code } })) as Promise<Booking>;
}

/** The kiosk's current token: what its QR code encodes, and until when. */
export async function getKioskToken(siteId: string, signal?: AbortSignal): Promise<KioskToken> {
  return data(api.GET('/api/v1/sites/{id}/kiosk', { params: { path: { id: siteId } }, signal })) as Promise<KioskToken>;
}

/** The resident's phone, having scanned the kiosk: checks in their booking at this site now. */
export async function checkInAtKiosk(siteId: string, token: string): Promise<Booking> {
  return data(api.POST('/api/v1/sites/{id}/kiosk/check-in', { params: { path: { id: siteId } }, body: { token } })) as Promise<Booking>;
}

/** The list's filters as CSV, every page, headers in `lang`; kept as bytes so the BOM Excel needs survives. */
export async function exportBookingsCsv(filter: Omit<BookingFilter, 'cursor' | 'limit'>, lang: 'zh-CN' | 'en'): Promise<Blob> {
  return data(
    api.GET('/api/v1/bookings/export.csv', { params: { query: { ...bookingQuery(filter), lang } }, parseAs: 'blob', headers: { Accept: 'text/csv, application/problem+json' } }),
  ) as Promise<Blob>;
}

// --- Query keys and options ---

export const bookingKeys = {
  all: ['bookings'] as const,
  list: (filter: BookingFilter) => ['bookings', 'list', filter] as const,
  pages: (filter: BookingFilter) => ['bookings', 'pages', filter] as const,
  detail: (id: string) => ['bookings', 'detail', id] as const,
  approvals: () => ['bookings', 'approvals'] as const,
  people: (q: string) => ['people', q] as const,
  kiosk: (siteId: string) => ['kiosk', siteId] as const,
};

/** Page size of the bookings list: a screen or two. */
export const BOOKINGS_PAGE_SIZE = 50;

export const bookingQueries = {
  /** Every booking of a bounded filter (a day at some sites): for pages that group and count. */
  all: (filter: BookingFilter) => queryOptions({ queryKey: bookingKeys.list(filter), queryFn: ({ signal }) => listAllBookings(filter, signal) }),
  /** The list page: one page at a time, the next by cursor. */
  pages: (filter: BookingFilter) =>
    infiniteQueryOptions({
      queryKey: bookingKeys.pages(filter),
      queryFn: ({ signal, pageParam }) => listBookings({ ...filter, limit: BOOKINGS_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  detail: (id: string) => queryOptions({ queryKey: bookingKeys.detail(id), queryFn: ({ signal }) => getBooking(id, signal) }),
  people: (q: string) =>
    queryOptions({ queryKey: bookingKeys.people(q), queryFn: ({ signal }) => searchPeople(q, signal), enabled: q.trim().length >= 1, staleTime: 60_000 }),
};

/** After any change to a booking: every list, count and drawer showing bookings asks again. */
export function invalidateBookings(): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: bookingKeys.all });
}

/** Statuses that hold the space: the claims engine's one definition. */
export { HOLDING_STATUSES } from '@linli/domain';
