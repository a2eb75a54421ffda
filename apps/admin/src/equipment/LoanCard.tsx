import type { Loan } from '@linli/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Skeleton, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { followLink } from '../routing.ts';
import { formatRange } from '../time/zoned.ts';
import { equipmentQueries } from './equipment.api.ts';
import { LoanActions } from './LoanActions.tsx';
import { LOAN_STATUS_COLORS, describeEquipmentError, describeLoanReason, itemPath, typeNameOf, usePortfolioQuery, zoneOfSite } from './model.ts';

export function LoanStatusTag({ status }: { status: Loan['status'] }) {
  const { t } = useTranslation();
  return (
    <Tag color={LOAN_STATUS_COLORS[status]} style={{ marginInlineEnd: 0 }}>
      {t(`equipment.statuses.${status}`)}
    </Tag>
  );
}

/** One loan: what, how many, from where to where, when (in the borrower's zone), its items, and the caller's next steps. */
export function LoanCard({ loan }: { loan: Loan }) {
  const { t, i18n } = useTranslation();
  const portfolio = usePortfolioQuery();
  const [showHistory, setShowHistory] = useState(false);
  const zone = zoneOfSite(portfolio.data, loan.borrowerSiteId);
  return (
    <Card
      size="small"
      data-testid="loan-card"
      data-loan-id={loan.id}
      data-status={loan.status}
      style={loan.overdue ? { borderColor: '#cf1322', background: '#fff1f0' } : undefined}
      title={
        <Flex gap="small" align="center" wrap>
          <Typography.Text strong>
            {typeNameOf(loan, i18n.language)} × {loan.quantity}
          </Typography.Text>
          <LoanStatusTag status={loan.status} />
          {loan.overdue ? (
            <Tag color="red" data-testid="loan-overdue">
              {t('equipment.loan.overdue')}
            </Tag>
          ) : null}
        </Flex>
      }
    >
      <Flex vertical gap={4}>
        <Typography.Text>
          {loan.lenderSiteName} → {loan.borrowerSiteName}
        </Typography.Text>
        <Typography.Text type="secondary">{formatRange(loan.start, loan.end, zone, i18n.language)}</Typography.Text>
        {loan.purpose ? <Typography.Text type="secondary">{loan.purpose}</Typography.Text> : null}
        {loan.items.length ? (
          <Flex gap={4} wrap>
            {loan.items.map((item) => (
              <Tag key={item.holdingId} style={{ marginInlineEnd: 0 }}>
                <a href={itemPath(item.holdingId)} onClick={(event) => followLink(event, itemPath(item.holdingId))}>
                  {item.assetTag}
                </a>
              </Tag>
            ))}
          </Flex>
        ) : null}
        {loan.returnedDamaged || loan.returnedMissing ? (
          <Typography.Text type="warning">
            {t('equipment.loan.reported', { damaged: loan.returnedDamaged, missing: loan.returnedMissing })}
          </Typography.Text>
        ) : null}
        <Flex gap="small" wrap align="center" justify="space-between" style={{ marginTop: 4 }}>
          <LoanActions loan={loan} />
          <Button type="link" size="small" onClick={() => setShowHistory((shown) => !shown)} aria-expanded={showHistory}>
            {t('equipment.loan.history')}
          </Button>
        </Flex>
        {showHistory ? <LoanHistory loanId={loan.id} zone={zone} /> : null}
      </Flex>
    </Card>
  );
}

/** The loan's steps, oldest first, each with who took it and why. */
function LoanHistory({ loanId, zone }: { loanId: string; zone: string }) {
  const { t, i18n } = useTranslation();
  const detail = useQuery(equipmentQueries.loan(loanId));
  if (detail.error) return <Alert type="error" showIcon title={describeEquipmentError(detail.error)} />;
  if (!detail.data) return <Skeleton active paragraph={{ rows: 2 }} />;
  return (
    <Timeline
      style={{ marginTop: 8 }}
      items={detail.data.events.map((event) => ({
        key: event.id,
        content: (
          <Flex vertical>
            <Typography.Text>
              {event.from ? `${t(`equipment.statuses.${event.from}`)} → ` : ''}
              {t(`equipment.statuses.${event.to}`)}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {new Date(event.at).toLocaleString(i18n.language, { timeZone: zone, hourCycle: 'h23' })}
              {event.actorName ? ` · ${event.actorName}` : ` · ${t('booking.bySystem')}`}
            </Typography.Text>
            {event.reason ? <Typography.Text type="secondary">{describeLoanReason(event.reason)}</Typography.Text> : null}
          </Flex>
        ),
      }))}
    />
  );
}
