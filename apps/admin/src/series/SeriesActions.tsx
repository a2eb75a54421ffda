import type { Booking, SeriesChangeResult } from '@linli/contracts';
import { Alert, App, Button, Card, Flex, InputNumber, Radio, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { describeReason } from '../bookings/refusals.ts';
import { localPartsOf } from '../time/zoned.ts';
import { cancelSeries, updateSeries } from './series.api.ts';

type Scope = 'one' | 'following' | 'all';

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
  const [busy, setBusy] = useState<'cancel' | 'update' | null>(null);
  const [outcome, setOutcome] = useState<{ type: 'success' | 'warning' | 'error'; text: string; details?: string[] } | null>(null);

  const describeChange = (result: SeriesChangeResult) => ({
    type: result.refused.length ? ('warning' as const) : ('success' as const),
    text: t('seriesEdit.changed', { changed: result.changed.length, refused: result.refused.length }),
    details: result.refused.map((r) => describeReason({ code: r.code })),
  });

  const act = async (name: 'cancel' | 'update', action: () => Promise<{ type: 'success' | 'warning'; text: string; details?: string[] }>) => {
    setBusy(name);
    setOutcome(null);
    try {
      setOutcome(await action());
      onChanged();
    } catch (error) {
      setOutcome({ type: 'error', text: describeError(error) });
    } finally {
      setBusy(null);
    }
  };

  const change = () =>
    act('update', async () =>
      describeChange(
        await updateSeries(booking.seriesId, { scope, bookingId: booking.id, startTime: startTime.format('HH:mm'), durationMinutes: duration }),
      ),
    );

  const cancel = () =>
    modal.confirm({
      title: t('seriesEdit.cancelConfirm', { scope: t(`seriesEdit.scopes.${scope}`) }),
      okText: t('seriesEdit.cancel'),
      okButtonProps: { danger: true },
      cancelText: t('common.back'),
      onOk: () =>
        act('cancel', async () => {
          const { cancelled } = await cancelSeries(booking.seriesId, { scope, bookingId: booking.id });
          return { type: 'success', text: t('seriesEdit.cancelled', { count: cancelled.length }) };
        }),
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
          <Button loading={busy === 'update'} onClick={() => void change()}>
            {t('seriesEdit.apply')}
          </Button>
        </Flex>
        <Button danger loading={busy === 'cancel'} onClick={cancel}>
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
