import type { ScheduleBooking, SiteSchedule, Space } from '@linli/contracts';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Empty, Flex, InputNumber, Modal, Segmented, Select, Skeleton, Space as AntSpace, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { BookingDrawer } from '../bookings/BookingDrawer.tsx';
import { type BookingDraft, BookingFormModal } from '../bookings/BookingFormModal.tsx';
import { STATUS_COLORS } from '../bookings/BookingStatusTag.tsx';
import { bookingKeys, getSiteSchedule, invalidateBookings, updateBooking } from '../bookings/bookings.api.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { SeriesModal } from '../series/SeriesModal.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, clockText, instantOfWallClock, localPartsOf, todayIn, utcOffsetOf, wallClockIn, wallClockPartsOf, weekdayOf } from '../time/zoned.ts';
import { BookingHoverCard } from './BookingHoverCard.tsx';
import type { TimelineEvent, TimelineResource, WallClockRange } from './ResourceTimeline.tsx';
import { WeekBoard } from './WeekBoard.tsx';

const ResourceTimeline = lazy(() => import('./ResourceTimeline.tsx'));

type View = 'day' | 'week';
const SHOWN_STATUSES = ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'] as const;
const WEEKDAY_INDEX = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 } as const;
/** Where the day view starts scrolled when it is not today: the opening of the day. */
const DEFAULT_SCROLL = '08:00';

/** Which spaces the board shows: by kind, features they all have, and seats at least. */
interface SpaceFilter {
  kinds: string[];
  features: string[];
  minCapacity: number | null;
}

function matches(space: Space, filter: SpaceFilter): boolean {
  return (
    (!filter.kinds.length || filter.kinds.includes(space.kind)) &&
    filter.features.every((feature) => space.features.includes(feature)) &&
    (filter.minCapacity === null || space.capacity >= filter.minCapacity)
  );
}

/** Schedules of several sites over a window: under the bookings key, so any booking change refreshes the board. */
const scheduleKey = (siteIds: string[], firstDay: string, days: number) => [...bookingKeys.all, 'schedules', siteIds, firstDay, days] as const;

