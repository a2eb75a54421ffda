import type { CalendarFeed } from '@linli/contracts';
import { apiRequest } from '../api/client.ts';

/** A new private .ics link for the signed-in person; the previous link stops working. */
export function createCalendarFeed(): Promise<CalendarFeed> {
  return apiRequest<CalendarFeed>('POST', '/api/v1/me/calendar-feed', {});
}
