/** Recurring bookings through the typed client. A change books or frees rooms, so the timeline's keys are the caller's to refresh. */
import type { Booking, CancelSeriesBody, CreateSeriesBody, SeriesChangeResult, SeriesResult, UpdateSeriesBody } from '@linli/contracts';
import { api, data } from '../api/typed.ts';

/** With `dryRun: true` nothing is written: every occurrence comes back with whether it can be booked. */
export function createSeries(body: CreateSeriesBody): Promise<SeriesResult> {
  return data(api.POST('/api/v1/series', { body })) as Promise<SeriesResult>;
}

/** Cancels one occurrence, it and the following ones, or all upcoming ones of a series. */
export function cancelSeries(seriesId: string, body: CancelSeriesBody): Promise<{ cancelled: Booking[] }> {
  return data(api.POST('/api/v1/series/{id}/cancel', { params: { path: { id: seriesId } }, body })) as Promise<{ cancelled: Booking[] }>;
}

/** Moves the chosen occurrences to another local start time or length; occurrences that cannot move are reported. */
export function updateSeries(seriesId: string, body: UpdateSeriesBody): Promise<SeriesChangeResult> {
  return data(api.PATCH('/api/v1/series/{id}', { params: { path: { id: seriesId } }, body })) as Promise<SeriesChangeResult>;
}
