import type { Booking } from '@linli/contracts';
import { BOOKING_STATUSES, MAX_FILTER_DAYS } from '@linli/contracts';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Empty, Flex, Input, Select, Spin, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { currentLanguage } from '../i18n/index.ts';
import type { PageProps } from '../shell/page-props.ts';
import { portfolioQuery } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, formatDate, formatRange, formatTime, instantAt, todayIn } from '../time/zoned.ts';
import { BookerSummary } from './Booker.tsx';
import { BookingDrawer } from './BookingDrawer.tsx';
import { BOOKING_SORTS, type BookingFilter, type BookingSort, type BookingSource, bookingQueries, exportBookingsCsv } from './bookings.api.ts';
import { BookingStatusTag } from './BookingStatusTag.tsx';
import { mySitesOf, siteZone } from './frontDesk.ts';

const SOURCES: readonly BookingSource[] = ['resident', 'staff', 'activity', 'series', 'waitlist'];
/** Typing pauses this long before the list is asked again. */
const SEARCH_DELAY_MS = 350;

interface Filters {
  q: string;
  status: Booking['status'][];
  source: BookingSource[];
  siteId: string | null;
  spaceId: string | null;
  /** Local dates (YYYY-MM-DD), both included, read in the chosen site's zone (or the first of mine). */
  dates: [string, string] | null;
  sort: BookingSort;
}

const NO_FILTERS: Filters = { q: '', status: [], source: [], siteId: null, spaceId: null, dates: null, sort: '-startAt' };

