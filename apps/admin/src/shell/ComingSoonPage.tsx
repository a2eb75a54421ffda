import { Empty, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PageProps } from './navigation.ts';

/** Stands in for a page a later release builds, so the menu already shows where things will be. */
export default function ComingSoonPage({ title }: PageProps) {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {title}
      </Typography.Title>
      <Empty description={t('page.comingSoon')} style={{ marginTop: 48 }} />
    </>
  );
}
