import type { Booking } from '@linli/contracts';
import { Alert, App, Button, Descriptions, Drawer, Flex, Input, Modal, Skeleton, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useResource } from '../api/useResource.ts';
import { useSession } from '../auth/session.tsx';
import { placeOf, usePortfolio } from '../spaces/portfolio.ts';
import { formatRange } from '../time/zoned.ts';
import { approveBooking, cancelBooking, checkInBooking, getBooking, rejectBooking } from './bookings.api.ts';
import { BookingStatusTag } from './BookingStatusTag.tsx';
import { RefusalAlert } from './RefusalAlert.tsx';
import { SeriesActions } from '../series/SeriesActions.tsx';
import { EventEquipment } from '../equipment/EventEquipment.tsx';

interface BookingDrawerProps {
  bookingId: string | null;
  onClose: () => void;
  /** After any change, so the page around reloads what it shows. */
  onChanged: (booking: Booking) => void;
}

/** A booking's facts, what can be done with it now, and its history (booking_event), newest last. */
export function BookingDrawer({ bookingId, onClose, onChanged }: BookingDrawerProps) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const { modal } = App.useApp();
  const role = session.status === 'signed-in' ? session.user.role : 'resident';
  const staff = role !== 'resident';
  const portfolio = usePortfolio();
  const booking = useResource((signal) => (bookingId ? getBooking(bookingId, signal) : Promise.resolve(null)), [bookingId]);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');

  const run = async (name: string, action: () => Promise<Booking>) => {
    setBusy(name);
    setFailure(null);
    try {
      const changed = await action();
      onChanged(changed);
      booking.reload();
      return true;
    } catch (error) {
      setFailure(error);
      return false;
    } finally {
      setBusy(null);
    }
  };

  const data = booking.data;
  const place = data ? placeOf(portfolio.data, data.spaceId) : null;
  const siteId = data ? portfolio.data?.spaceById.get(data.spaceId)?.siteId : undefined;

  return (
    <Drawer open={bookingId !== null} onClose={onClose} title={t('booking.detailTitle')} size={440} destroyOnHidden>
      {booking.error ? <Alert type="error" showIcon title={describeError(booking.error)} action={<Button onClick={booking.reload}>{t('errors.retry')}</Button>} /> : null}
      {!data ? (
        booking.error ? null : <Skeleton active />
      ) : (
        <Flex vertical gap="middle">
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('booking.status')}>
              <BookingStatusTag status={data.status} />
            </Descriptions.Item>
            <Descriptions.Item label={t('booking.place')}>
              {place?.siteName} · {place?.spaceName}
            </Descriptions.Item>
            <Descriptions.Item label={t('booking.when')}>{formatRange(data.startAt, data.endAt, place?.zone ?? 'Asia/Shanghai', i18n.language)}</Descriptions.Item>
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

          {failure ? <RefusalAlert error={failure} zone={place?.zone ?? 'Asia/Shanghai'} onClose={() => setFailure(null)} /> : null}

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
              zone={place?.zone ?? 'Asia/Shanghai'}
              onChanged={() => {
                onChanged(data);
                booking.reload();
              }}
            />
          ) : null}

          {staff && siteId ? (
            <EventEquipment bookingId={data.id} siteId={siteId} start={data.startAt} end={data.endAt} purpose={data.purpose ?? undefined} />
          ) : null}

          <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
            {t('booking.history')}
          </Typography.Title>
          <Timeline
            items={data.events.map((event) => ({
              key: event.id,
              content: (
                <Flex vertical>
                  <Typography.Text>
                    {event.fromStatus ? `${t(`status.${event.fromStatus}` as 'status.pending')} → ` : ''}
                    {t(`status.${event.toStatus}` as 'status.pending')}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {new Date(event.at).toLocaleString(i18n.language, { timeZone: place?.zone, hourCycle: 'h23' })}
                    {event.actorId === null ? ` · ${t('booking.bySystem')}` : event.actorName ? ` · ${event.actorName}` : ''}
                  </Typography.Text>
                  {event.reason ? <Typography.Text type="secondary">{event.reason}</Typography.Text> : null}
                </Flex>
              ),
            }))}
          />
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
  );
}
