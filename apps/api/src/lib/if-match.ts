/**
 * Optimistic concurrency for every resource with a version (bookings, activities, sessions): the client sends the
 * version it last read in `If-Match`, and a change against a newer one is refused.
 */
import { AppError } from './app-error.ts';

/** `If-Match: "3"` (or 3, or W/"3") -> 3. Missing -> 428; not a version -> 400. */
export function parseIfMatch(header: string | undefined, required: boolean): number | undefined {
  if (header === undefined || header === '') {
    if (required) throw new AppError('PRECONDITION_REQUIRED');
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new AppError('VALIDATION_FAILED', { errors: [{ path: 'headers.if-match', message: 'must be the booking version, e.g. "3"' }] });
  return Number(match[1]);
}
