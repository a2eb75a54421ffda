import type { Booking, WaitlistEntry } from '@linli/contracts';
import { isHoldingStatus } from '@linli/domain';
import { Alert, App, Button, Card, Empty, Flex, Input, Modal, Segmented, Skeleton, Tag, Typography, theme } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useResource } from '../api/useResource.ts';
import { BookingStatusTag } from '../bookings/BookingStatusTag.tsx';
import { acceptOffer, cancelBooking, checkInBooking, leaveWaitlist, listAllBookings, listMyWaitlist } from '../bookings/bookings.api.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { refusalOf } from '../bookings/refusals.ts';
import { useSearchParam } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { placeOf, usePortfolio } from '../spaces/portfolio.ts';
import { formatDate, formatRange, formatTime } from '../time/zoned.ts';
import { createCalendarFeed } from './calendar.api.ts';

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
  // Asked again when a link is followed from the inbox while here: the booking it names may be new.
  const bookings = useResource((signal) => listAllBookings({}, signal), [linkedId]);
  const waitlist = useResource((signal) => listMyWaitlist(signal), [linkedId]);
  const upcoming = (bookings.data ?? []).filter((b) => b.endAt > now && isHoldingStatus(b.status)).sort((a, b) => a.startAt.localeCompare(b.startAt));
  const past = (bookings.data ?? []).filter((b) => !upcoming.includes(b)).sort((a, b) => b.startAt.localeCompare(a.startAt));
  const linkedTab: Tab = past.some((b) => b.id === linkedId) ? 'past' : 'upcoming';
  const tab = picked && picked.link === linkedId ? picked.tab : linkedTab;
  const setTab = (next: Tab) => setPicked({ tab: next, link: linkedId });
  const linkedMissing = linkedId !== null && !bookings.loading && bookings.data !== undefined && !bookings.data.some((b) => b.id === linkedId);
  const reload = () => {
    bookings.reload();
    waitlist.reload();
  };

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
          { value: 'waitlist', label: t('mine.waitlist') },
        ]}
      />
      {bookings.error ? <Alert type="error" showIcon title={describeError(bookings.error)} action={<Button onClick={reload}>{t('errors.retry')}</Button>} /> : null}
      {linkedMissing ? <Alert type="info" showIcon title={t('mine.linkedMissing')} data-testid="linked-missing" /> : null}
      {tab !== 'waitlist' ? (
        bookings.loading && !bookings.data ? (
          <Skeleton active />
        ) : (tab === 'upcoming' ? upcoming : past).length === 0 ? (
          <Empty description={tab === 'upcoming' ? t('mine.noUpcoming') : t('mine.noPast')} />
        ) : (
          <Flex vertical gap="small" data-testid={`my-${tab}`}>
            {(tab === 'upcoming' ? upcoming : past).map((booking) => (
              <BookingCard key={booking.id} booking={booking} highlighted={booking.id === linkedId} onChanged={reload} />
            ))}
          </Flex>
        )
      ) : (
        <WaitlistList waitlist={waitlist.data?.items} loading={waitlist.loading} error={waitlist.error} onChanged={reload} />
      )}
      <CalendarLinkCard />
    </Flex>
  );
}

