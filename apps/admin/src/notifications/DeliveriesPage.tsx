import type { Delivery, DeliveryDetail, DeliverySummary } from '@linli/contracts';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Drawer, Flex, Grid, Segmented, Skeleton, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { type DeliveryFilter, deliveryQueries, invalidateDeliveries, resendDelivery } from './notifications.api.ts';
import { formatReceivedAt } from './receivedAt.ts';

type Status = Delivery['status'];
type ChannelCounts = DeliverySummary['channels'][number];

/** Dead first: the ones an admin can act on are why the page is opened. */
const STATUSES: readonly Status[] = ['dead', 'failed', 'queued', 'sent', 'skipped'];
const SUMMARY_ORDER: readonly Status[] = ['queued', 'sent', 'failed', 'dead', 'skipped'];
const STATUS_COLOURS: Record<Status, string> = { queued: 'blue', sent: 'green', failed: 'orange', dead: 'red', skipped: 'default' };
/** Attempt times to the second: retries are seconds apart. */
const formatAttemptTime = (iso: string, language: string) =>
  new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

/** The org admin's view of outgoing messages (issue #13): counts per channel, deliveries by status, attempts, resend. */
export default function DeliveriesPage({ title }: PageProps) {
  const { session } = useSession();
  const userId = session.status === 'signed-in' ? session.user.id : null;
  return (
    <Flex vertical gap="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      {userId ? <Deliveries userId={userId} /> : <Skeleton active />}
    </Flex>
  );
}

function Deliveries({ userId }: { userId: string }) {
  const [filter, setFilter] = useState<DeliveryFilter>({ status: 'dead' });
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <>
      <SummaryCard userId={userId} />
      <DeliveryList userId={userId} filter={filter} onFilter={setFilter} onOpen={setOpenId} />
      <AttemptsDrawer userId={userId} deliveryId={openId} onClose={() => setOpenId(null)} />
    </>
  );
}

function RetryButton({ onRetry }: { onRetry: () => void }) {
  const { t } = useTranslation();
  return <Button onClick={onRetry}>{t('errors.retry')}</Button>;
}

function SummaryCard({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const summary = useQuery(deliveryQueries.summary(userId));
  return (
    <Card size="small" title={t('deliveries.summaryTitle')}>
      {summary.error ? (
        <Alert type="error" showIcon title={describeError(summary.error)} action={<RetryButton onRetry={() => void summary.refetch()} />} />
      ) : (
        <Table<ChannelCounts>
          size="small"
          data-testid="delivery-summary"
          rowKey="channel"
          loading={summary.isPending}
          dataSource={summary.data?.channels ?? []}
          pagination={false}
          columns={[
            { key: 'channel', title: t('deliveries.channel'), render: (_, row) => t(`notifications.channels.${row.channel}`) },
            ...SUMMARY_ORDER.map((status) => ({ key: status, title: t(`deliveries.statuses.${status}`), align: 'right' as const, dataIndex: status })),
          ]}
        />
      )}
    </Card>
  );
}

interface ListProps {
  userId: string;
  filter: DeliveryFilter;
  onFilter: (filter: DeliveryFilter) => void;
  onOpen: (id: string) => void;
}

function DeliveryList({ userId, filter, onFilter, onOpen }: ListProps) {
  const { t, i18n } = useTranslation();
  const list = useInfiniteQuery(deliveryQueries.list(userId, filter));
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card
      size="small"
      title={t('deliveries.listTitle')}
      extra={
        <Segmented<Status>
          size="small"
          aria-label={t('deliveries.status')}
          value={filter.status ?? 'dead'}
          onChange={(status) => onFilter({ ...filter, status })}
          options={STATUSES.map((status) => ({ value: status, label: t(`deliveries.statuses.${status}`) }))}
        />
      }
    >
      {list.error ? (
        <Alert type="error" showIcon title={describeError(list.error)} action={<RetryButton onRetry={() => void list.refetch()} />} />
      ) : (
        <Flex vertical gap="small">
          <Table<Delivery>
            size="small"
            data-testid="delivery-list"
            rowKey="id"
            loading={list.isPending}
            dataSource={items}
            pagination={false}
            scroll={{ x: 'max-content' }}
            // A plain string would take the table placeholder's pale grey (below 4.5:1); secondary text keeps 5.7:1.
            locale={{ emptyText: <Typography.Text type="secondary">{t('deliveries.empty')}</Typography.Text> }}
            onRow={(row) => ({ onClick: () => onOpen(row.id), style: { cursor: 'pointer' } })}
            columns={[
              {
                key: 'kind',
                title: t('deliveries.kind'),
                render: (_, row) => (
                  <Flex vertical>
                    <span>{t(`notifications.categories.${row.category}`)}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {row.kind}
                    </Typography.Text>
                  </Flex>
                ),
              },
              { key: 'recipient', title: t('deliveries.recipient'), render: (_, row) => <Typography.Text code>{row.recipientId.slice(0, 8)}</Typography.Text> },
              { key: 'channel', title: t('deliveries.channel'), render: (_, row) => t(`notifications.channels.${row.channel}`) },
              { key: 'attempts', title: t('deliveries.attempts'), align: 'right', dataIndex: 'attempts' },
              {
                key: 'lastError',
                title: t('deliveries.lastError'),
                render: (_, row) => (
                  <Typography.Text type="danger" ellipsis={{ tooltip: row.lastError }} style={{ maxWidth: 280 }}>
                    {row.lastError ?? ''}
                  </Typography.Text>
                ),
              },
              { key: 'time', title: t('deliveries.updatedAt'), render: (_, row) => formatReceivedAt(row.updatedAt, i18n.language) },
              {
                key: 'actions',
                title: '',
                render: (_, row) =>
                  row.status === 'dead' ? (
                    // Resending from the row must not also open the drawer behind it.
                    <span onClick={(event) => event.stopPropagation()}>
                      <ResendButton userId={userId} deliveryId={row.id} />
                    </span>
                  ) : (
                    <Tag color={STATUS_COLOURS[row.status]}>{t(`deliveries.statuses.${row.status}`)}</Tag>
                  ),
              },
            ]}
          />
          {list.hasNextPage ? (
            <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} style={{ alignSelf: 'center' }}>
              {t('deliveries.more')}
            </Button>
          ) : null}
        </Flex>
      )}
    </Card>
  );
}

