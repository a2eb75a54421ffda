import type { CalendarFeed } from '@linli/contracts';
import { api, data } from '../api/typed.ts';

/** A new private .ics link for the signed-in person; the previous link stops working. */
export async function createCalendarFeed(): Promise<CalendarFeed> {
  return data(api.POST('/api/v1/me/calendar-feed', {})) as Promise<CalendarFeed>;
}
