/**
 * The one way the UI talks to the API: same origin, JSON in and out, the access token attached. A 401 gets one
 * silent refresh of the tokens and one retry; when the refresh token is refused the session ends. Every failure
 * is an ApiError carrying the RFC 9457 problem the API sent.
 */
import type { BookingAlternative, Problem, RefreshBody, TokenResponse } from '@linli/contracts';

export type FieldProblem = NonNullable<Problem['errors']>[number];

/** One reason a booking was refused: a stable code and its parameters (never prose), see @linli/domain. */
export interface RefusalReason {
  code: string;
  params?: Record<string, string | number>;
}

/** What booking refusals carry in `details`; other problems may carry other keys. */
export interface ProblemDetails {
  reasons?: RefusalReason[];
  alternatives?: BookingAlternative[];
  [key: string]: unknown;
}

/** What the client reports when there is no problem body to read. */
type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';

type ProblemFields = Pick<Problem, 'status' | 'code'> &
  Partial<Pick<Problem, 'title' | 'detail' | 'errors' | 'requestId'>> & { details?: ProblemDetails };

export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** 0 when the server was not reached at all. */
  readonly status: number;
  /** The API's stable error code (see ERROR_CATALOG in @linli/contracts), or a ClientErrorCode. */
  readonly code: string;
  /** For people, in the language the page asked for. */
  readonly detail: string | undefined;
  readonly errors: FieldProblem[];
  readonly requestId: string | undefined;
  /** Why a booking was refused (every reason) and what could be booked instead. */
  readonly details: ProblemDetails;

  constructor(problem: ProblemFields) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.requestId = problem.requestId;
    this.details = problem.details ?? {};
  }
}

function clientError(code: ClientErrorCode, status: number, requestId?: string): ApiError {
  return new ApiError({ status, code, ...(requestId ? { requestId } : {}) });
}

// --- tokens --------------------------------------------------------------------------------------------------

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Both tokens under one key, so a reader (or another tab) never sees one new and one old. */
const TOKENS_KEY = 'linli.tokens';

function readTokens(): Tokens | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? 'null');
    if (
      typeof parsed === 'object' && parsed !== null &&
      'accessToken' in parsed && typeof parsed.accessToken === 'string' &&
      'refreshToken' in parsed && typeof parsed.refreshToken === 'string'
    ) {
      return { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken };
    }
  } catch {
    // Unreadable or blocked storage counts as signed out.
  }
  return null;
}

export function storeSession({ accessToken, refreshToken }: TokenResponse): void {
  localStorage.setItem(TOKENS_KEY, JSON.stringify({ accessToken, refreshToken } satisfies Tokens));
}

export function hasStoredSession(): boolean {
  return readTokens() !== null;
}

export function storedRefreshToken(): string | null {
  return readTokens()?.refreshToken ?? null;
}

/** `reason` is the problem that ended the session, or null when the person signed out (here or in another tab). */
type SessionEndListener = (reason: ApiError | null) => void;
const sessionEndListeners = new Set<SessionEndListener>();

export function onSessionEnd(listener: SessionEndListener): () => void {
  sessionEndListeners.add(listener);
  return () => sessionEndListeners.delete(listener);
}

type RefreshListener = (user: TokenResponse['user']) => void;
const refreshListeners = new Set<RefreshListener>();

/**
 * Called with the account as a token refresh returned it. The API ends a token when its account's role or sites
 * change, so a refresh is when the app learns of such a change: the session takes the new role and sites.
 */
export function onTokensRefreshed(listener: RefreshListener): () => void {
  refreshListeners.add(listener);
  return () => refreshListeners.delete(listener);
}

export function endSession(reason: ApiError | null): void {
  try {
    localStorage.removeItem(TOKENS_KEY);
  } catch {
    // Nothing stored to remove.
  }
  for (const listener of sessionEndListeners) listener(reason);
}

window.addEventListener('storage', (event) => {
  if (event.key === TOKENS_KEY && event.newValue === null) {
    for (const listener of sessionEndListeners) listener(null);
  }
});

// --- requests ------------------------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Public endpoints (sign-in, meta): no token, and a 401 is just an error, not an expired session. */
  anonymous?: boolean;
  /** Extra request headers, e.g. If-Match or Idempotency-Key. */
  headers?: Record<string, string>;
  /** 'text' for other text answers; 'blob' for downloads, kept byte for byte (a CSV's BOM included). */
  as?: ResponseBodyKind;
}

async function send(
  method: Method,
  path: string,
  body: unknown,
  accessToken: string | null,
  signal?: AbortSignal,
  extraHeaders: Record<string, string> = {},
) {
  const headers: Record<string, string> = {
    ...extraHeaders,
    Accept: 'application/json, application/problem+json, text/csv',
    // The API words problem details in this language; the page's lang follows the UI language.
    'Accept-Language': document.documentElement.lang || 'en',
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error; // the caller stopped caring; let the AbortError through
    throw clientError('NETWORK_ERROR', 0);
  }
}

