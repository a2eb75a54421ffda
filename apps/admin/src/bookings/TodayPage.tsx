import type { Booking, Site } from '@linli/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, DatePicker, Empty, Flex, Segmented, Select, Skeleton, Statistic, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { type Portfolio, portfolioQuery } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, formatLocalDate, formatTime, instantAt, localDateOf, todayIn } from '../time/zoned.ts';
import { BookerSummary } from './Booker.tsx';
import { BookingDrawer } from './BookingDrawer.tsx';
import { bookingQueries, checkInBooking, invalidateBookings, listBookings } from './bookings.api.ts';
import { BookingStatusTag } from './BookingStatusTag.tsx';
import { DaySheet } from './DaySheet.tsx';
import { DeskCheckIn } from './DeskCheckIn.tsx';
import { mySitesOf, siteZone } from './frontDesk.ts';
import { refusalOf } from './refusals.ts';
import './today.css';

type Filter = 'arrivals' | 'checked_in' | 'no_show' | 'all';
const FILTERS: Record<Filter, readonly Booking['status'][]> = {
  arrivals: ['confirmed'],
  checked_in: ['checked_in', 'completed'],
  no_show: ['no_show'],
  all: ['pending', 'confirmed', 'checked_in', 'completed', 'no_show', 'cancelled'],
};
/** What counts as "a booking today" in the summary: what held or holds a room (not cancelled or refused). */
const COUNTED: readonly Booking['status'][] = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'];
/** The pending count is read from one page of this size; more shows as "200+". */
const PENDING_PAGE = 200;

/**
 * Where the site team lands: the chosen day across their sites (a summary on top, then each site's bookings with
 * who booked), check-in at the desk by code or camera, and a printable day sheet per site.
 */
export default function TodayPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = useQuery(portfolioQuery);
  const mySites = useMemo(() => mySitesOf(user, portfolio.data), [user, portfolio.data]);
  const [siteFilter, setSiteFilter] = useState<string | null>(null);
  const sites = siteFilter ? mySites.filter((site) => site.id === siteFilter) : mySites;
  // "Today" is the first site's today (a portfolio spans one city's zone, nearly always).
  const homeZone = siteZone(portfolio.data, mySites[0]?.id);
  const [pickedDate, setPickedDate] = useState<string | null>(null);
  const date = pickedDate ?? todayIn(homeZone);
  const [filter, setFilter] = useState<Filter>('arrivals');
  const [openId, setOpenId] = useState<string | null>(null);
  const [deskOpen, setDeskOpen] = useState(false);
  const [printingSiteId, setPrintingSiteId] = useState<string | null>(null);

  // One request for the day at every chosen site: from the earliest local midnight to the latest among their zones.
  const span = useMemo(() => daySpan(sites, date), [sites, date]);
  const day = useQuery({
    ...bookingQueries.all({ ...(siteFilter ? { siteId: siteFilter } : {}), from: span?.from ?? '', to: span?.to ?? '', status: FILTERS.all }),
    enabled: span !== null,
  });
  const onTheDay = (site: Site) => (day.data ?? []).filter((b) => b.siteId === site.id && localDateOf(Date.parse(b.startAt), site.timezone) === date);
  const dayBookings = sites.flatMap(onTheDay);
  const pending = useQuery({
    queryKey: ['bookings', 'pending-count', siteFilter],
    queryFn: ({ signal }) => listBookings({ status: ['pending'], from: new Date().toISOString(), limit: PENDING_PAGE, ...(siteFilter ? { siteId: siteFilter } : {}) }, signal),
  });

  useEffect(() => {
    if (!printingSiteId) return;
    const done = () => setPrintingSiteId(null);
    window.addEventListener('afterprint', done);
    return () => window.removeEventListener('afterprint', done);
  }, [printingSiteId]);
  const printSheet = (siteId: string) => {
    // The sheet must be in the page before the print dialog takes its picture.
    flushSync(() => setPrintingSiteId(siteId));
    window.print();
  };

  const count = (statuses: readonly Booking['status'][]) => dayBookings.filter((b) => statuses.includes(b.status)).length;

  return (
    <Flex vertical gap="middle">
      <Flex gap="small" wrap align="center">
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        <Typography.Text type="secondary" data-testid="today-date">
          {formatLocalDate(date, i18n.language)}
        </Typography.Text>
      </Flex>
      <Flex gap="small" wrap align="center">
        <DatePicker
          aria-label={t('frontDesk.today.date')}
          value={dayjs(date)}
          allowClear={false}
          onChange={(value) => setPickedDate(value ? value.format('YYYY-MM-DD') : null)}
          data-testid="today-date-picker"
        />
        {pickedDate && pickedDate !== todayIn(homeZone) ? <Button onClick={() => setPickedDate(null)}>{t('frontDesk.today.toToday')}</Button> : null}
        <Select
          aria-label={t('frontDesk.today.sites')}
          style={{ minWidth: 220 }}
          value={siteFilter ?? ''}
          loading={portfolio.isPending}
          showSearch={{ optionFilterProp: 'label' }}
          options={[{ value: '', label: t('frontDesk.today.allSites') }, ...mySites.map((site) => ({ value: site.id, label: site.name }))]}
          onChange={(value: string) => setSiteFilter(value || null)}
        />
        <Button type="primary" onClick={() => setDeskOpen(true)} disabled={!mySites.length} data-testid="open-desk-check-in">
          {t('frontDesk.desk.open')}
        </Button>
        <Button onClick={() => void invalidateBookings()} loading={day.isFetching}>
          {t('common.refresh')}
        </Button>
      </Flex>

      <Card size="small" title={t('frontDesk.today.summaryTitle')} data-testid="today-summary">
        <Flex gap="large" wrap>
          <Statistic title={t('frontDesk.today.summary.bookings')} value={day.data ? count(COUNTED) : '—'} />
          <Statistic title={t('frontDesk.today.summary.checkedIn')} value={day.data ? count(FILTERS.checked_in) : '—'} />
          <Statistic
            title={t('frontDesk.today.summary.pending')}
            value={pending.data ? `${pending.data.items.length}${pending.data.nextCursor ? '+' : ''}` : '—'}
          />
          <Statistic title={t('frontDesk.today.summary.noShows')} value={day.data ? count(FILTERS.no_show) : '—'} />
        </Flex>
      </Card>

      <Segmented<Filter>
        value={filter}
        onChange={setFilter}
        options={(['arrivals', 'checked_in', 'no_show', 'all'] as const).map((value) => ({ value, label: `${t(`today.filters.${value}`)} ${count(FILTERS[value])}` }))}
      />

      {day.error ? (
        <Alert type="error" showIcon title={describeError(day.error)} action={<Button onClick={() => void day.refetch()}>{t('errors.retry')}</Button>} />
      ) : null}
      {portfolio.isPending ? <Skeleton active /> : null}
      {!portfolio.isPending && !mySites.length ? <Empty description={t('frontDesk.today.noSites')} /> : null}

      {sites.map((site) => (
        <SiteDay
          key={site.id}
          site={site}
          portfolio={portfolio.data}
          bookings={onTheDay(site)}
          filter={filter}
          date={date}
          loading={day.isPending}
          printing={printingSiteId === site.id}
          onOpen={setOpenId}
          onPrint={() => printSheet(site.id)}
        />
      ))}

      <BookingDrawer bookingId={openId} onClose={() => setOpenId(null)} />
      <DeskCheckIn open={deskOpen} sites={sites.length ? sites : mySites} portfolio={portfolio.data} onClose={() => setDeskOpen(false)} />
    </Flex>
  );
}

