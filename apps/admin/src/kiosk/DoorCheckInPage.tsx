import type { Booking } from '@linli/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { checkInAtKiosk, invalidateBookings } from '../bookings/bookings.api.ts';
import { siteZone } from '../bookings/frontDesk.ts';
import { followLink, usePath, useSearchParam } from '../routing.ts';
import type { PageProps } from '../shell/page-props.ts';
import { portfolioQuery } from '../spaces/portfolio.ts';
import { formatTime } from '../time/zoned.ts';
import { Button, Spinner } from '../ui/light.tsx';

const PATH = '/check-in';
const MY_BOOKINGS = '/my-bookings';

/**
 * What the kiosk's QR code opens on a resident's phone (`/check-in/<siteId>?t=<token>`): it checks in their
 * booking at that site now and says plainly what happened, or why not and what to do. Drawn with the light kit: a
 * resident at the door opens the app onto it, and it must load as fast as the booking page.
 */
export default function DoorCheckInPage({ title }: PageProps) {
  const { t, i18n } = useTranslation();
  const path = usePath();
  const siteId = path.startsWith(`${PATH}/`) ? decodeURIComponent(path.slice(PATH.length + 1)) : null;
  const token = useSearchParam('t');
  const portfolio = useQuery(portfolioQuery);
  const checkIn = useMutation({
    mutationFn: ({ site, code }: { site: string; code: string }) => checkInAtKiosk(site, code),
    onSettled: () => invalidateBookings(),
  });
  // One attempt per scanned link: React may mount twice in development, and a second attempt would only say
  // "already checked in".
  const tried = useRef<string | null>(null);
  const { mutate } = checkIn;
  useEffect(() => {
    if (!siteId || !token || token.length < 8) return;
    const attempt = `${siteId}|${token}`;
    if (tried.current === attempt) return;
    tried.current = attempt;
    mutate({ site: siteId, code: token });
  }, [siteId, token, mutate]);

  const zone = siteZone(portfolio.data, siteId);
  const time = (iso: string) => formatTime(iso, zone, i18n.language);
  const toMyBookings = (
    <a key="mine" className="l-btn l-btn--primary" href={MY_BOOKINGS} onClick={(event) => followLink(event, MY_BOOKINGS)}>
      {t('frontDesk.door.toMyBookings')}
    </a>
  );

  let outcome: { status: 'success' | 'info' | 'warning' | 'error'; title: string; detail: string; retry?: boolean };
  if (!siteId || !token || token.length < 8) {
    outcome = { status: 'warning', title: t('frontDesk.door.missingToken'), detail: t('frontDesk.door.missingTokenDetail') };
  } else if (checkIn.isSuccess) {
    const booking: Booking = checkIn.data;
    outcome = {
      status: 'success',
      title: t('frontDesk.door.checkedIn'),
      detail: t('frontDesk.door.checkedInDetail', {
        space: portfolio.data?.spaceById.get(booking.spaceId)?.name ?? '',
        site: portfolio.data?.siteById.get(booking.siteId)?.name ?? '',
        time: time(booking.endAt),
      }),
    };
  } else if (checkIn.error) {
    outcome = outcomeOfFailure(checkIn.error);
  } else {
    return (
      <div className="l-stack l-centered" style={{ minHeight: '60dvh' }}>
        <h1 className="l-title">{title}</h1>
        <Spinner label={t('frontDesk.door.checking')} />
        <span>{t('frontDesk.door.checking')}</span>
      </div>
    );
  }

  function outcomeOfFailure(error: unknown): typeof outcome {
    const code = error instanceof ApiError ? error.code : null;
    if (code === 'CHECK_IN_NOT_OPEN') {
      const opensAt = error instanceof ApiError ? error.details.opensAt : undefined;
      const opens = typeof opensAt === 'string' || typeof opensAt === 'number' ? new Date(opensAt).toISOString() : null;
      return { status: 'info', title: t('frontDesk.door.tooEarly'), detail: opens ? t('frontDesk.door.tooEarlyDetail', { time: time(opens) }) : t('frontDesk.door.tooEarlyUnknown') };
    }
    if (code === 'NO_BOOKING_TO_CHECK_IN') return { status: 'warning', title: t('frontDesk.door.noBooking'), detail: t('frontDesk.door.noBookingDetail') };
    if (code === 'KIOSK_TOKEN_EXPIRED' || code === 'KIOSK_TOKEN_INVALID') return { status: 'warning', title: t('frontDesk.door.expired'), detail: t('frontDesk.door.expiredDetail') };
    if (code === 'ALREADY_CHECKED_IN') return { status: 'success', title: describeError(error), detail: '' };
    return { status: 'error', title: t('frontDesk.door.failed'), detail: describeError(error), retry: true };
  }

  return (
    <div className="l-centered" style={{ paddingBlock: 24 }}>
      <div className="l-card l-card--large l-stack" style={{ maxWidth: 520, width: '100%', alignItems: 'center', textAlign: 'center' }}>
        <OutcomeMark status={outcome.status} />
        <h1 className="l-title" data-testid="door-outcome">
          {outcome.title}
        </h1>
        {outcome.detail ? (
          <p className="l-secondary" style={{ margin: 0 }} data-testid="door-detail">
            {outcome.detail}
          </p>
        ) : (
          <span data-testid="door-detail" />
        )}
        <div className="l-row" style={{ justifyContent: 'center' }}>
          {outcome.retry && siteId && token ? (
            <Button onClick={() => checkIn.mutate({ site: siteId, code: token })} loading={checkIn.isPending}>
              {t('frontDesk.door.retry')}
            </Button>
          ) : null}
          {toMyBookings}
        </div>
      </div>
    </div>
  );
}

const MARKS = {
  success: { symbol: '✓', color: 'var(--l-success)', background: 'var(--l-success-bg)' },
  info: { symbol: 'i', color: '#0958d9', background: 'var(--l-info-bg)' },
  warning: { symbol: '!', color: '#ad4e00', background: '#fff7e6' },
  error: { symbol: '×', color: 'var(--l-error)', background: 'var(--l-error-bg)' },
} as const;

/** The outcome at a glance (the heading says it in words). */
function OutcomeMark({ status }: { status: keyof typeof MARKS }) {
  const mark = MARKS[status];
  return (
    <span
      aria-hidden="true"
      style={{ width: 64, height: 64, borderRadius: '50%', display: 'flex', alignItems: 'center', justifyContent: 'center', fontSize: 36, fontWeight: 700, color: mark.color, background: mark.background }}
    >
      {mark.symbol}
    </span>
  );
}
