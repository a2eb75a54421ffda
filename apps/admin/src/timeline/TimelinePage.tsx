import type { ScheduleBooking, SiteSchedule } from '@linli/contracts';
import { Alert, App, Button, DatePicker, Empty, Flex, Modal, Segmented, Select, Skeleton, Space as AntSpace, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useResource } from '../api/useResource.ts';
import { useSession } from '../auth/session.tsx';
import { BookingDrawer } from '../bookings/BookingDrawer.tsx';
import { type BookingDraft, BookingFormModal } from '../bookings/BookingFormModal.tsx';
import { STATUS_COLORS } from '../bookings/BookingStatusTag.tsx';
import { getSiteSchedule, updateBooking } from '../bookings/bookings.api.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { SeriesModal } from '../series/SeriesModal.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, clockText, instantOfWallClock, todayIn, utcOffsetOf, wallClockIn, wallClockPartsOf, weekdayOf } from '../time/zoned.ts';
import type { TimelineEvent, TimelineResource, WallClockRange } from './ResourceTimeline.tsx';

const ResourceTimeline = lazy(() => import('./ResourceTimeline.tsx'));

type View = 'day' | 'week';
const SHOWN_STATUSES = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'] as const;
const WEEKDAY_INDEX = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 } as const;
const SITE_ZONE_FALLBACK = 'Asia/Shanghai';

/** What the address bar remembers, so a view can be reloaded or shared: ?sites=a,b&date=2026-11-23&view=week */
function readQuery(): { siteIds: string[]; date: string | null; view: View } {
  const query = new URLSearchParams(window.location.search);
  return {
    siteIds: (query.get('sites') ?? '').split(',').filter(Boolean),
    date: /^\d{4}-\d{2}-\d{2}$/.test(query.get('date') ?? '') ? query.get('date') : null,
    view: query.get('view') === 'week' ? 'week' : 'day',
  };
}

interface MoveRefusal {
  error: unknown;
  booking: ScheduleBooking;
  zone: string;
}

