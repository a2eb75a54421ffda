import type { BookingAlternative } from '@linli/contracts';
import { Alert, Button, Flex, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatRange } from '../time/zoned.ts';
import { refusalOf } from './refusals.ts';

interface RefusalAlertProps {
  error: unknown;
  /** The zone alternatives are shown in (the site's). */
  zone: string;
  onPickAlternative?: (alternative: BookingAlternative) => void;
  onJoinWaitlist?: () => void;
  onClose?: () => void;
}

/** Why the API said no, every reason in words, and what could be booked instead. */
export function RefusalAlert({ error, zone, onPickAlternative, onJoinWaitlist, onClose }: RefusalAlertProps) {
  const { t, i18n } = useTranslation();
  const refusal = refusalOf(error);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="refusal"
      closable={onClose ? { onClose, 'aria-label': t('common.close') } : false}
      title={refusal.summary}
      description={
        refusal.reasons.length || refusal.alternatives.length || (refusal.canWait && onJoinWaitlist) ? (
          <Flex vertical gap="small">
            {refusal.reasons.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {refusal.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
            ) : null}
            {refusal.alternatives.length ? (
              <>
                <Typography.Text strong>{t('refusal.alternatives')}</Typography.Text>
                <List
                  size="small"
                  dataSource={refusal.alternatives}
                  renderItem={(alternative) => (
                    <List.Item
                      actions={
                        onPickAlternative
                          ? [
                              <Button key="pick" size="small" onClick={() => onPickAlternative(alternative)}>
                                {t('refusal.pick')}
                              </Button>,
                            ]
                          : []
                      }
                    >
                      <Flex vertical>
                        <Typography.Text>
                          {alternative.kind === 'same_space' ? alternative.spaceName : `${alternative.siteName} · ${alternative.spaceName}`}
                        </Typography.Text>
                        <Typography.Text type="secondary">
                          {formatRange(alternative.startAt, alternative.endAt, zone, i18n.language)}
                          {alternative.distanceKm !== null ? ` · ${t('refusal.distance', { km: alternative.distanceKm.toFixed(1) })}` : ''}
                        </Typography.Text>
                      </Flex>
                    </List.Item>
                  )}
                />
              </>
            ) : null}
            {refusal.canWait && onJoinWaitlist ? (
              <div>
                <Button onClick={onJoinWaitlist}>{t('waitlist.join')}</Button>
              </div>
            ) : null}
          </Flex>
        ) : undefined
      }
    />
  );
}
