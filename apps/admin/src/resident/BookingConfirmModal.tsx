import type { Booking, BookingAlternative, EffectivePolicyResponse, Site, Space } from '@linli/contracts';
import { Alert, App, Button, Descriptions, Flex, Input, Modal, Skeleton, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../api/useResource.ts';
import { HOLDING_STATUSES, createBooking, joinWaitlist, listAllBookings } from '../bookings/bookings.api.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { getEffectivePolicy } from '../spaces/spaces.api.ts';
import { addDaysToLocalDate, formatRange, instantAt, localPartsOf, weekdayOf } from '../time/zoned.ts';

export interface BookingRequest {
  space: Space;
  site: Pick<Site, 'id' | 'name' | 'timezone'>;
  startAt: string;
  endAt: string;
  partySize: number;
}

const WEEKDAY_INDEX = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 } as const;

interface Precheck {
  policy: EffectivePolicyResponse['values'];
  /** What can already be told before asking the API, in words. */
  problems: string[];
  weekCount: number;
  dayCount: number;
}

/** The resident's last step: the rules that apply, what would already fail, then book (or wait). */
export function BookingConfirmModal({ request, onClose, onBooked }: { request: BookingRequest | null; onClose: () => void; onBooked: (booking: Booking) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [purpose, setPurpose] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [current, setCurrent] = useState<BookingRequest | null>(request);
  const key = useRef<string>('');

  useEffect(() => {
    setCurrent(request);
    setFailure(null);
    setPurpose('');
    key.current = crypto.randomUUID();
  }, [request]);

  const precheck = useResource(async (signal): Promise<Precheck | null> => {
    if (!current) return null;
    const zone = current.site.timezone;
    const { date } = localPartsOf(current.startAt, zone);
    const monday = addDaysToLocalDate(date, -WEEKDAY_INDEX[weekdayOf(date)]);
    const [effective, week] = await Promise.all([
      getEffectivePolicy(current.space.id, signal),
      listAllBookings({ status: HOLDING_STATUSES, from: instantAt(monday, '00:00', zone), to: instantAt(addDaysToLocalDate(monday, 7), '00:00', zone) }, signal),
    ]);
    const policy = effective.values;
    const minutes = (Date.parse(current.endAt) - Date.parse(current.startAt)) / 60_000;
    const problems: string[] = [];
    if (minutes < policy.minDurationMinutes) problems.push(t('reasons.DURATION_TOO_SHORT', { minDurationMinutes: policy.minDurationMinutes }));
    if (minutes > policy.maxDurationMinutes) problems.push(t('reasons.DURATION_TOO_LONG', { maxDurationMinutes: policy.maxDurationMinutes }));
    if (Date.parse(current.startAt) < Date.now() + policy.leadTimeMinutes * 60_000) problems.push(t('reasons.LEAD_TIME_NOT_MET', { leadTimeMinutes: policy.leadTimeMinutes }));
    if (current.partySize > current.space.capacity) problems.push(t('reasons.PARTY_EXCEEDS_CAPACITY', { partySize: current.partySize, capacity: current.space.capacity }));
    const dayCount = week.filter((b) => localPartsOf(b.startAt, zone).date === date).length;
    if (policy.quotaPerWeekCount !== null && week.length + 1 > policy.quotaPerWeekCount) problems.push(t('book.quotaWeekFull', { limit: policy.quotaPerWeekCount }));
    if (policy.quotaPerDayCount !== null && dayCount + 1 > policy.quotaPerDayCount) problems.push(t('book.quotaDayFull', { limit: policy.quotaPerDayCount }));
    return { policy, problems, weekCount: week.length, dayCount };
  }, [current]);

  if (!current) return null;
  const zone = current.site.timezone;
  const policy = precheck.data?.policy;

  const submit = async () => {
    setSubmitting(true);
    setFailure(null);
    try {
      const booking = await createBooking(
        { spaceId: current.space.id, startAt: current.startAt, endAt: current.endAt, partySize: current.partySize, ...(purpose.trim() ? { purpose: purpose.trim() } : {}) },
        key.current,
      );
      onBooked(booking);
    } catch (error) {
      setFailure(error);
    } finally {
      setSubmitting(false);
    }
  };

  const wait = async () => {
    try {
      await joinWaitlist({ spaceId: current.space.id, startAt: current.startAt, endAt: current.endAt, partySize: current.partySize });
      void message.success(t('waitlist.joined'));
      onClose();
    } catch (error) {
      setFailure(error);
    }
  };

  const pick = (alternative: BookingAlternative) => {
    setCurrent({
      ...current,
      space: { ...current.space, id: alternative.spaceId, name: alternative.spaceName, siteId: alternative.siteId },
      site: { ...current.site, id: alternative.siteId, name: alternative.siteName },
      startAt: alternative.startAt,
      endAt: alternative.endAt,
    });
    key.current = crypto.randomUUID();
    setFailure(null);
  };

  return (
    <Modal
      open
      title={t('book.confirmTitle')}
      onCancel={onClose}
      footer={
        <Flex gap="small" justify="flex-end" wrap>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={submitting} onClick={() => void submit()} data-testid="confirm-booking">
            {policy?.approvalRequired ? t('book.request') : t('book.confirm')}
          </Button>
        </Flex>
      }
    >
      <Flex vertical gap="middle">
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('booking.place')}>
            {current.site.name} · {current.space.name}
          </Descriptions.Item>
          <Descriptions.Item label={t('booking.when')}>{formatRange(current.startAt, current.endAt, zone, i18n.language)}</Descriptions.Item>
          <Descriptions.Item label={t('booking.partySize')}>{current.partySize}</Descriptions.Item>
        </Descriptions>
        {precheck.loading && !precheck.data ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
        {policy && precheck.data ? (
          <Flex vertical gap={4}>
            <Typography.Text strong>{t('book.rules')}</Typography.Text>
            <Typography.Text type="secondary">
              {[
                policy.approvalRequired ? t('book.rule.approval') : t('book.rule.instant'),
                t('book.rule.cancel', { minutes: policy.cancelCutoffMinutes }),
                policy.checkInRequired ? t('book.rule.checkIn', { minutes: policy.noShowAfterMinutes }) : null,
                policy.quotaPerWeekCount !== null ? t('book.rule.weekQuota', { used: precheck.data.weekCount, limit: policy.quotaPerWeekCount }) : null,
                policy.quotaPerDayCount !== null ? t('book.rule.dayQuota', { used: precheck.data.dayCount, limit: policy.quotaPerDayCount }) : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </Typography.Text>
            {precheck.data.problems.length ? <Alert type="warning" showIcon title={t('book.likelyRefused')} description={precheck.data.problems.join(' ')} /> : null}
          </Flex>
        ) : null}
        <Input aria-label={t('booking.purpose')} placeholder={t('book.purposePlaceholder')} value={purpose} maxLength={200} onChange={(e) => setPurpose(e.target.value)} />
        {failure ? <RefusalAlert error={failure} zone={zone} onPickAlternative={pick} onJoinWaitlist={() => void wait()} /> : null}
      </Flex>
    </Modal>
  );
}