export default function TimelinePage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolio();
  const initial = useMemo(readQuery, []);
  const [chosenSiteIds, setChosenSiteIds] = useState<string[]>(initial.siteIds);
  const [date, setDate] = useState<string>(initial.date ?? todayIn(SITE_ZONE_FALLBACK));
  const [view, setView] = useState<View>(initial.view);
  const [draft, setDraft] = useState<BookingDraft | null>(null);
  const [seriesOpen, setSeriesOpen] = useState(false);
  const [openBookingId, setOpenBookingId] = useState<string | null>(null);
  const [moveRefusal, setMoveRefusal] = useState<MoveRefusal | null>(null);

  // Site teams see their own sites; the portfolio admin sees every site.
  const mySites = useMemo(() => {
    const sites = portfolio.data?.sites ?? [];
    return user && user.role !== 'org_admin' ? sites.filter((site) => user.siteIds.includes(site.id)) : sites;
  }, [portfolio.data, user]);
  const siteIds = useMemo(() => {
    const known = chosenSiteIds.filter((id) => mySites.some((site) => site.id === id));
    return known.length ? known : mySites[0] ? [mySites[0].id] : [];
  }, [chosenSiteIds, mySites]);

  const firstDay = view === 'week' ? addDaysToLocalDate(date, -WEEKDAY_INDEX[weekdayOf(date)]) : date;
  const days = view === 'week' ? 7 : 1;

  useEffect(() => {
    const query = new URLSearchParams({ sites: siteIds.join(','), date, view });
    window.history.replaceState(null, '', `${window.location.pathname}?${query.toString()}`);
  }, [siteIds, date, view]);

  const schedules = useResource(
    (signal) => Promise.all(siteIds.map((id) => getSiteSchedule(id, firstDay, days, signal))),
    [siteIds.join(','), firstDay, days],
  );

  const zone = schedules.data?.[0]?.site.timezone ?? portfolio.data?.siteById.get(siteIds[0] ?? '')?.timezone ?? SITE_ZONE_FALLBACK;
  const board = useMemo(() => (schedules.data ? boardOf(schedules.data, t) : null), [schedules.data, t]);
  const bookingById = useMemo(() => new Map(schedules.data?.flatMap((s) => s.bookings.map((b) => [b.id, b] as const)) ?? []), [schedules.data]);
  const spacesOnBoard = useMemo(() => schedules.data?.flatMap((s) => s.spaces) ?? [], [schedules.data]);

  const onSelect = useCallback(
    (range: WallClockRange) => {
      if (!range.resourceId || range.resourceId.startsWith('site:')) return;
      const start = wallClockPartsOf(range.start);
      const end = wallClockPartsOf(range.end);
      // A booking is one local day; a selection running past midnight ends at the day's last slot.
      setDraft({ spaceId: range.resourceId, date: start.date, start: start.time, end: end.date > start.date ? '23:30' : end.time });
    },
    [],
  );

  const onEventChange = useCallback(
    async (change: WallClockRange & { id: string; revert: () => void }) => {
      const booking = bookingById.get(change.id);
      if (!booking) return change.revert();
      const siteZone = portfolio.data?.siteById.get(booking.siteId)?.timezone ?? zone;
      const body = {
        startAt: instantOfWallClock(change.start, siteZone),
        endAt: instantOfWallClock(change.end, siteZone),
        ...(change.resourceId && !change.resourceId.startsWith('site:') && change.resourceId !== booking.spaceId ? { spaceId: change.resourceId } : {}),
      };
      try {
        await updateBooking(booking, body);
        void message.success(t('timeline.moved'));
        schedules.reload();
      } catch (error) {
        change.revert();
        setMoveRefusal({ error, booking, zone: siteZone });
      }
    },
    [bookingById, portfolio.data, zone, message, t, schedules],
  );

  const moveToAlternative = async (refusal: MoveRefusal, alternative: { spaceId: string; startAt: string; endAt: string }) => {
    try {
      await updateBooking(refusal.booking, { spaceId: alternative.spaceId, startAt: alternative.startAt, endAt: alternative.endAt });
      setMoveRefusal(null);
      void message.success(t('timeline.moved'));
      schedules.reload();
    } catch (error) {
      setMoveRefusal({ ...refusal, error });
    }
  };

  const loadError = portfolio.error ?? schedules.error;

  return (
    <Flex vertical gap="middle">
      <Flex align="center" justify="space-between" gap="middle" wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        <AntSpace wrap>
          <Button onClick={() => setSeriesOpen(true)} disabled={!portfolio.data}>
            {t('series.new')}
          </Button>
          <Button type="primary" onClick={() => setDraft({ date })} disabled={!portfolio.data || !spacesOnBoard.length}>
            {t('booking.new')}
          </Button>
        </AntSpace>
      </Flex>

      <Flex gap="small" wrap align="center">
        <Select
          mode="multiple"
          aria-label={t('timeline.sites')}
          placeholder={t('timeline.sites')}
          style={{ minWidth: 260, maxWidth: 560, flex: '1 1 260px' }}
          value={siteIds}
          loading={portfolio.loading}
          maxTagCount="responsive"
          showSearch={{ optionFilterProp: 'label' }}
          options={mySites.map((site) => ({ value: site.id, label: site.name }))}
          onChange={(ids: string[]) => setChosenSiteIds(ids)}
          data-testid="site-select"
        />
        <AntSpace.Compact>
          <Button aria-label={t('timeline.previous')} onClick={() => setDate(addDaysToLocalDate(date, -days))}>
            ‹
          </Button>
          <Button onClick={() => setDate(todayIn(zone))}>{t('timeline.today')}</Button>
          <Button aria-label={t('timeline.next')} onClick={() => setDate(addDaysToLocalDate(date, days))}>
            ›
          </Button>
        </AntSpace.Compact>
        <DatePicker
          aria-label={t('booking.date')}
          value={dayjs(date)}
          allowClear={false}
          onChange={(value) => value && setDate(value.format('YYYY-MM-DD'))}
        />
        <Segmented<View>
          aria-label={t('timeline.view')}
          value={view}
          onChange={setView}
          options={[
            { value: 'day', label: t('timeline.day') },
            { value: 'week', label: t('timeline.week') },
          ]}
        />
      </Flex>

      <Flex gap="small" wrap aria-label={t('timeline.legend')}>
        {SHOWN_STATUSES.map((status) => (
          <Tag key={status} color={STATUS_COLORS[status]}>
            {t(`status.${status}`)}
          </Tag>
        ))}
        <Tag color="#cbd5e1" style={{ color: '#1f2937' }}>
          {t('timeline.closedHours')}
        </Tag>
        <Tag color="#fca5a5" style={{ color: '#7f1d1d' }}>
          {t('timeline.closure')}
        </Tag>
      </Flex>

      {loadError ? (
        <Alert type="error" showIcon title={t('timeline.loadFailed')} description={describeError(loadError)} action={<Button onClick={schedules.reload}>{t('errors.retry')}</Button>} />
      ) : null}
      {portfolio.data && !mySites.length ? <Empty description={t('timeline.noSites')} /> : null}
      {board && board.resources.length === 0 ? <Empty description={t('timeline.noSpaces')} /> : null}

      {!board && !loadError ? <Skeleton active paragraph={{ rows: 8 }} /> : null}
      {board && board.resources.length ? (
        <div style={{ overflowX: 'auto', opacity: schedules.loading ? 0.6 : 1, transition: 'opacity .2s' }} aria-busy={schedules.loading}>
          <Suspense fallback={<Skeleton active paragraph={{ rows: 8 }} />}>
            <ResourceTimeline
              view={view}
              date={date}
              utcOffset={utcOffsetOf(zone, new Date(`${date}T12:00:00Z`))}
              resources={board.resources}
              events={board.events}
              slotMinTime={board.slotMinTime}
              slotMaxTime={board.slotMaxTime}
              snapMinutes={30}
              locale={i18n.language}
              editable
              onSelect={onSelect}
              onEventChange={(change) => void onEventChange(change)}
              onEventClick={setOpenBookingId}
            />
          </Suspense>
        </div>
      ) : null}
      <Typography.Text type="secondary">{t('timeline.hint')}</Typography.Text>

      {portfolio.data ? (
        <>
          <BookingFormModal
            open={draft !== null}
            draft={draft ?? {}}
            spaces={spacesOnBoard}
            portfolio={portfolio.data}
            onClose={() => setDraft(null)}
            onCreated={() => {
              setDraft(null);
              void message.success(t('booking.created'));
              schedules.reload();
            }}
          />
          <SeriesModal
            open={seriesOpen}
            spaces={spacesOnBoard}
            portfolio={portfolio.data}
            onClose={() => setSeriesOpen(false)}
            onCreated={() => {
              setSeriesOpen(false);
              schedules.reload();
            }}
          />
        </>
      ) : null}
      <BookingDrawer bookingId={openBookingId} onClose={() => setOpenBookingId(null)} onChanged={() => schedules.reload()} />
      <Modal
        open={moveRefusal !== null}
        title={t('timeline.moveRefused')}
        footer={<Button onClick={() => setMoveRefusal(null)}>{t('common.close')}</Button>}
        onCancel={() => setMoveRefusal(null)}
      >
        {moveRefusal ? (
          <RefusalAlert error={moveRefusal.error} zone={moveRefusal.zone} onPickAlternative={(alternative) => void moveToAlternative(moveRefusal, alternative)} />
        ) : null}
      </Modal>
    </Flex>
  );
}