async function problemFrom(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (/json/.test(response.headers.get('content-type') ?? '')) {
    try {
      const body: unknown = await response.json();
      if (typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string') {
        return new ApiError({ ...(body as Partial<Problem>), status: response.status, code: body.code });
      }
    } catch {
      // Not JSON after all; reported as an unexpected response below.
    }
  }
  return clientError('UNEXPECTED_RESPONSE', response.status, requestId);
}

export type ResponseBodyKind = 'json' | 'text' | 'blob';

async function readJson<T>(response: Response, as: ResponseBodyKind = 'json'): Promise<T> {
  if (!response.ok) throw await problemFrom(response);
  // response.text() decodes UTF-8 and drops a leading BOM, which Excel needs to read a CSV as UTF-8.
  if (as === 'blob') return (await response.blob()) as T;
  if (as === 'text') return (await response.text()) as T;
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw clientError('UNEXPECTED_RESPONSE', response.status, response.headers.get('x-request-id') ?? undefined);
  }
}

const REFRESH_LOCK = 'linli.token-refresh';
let renewal: Promise<Tokens | ApiError> | null = null;

/**
 * Tokens to retry a 401 with, or the problem that ends the session. Refresh tokens rotate and a reused one
 * revokes the whole login, so only one refresh may be in flight: one promise per tab, and a Web Lock across
 * tabs (when the browser offers it; it needs a secure context). Inside the lock, tokens another request or tab
 * already renewed are simply taken.
 */
function renewTokens(used: Tokens): Promise<Tokens | ApiError> {
  const renew = async (): Promise<Tokens | ApiError> => {
    const stored = readTokens();
    if (!stored) return new ApiError({ status: 401, code: 'UNAUTHENTICATED' });
    if (stored.refreshToken !== used.refreshToken) return stored;
    const body: RefreshBody = { refreshToken: stored.refreshToken };
    const response = await send('POST', '/api/v1/auth/refresh', body, null);
    if (response.ok) {
      const tokens = await readJson<TokenResponse>(response);
      storeSession(tokens);
      for (const listener of refreshListeners) listener(tokens.user);
      return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
    }
    const problem = await problemFrom(response);
    // Rate limits and server trouble fail this request but keep the session; only a refused token ends it.
    if (response.status !== 401) throw problem;
    return problem;
  };
  const renewOnce = async () => (navigator.locks ? await navigator.locks.request(REFRESH_LOCK, renew) : renew());
  renewal ??= renewOnce().finally(() => {
    renewal = null;
  });
  return renewal;
}

export async function apiRequest<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const { body, signal, anonymous = false, headers, as } = options;
  const tokens = anonymous ? null : readTokens();
  const response = await send(method, path, body, tokens?.accessToken ?? null, signal, headers);
  if (response.status !== 401 || !tokens) return readJson<T>(response, as);

  const renewed = await renewTokens(tokens);
  if (renewed instanceof ApiError) {
    endSession(renewed);
    throw renewed;
  }
  const retried = await send(method, path, body, renewed.accessToken, signal, headers);
  if (retried.status === 401) {
    const problem = await problemFrom(retried);
    endSession(problem);
    throw problem;
  }
  return readJson<T>(retried, as);
}

/**
 * `fetch` for the typed client (openapi-fetch): the same token, language and one-refresh-then-retry rules as
 * apiRequest, on a Request the client built. A network failure is an ApiError('NETWORK_ERROR').
 */
export async function authorizedFetch(request: Request): Promise<Response> {
  const tokens = readTokens();
  // A body can be read once: keep a copy for the retry before the first attempt consumes it.
  const retry = request.clone();
  const first = await sendRequest(request, tokens?.accessToken ?? null);
  if (first.status !== 401 || !tokens) return first;
  const renewed = await renewTokens(tokens);
  if (renewed instanceof ApiError) {
    endSession(renewed);
    throw renewed;
  }
  const second = await sendRequest(retry, renewed.accessToken);
  if (second.status === 401) endSession(await problemFrom(second.clone()));
  return second;
}

async function sendRequest(request: Request, accessToken: string | null): Promise<Response> {
  request.headers.set('Accept-Language', document.documentElement.lang || 'en');
  if (!request.headers.has('Accept')) request.headers.set('Accept', 'application/json, application/problem+json, text/csv');
  if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
  try {
    return await fetch(request);
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw clientError('NETWORK_ERROR', 0);
  }
}

/** The ApiError for a non-2xx answer the typed client already parsed (`error` is the problem body, if any). */
export function apiErrorFrom(error: unknown, response: Response): ApiError {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return new ApiError({ ...(error as Partial<Problem>), status: response.status, code: error.code });
  }
  return clientError('UNEXPECTED_RESPONSE', response.status, response.headers.get('x-request-id') ?? undefined);
}

/** A query string from the defined values only (undefined and empty strings are left out). */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