function ResendButton({ userId, deliveryId }: { userId: string; deliveryId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const resend = useMutation({
    mutationFn: () => resendDelivery(deliveryId),
    onSuccess: async () => {
      void message.success(t('deliveries.resent'));
      await invalidateDeliveries(userId);
    },
    // A second admin may have resent it first (DELIVERY_NOT_DEAD); the refreshed list shows where it is now.
    onError: (error) => {
      void message.error(describeError(error));
      void invalidateDeliveries(userId);
    },
  });
  return (
    <Button size="small" danger loading={resend.isPending} onClick={() => resend.mutate()} data-testid="resend-delivery">
      {t('deliveries.resend')}
    </Button>
  );
}

function AttemptsDrawer({ userId, deliveryId, onClose }: { userId: string; deliveryId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const wide = Grid.useBreakpoint().sm !== false;
  return (
    <Drawer open={deliveryId !== null} onClose={onClose} placement="right" size={wide ? 520 : '100%'} destroyOnHidden title={t('deliveries.detailTitle')}>
      {deliveryId ? <DeliveryDetails userId={userId} deliveryId={deliveryId} /> : null}
    </Drawer>
  );
}

function DeliveryDetails({ userId, deliveryId }: { userId: string; deliveryId: string }) {
  const { t, i18n } = useTranslation();
  const detail = useQuery(deliveryQueries.detail(userId, deliveryId));
  if (detail.error) return <Alert type="error" showIcon title={describeError(detail.error)} action={<RetryButton onRetry={() => void detail.refetch()} />} />;
  if (!detail.data) return <Skeleton active />;
  const delivery: DeliveryDetail = detail.data;
  const time = (iso: string | null) => (iso ? formatAttemptTime(iso, i18n.language) : '—');
  return (
    <Flex vertical gap="middle" data-testid="delivery-detail">
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('deliveries.status')}>
          <Tag color={STATUS_COLOURS[delivery.status]}>{t(`deliveries.statuses.${delivery.status}`)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('deliveries.kind')}>{delivery.kind}</Descriptions.Item>
        <Descriptions.Item label={t('deliveries.channel')}>{t(`notifications.channels.${delivery.channel}`)}</Descriptions.Item>
        <Descriptions.Item label={t('deliveries.recipient')}>
          <Typography.Text code copyable>
            {delivery.recipientId}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('deliveries.createdAt')}>{time(delivery.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('deliveries.sentAt')}>{time(delivery.sentAt)}</Descriptions.Item>
        {delivery.lastError ? <Descriptions.Item label={t('deliveries.lastError')}>{delivery.lastError}</Descriptions.Item> : null}
      </Descriptions>
      {delivery.status === 'dead' ? <ResendButton userId={userId} deliveryId={delivery.id} /> : null}
      <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
        {t('deliveries.attemptLog')}
      </Typography.Title>
      <Table<DeliveryDetail['attemptLog'][number]>
        size="small"
        data-testid="delivery-attempts"
        rowKey="attempt"
        dataSource={delivery.attemptLog}
        pagination={false}
        locale={{ emptyText: t('deliveries.noAttempts') }}
        columns={[
          { key: 'attempt', title: '#', dataIndex: 'attempt' },
          { key: 'startedAt', title: t('deliveries.startedAt'), render: (_, row) => time(row.startedAt) },
          {
            key: 'outcome',
            title: t('deliveries.outcome'),
            // No outcome: the worker stopped mid-send and never recorded one.
            render: (_, row) => (row.outcome ? <Tag color={STATUS_COLOURS[row.outcome]}>{t(`deliveries.statuses.${row.outcome}`)}</Tag> : t('deliveries.unfinished')),
          },
          { key: 'error', title: t('deliveries.error'), render: (_, row) => row.error ?? '' },
          { key: 'worker', title: t('deliveries.worker'), dataIndex: 'worker' },
        ]}
      />
    </Flex>
  );
}