// i18next's own type: deriving it from the hook's return type makes TypeScript give up once there are many keys.
type Translate = TFunction;

/** Rows (spaces, grouped by site when there are several) and blocks (bookings, closed hours, closures). */
function boardOf(schedules: SiteSchedule[], t: Translate): { resources: TimelineResource[]; events: TimelineEvent[]; slotMinTime: string; slotMaxTime: string } {
  const grouped = schedules.length > 1;
  const resources: TimelineResource[] = [];
  const events: TimelineEvent[] = [];
  let earliest = 24 * 60;
  let latest = 0;
  const now = Date.now();

  for (const schedule of schedules) {
    const zone = schedule.site.timezone;
    const spaceRows = schedule.spaces.map((space) => ({ id: space.id, title: `${space.name} (${space.capacity})` }));
    if (grouped) resources.push({ id: `site:${schedule.site.id}`, title: schedule.site.name, children: spaceRows });
    else resources.push(...spaceRows);
    const spaceIds = schedule.spaces.map((space) => space.id);

    for (const intervals of Object.values(schedule.site.openingHours)) {
      for (const interval of intervals) {
        const [sh = 0, sm = 0] = interval.start.split(':').map(Number);
        const [eh = 0, em = 0] = interval.end.split(':').map(Number);
        earliest = Math.min(earliest, sh * 60 + sm);
        latest = Math.max(latest, eh * 60 + em);
      }
    }

    // Closed hours: the gaps between open ranges inside the schedule's window.
    let cursor = Date.parse(schedule.from);
    const ranges = [...schedule.openRanges].sort((a, b) => a.startAt.localeCompare(b.startAt));
    const gaps: { start: number; end: number }[] = [];
    for (const range of ranges) {
      const start = Date.parse(range.startAt);
      if (start > cursor) gaps.push({ start: cursor, end: start });
      cursor = Math.max(cursor, Date.parse(range.endAt));
    }
    if (cursor < Date.parse(schedule.to)) gaps.push({ start: cursor, end: Date.parse(schedule.to) });
    gaps.forEach((gap, index) =>
      events.push({
        id: `closed:${schedule.site.id}:${index}`,
        resourceIds: spaceIds,
        start: wallClockIn(gap.start, zone),
        end: wallClockIn(gap.end, zone),
        title: '',
        display: 'background',
      }),
    );
    for (const closure of schedule.closures) {
      events.push({
        id: `closure:${schedule.site.id}:${closure.id}`,
        resourceIds: spaceIds,
        start: `${closure.startDate}T00:00:00`,
        end: `${addDaysToLocalDate(closure.endDate, 1)}T00:00:00`,
        title: closure.reason,
        display: 'background',
        classNames: ['linli-closure'],
      });
    }

    for (const booking of schedule.bookings) {
      const movable = (booking.status === 'pending' || booking.status === 'confirmed') && Date.parse(booking.startAt) > now;
      events.push({
        id: booking.id,
        resourceIds: [booking.spaceId],
        start: wallClockIn(booking.startAt, zone),
        end: wallClockIn(booking.endAt, zone),
        title: [t(`status.${booking.status}`), booking.purpose, booking.partySize > 1 ? t('timeline.people', { count: booking.partySize }) : null]
          .filter(Boolean)
          .join(' · '),
        backgroundColor: STATUS_COLORS[booking.status],
        textColor: '#ffffff',
        classNames: [`linli-${booking.status.replace('_', '-')}`],
        editable: movable,
      });
    }
  }
  if (earliest >= latest) {
    earliest = 8 * 60;
    latest = 22 * 60;
  }
  return {
    resources,
    events,
    slotMinTime: clockText(Math.floor(earliest / 60) * 60),
    slotMaxTime: clockText(Math.min(24 * 60, Math.ceil(latest / 60) * 60)),
  };
}

