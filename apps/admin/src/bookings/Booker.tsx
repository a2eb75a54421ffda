import type { BookerIdentity } from '@linli/contracts';
import { Descriptions, Flex, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * Who booked, on one line for a table row: name, masked phone, home site. Staff get `booker`; for anyone else the
 * API sends null, and nothing is shown (a resident never sees another resident's identity).
 */
export function BookerSummary({ booker }: { booker: BookerIdentity | null }) {
  const { t } = useTranslation();
  if (!booker) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex vertical data-testid="booker">
      <span>
        {booker.displayName}
        {booker.walkIn ? (
          <Tag style={{ marginInlineStart: 6 }} color="default">
            {t('frontDesk.booker.walkIn')}
          </Tag>
        ) : null}
      </span>
      {booker.maskedPhone || booker.homeSiteName ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {[booker.maskedPhone, booker.homeSiteName].filter(Boolean).join(' · ')}
        </Typography.Text>
      ) : null}
    </Flex>
  );
}

/** The booker's card in the booking's details. */
export function BookerCard({ booker }: { booker: BookerIdentity }) {
  const { t } = useTranslation();
  return (
    <Descriptions column={1} size="small" bordered title={t('frontDesk.booker.title')} data-testid="booker-card">
      <Descriptions.Item label={t('frontDesk.booker.name')}>
        {booker.displayName}
        {booker.walkIn ? (
          <Tag style={{ marginInlineStart: 6 }} color="default">
            {t('frontDesk.booker.walkIn')}
          </Tag>
        ) : null}
      </Descriptions.Item>
      <Descriptions.Item label={t('frontDesk.booker.phone')}>
        <span data-testid="booker-phone">{booker.maskedPhone ?? '—'}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('frontDesk.booker.homeSite')}>{booker.homeSiteName ?? '—'}</Descriptions.Item>
    </Descriptions>
  );
}
