import type { Booking } from '@linli/contracts';
import { Alert, App, Button, Empty, Flex, Segmented, Select, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useResource } from '../api/useResource.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { placeOf, usePortfolio } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, formatTime, instantAt, todayIn } from '../time/zoned.ts';
import { BookingDrawer } from './BookingDrawer.tsx';
import { checkInBooking, listAllBookings } from './bookings.api.ts';
import { BookingStatusTag } from './BookingStatusTag.tsx';
import { refusalOf } from './refusals.ts';

type Filter = 'arrivals' | 'checked_in' | 'no_show' | 'all';
const FILTERS: Record<Filter, readonly Booking['status'][]> = {
  arrivals: ['confirmed'],
  checked_in: ['checked_in', 'completed'],
  no_show: ['no_show'],
  all: ['pending', 'confirmed', 'checked_in', 'completed', 'no_show', 'cancelled'],
};

/** The front desk's day at one site: who is coming, who is in, who did not come. */
export default function TodayPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolio();
  const mySites = useMemo(() => {
    const sites = portfolio.data?.sites ?? [];
    return user && user.role !== 'org_admin' ? sites.filter((site) => user.siteIds.includes(site.id)) : sites;
  }, [portfolio.data, user]);
  const [chosen, setChosen] = useState<string | null>(null);
  const siteId = chosen ?? mySites[0]?.id ?? null;
  const zone = portfolio.data?.siteById.get(siteId ?? '')?.timezone ?? 'Asia/Shanghai';
  const [filter, setFilter] = useState<Filter>('arrivals');
  const [openId, setOpenId] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const today = todayIn(zone);
  const bookings = useResource(
    (signal) =>
      siteId
        ? listAllBookings({ siteId, from: instantAt(today, '00:00', zone), to: instantAt(addDaysToLocalDate(today, 1), '00:00', zone), status: FILTERS.all }, signal)
        : Promise.resolve([]),
    [siteId, today],
  );
  const rows = (bookings.data ?? []).filter((b) => FILTERS[filter].includes(b.status)).sort((a, b) => a.startAt.localeCompare(b.startAt));
  const count = (f: Filter) => (bookings.data ?? []).filter((b) => FILTERS[f].includes(b.status)).length;

  const checkIn = async (booking: Booking) => {
    setBusyId(booking.id);
    try {
      await checkInBooking(booking.id);
      void message.success(t('today.checkedIn'));
      bookings.reload();
    } catch (error) {
      const refusal = refusalOf(error);
      void message.error([refusal.summary, ...refusal.reasons].join(' '));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Flex gap="small" wrap align="center">
        <Select
          aria-label={t('today.site')}
          style={{ minWidth: 260 }}
          value={siteId}
          loading={portfolio.loading}
          showSearch={{ optionFilterProp: 'label' }}
          options={mySites.map((site) => ({ value: site.id, label: site.name }))}
          onChange={setChosen}
        />
        <Segmented<Filter>
          value={filter}
          onChange={setFilter}
          options={(['arrivals', 'checked_in', 'no_show', 'all'] as const).map((value) => ({ value, label: `${t(`today.filters.${value}`)} ${count(value)}` }))}
        />
        <Button onClick={bookings.reload} loading={bookings.loading}>
          {t('common.refresh')}
        </Button>
      </Flex>
      {bookings.error ? <Alert type="error" showIcon title={describeError(bookings.error)} action={<Button onClick={bookings.reload}>{t('errors.retry')}</Button>} /> : null}
      <Table<Booking>
        rowKey="id"
        loading={bookings.loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: bookings.data ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('today.empty')} /> : ' ' }}
        columns={[
          { title: t('booking.when'), key: 'when', render: (_, b) => `${formatTime(b.startAt, zone, i18n.language)}–${formatTime(b.endAt, zone, i18n.language)}` },
          { title: t('booking.space'), key: 'space', render: (_, b) => placeOf(portfolio.data, b.spaceId).spaceName },
          { title: t('booking.partySize'), dataIndex: 'partySize' },
          { title: t('booking.purpose'), dataIndex: 'purpose', render: (p: string | null) => p || '—' },
          { title: t('booking.status'), dataIndex: 'status', render: (s: Booking['status']) => <BookingStatusTag status={s} /> },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, b) => (
              <Flex gap="small">
                {b.status === 'confirmed' ? (
                  <Button size="small" type="primary" loading={busyId === b.id} onClick={() => void checkIn(b)}>
                    {t('booking.checkIn')}
                  </Button>
                ) : null}
                <Button size="small" onClick={() => setOpenId(b.id)}>
                  {t('common.details')}
                </Button>
              </Flex>
            ),
          },
        ]}
      />
      <BookingDrawer bookingId={openId} onClose={() => setOpenId(null)} onChanged={() => bookings.reload()} />
    </Flex>
  );
}