interface Hovered {
  id: string;
  box: DOMRect;
}

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
  const [pickedDate, setDate] = useState<string | null>(initial.date);
  const [view, setView] = useState<View>(initial.view);
  const [filter, setFilter] = useState<SpaceFilter>({ kinds: [], features: [], minCapacity: null });
  const [scrollTime, setScrollTime] = useState(DEFAULT_SCROLL);
  const [hovered, setHovered] = useState<Hovered | null>(null);
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

  // Dates are the first site's; the organization's zone stands in until a site is known.
  const zone = portfolio.data?.siteById.get(siteIds[0] ?? '')?.timezone ?? portfolio.data?.organizationZone;
  const today = zone ? todayIn(zone) : null;
  const date = pickedDate ?? today;
  const firstDay = date && view === 'week' ? addDaysToLocalDate(date, -WEEKDAY_INDEX[weekdayOf(date)]) : date;
  const days = view === 'week' ? 7 : 1;

  useEffect(() => {
    if (!date) return;
    const query = new URLSearchParams({ sites: siteIds.join(','), date, view });
    window.history.replaceState(null, '', `${window.location.pathname}?${query.toString()}`);
  }, [siteIds, date, view]);

  const schedules = useQuery({
    queryKey: scheduleKey(siteIds, firstDay ?? '', days),
    queryFn: ({ signal }) => Promise.all(siteIds.map((id) => getSiteSchedule(id, firstDay!, days, signal))),
    enabled: firstDay !== null && siteIds.length > 0,
    placeholderData: keepPreviousData,
  });

  const spaceChoices = useMemo(() => {
    const spaces = schedules.data?.flatMap((s) => s.spaces) ?? [];
    return { kinds: [...new Set(spaces.map((s) => s.kind))].sort(), features: [...new Set(spaces.flatMap((s) => s.features))].sort() };
  }, [schedules.data]);
  const filtered = useMemo(
    () => schedules.data?.map((schedule) => ({ schedule, spaces: schedule.spaces.filter((space) => matches(space, filter)) })),
    [schedules.data, filter],
  );
  const board = useMemo(() => (filtered ? boardOf(filtered, t) : null), [filtered, t]);
  const bookingById = useMemo(() => new Map(schedules.data?.flatMap((s) => s.bookings.map((b) => [b.id, b] as const)) ?? []), [schedules.data]);
  const spacesOnBoard = useMemo(() => schedules.data?.flatMap((s) => s.spaces) ?? [], [schedules.data]);
  const weekDays = firstDay && view === 'week' ? Array.from({ length: 7 }, (_, i) => addDaysToLocalDate(firstDay, i)) : [];
  const hoveredBooking = hovered ? bookingById.get(hovered.id) : undefined;

  const jumpToNow = () => {
    if (!zone) return;
    setDate(todayIn(zone));
    // An hour before now, so what is happening now is in view with a little of what led up to it.
    const hour = Math.max(0, Number(localPartsOf(new Date().toISOString(), zone).time.slice(0, 2)) - 1);
    setScrollTime(clockText(hour * 60));
    if (view === 'week') {
      window.requestAnimationFrame(() => document.querySelector<HTMLElement>('.linli-week thead th[data-today]')?.scrollIntoView({ inline: 'center', block: 'nearest' }));
    }
  };

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

  const move = useMutation({
    mutationFn: ({ booking, body }: { booking: ScheduleBooking; body: Parameters<typeof updateBooking>[1] }) => updateBooking(booking, body),
    onSuccess: () => {
      void message.success(t('timeline.moved'));
      void invalidateBookings();
    },
  });

  const onEventChange = useCallback(
    async (change: WallClockRange & { id: string; revert: () => void }) => {
      const booking = bookingById.get(change.id);
      if (!booking || !zone) return change.revert();
      const siteZone = portfolio.data?.siteById.get(booking.siteId)?.timezone ?? zone;
      const body = {
        startAt: instantOfWallClock(change.start, siteZone),
        endAt: instantOfWallClock(change.end, siteZone),
        ...(change.resourceId && !change.resourceId.startsWith('site:') && change.resourceId !== booking.spaceId ? { spaceId: change.resourceId } : {}),
      };
      try {
        await move.mutateAsync({ booking, body });
      } catch (error) {
        change.revert();
        setMoveRefusal({ error, booking, zone: siteZone });
      }
    },
    [bookingById, portfolio.data, zone, move],
  );

  const moveToAlternative = async (refusal: MoveRefusal, alternative: { spaceId: string; startAt: string; endAt: string }) => {
    try {
      await move.mutateAsync({ booking: refusal.booking, body: { spaceId: alternative.spaceId, startAt: alternative.startAt, endAt: alternative.endAt } });
      setMoveRefusal(null);
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
          <Button type="primary" onClick={() => setDraft(date ? { date } : {})} disabled={!portfolio.data || !spacesOnBoard.length}>
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
          <Button aria-label={t('timeline.previous')} disabled={!date} onClick={() => date && setDate(addDaysToLocalDate(date, -days))}>
            ‹
          </Button>
          <Button disabled={!zone} onClick={() => zone && setDate(todayIn(zone))}>
            {t('timeline.today')}
          </Button>
          <Button aria-label={t('timeline.next')} disabled={!date} onClick={() => date && setDate(addDaysToLocalDate(date, days))}>
            ›
          </Button>
        </AntSpace.Compact>
        <Button onClick={jumpToNow} disabled={!zone} data-testid="jump-to-now">
          {t('board.jumpToNow')}
        </Button>
        <DatePicker
          aria-label={t('booking.date')}
          value={date ? dayjs(date) : null}
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

      <Flex gap="small" wrap align="center" data-testid="space-filters">
        <Select
          mode="multiple"
          allowClear
          aria-label={t('sites.kind')}
          prefix={`${t('sites.kind')}:`}
          style={{ minWidth: 160, flex: '0 1 220px' }}
          value={filter.kinds}
          onChange={(kinds: string[]) => setFilter({ ...filter, kinds })}
          options={spaceChoices.kinds.map((kind) => ({ value: kind, label: t(`spaceKinds.${kind}` as 'sites.kind', { defaultValue: kind }) }))}
          data-testid="filter-kind"
        />
        <Select
          mode="multiple"
          allowClear
          aria-label={t('book.features')}
          prefix={`${t('book.features')}:`}
          style={{ minWidth: 180, flex: '0 1 260px' }}
          value={filter.features}
          onChange={(features: string[]) => setFilter({ ...filter, features })}
          options={spaceChoices.features.map((feature) => ({ value: feature, label: t(`features.${feature}` as 'features.projector', { defaultValue: feature }) }))}
          data-testid="filter-features"
        />
        <InputNumber
          aria-label={t('board.minCapacity')}
          prefix={`${t('board.minCapacity')}:`}
          min={1}
          max={10_000}
          style={{ width: 200, maxWidth: '100%' }}
          value={filter.minCapacity}
          onChange={(value) => setFilter({ ...filter, minCapacity: value ?? null })}
          data-testid="filter-capacity"
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
        <Alert type="error" showIcon title={t('timeline.loadFailed')} description={describeError(loadError)} action={<Button onClick={() => void schedules.refetch()}>{t('errors.retry')}</Button>} />
      ) : null}
      {portfolio.data && !mySites.length ? <Empty description={t('timeline.noSites')} /> : null}
      {board && board.resources.length === 0 ? <Empty description={spacesOnBoard.length ? t('board.noMatch') : t('timeline.noSpaces')} /> : null}

      {!board && !loadError ? <Skeleton active paragraph={{ rows: 8 }} /> : null}
      {board && board.resources.length && filtered && view === 'week' && today ? (
        <div style={{ opacity: schedules.isPlaceholderData ? 0.6 : 1, transition: 'opacity .2s' }} aria-busy={schedules.isFetching}>
          <WeekBoard
            rows={filtered.filter((row) => row.spaces.length)}
            days={weekDays}
            today={today}
            onOpenBooking={setOpenBookingId}
            onOpenDay={(day) => {
              setDate(day);
              setView('day');
            }}
          />
        </div>
      ) : null}
      {board && board.resources.length && view === 'day' && date && zone ? (
        <div style={{ overflowX: 'auto', opacity: schedules.isPlaceholderData ? 0.6 : 1, transition: 'opacity .2s' }} aria-busy={schedules.isFetching}>
          <Suspense fallback={<Skeleton active paragraph={{ rows: 8 }} />}>
            <ResourceTimeline
              date={date}
              utcOffset={utcOffsetOf(zone, new Date(`${date}T12:00:00Z`))}
              resources={board.resources}
              events={board.events}
              slotMinTime={board.slotMinTime}
              slotMaxTime={board.slotMaxTime}
              snapMinutes={30}
              locale={i18n.language}
              editable
              scrollTime={scrollTime}
              onSelect={onSelect}
              onEventChange={(change) => void onEventChange(change)}
              onEventClick={setOpenBookingId}
              onEventHover={setHovered}
            />
          </Suspense>
        </div>
      ) : null}
      {hovered && hoveredBooking && zone ? (
        <div className="linli-hover-card" role="tooltip" style={{ top: Math.min(hovered.box.bottom + 6, window.innerHeight - 140), left: Math.min(hovered.box.left, window.innerWidth - 300) }}>
          <BookingHoverCard booking={hoveredBooking} zone={portfolio.data?.siteById.get(hoveredBooking.siteId)?.timezone ?? zone} />
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
              void invalidateBookings();
            }}
          />
          <SeriesModal
            open={seriesOpen}
            spaces={spacesOnBoard}
            portfolio={portfolio.data}
            onClose={() => setSeriesOpen(false)}
            onCreated={() => {
              setSeriesOpen(false);
              void invalidateBookings();
            }}
          />
        </>
      ) : null}
      <BookingDrawer bookingId={openBookingId} onClose={() => setOpenBookingId(null)} onChanged={() => void invalidateBookings()} />
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

