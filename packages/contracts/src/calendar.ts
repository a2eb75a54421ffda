import { z } from 'zod';

/** A private calendar feed URL for the signed-in resident; creating a new one revokes the old. */
export const CalendarFeed = z.object({ url: z.string(), createdAt: z.string() });
export type CalendarFeed = z.infer<typeof CalendarFeed>;
