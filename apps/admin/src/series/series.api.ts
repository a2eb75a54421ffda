import type { CreateSeriesBody, SeriesResult } from '@linli/contracts';
import { apiRequest } from '../api/client.ts';

/** With `dryRun: true` nothing is written: every occurrence comes back with whether it can be booked. */
export function createSeries(body: CreateSeriesBody): Promise<SeriesResult> {
  return apiRequest<SeriesResult>('POST', '/api/v1/series', { body });
}