/** Staff find any booking at their sites: by person or code, status, site, space, dates and source; and export it. */
export default function BookingsPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = useQuery(portfolioQuery);
  const mySites = useMemo(() => mySitesOf(user, portfolio.data), [user, portfolio.data]);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [typed, setTyped] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const change = (patch: Partial<Filters>) => setFilters((current) => ({ ...current, ...patch }));

  useEffect(() => {
    const timer = setTimeout(() => setFilters((current) => (current.q === typed.trim() ? current : { ...current, q: typed.trim() })), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const zone = siteZone(portfolio.data, filters.siteId ?? mySites[0]?.id);
  const query: BookingFilter = useMemo(
    () => ({
      ...(filters.q ? { q: filters.q } : {}),
      ...(filters.status.length ? { status: filters.status } : {}),
      ...(filters.source.length ? { source: filters.source } : {}),
      ...(filters.siteId ? { siteId: filters.siteId } : {}),
      ...(filters.spaceId ? { spaceId: filters.spaceId } : {}),
      ...(filters.dates ? { from: instantAt(filters.dates[0], '00:00', zone), to: instantAt(addDaysToLocalDate(filters.dates[1], 1), '00:00', zone) } : {}),
      sort: filters.sort,
    }),
    [filters, zone],
  );
  const list = useInfiniteQuery(bookingQueries.pages(query));
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];

  const exportCsv = useMutation({
    mutationFn: () => exportBookingsCsv(query, currentLanguage()),
    onSuccess: (csv) => {
      const file = `bookings-${todayIn(zone)}.csv`;
      const url = URL.createObjectURL(csv);
      const link = document.createElement('a');
      link.href = url;
      link.download = file;
      document.body.append(link);
      link.click();
      link.remove();
      // The download has its own copy once it started; the URL is not needed after this turn.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      void message.success(t('frontDesk.list.exported', { file }));
    },
    onError: (error) => void message.error(describeError(error)),
  });

  const spaces = (portfolio.data?.spaces ?? []).filter((space) => (filters.siteId ? space.siteId === filters.siteId : mySites.some((site) => site.id === space.siteId)));
  const zoneOfSpace = (spaceId: string) => siteZone(portfolio.data, portfolio.data?.spaceById.get(spaceId)?.siteId);

  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Flex gap="small" wrap align="center" role="search">
        <Input.Search
          aria-label={t('frontDesk.list.search')}
          placeholder={t('frontDesk.list.searchPlaceholder')}
          value={typed}
          maxLength={60}
          allowClear
          style={{ width: 280 }}
          onChange={(event) => setTyped(event.target.value)}
          onSearch={(value) => {
            setTyped(value);
            change({ q: value.trim() });
          }}
          data-testid="bookings-search"
        />
        <Select
          aria-label={t('frontDesk.list.status')}
          mode="multiple"
          allowClear
          placeholder={t('frontDesk.list.allStatuses')}
          style={{ minWidth: 180 }}
          value={filters.status}
          options={BOOKING_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))}
          onChange={(status: Booking['status'][]) => change({ status })}
        />
        <Select
          aria-label={t('frontDesk.list.site')}
          style={{ minWidth: 180 }}
          value={filters.siteId ?? ''}
          showSearch={{ optionFilterProp: 'label' }}
          options={[{ value: '', label: t('frontDesk.list.allSites') }, ...mySites.map((site) => ({ value: site.id, label: site.name }))]}
          onChange={(siteId: string) => change({ siteId: siteId || null, spaceId: null })}
        />
        <Select
          aria-label={t('frontDesk.list.space')}
          style={{ minWidth: 160 }}
          value={filters.spaceId ?? ''}
          showSearch={{ optionFilterProp: 'label' }}
          options={[
            { value: '', label: t('frontDesk.list.allSpaces') },
            ...spaces.map((space) => ({ value: space.id, label: filters.siteId ? space.name : `${portfolio.data?.siteById.get(space.siteId)?.name ?? ''} · ${space.name}` })),
          ]}
          onChange={(spaceId: string) => change({ spaceId: spaceId || null })}
        />
        <DatePicker.RangePicker
          aria-label={t('frontDesk.list.dates')}
          placeholder={[t('frontDesk.list.startDate'), t('frontDesk.list.endDate')]}
          value={filters.dates ? [dayjs(filters.dates[0]), dayjs(filters.dates[1])] : null}
          // The API takes at most a year per request: the picker offers no longer span.
          disabledDate={(current, { from }) => (from ? Math.abs(current.diff(from, 'day')) >= MAX_FILTER_DAYS : false)}
          onChange={(range) => change({ dates: range?.[0] && range[1] ? [range[0].format('YYYY-MM-DD'), range[1].format('YYYY-MM-DD')] : null })}
        />
        <Select
          aria-label={t('frontDesk.list.source')}
          mode="multiple"
          allowClear
          placeholder={t('frontDesk.list.allSources')}
          style={{ minWidth: 150 }}
          value={filters.source}
          options={SOURCES.map((source) => ({ value: source, label: t(`sources.${source}`) }))}
          onChange={(source: BookingSource[]) => change({ source })}
        />
        <Select
          aria-label={t('frontDesk.list.sort')}
          style={{ minWidth: 180 }}
          value={filters.sort}
          options={BOOKING_SORTS.map((sort) => ({ value: sort, label: t(`frontDesk.list.sorts.${sort}`) }))}
          onChange={(sort: BookingSort) => change({ sort })}
        />
        <Button
          onClick={() => {
            setTyped('');
            setFilters(NO_FILTERS);
          }}
        >
          {t('frontDesk.list.reset')}
        </Button>
        <Button type="primary" loading={exportCsv.isPending} onClick={() => exportCsv.mutate()} data-testid="bookings-export" style={{ marginInlineStart: 'auto' }}>
          {t('frontDesk.list.export')}
        </Button>
      </Flex>

      {list.error ? (
        <Alert
          type="error"
          showIcon
          title={t('frontDesk.list.loadFailed')}
          description={describeError(list.error)}
          action={<Button onClick={() => void list.refetch()}>{t('errors.retry')}</Button>}
        />
      ) : null}

      {/* An empty table on a phone is a sideways-scrolling region with nothing to focus (axe: keyboard users cannot
          scroll it): no rows are said without one. */}
      {rows.length === 0 ? (
        list.data && !list.isFetching ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('frontDesk.list.empty')} />
        ) : (
          <Flex justify="center" style={{ padding: 24 }}>
            <Spin />
          </Flex>
        )
      ) : (
        <Table<Booking>
          rowKey="id"
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(row) => ({ 'data-testid': `booking-row-${row.id}` }) as React.HTMLAttributes<HTMLElement>}
          locale={{ emptyText: list.data ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('frontDesk.list.empty')} /> : ' ' }}
          columns={[
            { title: t('booking.when'), key: 'when', render: (_, b) => formatRange(b.startAt, b.endAt, zoneOfSpace(b.spaceId), i18n.language) },
            {
              title: t('booking.place'),
              key: 'place',
              render: (_, b) => (
                <Flex vertical>
                  <span>{portfolio.data?.spaceById.get(b.spaceId)?.name ?? ''}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {portfolio.data?.siteById.get(b.siteId)?.name ?? ''}
                  </Typography.Text>
                </Flex>
              ),
            },
            { title: t('frontDesk.booker.column'), key: 'booker', render: (_, b) => <BookerSummary booker={b.booker} /> },
            { title: t('booking.status'), dataIndex: 'status', render: (status: Booking['status']) => <BookingStatusTag status={status} /> },
            { title: t('booking.source'), dataIndex: 'source', render: (source: string) => t(`sources.${source}` as 'sources.staff', { defaultValue: source }) },
            {
              title: t('frontDesk.list.booked'),
              dataIndex: 'createdAt',
              render: (at: string, b) => `${formatDate(at, zoneOfSpace(b.spaceId), i18n.language)} ${formatTime(at, zoneOfSpace(b.spaceId), i18n.language)}`,
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_, b) => (
                <Button size="small" onClick={() => setOpenId(b.id)}>
                  {t('common.details')}
                </Button>
              ),
            },
          ]}
        />
      )}
      <Flex gap="middle" align="center" justify="center">
        <Typography.Text type="secondary" data-testid="bookings-count">
          {list.hasNextPage ? t('frontDesk.list.shownMore', { count: rows.length }) : t('frontDesk.list.shown', { count: rows.length })}
        </Typography.Text>
        {list.hasNextPage ? (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('frontDesk.list.loadMore')}
          </Button>
        ) : null}
      </Flex>
      <BookingDrawer bookingId={openId} onClose={() => setOpenId(null)} />
    </Flex>
  );
}
