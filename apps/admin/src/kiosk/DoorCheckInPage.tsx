import type { Booking } from '@linli/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Flex, Result, Spin } from 'antd';
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

const PATH = '/check-in';
const MY_BOOKINGS = '/my-bookings';

/**
 * What the kiosk's QR code opens on a resident's phone (`/check-in/<siteId>?t=<token>`): it checks in their
 * booking at that site now and says plainly what happened, or why not and what to do.
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
    <Button key="mine" type="primary" href={MY_BOOKINGS} onClick={(event) => followLink(event, MY_BOOKINGS)}>
      {t('frontDesk.door.toMyBookings')}
    </Button>
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
      <Flex vertical align="center" justify="center" gap="middle" style={{ minHeight: '60dvh' }} role="status">
        <h1 style={{ fontSize: 22, margin: 0 }}>{title}</h1>
        <Spin size="large" />
        <span>{t('frontDesk.door.checking')}</span>
      </Flex>
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
    <Flex justify="center" style={{ paddingBlock: 24 }}>
      <Result
        status={outcome.status}
        title={<h1 style={{ fontSize: 22, margin: 0 }} data-testid="door-outcome">{outcome.title}</h1>}
        subTitle={<span data-testid="door-detail">{outcome.detail}</span>}
        extra={[
          ...(outcome.retry && siteId && token
            ? [
                <Button key="retry" onClick={() => checkIn.mutate({ site: siteId, code: token })} loading={checkIn.isPending}>
                  {t('frontDesk.door.retry')}
                </Button>,
              ]
            : []),
          toMyBookings,
        ]}
        style={{ maxWidth: 520 }}
      />
    </Flex>
  );
}
