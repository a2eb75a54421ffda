import type { BookingStatus } from '@linli/contracts';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * One colour per status, shared by tags, the timeline's blocks and its legend (white text on each passes 4.5:1).
 * The tag is solid: antd 6 tints a custom colour's background by default ("filled"), and the greys' text on
 * their own tint falls to 4.3:1.
 */
export const STATUS_COLORS: Record<BookingStatus, string> = {
  pending: '#b45309',
  confirmed: '#0f766e',
  checked_in: '#1d4ed8',
  completed: '#475569',
  no_show: '#b91c1c',
  cancelled: '#6b7280',
  rejected: '#6b7280',
  expired: '#6b7280',
};

export function BookingStatusTag({ status }: { status: BookingStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} variant="solid" style={{ marginInlineEnd: 0 }}>
      {t(`status.${status}`)}
    </Tag>
  );
}
