/** What fills the window before a page can: while the session is checked, or when the API is away. */
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { Button, Spinner } from '../ui/light.tsx';

export function LoadingScreen() {
  return (
    <div className="l-centered" style={{ minHeight: '100dvh' }}>
      <Spinner />
    </div>
  );
}

export function UnavailableScreen({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <main className="l-centered l-stack" style={{ minHeight: '100dvh', padding: 24, textAlign: 'center' }}>
      <h1 className="l-title">{t('boot.unavailable')}</h1>
      <p className="l-secondary" style={{ margin: 0 }}>
        {describeError(error)}
      </p>
      <Button variant="primary" onClick={onRetry}>
        {t('errors.retry')}
      </Button>
    </main>
  );
}
