import type { Booking, SearchSpacesResponse, Space, WaitlistEntry } from '@linli/contracts';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, DatePicker, Empty, Flex, InputNumber, Modal, Segmented, Select, Skeleton, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { navigate } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { siteKindLabel } from '../sites/siteKinds.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { clockMinutes, clockText, formatRange, formatTime, instantAt, localPartsOf, todayIn } from '../time/zoned.ts';
import { BookingConfirmModal, type BookingRequest } from './BookingConfirmModal.tsx';
import { type SearchAsked, invalidateWaitlist, joinWaitlist, residentQueries } from './resident.queries.ts';

type SearchResult = SearchSpacesResponse['items'][number];
type Mode = 'search' | 'site';
const TIMES = Array.from({ length: 48 }, (_, i) => clockText(i * 30));
const DURATIONS = [30, 60, 90, 120, 180, 240];
const LATEST_START = 21 * 60;

/** A slot on the day's list: free to book, or taken (someone holds it) and open to wait for. */
type DaySlot = { startAt: string; endAt: string; taken: false; remaining: number | null } | { startAt: string; endAt: string; taken: true };

/** The next half hour but one, in the zone: a search defaults to "soon" rather than to a time already gone. */
function soonIn(zone: string): string {
  const now = clockMinutes(localPartsOf(new Date().toISOString(), zone).time);
  return clockText(Math.min(LATEST_START, (Math.floor(now / 30) + 2) * 30));
}

