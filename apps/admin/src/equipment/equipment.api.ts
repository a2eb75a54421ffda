/**
 * The equipment pool (issue #12) as the site team sees it: calls to /api/v1/equipment through the typed client and the query keys
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
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

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
/** Pages read for "every holding of a filter": one site's items of one type are a page or two. */
const MAX_HOLDING_PAGES = 20;

/** A query as the API's document types it: unset fields left out, yes/no flags as "true" / "false". */
function queryOf<T extends Record<string, unknown>>(filter: T) {
  const entries = Object.entries(filter).filter(([, value]) => value !== undefined && value !== '');
  return Object.fromEntries(entries.map(([key, value]) => [key, typeof value === 'boolean' ? String(value) : value])) as {
    [K in keyof T]: Exclude<T[K], undefined> extends boolean ? 'true' | 'false' : Exclude<T[K], undefined>;
  };
}

export function listEquipmentTypes(signal?: AbortSignal): Promise<{ items: EquipmentType[] }> {
  return data(api.GET('/api/v1/equipment/types', { signal })) as Promise<{ items: EquipmentType[] }>;
}

export function getPool(filter: PoolFilter, signal?: AbortSignal): Promise<PoolInventory> {
  return data(api.GET('/api/v1/equipment/pool', { params: { query: queryOf({ ...filter }) }, signal })) as Promise<PoolInventory>;
}

export function listHoldings(filter: HoldingFilter, cursor: string | undefined, signal?: AbortSignal): Promise<Page<Holding>> {
  return data(api.GET('/api/v1/equipment/holdings', { params: { query: queryOf({ ...filter, cursor, limit: PAGE_SIZE }) }, signal })) as Promise<Page<Holding>>;
}

/** Every holding of a filter, page after page (one site's items of one type: a page or two). */
export async function listAllHoldings(filter: HoldingFilter, signal?: AbortSignal): Promise<Holding[]> {
  const items: Holding[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_HOLDING_PAGES; page++) {
    const result = await listHoldings(filter, cursor, signal);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}

/** A change outside loans: a recount, units found damaged or missing, repaired, found again, or retired. */
export function adjustHolding(id: string, body: AdjustHoldingBody): Promise<Holding> {
  return data(api.POST('/api/v1/equipment/holdings/{id}/adjustments', { params: { path: { id } }, body })) as Promise<Holding>;
}

export function getHoldingHistory(id: string, signal?: AbortSignal): Promise<HoldingHistory> {
  return data(api.GET('/api/v1/equipment/holdings/{id}/history', { params: { path: { id } }, signal })) as Promise<HoldingHistory>;
}

export function getPoolAvailability(query: AvailabilityQuery, signal?: AbortSignal): Promise<PoolAvailability> {
  return data(api.GET('/api/v1/equipment/availability', { params: { query }, signal })) as Promise<PoolAvailability>;
}

export function requestLoan(body: CreateLoanBody): Promise<LoanRequestResponse> {
  return data(api.POST('/api/v1/equipment/loans', { body })) as Promise<LoanRequestResponse>;
}

export function listLoans(filter: LoanFilter, cursor: string | undefined, signal?: AbortSignal): Promise<Page<Loan>> {
  return data(api.GET('/api/v1/equipment/loans', { params: { query: queryOf({ ...filter, cursor, limit: PAGE_SIZE }) }, signal })) as Promise<Page<Loan>>;
}

export function getLoan(id: string, signal?: AbortSignal): Promise<LoanDetail> {
  return data(api.GET('/api/v1/equipment/loans/{id}', { params: { path: { id } }, signal })) as Promise<LoanDetail>;
}

export function takeLoanStep(id: string, step: LoanStep, body: LoanStepBody): Promise<Loan> {
  return data(api.POST('/api/v1/equipment/loans/{id}/{step}', { params: { path: { id, step } }, body })) as Promise<Loan>;
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
