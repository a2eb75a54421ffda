import type { Booking, SearchSpacesResponse } from '@linli/contracts';
import { Alert, App, Button, Card, DatePicker, Empty, Flex, InputNumber, Segmented, Select, Skeleton, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useResource } from '../api/useResource.ts';
import { useSession } from '../auth/session.tsx';
import { navigate } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { siteKindLabel } from '../sites/siteKinds.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { getSpaceAvailability, searchSpaces } from '../spaces/spaces.api.ts';
import { clockText, formatTime, instantAt, todayIn } from '../time/zoned.ts';
import { BookingConfirmModal, type BookingRequest } from './BookingConfirmModal.tsx';

type SearchResult = SearchSpacesResponse['items'][number];
type Mode = 'search' | 'site';
const ZONE = 'Asia/Shanghai';
const TIMES = Array.from({ length: 48 }, (_, i) => clockText(i * 30));
const DURATIONS = [30, 60, 90, 120, 180, 240];

/** Residents: find a free place across the portfolio (or at one site), see the free times, book. */
export default function BookPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolio();
  const [mode, setMode] = useState<Mode>('search');
  const [date, setDate] = useState(todayIn(ZONE));
  const [time, setTime] = useState(() => clockText(Math.min(21 * 60, (Math.floor((new Date().getHours() * 60 + new Date().getMinutes()) / 30) + 2) * 30)));
  const [duration, setDuration] = useState(60);
  const [partySize, setPartySize] = useState(1);
  const [features, setFeatures] = useState<string[]>([]);
  const [siteKind, setSiteKind] = useState<string | undefined>();
  const [district, setDistrict] = useState<string | undefined>();
  const [siteId, setSiteId] = useState<string | undefined>(user?.homeSiteId ?? undefined);
  const [spaceId, setSpaceId] = useState<string | undefined>();
  const [request, setRequest] = useState<BookingRequest | null>(null);
  const [searchKey, setSearchKey] = useState(0);

  const choices = useMemo(() => {
    const sites = portfolio.data?.sites ?? [];
    const spaces = portfolio.data?.spaces.filter((s) => s.bookableBy === 'residents') ?? [];
    return {
      features: [...new Set(spaces.flatMap((s) => s.features))].sort(),
      kinds: [...new Set(sites.map((s) => s.kind))],
      districts: [...new Set(sites.map((s) => s.district))].sort((a, b) => a.localeCompare(b, 'zh-CN')),
    };
  }, [portfolio.data]);

  const search = useResource(
    (signal) =>
      searchKey === 0
        ? Promise.resolve(null)
        : searchSpaces(
            {
              startAt: instantAt(date, time, ZONE),
              endAt: new Date(Date.parse(instantAt(date, time, ZONE)) + duration * 60_000).toISOString(),
              partySize,
              features,
              siteKind,
              district,
              ...(user?.homeSiteId ? { nearSiteId: user.homeSiteId } : {}),
            },
            signal,
          ),
    [searchKey],
  );

  const siteSpaces = useMemo(
    () => portfolio.data?.spaces.filter((space) => space.siteId === siteId && space.bookableBy === 'residents') ?? [],
    [portfolio.data, siteId],
  );
  const chosenSpace = siteSpaces.find((space) => space.id === spaceId) ?? siteSpaces[0];
  const site = portfolio.data?.siteById.get(siteId ?? '');
  const slots = useResource(
    (signal) =>
      mode === 'site' && chosenSpace ? getSpaceAvailability(chosenSpace.id, { from: date, to: date, durationMinutes: duration, partySize }, signal) : Promise.resolve(null),
    [mode, chosenSpace?.id, date, duration, partySize],
  );

  const booked = (booking: Booking) => {
    setRequest(null);
    void message.success(booking.status === 'pending' ? t('book.requested') : t('book.booked'));
    navigate('/my-bookings');
  };

  const bookResult = (result: SearchResult) =>
    setRequest({
      space: result.space,
      site: result.site,
      startAt: instantAt(date, time, result.site.timezone),
      endAt: new Date(Date.parse(instantAt(date, time, result.site.timezone)) + duration * 60_000).toISOString(),
      partySize,
    });

  const whenControls = (
    <Flex gap="small" wrap>
      <DatePicker
        aria-label={t('booking.date')}
        value={dayjs(date)}
        allowClear={false}
        inputReadOnly
        disabledDate={(day) => day.isBefore(dayjs(), 'day')}
        onChange={(value) => value && setDate(value.format('YYYY-MM-DD'))}
        style={{ flex: '1 1 140px' }}
      />
      {mode === 'search' ? (
        <Select aria-label={t('booking.start')} value={time} onChange={setTime} options={TIMES.map((value) => ({ value, label: value }))} style={{ flex: '1 1 100px' }} />
      ) : null}
      <Select
        aria-label={t('book.duration')}
        value={duration}
        onChange={setDuration}
        options={DURATIONS.map((value) => ({ value, label: t('book.minutes', { count: value }) }))}
        style={{ flex: '1 1 110px' }}
      />
      <InputNumber aria-label={t('booking.partySize')} min={1} max={500} value={partySize} onChange={(value) => setPartySize(value ?? 1)} prefix={t('book.people')} style={{ flex: '1 1 110px' }} />
    </Flex>
  );

  return (
    <Flex vertical gap="middle" style={{ maxWidth: 720, margin: '0 auto', width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Segmented<Mode>
        block
        value={mode}
        onChange={setMode}
        options={[
          { value: 'search', label: t('book.searchAll') },
          { value: 'site', label: t('book.pickSite') },
        ]}
      />
      {portfolio.error ? <Alert type="error" showIcon title={describeError(portfolio.error)} action={<Button onClick={portfolio.reload}>{t('errors.retry')}</Button>} /> : null}

      {mode === 'search' ? (
        <Card size="small">
          <Flex vertical gap="small">
            {whenControls}
            <Select
              mode="multiple"
              aria-label={t('book.features')}
              placeholder={t('book.features')}
              value={features}
              onChange={setFeatures}
              options={choices.features.map((value) => ({ value, label: t(`features.${value}` as 'features.projector', { defaultValue: value }) }))}
            />
            <Flex gap="small" wrap>
              <Select
                allowClear
                aria-label={t('sites.kind')}
                placeholder={t('sites.kind')}
                value={siteKind}
                onChange={setSiteKind}
                options={choices.kinds.map((value) => ({ value, label: siteKindLabel(value) }))}
                style={{ flex: '1 1 160px' }}
              />
              <Select
                allowClear
                aria-label={t('sites.district')}
                placeholder={t('sites.district')}
                value={district}
                onChange={setDistrict}
                options={choices.districts.map((value) => ({ value, label: value }))}
                style={{ flex: '1 1 160px' }}
              />
            </Flex>
            <Button type="primary" block onClick={() => setSearchKey((n) => n + 1)} loading={search.loading && searchKey > 0}>
              {t('book.search')}
            </Button>
          </Flex>
        </Card>
      ) : (
        <Card size="small">
          <Flex vertical gap="small">
            <Select
              aria-label={t('book.site')}
              placeholder={t('book.site')}
              value={siteId}
              onChange={(value: string) => {
                setSiteId(value);
                setSpaceId(undefined);
              }}
              showSearch={{ optionFilterProp: 'label' }}
              options={(portfolio.data?.sites ?? []).map((s) => ({ value: s.id, label: `${s.name}（${s.district}）` }))}
              data-testid="book-site"
            />
            {siteSpaces.length ? (
              <Select
                aria-label={t('booking.space')}
                value={chosenSpace?.id}
                onChange={setSpaceId}
                options={siteSpaces.map((s) => ({ value: s.id, label: `${s.name} · ${t(`modes.${s.bookingMode}`)} · ${t('book.capacity', { count: s.capacity })}` }))}
                data-testid="book-space"
              />
            ) : null}
            {whenControls}
          </Flex>
        </Card>
      )}

      {mode === 'search' ? (
        <SearchResults search={search} searched={searchKey > 0} onBook={bookResult} time={time} />
      ) : !siteId ? (
        <Empty description={t('book.chooseSite')} />
      ) : (
        <Card size="small" title={t('book.freeTimes')}>
          {slots.error ? <Alert type="error" showIcon title={describeError(slots.error)} /> : null}
          {slots.loading && !slots.data ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
          {slots.data && !slots.data.slots.length ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('book.noSlots')} /> : null}
          <Flex gap="small" wrap data-testid="slots">
            {slots.data?.slots.map((slot) => (
              <Button
                key={slot.startAt}
                onClick={() =>
                  chosenSpace && site && setRequest({ space: chosenSpace, site, startAt: slot.startAt, endAt: slot.endAt, partySize })
                }
              >
                {formatTime(slot.startAt, slots.data!.timezone, i18n.language)}
                {slot.remaining !== null ? <Typography.Text type="secondary"> · {t('book.left', { count: slot.remaining })}</Typography.Text> : null}
              </Button>
            ))}
          </Flex>
        </Card>
      )}
      <BookingConfirmModal request={request} onClose={() => setRequest(null)} onBooked={booked} />
    </Flex>
  );
}

function SearchResults({
  search,
  searched,
  onBook,
  time,
}: {
  search: ReturnType<typeof useResource<{ items: SearchResult[] } | null>>;
  searched: boolean;
  onBook: (result: SearchResult) => void;
  time: string;
}) {
  const { t } = useTranslation();
  if (!searched) return <Typography.Text type="secondary">{t('book.searchHint')}</Typography.Text>;
  if (search.error) return <Alert type="error" showIcon title={describeError(search.error)} action={<Button onClick={search.reload}>{t('errors.retry')}</Button>} />;
  if (search.loading && !search.data) return <Skeleton active />;
  if (!search.data?.items.length) return <Empty description={t('book.noResults')} />;
  return (
    <Flex vertical gap="small" data-testid="search-results">
      {search.data.items.map((result) => (
        <Card key={result.space.id} size="small">
          <Flex justify="space-between" align="center" gap="small">
            <Flex vertical style={{ minWidth: 0 }}>
              <Typography.Text strong>{result.space.name}</Typography.Text>
              <Typography.Text type="secondary" ellipsis>
                {result.site.name}
                {result.distanceKm !== null ? ` · ${t('refusal.distance', { km: result.distanceKm.toFixed(1) })}` : ''}
              </Typography.Text>
              <Flex gap={4} wrap style={{ marginTop: 4 }}>
                <Tag>{t(`modes.${result.space.bookingMode}`)}</Tag>
                {result.remaining !== null ? <Tag color="green">{t('book.left', { count: result.remaining })}</Tag> : <Tag>{t('book.capacity', { count: result.space.capacity })}</Tag>}
                {result.space.features.slice(0, 3).map((feature) => (
                  <Tag key={feature}>{t(`features.${feature}` as 'features.projector', { defaultValue: feature })}</Tag>
                ))}
              </Flex>
            </Flex>
            <Button type="primary" onClick={() => onBook(result)} aria-label={`${t('book.bookAt', { time })} ${result.space.name}`}>
              {t('book.book')}
            </Button>
          </Flex>
        </Card>
      ))}
    </Flex>
  );
}