/** Residents: find a free place across the portfolio (or at one site), see free and taken times, book or wait. */
export default function BookPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolio();
  const [mode, setMode] = useState<Mode>('search');
  const [pickedDate, setDate] = useState<string | null>(null);
  const [pickedTime, setTime] = useState<string | null>(null);
  const [duration, setDuration] = useState(60);
  const [partySize, setPartySize] = useState(1);
  const [features, setFeatures] = useState<string[]>([]);
  const [siteKind, setSiteKind] = useState<string | undefined>();
  const [district, setDistrict] = useState<string | undefined>();
  const [siteId, setSiteId] = useState<string | undefined>(user?.homeSiteId ?? undefined);
  const [spaceId, setSpaceId] = useState<string | undefined>();
  const [request, setRequest] = useState<BookingRequest | null>(null);
  const [searched, setSearched] = useState<SearchAsked | null>(null);
  const [waitFor, setWaitFor] = useState<{ space: Space; siteName: string; zone: string; startAt: string; endAt: string } | null>(null);

  const site = portfolio.data?.siteById.get(siteId ?? '');
  // Dates and clock times are the site's when one is picked, else the resident's home site's, else the operator's.
  const zone =
    (mode === 'site' ? site?.timezone : undefined) ??
    portfolio.data?.siteById.get(user?.homeSiteId ?? '')?.timezone ??
    portfolio.data?.organizationZone ??
    'UTC';
  const date = pickedDate ?? todayIn(zone);
  const time = pickedTime ?? soonIn(zone);

  const choices = useMemo(() => {
    const sites = portfolio.data?.sites ?? [];
    const spaces = portfolio.data?.spaces.filter((s) => s.bookableBy === 'residents') ?? [];
    return {
      features: [...new Set(spaces.flatMap((s) => s.features))].sort(),
      kinds: [...new Set(sites.map((s) => s.kind))],
      districts: [...new Set(sites.map((s) => s.district))].sort((a, b) => a.localeCompare(b, 'zh-CN')),
    };
  }, [portfolio.data]);

  // Nothing is asked until the first search; after that the last search's answer stays until the next one.
  const search = useQuery(residentQueries.search(searched));

  const siteSpaces = useMemo(
    () => portfolio.data?.spaces.filter((space) => space.siteId === siteId && space.bookableBy === 'residents') ?? [],
    [portfolio.data, siteId],
  );
  const chosenSpace = siteSpaces.find((space) => space.id === spaceId) ?? siteSpaces[0];
  const slots = useQuery({
    ...residentQueries.slots({ spaceId: chosenSpace?.id ?? '', date, durationMinutes: duration, partySize }),
    enabled: mode === 'site' && chosenSpace !== undefined,
    placeholderData: keepPreviousData,
  });
  const waitlist = useQuery({ ...residentQueries.waitlist(), enabled: mode === 'site' });

  const daySlots = useMemo((): DaySlot[] => {
    if (!slots.data) return [];
    return [
      ...slots.data.slots.map((slot) => ({ ...slot, taken: false as const })),
      ...slots.data.takenSlots.map((slot) => ({ ...slot, taken: true as const })),
    ].sort((a, b) => a.startAt.localeCompare(b.startAt));
  }, [slots.data]);

  /** The resident's own active entry covering a taken slot, so it reads "you are 2nd in line" instead of "join". */
  const entryFor = (slot: { startAt: string; endAt: string }): WaitlistEntry | undefined =>
    waitlist.data?.find(
      (entry) =>
        entry.spaceId === chosenSpace?.id && (entry.status === 'waiting' || entry.status === 'offered') && entry.startAt < slot.endAt && entry.endAt > slot.startAt,
    );

  const join = useMutation({
    mutationFn: (target: NonNullable<typeof waitFor>) =>
      joinWaitlist({ spaceId: target.space.id, startAt: target.startAt, endAt: target.endAt, partySize }),
    onSuccess: (entry) => {
      setWaitFor(null);
      void message.success(t('queue.joinedAt', { position: entry.position ?? 1 }));
      void invalidateWaitlist();
    },
  });

  const booked = (booking: Booking) => {
    setRequest(null);
    void message.success(booking.status === 'pending' ? t('book.requested') : t('book.booked'));
    navigate('/my-bookings');
  };

  const runSearch = () => {
    const startAt = instantAt(date, time, zone);
    setSearched({
      startAt,
      endAt: new Date(Date.parse(startAt) + duration * 60_000).toISOString(),
      partySize,
      features,
      ...(siteKind ? { siteKind } : {}),
      ...(district ? { district } : {}),
      ...(user?.homeSiteId ? { nearSiteId: user.homeSiteId } : {}),
    });
  };

  const bookResult = (result: SearchResult) => {
    if (!searched) return;
    setRequest({ space: result.space, site: result.site, startAt: searched.startAt, endAt: searched.endAt, partySize: searched.partySize });
  };

  const whenControls = (
    <Flex gap="small" wrap>
      <DatePicker
        aria-label={t('booking.date')}
        value={dayjs(date)}
        allowClear={false}
        inputReadOnly
        disabledDate={(day) => day.format('YYYY-MM-DD') < todayIn(zone)}
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
            <Button type="primary" block onClick={runSearch} loading={search.isFetching}>
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
        <SearchResults
          searched={searched !== null}
          results={search.data?.items}
          loading={search.isPending && searched !== null}
          error={search.error}
          onRetry={() => void search.refetch()}
          onBook={bookResult}
          time={time}
        />
      ) : !siteId ? (
        <Empty description={t('book.chooseSite')} />
      ) : (
        <Card size="small" title={t('queue.dayTimes')}>
          {slots.error ? <Alert type="error" showIcon title={describeError(slots.error)} /> : null}
          {slots.isPending && chosenSpace ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
          {slots.data && !daySlots.length ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('book.noSlots')} /> : null}
          {daySlots.some((slot) => slot.taken) ? (
            <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
              {t('queue.takenHint')}
            </Typography.Paragraph>
          ) : null}
          <Flex gap="small" wrap data-testid="slots">
            {daySlots.map((slot) => {
              const clock = formatTime(slot.startAt, slots.data!.timezone, i18n.language);
              if (!slot.taken) {
                return (
                  <Button
                    key={slot.startAt}
                    data-slot-state="free"
                    onClick={() => chosenSpace && site && setRequest({ space: chosenSpace, site, startAt: slot.startAt, endAt: slot.endAt, partySize })}
                  >
                    {clock}
                    {slot.remaining !== null ? <Typography.Text type="secondary"> · {t('book.left', { count: slot.remaining })}</Typography.Text> : null}
                  </Button>
                );
              }
              const mine = entryFor(slot);
              return (
                <Button
                  key={slot.startAt}
                  data-slot-state="taken"
                  className="linli-taken-slot"
                  style={{ borderStyle: 'dashed', background: '#f3f4f6', color: '#374151' }}
                  aria-label={mine ? undefined : t('queue.slotTaken', { time: clock })}
                  onClick={() => chosenSpace && site && !mine && setWaitFor({ space: chosenSpace, siteName: site.name, zone: site.timezone, startAt: slot.startAt, endAt: slot.endAt })}
                >
                  <span style={{ textDecoration: 'line-through' }}>{clock}</span>
                  <Typography.Text style={{ color: '#4b5563' }}>
                    {' · '}
                    {mine ? (mine.status === 'offered' ? t('waitlist.status.offered') : t('queue.position', { position: mine.position ?? '-' })) : t('queue.taken')}
                  </Typography.Text>
                </Button>
              );
            })}
          </Flex>
        </Card>
      )}
      <BookingConfirmModal request={request} onClose={() => setRequest(null)} onBooked={booked} />
      <Modal
        open={waitFor !== null}
        title={t('waitlist.join')}
        okText={t('waitlist.join')}
        cancelText={t('common.cancel')}
        confirmLoading={join.isPending}
        onOk={() => waitFor && join.mutate(waitFor)}
        onCancel={() => {
          setWaitFor(null);
          join.reset();
        }}
        destroyOnHidden
      >
        {waitFor ? (
          <Flex vertical gap="small">
            <Typography.Text strong>
              {waitFor.siteName} · {waitFor.space.name}
            </Typography.Text>
            <Typography.Text>{formatRange(waitFor.startAt, waitFor.endAt, waitFor.zone, i18n.language)}</Typography.Text>
            <Typography.Text type="secondary">{t('queue.joinHint')}</Typography.Text>
            {join.error ? <RefusalAlert error={join.error} zone={waitFor.zone} /> : null}
          </Flex>
        ) : null}
      </Modal>
    </Flex>
  );
}

function SearchResults({
  searched,
  results,
  loading,
  error,
  onRetry,
  onBook,
  time,
}: {
  searched: boolean;
  results: SearchResult[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  onBook: (result: SearchResult) => void;
  time: string;
}) {
  const { t } = useTranslation();
  if (!searched) return <Typography.Text type="secondary">{t('book.searchHint')}</Typography.Text>;
  if (error) return <Alert type="error" showIcon title={describeError(error)} action={<Button onClick={onRetry}>{t('errors.retry')}</Button>} />;
  if (loading) return <Skeleton active />;
  if (!results?.length) return <Empty description={t('book.noResults')} />;
  return (
    <Flex vertical gap="small" data-testid="search-results">
      {results.map((result) => (
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
