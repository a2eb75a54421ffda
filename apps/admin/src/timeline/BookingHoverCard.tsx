/**
 * What a booking's tooltip on the board says: when, what for, its state, and who booked it (name, masked phone,
 * home site). The schedule carries no booker, so the booking is read when its tooltip first opens, and cached.
 */
import type { ScheduleBooking } from '@linli/contracts';
import { useQuery } from '@tanstack/react-query';
import { Flex, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { bookingQueries } from '../bookings/bookings.api.ts';
import { formatRange } from '../time/zoned.ts';

export function BookingHoverCard({ booking, zone }: { booking: ScheduleBooking; zone: string }) {
  const { t, i18n } = useTranslation();
  const detail = useQuery({ ...bookingQueries.detail(booking.id), staleTime: 60_000 });
  const booker = detail.data?.booker;
  return (
    <Flex vertical gap={2} style={{ minWidth: 200, maxWidth: 280 }} data-testid="booking-hover-card">
      <Typography.Text strong style={{ color: 'inherit' }}>
        {booking.purpose || t(`status.${booking.status}`)}
      </Typography.Text>
      <span>{formatRange(booking.startAt, booking.endAt, zone, i18n.language)}</span>
      <span>
        {t(`status.${booking.status}`)}
        {booking.partySize > 1 ? ` · ${t('timeline.people', { count: booking.partySize })}` : ''}
      </span>
      {detail.isPending ? <Skeleton active title={false} paragraph={{ rows: 1 }} /> : null}
      {booker ? (
        <span data-testid="booking-booker">
          {t('board.bookedBy')}: {booker.displayName}
          {booker.walkIn ? ` (${t('board.walkIn')})` : ''}
          {booker.maskedPhone ? ` · ${t('board.phone')} ${booker.maskedPhone}` : ''}
          {booker.homeSiteName ? ` · ${t('board.homeSite')} ${booker.homeSiteName}` : ''}
        </span>
      ) : null}
    </Flex>
  );
}
