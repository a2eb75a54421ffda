/**
 * Server state for the app's pages: TanStack Query fetches, caches and invalidates; pages ask for data by key
 * instead of keeping module caches and busy flags. New pages use it; older pages move over as they are touched.
 */
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './client.ts';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // The desk reloads on focus anyway; 30 s keeps tab switches from refetching every list.
      staleTime: 30_000,
      // A refusal (4xx) will not change by asking again; a network blip might.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});
