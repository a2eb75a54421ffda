import type { Booking, WaitlistEntry } from '@linli/contracts';
import { isHoldingStatus } from '@linli/domain';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Segmented, Skeleton, Tag, Typography, theme } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { BookingStatusTag } from '../bookings/BookingStatusTag.tsx';
import { CheckInPass } from '../bookings/CheckInPass.tsx';
import { useNow } from '../bookings/useNow.ts';
import { acceptOffer, bookingQueries, cancelBooking, invalidateBookings } from '../bookings/bookings.api.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { refusalOf } from '../bookings/refusals.ts';
import { useSearchParam } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { placeOf, usePortfolio } from '../spaces/portfolio.ts';
import { formatDate, formatRange, formatTime } from '../time/zoned.ts';
import { createCalendarFeed } from './calendar.api.ts';
import { invalidateWaitlist, leaveWaitlist, residentQueries } from './resident.queries.ts';

/** The resident's own bookings, every page: a resident has tens, not thousands. */
const MY_BOOKINGS = {} as const;
const SECOND_MS = 1000;

/** "12:05" (minutes:seconds) or "1:02:05" left until `untilIso`; "0:00" once passed. */
function countdownText(untilIso: string, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(untilIso) - now) / SECOND_MS));
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = String(left % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** After anything a resident does here: their bookings and their place in every line may have changed. */
function refreshMine(): void {
  void invalidateBookings();
  void invalidateWaitlist();
}

type Tab = 'upcoming' | 'past' | 'waitlist';

/**
 * A resident's bookings: the code to check in with, cancel, waitlist entries and offers, the calendar link. A
 * message's link (?offer=<id>, ?booking=<id>) opens the tab holding that booking and marks it.
 */
export default function MyBookingsPage({ title }: PageProps) {
  const { t } = useTranslation();
  const offerId = useSearchParam('offer');
  const bookingId = useSearchParam('booking');
  const linkedId = offerId ?? bookingId;
  // A tab picked by hand holds until another link is followed.
  const [picked, setPicked] = useState<{ tab: Tab; link: string | null } | null>(null);
  const now = new Date().toISOString();
  const bookings = useQuery(bookingQueries.all(MY_BOOKINGS));
  const waitlist = useQuery(residentQueries.waitlist());
  // A link followed from the inbox while here may name a booking made since the list was read.
  useEffect(() => {
    if (linkedId) refreshMine();
  }, [linkedId]);
  const upcoming = (bookings.data ?? []).filter((b) => b.endAt > now && isHoldingStatus(b.status)).sort((a, b) => a.startAt.localeCompare(b.startAt));
  const past = (bookings.data ?? []).filter((b) => !upcoming.includes(b)).sort((a, b) => b.startAt.localeCompare(a.startAt));
  const linkedTab: Tab = past.some((b) => b.id === linkedId) ? 'past' : 'upcoming';
  const tab = picked && picked.link === linkedId ? picked.tab : linkedTab;
  const setTab = (next: Tab) => setPicked({ tab: next, link: linkedId });
  const linkedMissing = linkedId !== null && !bookings.isFetching && bookings.data !== undefined && !bookings.data.some((b) => b.id === linkedId);
  const waitingCount = (waitlist.data ?? []).filter((entry) => entry.status === 'waiting' || entry.status === 'offered').length;

  return (
    <Flex vertical gap="middle" style={{ maxWidth: 720, margin: '0 auto', width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Segmented<Tab>
        block
        value={tab}
        onChange={setTab}
        options={[
          { value: 'upcoming', label: `${t('mine.upcoming')} ${bookings.data ? upcoming.length : ''}` },
          { value: 'past', label: t('mine.past') },
          { value: 'waitlist', label: `${t('mine.waitlist')} ${waitingCount || ''}`.trim() },
        ]}
      />
      {bookings.error ? <Alert type="error" showIcon title={describeError(bookings.error)} action={<Button onClick={refreshMine}>{t('errors.retry')}</Button>} /> : null}
      {linkedMissing ? <Alert type="info" showIcon title={t('mine.linkedMissing')} data-testid="linked-missing" /> : null}
      {tab !== 'waitlist' ? (
        bookings.isPending ? (
          <Skeleton active />
        ) : (tab === 'upcoming' ? upcoming : past).length === 0 ? (
          <Empty description={tab === 'upcoming' ? t('mine.noUpcoming') : t('mine.noPast')} />
        ) : (
          <Flex vertical gap="small" data-testid={`my-${tab}`}>
            {(tab === 'upcoming' ? upcoming : past).map((booking) => (
              <BookingCard key={booking.id} booking={booking} highlighted={booking.id === linkedId} />
            ))}
          </Flex>
        )
      ) : (
        <WaitlistList waitlist={waitlist.data} offers={bookings.data} loading={waitlist.isPending} error={waitlist.error} />
      )}
      <CalendarLinkCard />
    </Flex>
  );
}

function BookingCard({ booking, highlighted }: { booking: Booking; highlighted: boolean }) {
  const { t, i18n } = useTranslation();
  const { token } = theme.useToken();
  const { message, modal } = App.useApp();
  const portfolio = usePortfolio();
  const place = placeOf(portfolio.data, booking.spaceId);
  const [failure, setFailure] = useState<unknown>(null);
  const card = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (highlighted) card.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [highlighted]);

  const accept = useMutation({
    mutationFn: () => acceptOffer(booking.id),
    onMutate: () => setFailure(null),
    onSuccess: () => {
      void message.success(t('mine.offerAccepted'));
      refreshMine();
    },
    onError: setFailure,
  });

  const cancel = () =>
    modal.confirm({
      title: t('booking.cancelConfirm'),
      okText: t('booking.cancelBooking'),
      okButtonProps: { danger: true },
      cancelText: t('common.back'),
      onOk: async () => {
        try {
          await cancelBooking(booking);
          void message.success(t('mine.cancelled'));
          refreshMine();
        } catch (error) {
          const refusal = refusalOf(error);
          void message.error([refusal.summary, ...refusal.reasons].join(' '));
        }
      },
    });

  const active = booking.status === 'pending' || booking.status === 'confirmed';
  // A waitlist offer waits for the resident, not for staff: "pending" would read as awaiting approval.
  const offered = booking.status === 'pending' && booking.offerExpiresAt !== null;
  // Times are read in the site's zone, known once the portfolio is.
  if (!place.zone) return <Card size="small" loading />;
  return (
    <Card
      ref={card}
      size="small"
      data-testid="my-booking"
      data-booking-id={booking.id}
      data-highlighted={highlighted}
      style={highlighted ? { borderColor: token.colorPrimary, boxShadow: `0 0 0 2px ${token.colorPrimaryBorder}` } : undefined}
    >
      <Flex vertical gap={6}>
        <Flex justify="space-between" align="start" gap="small">
          <Flex vertical style={{ minWidth: 0 }}>
            <Typography.Text strong>{place.spaceName}</Typography.Text>
            <Typography.Text type="secondary" ellipsis>
              {place.siteName}
            </Typography.Text>
          </Flex>
          {offered ? (
            <Tag color="gold" style={{ marginInlineEnd: 0, color: '#7c2d12' }}>
              {t('waitlist.status.offered')}
            </Tag>
          ) : (
            <BookingStatusTag status={booking.status} />
          )}
        </Flex>
        <Typography.Text>{formatRange(booking.startAt, booking.endAt, place.zone, i18n.language)}</Typography.Text>
        {booking.purpose ? <Typography.Text type="secondary">{booking.purpose}</Typography.Text> : null}
        {offered && booking.offerExpiresAt ? (
          <Flex vertical gap={2}>
            <OfferCountdown until={booking.offerExpiresAt} />
            <Typography.Text type="secondary" data-testid="offer-held-until">
              {t('mine.offerHeldUntil', { time: `${formatDate(booking.offerExpiresAt, place.zone, i18n.language)} ${formatTime(booking.offerExpiresAt, place.zone, i18n.language)}` })}
            </Typography.Text>
          </Flex>
        ) : null}
        {booking.status === 'confirmed' || booking.status === 'checked_in' ? <CheckInPass booking={booking} zone={place.zone} onCheckedIn={refreshMine} /> : null}
        {active ? (
          <Flex gap="small" wrap>
            {offered ? (
              <Button type="primary" onClick={() => accept.mutate()} loading={accept.isPending}>
                {t('waitlist.accept')}
              </Button>
            ) : null}
            {/* Plain: antd's red outline text falls short of 4.5:1; the confirmation that follows is the red one. */}
            <Button onClick={cancel}>
              {t('booking.cancelBooking')}
            </Button>
          </Flex>
        ) : null}
        {failure ? <RefusalAlert error={failure} zone={place.zone} onClose={() => setFailure(null)} /> : null}
      </Flex>
    </Card>
  );
}

/** The resident's lines: where they stand in each, and an offer (with its countdown) where one was made. */
function WaitlistList({ waitlist, offers, loading, error }: { waitlist: WaitlistEntry[] | undefined; offers: Booking[] | undefined; loading: boolean; error: unknown }) {
  const { t } = useTranslation();
  if (error) return <Alert type="error" showIcon title={describeError(error)} />;
  if (loading) return <Skeleton active />;
  if (!waitlist?.length) return <Empty description={t('mine.noWaitlist')} />;
  return (
    <Flex vertical gap="small" data-testid="my-waitlist">
      {waitlist.map((entry) => (
        <WaitlistCard key={entry.id} entry={entry} offer={offers?.find((b) => b.id === entry.bookingId && b.offerExpiresAt !== null && b.status === 'pending')} />
      ))}
    </Flex>
  );
}

function WaitlistCard({ entry, offer }: { entry: WaitlistEntry; offer: Booking | undefined }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const portfolio = usePortfolio();
  const place = placeOf(portfolio.data, entry.spaceId);
  const fail = (error: unknown) => void message.error(describeError(error));
  const accept = useMutation({
    mutationFn: (bookingId: string) => acceptOffer(bookingId),
    onSuccess: () => {
      void message.success(t('mine.offerAccepted'));
      refreshMine();
    },
    onError: fail,
  });
  const leave = useMutation({ mutationFn: () => leaveWaitlist(entry.id), onSuccess: refreshMine, onError: fail });
  if (!place.zone) return <Card size="small" loading />;
  return (
    <Card size="small" data-testid="waitlist-entry" data-entry-id={entry.id}>
      <Flex justify="space-between" align="center" gap="small" wrap>
        <Flex vertical style={{ minWidth: 0 }}>
          <Typography.Text strong>
            {place.siteName} · {place.spaceName}
          </Typography.Text>
          <Typography.Text>{formatRange(entry.startAt, entry.endAt, place.zone, i18n.language)}</Typography.Text>
          {entry.status === 'waiting' && entry.position !== null ? (
            <Typography.Text strong data-testid="waitlist-position">
              {t('queue.position', { position: entry.position })}
            </Typography.Text>
          ) : null}
          {offer?.offerExpiresAt ? <OfferCountdown until={offer.offerExpiresAt} /> : null}
        </Flex>
        <Flex gap="small" align="center">
          <Tag>{t(`waitlist.status.${entry.status}`)}</Tag>
          {entry.status === 'offered' && entry.bookingId ? (
            <Button type="primary" size="small" loading={accept.isPending} onClick={() => accept.mutate(entry.bookingId!)}>
              {t('waitlist.accept')}
            </Button>
          ) : null}
          {entry.status === 'waiting' ? (
            <Button size="small" loading={leave.isPending} onClick={() => leave.mutate()}>
              {t('waitlist.leave')}
            </Button>
          ) : null}
        </Flex>
      </Flex>
    </Card>
  );
}

/** Time left to accept an offer, ticking each second (its own component, so only it re-renders). */
function OfferCountdown({ until }: { until: string }) {
  const { t } = useTranslation();
  const now = useNow(SECOND_MS);
  const lapsed = Date.parse(until) <= now;
  return (
    <Typography.Text strong style={{ color: '#92400e' }} data-testid="offer-countdown" role="timer" aria-live="off">
      {lapsed ? t('queue.offerLapsed') : t('queue.offerLeft', { left: countdownText(until, now) })}
    </Typography.Text>
  );
}

function CalendarLinkCard() {
  const { t } = useTranslation();
  const feed = useMutation({ mutationFn: createCalendarFeed });
  const url = feed.data ? new URL(feed.data.url, window.location.origin).toString() : null;
  return (
    <Card size="small" title={t('mine.calendarTitle')}>
      <Flex vertical gap="small">
        <Typography.Text type="secondary">{t('mine.calendarHint')}</Typography.Text>
        {url ? (
          <Typography.Paragraph copyable={{ text: url }} style={{ wordBreak: 'break-all', margin: 0 }} data-testid="calendar-url">
            {url}
          </Typography.Paragraph>
        ) : null}
        {feed.error ? <Alert type="error" showIcon title={describeError(feed.error)} /> : null}
        <div>
          <Button onClick={() => feed.mutate()} loading={feed.isPending}>
            {url ? t('mine.calendarRenew') : t('mine.calendarCreate')}
          </Button>
        </div>
      </Flex>
    </Card>
  );
}
