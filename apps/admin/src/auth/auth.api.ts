import type { AcceptInviteBody, CurrentUser, LoginBody, PublicMeta as PublicMetaSchema, RefreshBody, TokenResponse } from '@linli/contracts';
import { apiRequest, endSession, storeSession, storedRefreshToken } from '../api/client.ts';
import { api, data } from '../api/typed.ts';

// @linli/contracts exports the PublicMeta schema but not its inferred type.
export type PublicMeta = ReturnType<typeof PublicMetaSchema.parse>;

export function getPublicMeta(signal?: AbortSignal): Promise<PublicMeta> {
  return apiRequest<PublicMeta>('GET', '/api/v1/meta', { anonymous: true, signal });
}

export async function signIn(body: LoginBody): Promise<CurrentUser> {
  const tokens = await apiRequest<TokenResponse>('POST', '/api/v1/auth/login', { body, anonymous: true });
  storeSession(tokens);
  return tokens.user;
}

export function getCurrentUser(signal?: AbortSignal): Promise<CurrentUser> {
  return apiRequest<CurrentUser>('GET', '/api/v1/me', { signal });
}

/**
 * Ends the session here at once, then asks the API to revoke the refresh token (and every token of that login),
 * which matters on a shared computer at a community center. If that request fails, the token still expires.
 */
export async function signOut(): Promise<void> {
  const refreshToken = storedRefreshToken();
  endSession(null);
  if (!refreshToken) return;
  const body: RefreshBody = { refreshToken };
  await apiRequest('POST', '/api/v1/auth/logout', { body, anonymous: true }).catch(() => undefined);
}

/** The invitee sets a password with the token from their link and gets a session, as signing in gives. */
export async function acceptInvitation(body: AcceptInviteBody): Promise<CurrentUser> {
  const tokens = await data(api.POST('/api/v1/auth/accept-invite', { body }));
  storeSession(tokens);
  return tokens.user;
}
