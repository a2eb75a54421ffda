import { Suspense, lazy } from 'react';
import { hasStoredSession } from './api/client.ts';
import { SessionProvider, useSession } from './auth/session.tsx';
import { LoadingScreen, UnavailableScreen } from './shell/BootScreens.tsx';
import { LoadErrorBoundary } from './shell/LoadErrorBoundary.tsx';
import { Toasts } from './ui/toasts.tsx';

// Both screens after the boot check load on demand, and each starts loading at boot when it is the likely one:
// the sign-in page when no session is stored (a new visitor pays no extra round trip for it), the shell and its
// pages when one is (a returning resident downloads none of the sign-in form's code). A failure here is reported
// by the lazy component, which loads it again.
const loadSignInPage = () => import('./auth/SignInPage.tsx');
const SignInPage = lazy(loadSignInPage);
const loadAppShell = () => import('./shell/AppShell.tsx');
const AppShell = lazy(loadAppShell);

if (hasStoredSession()) loadAppShell().catch(() => undefined);
else loadSignInPage().catch(() => undefined);

/**
 * The app without antd: antd comes with the pages that use it (shell/AntdRoot.tsx), so the sign-in screen and a
 * resident's booking page load without it.
 */
export function App() {
  return (
    <SessionProvider>
      <LoadErrorBoundary>
        <Suspense fallback={<LoadingScreen />}>
          <CurrentScreen />
        </Suspense>
      </LoadErrorBoundary>
      <Toasts />
    </SessionProvider>
  );
}

function CurrentScreen() {
  const { session, recheck } = useSession();
  switch (session.status) {
    case 'checking':
      return <LoadingScreen />;
    case 'unavailable':
      return <UnavailableScreen error={session.error} onRetry={recheck} />;
    case 'signed-out':
      return <SignInPage sessionEnded={session.sessionEnded} />;
    case 'signed-in':
      return <AppShell user={session.user} />;
  }
}
