import type { Booking, CancelSeriesBody, CreateSeriesBody, SeriesChangeResult, SeriesResult, UpdateSeriesBody } from '@linli/contracts';
import { apiRequest } from '../api/client.ts';

/** With `dryRun: true` nothing is written: every occurrence comes back with whether it can be booked. */
export function createSeries(body: CreateSeriesBody): Promise<SeriesResult> {
  return apiRequest<SeriesResult>('POST', '/api/v1/series', { body });
}

/** Cancels one occurrence, it and the following ones, or all upcoming ones of a series. */
export function cancelSeries(seriesId: string, body: CancelSeriesBody): Promise<{ cancelled: Booking[] }> {
  return apiRequest<{ cancelled: Booking[] }>('POST', `/api/v1/series/${seriesId}/cancel`, { body });
}

/** Moves the chosen occurrences to another local start time or length; occurrences that cannot move are reported. */
export function updateSeries(seriesId: string, body: UpdateSeriesBody): Promise<SeriesChangeResult> {
  return apiRequest<SeriesChangeResult>('PATCH', `/api/v1/series/${seriesId}`, { body });
}
