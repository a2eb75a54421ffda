import type { Booking, SeriesChangeResult } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, InputNumber, Radio, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { describeReason } from '../bookings/refusals.ts';
import { localPartsOf } from '../time/zoned.ts';
import { cancelSeries, updateSeries } from './series.api.ts';

type Scope = 'one' | 'following' | 'all';

interface Outcome {
  type: 'success' | 'warning' | 'error';
  text: string;
  details?: string[];
}

interface SeriesActionsProps {
  /** An upcoming occurrence of the series; scopes count from it. */
  booking: Booking & { seriesId: string };
  /** The site's zone: start times are local wall-clock times there. */
  zone: string;
  onChanged: () => void;
}

/** Cancel or retime a recurring booking from one of its occurrences: this one, this and the following, or all upcoming. */
export function SeriesActions({ booking, zone, onChanged }: SeriesActionsProps) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const [scope, setScope] = useState<Scope>('following');
  const [startTime, setStartTime] = useState<Dayjs>(() => dayjs(localPartsOf(booking.startAt, zone).time, 'HH:mm'));
  const [duration, setDuration] = useState<number>(() => Math.round((Date.parse(booking.endAt) - Date.parse(booking.startAt)) / 60_000));
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  // Nothing moved is a failure, some moved a warning: a green note for a change that did not happen misleads.
  const describeChange = (result: SeriesChangeResult): Outcome => ({
    type: result.refused.length ? (result.changed.length ? 'warning' : 'error') : 'success',
    text: t('seriesEdit.changed', { changed: result.changed.length, refused: result.refused.length }),
    details: result.refused.map((r) => describeReason({ code: r.code })),
  });
  const settle = {
    onMutate: () => setOutcome(null),
    onError: (error: unknown) => setOutcome({ type: 'error', text: describeError(error) }),
  };
  const update = useMutation({
    mutationFn: () => updateSeries(booking.seriesId, { scope, bookingId: booking.id, startTime: startTime.format('HH:mm'), durationMinutes: duration }),
    ...settle,
    onSuccess: (result) => {
      setOutcome(describeChange(result));
      onChanged();
    },
  });
  const cancelling = useMutation({
    mutationFn: () => cancelSeries(booking.seriesId, { scope, bookingId: booking.id }),
    ...settle,
    onSuccess: ({ cancelled }) => {
      setOutcome({ type: cancelled.length ? 'success' : 'error', text: t('seriesEdit.cancelled', { count: cancelled.length }) });
      onChanged();
    },
  });

  const cancel = () =>
    modal.confirm({
      title: t('seriesEdit.cancelConfirm', { scope: t(`seriesEdit.scopes.${scope}`) }),
      okText: t('seriesEdit.cancel'),
      okButtonProps: { danger: true },
      cancelText: t('common.back'),
      onOk: () => cancelling.mutateAsync().catch(() => undefined),
    });

  return (
    <Card size="small" title={t('seriesEdit.title')} data-testid="series-actions">
      <Flex vertical gap="small">
        <Radio.Group
          aria-label={t('seriesEdit.scope')}
          value={scope}
          onChange={(event) => setScope(event.target.value as Scope)}
          options={(['one', 'following', 'all'] as const).map((value) => ({ value, label: t(`seriesEdit.scopes.${value}`) }))}
        />
        <Flex gap="small" align="end" wrap>
          <Flex vertical>
            <Typography.Text type="secondary">{t('booking.start')}</Typography.Text>
            <TimePicker aria-label={t('booking.start')} format="HH:mm" minuteStep={15} allowClear={false} needConfirm={false} value={startTime} onChange={(value) => value && setStartTime(value)} />
          </Flex>
          <Flex vertical>
            <Typography.Text type="secondary">{t('series.duration')}</Typography.Text>
            <InputNumber aria-label={t('series.duration')} min={15} max={1440} step={15} value={duration} onChange={(value) => value && setDuration(value)} />
          </Flex>
          <Button loading={update.isPending} onClick={() => update.mutate()}>
            {t('seriesEdit.apply')}
          </Button>
        </Flex>
        <Button danger loading={cancelling.isPending} onClick={cancel}>
          {t('seriesEdit.cancel')}
        </Button>
        {outcome ? (
          <Alert
            type={outcome.type}
            showIcon
            title={outcome.text}
            description={outcome.details?.length ? outcome.details.join(' ') : undefined}
            closable={{ onClose: () => setOutcome(null) }}
          />
        ) : null}
      </Flex>
    </Card>
  );
}