function BookingCard({ booking, highlighted, onChanged }: { booking: Booking; highlighted: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { token } = theme.useToken();
  const { message, modal } = App.useApp();
  const portfolio = usePortfolio();
  const place = placeOf(portfolio.data, booking.spaceId);
  const [checkingIn, setCheckingIn] = useState(false);
  const [code, setCode] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const card = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (highlighted) card.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [highlighted]);

  const accept = async () => {
    setFailure(null);
    try {
      await acceptOffer(booking.id);
      void message.success(t('mine.offerAccepted'));
      onChanged();
    } catch (error) {
      setFailure(error);
    }
  };

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
          onChanged();
        } catch (error) {
          const refusal = refusalOf(error);
          void message.error([refusal.summary, ...refusal.reasons].join(' '));
        }
      },
    });

  const checkIn = async () => {
    setFailure(null);
    try {
      await checkInBooking(booking.id, { code: code.trim() });
      setCheckingIn(false);
      void message.success(t('today.checkedIn'));
      onChanged();
    } catch (error) {
      setFailure(error);
    }
  };

  const active = booking.status === 'pending' || booking.status === 'confirmed';
  // A waitlist offer waits for the resident, not for staff: "pending" would read as awaiting approval.
  const offered = booking.status === 'pending' && booking.offerExpiresAt !== null;
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
            <Tag color="gold" style={{ marginInlineEnd: 0 }}>
              {t('waitlist.status.offered')}
            </Tag>
          ) : (
            <BookingStatusTag status={booking.status} />
          )}
        </Flex>
        <Typography.Text>{formatRange(booking.startAt, booking.endAt, place.zone, i18n.language)}</Typography.Text>
        {booking.purpose ? <Typography.Text type="secondary">{booking.purpose}</Typography.Text> : null}
        {offered && booking.offerExpiresAt ? (
          <Typography.Text type="warning" data-testid="offer-held-until">
            {t('mine.offerHeldUntil', { time: `${formatDate(booking.offerExpiresAt, place.zone, i18n.language)} ${formatTime(booking.offerExpiresAt, place.zone, i18n.language)}` })}
          </Typography.Text>
        ) : null}
        {booking.checkInCode && active ? (
          <Typography.Text>
            {t('booking.checkInCode')}: <Typography.Text code copyable strong>{booking.checkInCode}</Typography.Text>
          </Typography.Text>
        ) : null}
        {active ? (
          <Flex gap="small" wrap>
            {booking.status === 'confirmed' ? (
              <Button type="primary" onClick={() => setCheckingIn(true)}>
                {t('booking.checkIn')}
              </Button>
            ) : null}
            {booking.offerExpiresAt ? (
              <Button type="primary" onClick={() => void accept()}>
                {t('waitlist.accept')}
              </Button>
            ) : null}
            <Button danger onClick={cancel}>
              {t('booking.cancelBooking')}
            </Button>
          </Flex>
        ) : null}
        {failure && !checkingIn ? <RefusalAlert error={failure} zone={place.zone} onClose={() => setFailure(null)} /> : null}
      </Flex>
      <Modal
        open={checkingIn}
        title={t('mine.checkInTitle')}
        okText={t('booking.checkIn')}
        cancelText={t('common.back')}
        okButtonProps={{ disabled: code.trim().length < 4 }}
        onOk={() => void checkIn()}
        onCancel={() => setCheckingIn(false)}
      >
        <Flex vertical gap="small">
          <Typography.Text type="secondary">{t('mine.checkInHint')}</Typography.Text>
          <Input
            aria-label={t('booking.checkInCode')}
            value={code}
            maxLength={16}
            autoCapitalize="characters"
            autoFocus
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            onPressEnter={() => void checkIn()}
          />
          {failure ? <RefusalAlert error={failure} zone={place.zone} /> : null}
        </Flex>
      </Modal>
    </Card>
  );
}

function WaitlistList({ waitlist, loading, error, onChanged }: { waitlist: WaitlistEntry[] | undefined; loading: boolean; error: unknown; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const portfolio = usePortfolio();
  if (error) return <Alert type="error" showIcon title={describeError(error)} />;
  if (loading && !waitlist) return <Skeleton active />;
  if (!waitlist?.length) return <Empty description={t('mine.noWaitlist')} />;
  return (
    <Flex vertical gap="small">
      {waitlist.map((entry) => {
        const place = placeOf(portfolio.data, entry.spaceId);
        return (
          <Card key={entry.id} size="small">
            <Flex justify="space-between" align="center" gap="small" wrap>
              <Flex vertical>
                <Typography.Text strong>
                  {place.siteName} · {place.spaceName}
                </Typography.Text>
                <Typography.Text>{formatRange(entry.startAt, entry.endAt, place.zone, i18n.language)}</Typography.Text>
              </Flex>
              <Flex gap="small" align="center">
                <Tag>{t(`waitlist.status.${entry.status}`)}</Tag>
                {entry.status === 'offered' && entry.bookingId ? (
                  <Button type="primary" size="small" onClick={() => void acceptOffer(entry.bookingId!).then(onChanged, (e: unknown) => void message.error(describeError(e)))}>
                    {t('waitlist.accept')}
                  </Button>
                ) : null}
                {entry.status === 'waiting' || entry.status === 'offered' ? (
                  <Button size="small" onClick={() => void leaveWaitlist(entry.id).then(onChanged, (e: unknown) => void message.error(describeError(e)))}>
                    {t('waitlist.leave')}
                  </Button>
                ) : null}
              </Flex>
            </Flex>
          </Card>
        );
      })}
    </Flex>
  );
}

function CalendarLinkCard() {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const feed = await createCalendarFeed();
      setUrl(new URL(feed.url, window.location.origin).toString());
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('mine.calendarTitle')}>
      <Flex vertical gap="small">
        <Typography.Text type="secondary">{t('mine.calendarHint')}</Typography.Text>
        {url ? (
          <Typography.Paragraph copyable={{ text: url }} style={{ wordBreak: 'break-all', margin: 0 }} data-testid="calendar-url">
            {url}
          </Typography.Paragraph>
        ) : null}
        {failure ? <Alert type="error" showIcon title={describeError(failure)} /> : null}
        <div>
          <Button onClick={() => void make()} loading={busy}>
            {url ? t('mine.calendarRenew') : t('mine.calendarCreate')}
          </Button>
        </div>
      </Flex>
    </Card>
  );
}