/** [the earliest local midnight, the latest next midnight) of `date` over the sites' zones. */
function daySpan(sites: Site[], date: string): { from: string; to: string } | null {
  if (!sites.length) return null;
  const zones = [...new Set(sites.map((site) => site.timezone))];
  const starts = zones.map((zone) => instantAt(date, '00:00', zone));
  const ends = zones.map((zone) => instantAt(addDaysToLocalDate(date, 1), '00:00', zone));
  return { from: starts.sort()[0]!, to: ends.sort().at(-1)! };
}

interface SiteDayProps {
  site: Site;
  portfolio: Portfolio | undefined;
  bookings: Booking[];
  filter: Filter;
  date: string;
  loading: boolean;
  printing: boolean;
  onOpen: (bookingId: string) => void;
  onPrint: () => void;
}

function SiteDay({ site, portfolio, bookings, filter, date, loading, printing, onOpen, onPrint }: SiteDayProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const zone = site.timezone;
  const rows = bookings.filter((b) => FILTERS[filter].includes(b.status)).sort((a, b) => a.startAt.localeCompare(b.startAt));
  const checkIn = useMutation({
    mutationFn: (booking: Booking) => checkInBooking(booking.id),
    onSuccess: () => void message.success(t('today.checkedIn')),
    onError: (error) => {
      const refusal = refusalOf(error);
      void message.error([refusal.summary, ...refusal.reasons].join(' '));
    },
    onSettled: () => invalidateBookings(),
  });

  return (
    <Card
      size="small"
      title={
        <Flex gap="small" align="baseline" wrap>
          <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
            {site.name}
          </Typography.Title>
          <Typography.Text type="secondary">{t('frontDesk.today.bookingsAt', { count: bookings.length })}</Typography.Text>
        </Flex>
      }
      extra={
        <Button size="small" onClick={onPrint} data-testid={`print-${site.id}`}>
          {t('frontDesk.today.printSheet')}
        </Button>
      }
      data-testid={`site-day-${site.id}`}
    >
      {/* An empty table on a phone is a sideways-scrolling region with nothing to focus (axe: keyboard users cannot
          scroll it): a site with nothing today says so without one. */}
      {!loading && rows.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('today.empty')} />
      ) : (
        <Table<Booking>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('today.empty')} /> }}
          columns={[
            { title: t('booking.when'), key: 'when', render: (_, b) => `${formatTime(b.startAt, zone, i18n.language)}–${formatTime(b.endAt, zone, i18n.language)}` },
            { title: t('booking.space'), key: 'space', render: (_, b) => portfolio?.spaceById.get(b.spaceId)?.name ?? '' },
            { title: t('frontDesk.booker.column'), key: 'booker', render: (_, b) => <BookerSummary booker={b.booker} /> },
            { title: t('booking.partySize'), dataIndex: 'partySize' },
            { title: t('booking.purpose'), dataIndex: 'purpose', render: (p: string | null) => p || '—' },
            { title: t('booking.status'), dataIndex: 'status', render: (s: Booking['status']) => <BookingStatusTag status={s} /> },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_, b) => (
                <Flex gap="small">
                  {b.status === 'confirmed' ? (
                    <Button size="small" type="primary" loading={checkIn.isPending && checkIn.variables.id === b.id} onClick={() => checkIn.mutate(b)}>
                      {t('booking.checkIn')}
                    </Button>
                  ) : null}
                  <Button size="small" onClick={() => onOpen(b.id)}>
                    {t('common.details')}
                  </Button>
                </Flex>
              ),
            },
          ]}
        />
      )}
      <DaySheet site={site} spaces={portfolio?.spaces ?? []} bookings={bookings} date={date} printing={printing} />
    </Card>
  );
}
