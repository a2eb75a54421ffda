import type { Booking, BookingAlternative, BookingCheck, EffectivePolicyResponse, Site, Space } from '@linli/contracts';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Flex, Input, Modal, Skeleton, Typography } from 'antd';
import { Suspense, lazy, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkBooking, createBooking, invalidateBookings } from '../bookings/bookings.api.ts';
import { describeReason } from '../bookings/refusals.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { usePortfolio } from '../spaces/portfolio.ts';
import { formatRange } from '../time/zoned.ts';
import { toast } from '../ui/toasts.tsx';
import { invalidateWaitlist, joinWaitlist, residentQueries } from './resident.queries.ts';

// Loaded when the dialog first opens, not with the booking page: its photo viewer is not part of the first screen.
const SpaceDetails = lazy(() => import('../spaces/SpaceDetails.tsx').then((m) => ({ default: m.SpaceDetails })));

export interface BookingRequest {
  space: Space;
  site: Pick<Site, 'id' | 'name' | 'timezone'>;
  startAt: string;
  endAt: string;
  partySize: number;
}

interface Precheck {
  policy: EffectivePolicyResponse['values'];
  /** Why the API would refuse this booking now, in words (empty: it would be accepted). */
  problems: string[];
  /** Where the resident stands against each quota, as the API counts it. */
  quotas: BookingCheck['quotas'];
}

/** The resident's last step: the rules that apply, what would already fail, then book (or wait). */
export function BookingConfirmModal({ request, onClose, onBooked }: { request: BookingRequest | null; onClose: () => void; onBooked: (booking: Booking) => void }) {
  const { t, i18n } = useTranslation();
  // The full site (address, hours) for what the resident reads before booking: the request carries only its name.
  const portfolio = usePortfolio();
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

  // The API judges the booking exactly as it would on submit (nothing is written), so what is shown here is what
  // will happen unless someone else books first.
  const policyQuery = useQuery({ ...residentQueries.policy(current?.space.id ?? ''), enabled: current !== null });
  const checkQuery = useQuery({
    queryKey: ['bookings', 'check', current?.space.id, current?.startAt, current?.endAt, current?.partySize],
    queryFn: ({ signal }) =>
      checkBooking({ spaceId: current!.space.id, startAt: current!.startAt, endAt: current!.endAt, partySize: current!.partySize }, signal),
    enabled: current !== null,
    staleTime: 0,
  });
  const precheck = {
    loading: policyQuery.isPending || checkQuery.isPending,
    data:
      policyQuery.data && checkQuery.data
        ? ({ policy: policyQuery.data.values, problems: checkQuery.data.reasons.map(describeReason), quotas: checkQuery.data.quotas } satisfies Precheck)
        : undefined,
  };

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
      void invalidateBookings();
      void invalidateWaitlist();
      onBooked(booking);
    } catch (error) {
      setFailure(error);
    } finally {
      setSubmitting(false);
    }
  };

  const wait = async () => {
    try {
      const entry = await joinWaitlist({ spaceId: current.space.id, startAt: current.startAt, endAt: current.endAt, partySize: current.partySize });
      // A toast of the frame's: this dialog (and antd's message holder with it) closes at once.
      toast('success', t('queue.joinedAt', { position: entry.position ?? 1 }));
      void invalidateWaitlist();
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
        {(() => {
          const site = portfolio.data?.siteById.get(current.site.id);
          return site ? (
            <Suspense fallback={<Skeleton active paragraph={{ rows: 2 }} />}>
              <SpaceDetails space={current.space} site={site} />
            </Suspense>
          ) : null;
        })()}
        {precheck.loading && !precheck.data ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
        {policy && precheck.data ? (
          <Flex vertical gap={4}>
            <Typography.Text strong>{t('book.rules')}</Typography.Text>
            <Typography.Text type="secondary">
              {[
                policy.approvalRequired ? t('book.rule.approval') : t('book.rule.instant'),
                t('book.rule.cancel', { minutes: policy.cancelCutoffMinutes }),
                policy.checkInRequired ? t('book.rule.checkIn', { minutes: policy.noShowAfterMinutes }) : null,
                ...precheck.data.quotas
                  .filter((q) => q.quota === 'quotaPerWeekCount' || q.quota === 'quotaPerDayCount')
                  .map((q) => t(q.quota === 'quotaPerWeekCount' ? 'book.rule.weekQuota' : 'book.rule.dayQuota', { used: q.used, limit: q.limit })),
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
