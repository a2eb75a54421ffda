import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { equipmentQueries } from './equipment.api.ts';
import { LoanCard } from './LoanCard.tsx';
import { LoanRequestModal } from './LoanRequestModal.tsx';
import { describeEquipmentError } from './model.ts';

type EventEquipmentProps = {
  /** The site that uses the units (the booking's or session's). */
  siteId: string;
  start: string;
  end: string;
  purpose?: string | undefined;
} & ({ bookingId: string; sessionId?: never } | { sessionId: string; bookingId?: never });

/**
 * The equipment a booking or an activity session borrows ("the hall plus 2 projectors"): its loans, and a request
 * that follows it (moved or cancelled with it).
 */
export function EventEquipment({ siteId, start, end, purpose, bookingId, sessionId }: EventEquipmentProps) {
  const { t } = useTranslation();
  const [requesting, setRequesting] = useState(false);
  const loans = useInfiniteQuery(equipmentQueries.loans(bookingId ? { bookingId } : { sessionId }));
  const rows = loans.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card
      size="small"
      title={t('equipment.event.title')}
      data-testid="event-equipment"
      extra={
        <Button size="small" data-testid="request-equipment" onClick={() => setRequesting(true)}>
          {t('equipment.request.open')}
        </Button>
      }
    >
      {loans.error ? <Alert type="error" showIcon title={describeEquipmentError(loans.error)} /> : null}
      {loans.isPending ? (
        <Skeleton active paragraph={{ rows: 1 }} />
      ) : rows.length === 0 ? (
        <Typography.Text type="secondary">{t('equipment.event.none')}</Typography.Text>
      ) : (
        <Flex vertical gap="small">
          {rows.map((loan) => (
            <LoanCard key={loan.id} loan={loan} />
          ))}
        </Flex>
      )}
      <LoanRequestModal
        open={requesting}
        draft={{ siteId, start, end, purpose, ...(bookingId ? { bookingId } : { sessionId }) }}
        onClose={() => setRequesting(false)}
      />
    </Card>
  );
}
