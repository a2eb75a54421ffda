import type { Space } from '@linli/contracts';
import { Flex, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { formatRange } from '../time/zoned.ts';

export interface WaitTarget {
  space: Space;
  siteName: string;
  zone: string;
  startAt: string;
  endAt: string;
}

/**
 * Asking to wait for a taken slot: where and when, what waiting means, and why the API said no if it did. Loaded
 * when a taken slot is first tapped (it is antd, the booking page is not).
 */
export default function JoinWaitlistDialog({ target, joining, error, onJoin, onCancel }: { target: WaitTarget; joining: boolean; error: unknown; onJoin: () => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Modal open title={t('waitlist.join')} okText={t('waitlist.join')} cancelText={t('common.cancel')} confirmLoading={joining} onOk={onJoin} onCancel={onCancel} destroyOnHidden>
      <Flex vertical gap="small">
        <Typography.Text strong>
          {target.siteName} · {target.space.name}
        </Typography.Text>
        <Typography.Text>{formatRange(target.startAt, target.endAt, target.zone, i18n.language)}</Typography.Text>
        <Typography.Text type="secondary">{t('queue.joinHint')}</Typography.Text>
        {error ? <RefusalAlert error={error} zone={target.zone} /> : null}
      </Flex>
    </Modal>
  );
}
