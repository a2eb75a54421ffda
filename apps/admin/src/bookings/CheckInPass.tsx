import type { Booking } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { Button, Card, ConfigProvider, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDate, formatTime, localDateOf } from '../time/zoned.ts';
import { checkInBooking, invalidateBookings } from './bookings.api.ts';
import { READABLE_STATUS_THEME } from './frontDesk.ts';
import { QrCode } from './QrCode.tsx';
import { RefusalAlert } from './RefusalAlert.tsx';
import { useNow } from './useNow.ts';

/** What the pass needs of a booking (the resident's own: only they and staff see its code). */
export type CheckInPassBooking = Pick<Booking, 'id' | 'status' | 'checkInCode' | 'checkInOpensAt' | 'checkInClosesAt' | 'checkedInAt'>;

export interface CheckInPassProps {
  booking: CheckInPassBooking;
  /** The booking's site zone: the window's times are shown in it. */
  zone: string;
  /** After the resident checked in here (the query cache is invalidated already). */
  onCheckedIn?: (booking: Booking) => void;
}

/** The window opening or closing shows within this much of the moment. */
const TICK_MS = 15_000;

/**
 * The resident's pass for one booking: a QR code of its check-in code (what the desk scans), the code in large
 * type (what the desk types), and a check-in button that appears only while check-in is open; outside that
 * window it says when check-in opens, or that it has closed.
 */
export function CheckInPass({ booking, zone, onCheckedIn }: CheckInPassProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const now = useNow(TICK_MS);
  const checkIn = useMutation({
    mutationFn: () => checkInBooking(booking.id, booking.checkInCode ? { code: booking.checkInCode } : {}),
    onSuccess: (changed) => onCheckedIn?.(changed),
    onSettled: () => invalidateBookings(),
  });

  // "at 09:45" today, "Mon, Nov 23 09:45" on another day.
  const when = (iso: string) =>
    localDateOf(Date.parse(iso), zone) === localDateOf(now, zone) ? formatTime(iso, zone, language) : `${formatDate(iso, zone, language)} ${formatTime(iso, zone, language)}`;

  const opens = booking.checkInOpensAt ? Date.parse(booking.checkInOpensAt) : null;
  const closes = booking.checkInClosesAt ? Date.parse(booking.checkInClosesAt) : null;
  const checkedIn = booking.status === 'checked_in' || booking.status === 'completed' || checkIn.isSuccess;
  const phase: 'before' | 'open' | 'after' | 'none' =
    opens === null || closes === null || booking.status !== 'confirmed' ? 'none' : now < opens ? 'before' : now < closes ? 'open' : 'after';

  return (
    <ConfigProvider theme={READABLE_STATUS_THEME}>
      <Card size="small" title={t('frontDesk.pass.title')} data-testid="check-in-pass">
        <Flex vertical align="center" gap="small">
          {booking.checkInCode ? (
            <>
              <QrCode value={booking.checkInCode} size={168} alt={t('frontDesk.pass.qrAlt', { code: booking.checkInCode })} />
              <Typography.Text type="secondary">{t('frontDesk.pass.codeLabel')}</Typography.Text>
              <Typography.Text strong style={{ fontSize: 32, fontFamily: 'monospace', letterSpacing: 4 }} data-testid="pass-code">
                {booking.checkInCode}
              </Typography.Text>
            </>
          ) : null}
          <div role="status" aria-live="polite" style={{ textAlign: 'center' }} data-testid="pass-window">
            {checkedIn ? (
              <Typography.Text type="success">
                {booking.checkedInAt ? t('frontDesk.pass.checkedIn', { time: when(booking.checkedInAt) }) : t('frontDesk.pass.done')}
              </Typography.Text>
            ) : phase === 'open' && booking.checkInClosesAt ? (
              <Typography.Text>{t('frontDesk.pass.openUntil', { time: when(booking.checkInClosesAt) })}</Typography.Text>
            ) : phase === 'before' && booking.checkInOpensAt ? (
              <Typography.Text>{t('frontDesk.pass.opensAt', { when: when(booking.checkInOpensAt) })}</Typography.Text>
            ) : phase === 'after' && booking.checkInClosesAt ? (
              <Typography.Text type="secondary">{t('frontDesk.pass.closedAt', { time: when(booking.checkInClosesAt) })}</Typography.Text>
            ) : (
              <Typography.Text type="secondary">{t('frontDesk.pass.notCheckable')}</Typography.Text>
            )}
          </div>
          {phase === 'open' && !checkedIn ? (
            <Button type="primary" size="large" block loading={checkIn.isPending} onClick={() => checkIn.mutate()} data-testid="pass-check-in">
              {t('frontDesk.pass.checkIn')}
            </Button>
          ) : null}
          {checkIn.error ? <RefusalAlert error={checkIn.error} zone={zone} onClose={() => checkIn.reset()} /> : null}
        </Flex>
      </Card>
    </ConfigProvider>
  );
}
