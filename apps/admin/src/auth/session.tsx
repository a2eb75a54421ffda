import type { CurrentUser, LoginBody } from '@linli/contracts';
import { type ReactNode, createContext, use, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, hasStoredSession, onSessionEnd, onTokensRefreshed } from '../api/client.ts';
import { navigate } from '../routing.ts';
import { getCurrentUser, signIn as requestSignIn, signOut as requestSignOut } from './auth.api.ts';

export type Session =
  | { status: 'checking' }
  /** `sessionEnded`: the API refused the session (expired, revoked), as opposed to signing out on purpose. */
  | { status: 'signed-out'; sessionEnded: boolean }
  | { status: 'signed-in'; user: CurrentUser }
  /** Tokens are stored but the API could not be asked who they belong to (offline, server down). */
  | { status: 'unavailable'; error: unknown };

interface SessionContextValue {
  session: Session;
  signIn: (body: LoginBody) => Promise<void>;
  signOut: () => void;
  recheck: () => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>(() =>
    hasStoredSession() ? { status: 'checking' } : { status: 'signed-out', sessionEnded: false },
  );
  const [checks, setChecks] = useState(0);

  useEffect(() => onSessionEnd((reason) => setSession({ status: 'signed-out', sessionEnded: reason !== null })), []);
  // A refresh may carry a new role or other sites (an admin changed them): menus and pages follow at once.
  useEffect(
    () =>
      onTokensRefreshed((user) =>
        setSession((current) => (current.status === 'signed-in' && current.user.id === user.id && !sameAccess(current.user, user) ? { status: 'signed-in', user } : current)),
      ),
    [],
  );

  useEffect(() => {
    if (!hasStoredSession()) return;
    const controller = new AbortController();
    getCurrentUser(controller.signal).then(
      (user) => setSession({ status: 'signed-in', user }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        // A refused session was already ended by the client, which onSessionEnd above turned into 'signed-out'.
        if (error instanceof ApiError && error.status === 401) return;
        setSession({ status: 'unavailable', error });
      },
    );
    return () => controller.abort();
  }, [checks]);

  const signIn = useCallback(async (body: LoginBody) => {
    const user = await requestSignIn(body);
    setSession({ status: 'signed-in', user });
  }, []);

  const signOut = useCallback(() => {
    navigate('/', { replace: true });
    void requestSignOut();
  }, []);

  const recheck = useCallback(() => {
    setSession(hasStoredSession() ? { status: 'checking' } : { status: 'signed-out', sessionEnded: false });
    setChecks((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ session, signIn, signOut, recheck }), [session, signIn, signOut, recheck]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  const value = use(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

function sameAccess(a: CurrentUser, b: CurrentUser): boolean {
  return a.role === b.role && a.siteIds.length === b.siteIds.length && a.siteIds.every((id) => b.siteIds.includes(id));
}