/**
 * A shared seat area over the day as blocks of constant occupancy ("37/100" from 09:00 to 10:30), one per change:
 * the board shows how full it is at each moment, not a stack of individual bookings.
 */
function occupancyEvents(space: Space, bookings: ScheduleBooking[], zone: string): TimelineEvent[] {
  const counted = bookings.filter((b) => b.status !== 'no_show').map((b) => ({ start: Date.parse(b.startAt), end: Date.parse(b.endAt), partySize: b.partySize }));
  const edges = [...new Set(counted.flatMap((b) => [b.start, b.end]))].sort((a, b) => a - b);
  const events: TimelineEvent[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const start = edges[i]!;
    const end = edges[i + 1]!;
    const used = counted.filter((b) => b.start < end && start < b.end).reduce((sum, b) => sum + b.partySize, 0);
    if (!used) continue;
    const share = space.capacity ? used / space.capacity : 1;
    events.push({
      id: `occupancy:${space.id}:${start}`,
      resourceIds: [space.id],
      start: wallClockIn(start, zone),
      end: wallClockIn(end, zone),
      title: `${used}/${space.capacity}`,
      backgroundColor: share >= 0.9 ? '#b91c1c' : share >= 0.6 ? '#b45309' : '#0f766e',
      textColor: '#ffffff',
      classNames: ['linli-occupancy'],
      editable: false,
    });
  }
  return events;
}

// i18next's own type: deriving it from the hook's return type makes TypeScript give up once there are many keys.
type Translate = TFunction;

/** Rows (spaces, grouped by site when there are several) and blocks (bookings, closed hours, closures). */
function boardOf(rows: { schedule: SiteSchedule; spaces: Space[] }[], t: Translate): { resources: TimelineResource[]; events: TimelineEvent[]; slotMinTime: string; slotMaxTime: string } {
  const grouped = rows.length > 1;
  const resources: TimelineResource[] = [];
  const events: TimelineEvent[] = [];
  let earliest = 24 * 60;
  let latest = 0;
  const now = Date.now();

  for (const { schedule, spaces } of rows) {
    if (!spaces.length) continue;
    const zone = schedule.site.timezone;
    const spaceRows = spaces.map((space) => ({ id: space.id, title: `${space.name} (${space.capacity})` }));
    if (grouped) resources.push({ id: `site:${schedule.site.id}`, title: schedule.site.name, children: spaceRows });
    else resources.push(...spaceRows);
    const spaceIds = spaces.map((space) => space.id);
    const shown = new Map(spaces.map((space) => [space.id, space]));
    const sharedIds = new Set(spaces.filter((space) => space.bookingMode === 'shared_capacity').map((space) => space.id));
    for (const space of spaces) {
      if (sharedIds.has(space.id)) events.push(...occupancyEvents(space, schedule.bookings.filter((b) => b.spaceId === space.id), zone));
    }

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
      // Shared seat areas are drawn as how full they are (above), not as one block per booking.
      if (!shown.has(booking.spaceId) || sharedIds.has(booking.spaceId)) continue;
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

