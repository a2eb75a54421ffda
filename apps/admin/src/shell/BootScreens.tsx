/** What fills the window before a page can: while the session is checked, or when the API is away. */
import { Button, Flex, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';

export function LoadingScreen() {
  const { t } = useTranslation();
  return (
    <Flex justify="center" align="center" style={{ minHeight: '100dvh' }}>
      {/* The name goes on a status region: axe refuses aria-label on the spinner's own element (no role). */}
      <div role="status" aria-label={t('boot.loading')}>
        <Spin size="large" />
      </div>
    </Flex>
  );
}

export function UnavailableScreen({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Flex component="main" vertical justify="center" align="center" gap="middle" style={{ minHeight: '100dvh', padding: 24 }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {t('boot.unavailable')}
      </Typography.Title>
      <Typography.Text type="secondary">{describeError(error)}</Typography.Text>
      <Button type="primary" onClick={onRetry}>
        {t('errors.retry')}
      </Button>
    </Flex>
  );
}
