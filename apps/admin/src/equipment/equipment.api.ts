/**
 * The equipment pool (issue #12) as the site team sees it: typed calls to /api/v1/equipment and the query keys
 * TanStack Query caches them under. Every key starts with 'equipment', so one invalidation after a change (a loan
 * step moves units, a check takes some out of service) refreshes every list and count that could show it.
 */
import type {
  AdjustHoldingBody,
  CreateLoanBody,
  EquipmentType,
  Holding,
  HoldingHistory,
  Loan,
  LoanDetail,
  LoanRequestResponse,
  LoanStepBody,
  PoolAvailability,
  PoolInventory,
} from '@linli/contracts';
import type { LoanStatus, LoanStep } from '@linli/domain';
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { apiRequest, queryString } from '../api/client.ts';
import { queryClient } from '../api/queryClient.ts';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PoolFilter {
  siteId?: string | undefined;
  typeId?: string | undefined;
}

export interface HoldingFilter extends PoolFilter {
  tracked?: boolean | undefined;
  q?: string | undefined;
}

export type LoanSide = 'lending' | 'borrowing' | 'all';

export interface LoanFilter extends PoolFilter {
  side?: LoanSide | undefined;
  status?: LoanStatus | undefined;
  overdue?: boolean | undefined;
  bookingId?: string | undefined;
  sessionId?: string | undefined;
}

export interface AvailabilityQuery {
  typeId: string;
  quantity: number;
  /** The destination: the site that will use the units. */
  siteId: string;
  start: string;
  end: string;
}

/** The API's largest page. */
const PAGE_SIZE = 200;
const BASE = '/api/v1/equipment';

export function listEquipmentTypes(signal?: AbortSignal): Promise<{ items: EquipmentType[] }> {
  return apiRequest('GET', `${BASE}/types`, { signal });
}

export function getPool(filter: PoolFilter, signal?: AbortSignal): Promise<PoolInventory> {
  return apiRequest('GET', `${BASE}/pool${queryString({ ...filter })}`, { signal });
}

export function listHoldings(filter: HoldingFilter, cursor: string | undefined, signal?: AbortSignal): Promise<Page<Holding>> {
  return apiRequest('GET', `${BASE}/holdings${queryString({ ...filter, cursor, limit: PAGE_SIZE })}`, { signal });
}

/** Every holding of a filter, page after page (one site's items of one type: a page or two). */
export async function listAllHoldings(filter: HoldingFilter, signal?: AbortSignal): Promise<Holding[]> {
  const items: Holding[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const result = await listHoldings(filter, cursor, signal);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

/** A change outside loans: a recount, units found damaged or missing, repaired, found again, or retired. */
export function adjustHolding(id: string, body: AdjustHoldingBody): Promise<Holding> {
  return apiRequest('POST', `${BASE}/holdings/${id}/adjustments`, { body });
}

export function getHoldingHistory(id: string, signal?: AbortSignal): Promise<HoldingHistory> {
  return apiRequest('GET', `${BASE}/holdings/${id}/history`, { signal });
}

export function getPoolAvailability(query: AvailabilityQuery, signal?: AbortSignal): Promise<PoolAvailability> {
  return apiRequest('GET', `${BASE}/availability${queryString({ ...query })}`, { signal });
}

export function requestLoan(body: CreateLoanBody): Promise<LoanRequestResponse> {
  return apiRequest('POST', `${BASE}/loans`, { body });
}

export function listLoans(filter: LoanFilter, cursor: string | undefined, signal?: AbortSignal): Promise<Page<Loan>> {
  return apiRequest('GET', `${BASE}/loans${queryString({ ...filter, cursor, limit: PAGE_SIZE })}`, { signal });
}

export function getLoan(id: string, signal?: AbortSignal): Promise<LoanDetail> {
  return apiRequest('GET', `${BASE}/loans/${id}`, { signal });
}

export function takeLoanStep(id: string, step: LoanStep, body: LoanStepBody): Promise<Loan> {
  return apiRequest('POST', `${BASE}/loans/${id}/${step}`, { body });
}

// ---- Query keys and options ----

export const equipmentKeys = {
  all: ['equipment'] as const,
  types: () => ['equipment', 'types'] as const,
  pool: (filter: PoolFilter) => ['equipment', 'pool', filter] as const,
  holdings: (filter: HoldingFilter) => ['equipment', 'holdings', filter] as const,
  allHoldings: (filter: HoldingFilter) => ['equipment', 'holdings', 'all', filter] as const,
  history: (id: string) => ['equipment', 'history', id] as const,
  availability: (query: AvailabilityQuery) => ['equipment', 'availability', query] as const,
  loans: (filter: LoanFilter) => ['equipment', 'loans', filter] as const,
  loan: (id: string) => ['equipment', 'loan', id] as const,
};

export const equipmentQueries = {
  types: () => queryOptions({ queryKey: equipmentKeys.types(), queryFn: ({ signal }) => listEquipmentTypes(signal), staleTime: 5 * 60_000 }),
  pool: (filter: PoolFilter) => queryOptions({ queryKey: equipmentKeys.pool(filter), queryFn: ({ signal }) => getPool(filter, signal) }),
  holdings: (filter: HoldingFilter) =>
    infiniteQueryOptions({
      queryKey: equipmentKeys.holdings(filter),
      queryFn: ({ signal, pageParam }) => listHoldings(filter, pageParam, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  allHoldings: (filter: HoldingFilter) => queryOptions({ queryKey: equipmentKeys.allHoldings(filter), queryFn: ({ signal }) => listAllHoldings(filter, signal) }),
  history: (id: string) => queryOptions({ queryKey: equipmentKeys.history(id), queryFn: ({ signal }) => getHoldingHistory(id, signal) }),
  availability: (query: AvailabilityQuery) =>
    queryOptions({
      queryKey: equipmentKeys.availability(query),
      queryFn: ({ signal }) => getPoolAvailability(query, signal),
      // Free units change as others borrow; the answer is only a guide until the request is made.
      staleTime: 10_000,
    }),
  loans: (filter: LoanFilter) =>
    infiniteQueryOptions({
      queryKey: equipmentKeys.loans(filter),
      queryFn: ({ signal, pageParam }) => listLoans(filter, pageParam, signal),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
  loan: (id: string) => queryOptions({ queryKey: equipmentKeys.loan(id), queryFn: ({ signal }) => getLoan(id, signal) }),
};

/** After any change to the pool or a loan: every equipment list, count and history is asked again when shown. */
export function invalidateEquipment(): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: equipmentKeys.all });
}
