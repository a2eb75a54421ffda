import { App as AntApp, ConfigProvider, type ThemeConfig } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { Suspense, lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { hasStoredSession } from './api/client.ts';
import SignInPage from './auth/SignInPage.tsx';
import { SessionProvider, useSession } from './auth/session.tsx';
import { LoadingScreen, UnavailableScreen } from './shell/BootScreens.tsx';
import { LoadErrorBoundary } from './shell/LoadErrorBoundary.tsx';

// The sign-in page ships with the first load: it is what a new visitor (a resident on a phone) sees first, and
// one round trip less matters more there than its weight to someone already signed in. The shell and its pages
// load on demand.
const loadAppShell = () => import('./shell/AppShell.tsx');
const AppShell = lazy(loadAppShell);

// With a stored session, fetch the shell while /me is still being asked. A failure here is reported by the
// lazy component, which loads it again.
if (hasStoredSession()) loadAppShell().catch(() => undefined);

const THEME: ThemeConfig = {
  token: {
    // A deep teal keeps white button text above 4.5:1 contrast; antd's palette for so dark a seed turns its
    // light tints grey, so the tints (selected menu item, hover, outlines) are given here.
    colorPrimary: '#0f766e',
    colorPrimaryBg: '#e6f4f1',
    colorPrimaryBgHover: '#cdeae3',
    colorPrimaryBorder: '#9fd5c9',
    colorPrimaryBorderHover: '#6cbfae',
    borderRadius: 8,
  },
};

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'zh-CN' ? zhCN : enUS} theme={THEME}>
      {/* AntApp gives messages and confirm dialogs the theme and locale above. */}
      <AntApp>
        <SessionProvider>
          <LoadErrorBoundary>
            <Suspense fallback={<LoadingScreen />}>
              <CurrentScreen />
            </Suspense>
          </LoadErrorBoundary>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
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
