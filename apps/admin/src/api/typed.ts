/**
 * The API client typed from the server's OpenAPI document (openapi.gen.ts, `npm run api:types`): paths, params,
 * bodies and answers are checked against what the server declares, so nothing is re-declared by hand.
 *
 *   const booking = await data(api.GET('/api/v1/bookings/{id}', { params: { path: { id } }, signal }));
 *
 * `data` returns the answer's body or throws the ApiError the rest of the app shows (RefusalAlert, problem toasts).
 * Use it inside TanStack Query's queryFn / mutationFn (see queryClient.ts).
 */
import createClient from 'openapi-fetch';
import { apiErrorFrom, authorizedFetch } from './client.ts';
import type { paths } from './openapi.gen.ts';

export type { paths } from './openapi.gen.ts';
export type { components } from './openapi.gen.ts';

export const api = createClient<paths>({ fetch: authorizedFetch });

interface FetchOutcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful answer, or the ApiError of a refused one (a 204 gives undefined). */
export async function data<T>(outcome: Promise<FetchOutcome<T>>): Promise<T> {
  const { data: body, error, response } = await outcome;
  if (!response.ok) throw apiErrorFrom(error, response);
  return body as T;
}
