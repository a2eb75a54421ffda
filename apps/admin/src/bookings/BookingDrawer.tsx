import type { Booking } from '@linli/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, ConfigProvider, Descriptions, Drawer, Flex, Input, Modal, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { EventEquipment } from '../equipment/EventEquipment.tsx';
import { SeriesActions } from '../series/SeriesActions.tsx';
import { placeOf, portfolioQuery } from '../spaces/portfolio.ts';
import { formatRange } from '../time/zoned.ts';
import { BookerCard } from './Booker.tsx';
import { BookingHistory } from './BookingHistory.tsx';
import { approveBooking, bookingQueries, cancelBooking, checkInBooking, invalidateBookings, rejectBooking } from './bookings.api.ts';
import { BookingStatusTag } from './BookingStatusTag.tsx';
import { READABLE_STATUS_THEME, siteZone } from './frontDesk.ts';
import { RefusalAlert } from './RefusalAlert.tsx';

interface BookingDrawerProps {
  bookingId: string | null;
  onClose: () => void;
  /** After any change, for pages that keep their own state besides the query cache (which is invalidated here). */
  onChanged?: (booking: Booking) => void;
}

type Action = 'approve' | 'reject' | 'checkIn' | 'cancel';

/** A booking's facts, who it is for, what can be done with it now, and its history (booking_event), oldest first. */
export function BookingDrawer({ bookingId, onClose, onChanged }: BookingDrawerProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { modal } = App.useApp();
  const staff = session.status === 'signed-in' && session.user.role !== 'resident';
  const portfolio = useQuery(portfolioQuery);
  const booking = useQuery({ ...bookingQueries.detail(bookingId ?? ''), enabled: bookingId !== null });
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');

  const act = useMutation({
    mutationFn: ({ run }: { action: Action; run: () => Promise<Booking> }) => run(),
    onSuccess: (changed) => onChanged?.(changed),
    onSettled: () => invalidateBookings(),
  });
  const busy = act.isPending ? act.variables.action : null;
  const run = (action: Action, call: () => Promise<Booking>) => act.mutateAsync({ action, run: call }).then(() => true, () => false);

  const data = booking.data && booking.data.id === bookingId ? booking.data : undefined;
  const place = data ? placeOf(portfolio.data, data.spaceId) : null;
  const zone = siteZone(portfolio.data, data?.siteId);

  return (
    <ConfigProvider theme={READABLE_STATUS_THEME}>
      <Drawer open={bookingId !== null} onClose={onClose} title={t('booking.detailTitle')} size={460} destroyOnHidden closable={{ 'aria-label': t('common.close') }}>
        {booking.error ? (
          <Alert type="error" showIcon title={describeError(booking.error)} action={<Button onClick={() => void booking.refetch()}>{t('errors.retry')}</Button>} />
        ) : null}
        {!data ? (
          booking.error ? null : <Skeleton active />
        ) : (
          <Flex vertical gap="middle" data-testid="booking-drawer">
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('booking.status')}>
                <BookingStatusTag status={data.status} />
              </Descriptions.Item>
              <Descriptions.Item label={t('booking.place')}>
                {place?.siteName} · {place?.spaceName}
              </Descriptions.Item>
              <Descriptions.Item label={t('booking.when')}>{formatRange(data.startAt, data.endAt, zone, i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t('booking.partySize')}>{data.partySize}</Descriptions.Item>
              <Descriptions.Item label={t('booking.purpose')}>{data.purpose || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('booking.source')}>{t(`sources.${data.source}` as 'sources.staff', { defaultValue: data.source })}</Descriptions.Item>
              {data.checkInCode ? (
                <Descriptions.Item label={t('booking.checkInCode')}>
                  <Typography.Text code copyable data-testid="check-in-code">
                    {data.checkInCode}
                  </Typography.Text>
                </Descriptions.Item>
              ) : null}
            </Descriptions>

            {data.booker ? <BookerCard booker={data.booker} /> : null}

            {act.error ? <RefusalAlert error={act.error} zone={zone} onClose={() => act.reset()} /> : null}

            <Flex gap="small" wrap>
              {staff && data.status === 'pending' ? (
                <>
                  <Button type="primary" loading={busy === 'approve'} onClick={() => void run('approve', () => approveBooking(data))}>
                    {t('booking.approve')}
                  </Button>
                  <Button danger onClick={() => setRejecting(true)}>
                    {t('booking.reject')}
                  </Button>
                </>
              ) : null}
              {staff && data.status === 'confirmed' ? (
                <Button type="primary" loading={busy === 'checkIn'} onClick={() => void run('checkIn', () => checkInBooking(data.id))}>
                  {t('booking.checkIn')}
                </Button>
              ) : null}
              {data.status === 'pending' || data.status === 'confirmed' ? (
                <Button
                  danger
                  loading={busy === 'cancel'}
                  onClick={() =>
                    modal.confirm({
                      title: t('booking.cancelConfirm'),
                      okText: t('booking.cancelBooking'),
                      okButtonProps: { danger: true },
                      cancelText: t('common.back'),
                      onOk: () => run('cancel', () => cancelBooking(data)),
                    })
                  }
                >
                  {t('booking.cancelBooking')}
                </Button>
              ) : null}
            </Flex>

            {data.seriesId && (data.status === 'pending' || data.status === 'confirmed') && Date.parse(data.startAt) > Date.now() ? (
              <SeriesActions
                booking={{ ...data, seriesId: data.seriesId }}
                zone={zone}
                onChanged={() => {
                  onChanged?.(data);
                  void invalidateBookings();
                }}
              />
            ) : null}

            {staff ? <EventEquipment bookingId={data.id} siteId={data.siteId} start={data.startAt} end={data.endAt} purpose={data.purpose ?? undefined} /> : null}

            <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
              {t('booking.history')}
            </Typography.Title>
            <BookingHistory events={data.events} portfolio={portfolio.data} zone={zone} />
          </Flex>
        )}
        <Modal
          open={rejecting}
          title={t('booking.rejectTitle')}
          okText={t('booking.reject')}
          okButtonProps={{ danger: true, disabled: !reason.trim(), loading: busy === 'reject' }}
          cancelText={t('common.back')}
          onCancel={() => setRejecting(false)}
          onOk={async () => {
            if (data && (await run('reject', () => rejectBooking(data, reason.trim())))) {
              setRejecting(false);
              setReason('');
            }
          }}
        >
          <Input.TextArea
            aria-label={t('booking.rejectReason')}
            placeholder={t('booking.rejectReason')}
            value={reason}
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
            autoFocus
          />
        </Modal>
      </Drawer>
    </ConfigProvider>
  );
}
