import type { Booking } from '@linli/contracts';
import { Alert, App, Button, Empty, Flex, Input, Modal, Table, Tag, Tooltip, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSearchParam } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { placeOf, portfolioQuery } from '../spaces/portfolio.ts';
import { formatRange, formatTime } from '../time/zoned.ts';
import { BookerSummary } from './Booker.tsx';
import { BookingDrawer } from './BookingDrawer.tsx';
import { HOLDING_STATUSES, approveBooking, bookingKeys, invalidateBookings, listAllBookings, rejectBooking } from './bookings.api.ts';
import { BookingStatusTag } from './BookingStatusTag.tsx';
import { siteZone } from './frontDesk.ts';
import { refusalOf } from './refusals.ts';

interface QueueRow extends Booking {
  /** Other bookings holding the same space at an overlapping time. */
  conflicts: Booking[];
}

/** Upcoming pending bookings with what they collide with; overlapping pending requests cannot both be approved. */
async function loadQueue(signal: AbortSignal): Promise<QueueRow[]> {
  const now = new Date().toISOString();
  const pending = await listAllBookings({ status: ['pending'], from: now }, signal);
  if (!pending.length) return [];
  const from = pending.reduce((min, b) => (b.startAt < min ? b.startAt : min), pending[0]!.startAt);
  const to = pending.reduce((max, b) => (b.endAt > max ? b.endAt : max), pending[0]!.endAt);
  const holding = await listAllBookings({ status: HOLDING_STATUSES, from, to }, signal);
  return pending
    .map((booking) => ({
      ...booking,
      conflicts: holding.filter(
        (other) => other.id !== booking.id && other.spaceId === booking.spaceId && other.startAt < booking.endAt && booking.startAt < other.endAt,
      ),
    }))
    .sort((a, b) => a.startAt.localeCompare(b.startAt));
}

export default function ApprovalsPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const portfolio = useQuery(portfolioQuery);
  const queue = useQuery({ queryKey: bookingKeys.approvals(), queryFn: ({ signal }) => loadQueue(signal) });
  const zoneOfSpace = (spaceId: string) => siteZone(portfolio.data, portfolio.data?.spaceById.get(spaceId)?.siteId);
  const [openId, setOpenId] = useState<string | null>(null);
  // A message's link (?booking=<id>) opens that request's details until they are closed.
  const linkedId = useSearchParam('booking');
  const [dismissedLink, setDismissedLink] = useState<string | null>(null);
  const drawerId = openId ?? (linkedId !== dismissedLink ? linkedId : null);
  const [rejecting, setRejecting] = useState<Booking | null>(null);
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: ({ run }: { booking: Booking; run: () => Promise<Booking>; done: string }) => run(),
    onSuccess: (_, { done }) => void message.success(done),
    onError: (error) => {
      const refusal = refusalOf(error);
      void message.error([refusal.summary, ...refusal.reasons].join(' '));
    },
    onSettled: () => invalidateBookings(),
  });
  const busyId = decide.isPending ? decide.variables.booking.id : null;
  const act = (booking: Booking, run: () => Promise<Booking>, done: string) => decide.mutateAsync({ booking, run, done }).then(() => true, () => false);
  const reload = () => void queue.refetch();

  return (
    <Flex vertical gap="middle">
      <Flex align="baseline" gap="middle" wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        {queue.data ? <Typography.Text type="secondary">{t('approvals.count', { count: queue.data.length })}</Typography.Text> : null}
        <Button onClick={reload} loading={queue.isFetching} style={{ marginInlineStart: 'auto' }}>
          {t('common.refresh')}
        </Button>
      </Flex>
      {queue.error ? <Alert type="error" showIcon title={t('approvals.loadFailed')} description={describeError(queue.error)} action={<Button onClick={reload}>{t('errors.retry')}</Button>} /> : null}
      <Table<QueueRow>
        rowKey="id"
        loading={queue.isPending}
        dataSource={queue.data ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: queue.data ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('approvals.empty')} /> : ' ' }}
        onRow={(row) => ({ 'data-testid': `approval-${row.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('booking.when'),
            key: 'when',
            render: (_, row) => formatRange(row.startAt, row.endAt, zoneOfSpace(row.spaceId), i18n.language),
          },
          {
            title: t('booking.place'),
            key: 'place',
            render: (_, row) => {
              const place = placeOf(portfolio.data, row.spaceId);
              return (
                <Flex vertical>
                  <span>{place.spaceName}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {place.siteName}
                  </Typography.Text>
                </Flex>
              );
            },
          },
          { title: t('frontDesk.booker.column'), key: 'booker', render: (_, row) => <BookerSummary booker={row.booker} /> },
          { title: t('booking.partySize'), dataIndex: 'partySize' },
          { title: t('booking.purpose'), dataIndex: 'purpose', render: (purpose: string | null) => purpose || '—' },
          {
            title: t('approvals.conflicts'),
            key: 'conflicts',
            render: (_, row) =>
              row.conflicts.length ? (
                <Flex gap={4} wrap>
                  {row.conflicts.map((other) => (
                    <Tooltip key={other.id} title={other.purpose ?? ''}>
                      <Tag color="red" style={{ cursor: 'pointer' }} onClick={() => setOpenId(other.id)}>
                        {t(`status.${other.status}`)} {formatTime(other.startAt, zoneOfSpace(other.spaceId), i18n.language)}–
                        {formatTime(other.endAt, zoneOfSpace(other.spaceId), i18n.language)}
                      </Tag>
                    </Tooltip>
                  ))}
                </Flex>
              ) : (
                <Tag color="green">{t('approvals.noConflicts')}</Tag>
              ),
          },
          { title: t('booking.status'), dataIndex: 'status', render: (status: Booking['status']) => <BookingStatusTag status={status} /> },
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: 'end',
            render: (_, row) => (
              <Flex gap="small">
                <Button size="small" type="primary" loading={busyId === row.id} onClick={() => void act(row, () => approveBooking(row), t('approvals.approved'))}>
                  {t('booking.approve')}
                </Button>
                <Button size="small" danger onClick={() => setRejecting(row)}>
                  {t('booking.reject')}
                </Button>
                <Button size="small" onClick={() => setOpenId(row.id)}>
                  {t('common.details')}
                </Button>
              </Flex>
            ),
          },
        ]}
      />
      <BookingDrawer
        bookingId={drawerId}
        onClose={() => {
          setOpenId(null);
          setDismissedLink(linkedId);
        }}
      />
      <Modal
        open={rejecting !== null}
        title={t('booking.rejectTitle')}
        okText={t('booking.reject')}
        okButtonProps={{ danger: true, disabled: !reason.trim() }}
        cancelText={t('common.back')}
        onCancel={() => setRejecting(null)}
        onOk={async () => {
          if (rejecting && (await act(rejecting, () => rejectBooking(rejecting, reason.trim()), t('approvals.rejected')))) {
            setRejecting(null);
            setReason('');
          }
        }}
      >
        <Input.TextArea aria-label={t('booking.rejectReason')} placeholder={t('booking.rejectReason')} value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
      </Modal>
    </Flex>
  );
}
