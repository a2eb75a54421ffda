import type { CreateSeriesBody, SeriesOccurrence, SeriesResult, Space } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, DatePicker, Flex, Form, Input, InputNumber, Modal, Radio, Select, Table, Tag, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { describeReason } from '../bookings/refusals.ts';
import { useDialogFormLayout } from '../shell/dialogForm.ts';
import { type Portfolio, zoneOf } from '../spaces/portfolio.ts';
import { formatLocalDate, todayIn } from '../time/zoned.ts';
import { BYDAY, type ByDay, DAY_KEYS, byDayAfterMove, byDayOf } from './byDay.ts';
import { createSeries } from './series.api.ts';

interface FormValues {
  spaceId: string;
  startDate: Dayjs;
  startTime: Dayjs;
  durationMinutes: number;
  frequency: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  interval: number;
  byDay: ByDay[];
  count: number;
  partySize: number;
  purpose?: string;
  onConflict: 'skip' | 'fail';
}

/** The occurrences a refused save reports in its problem details, each with why it cannot be booked. */
function occurrencesOf(error: ApiError): SeriesOccurrence[] {
  const occurrences = error.details.occurrences;
  return Array.isArray(occurrences) ? (occurrences as SeriesOccurrence[]) : [];
}

interface SeriesModalProps {
  open: boolean;
  spaces: Space[];
  portfolio: Portfolio;
  onClose: () => void;
  onCreated: () => void;
}

/** A recurring booking: previewed occurrence by occurrence (with conflicts) before anything is saved. */
export function SeriesModal({ open, spaces, portfolio, onClose, onCreated }: SeriesModalProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const formLayout = useDialogFormLayout();
  const [preview, setPreview] = useState<SeriesOccurrence[] | null>(null);
  /** The first date the weekdays were last matched to. */
  const matchedDate = useRef<Dayjs | undefined>(undefined);
  const run = useMutation({
    mutationFn: createSeries,
    onSuccess: (result, body) => {
      if (body.dryRun) setPreview(result.occurrences);
      // A series that booked nothing is a failure, shown as one (bookedNothing below), never a green toast.
      else if (result.booked > 0) {
        void message.success(t('series.saved', { booked: result.booked, skipped: result.skipped }));
        onCreated();
      }
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'SERIES_BOOKS_NOTHING') setPreview(occurrencesOf(error));
    },
  });
  const { reset } = run;

  useEffect(() => {
    if (!open) return;
    setPreview(null);
    reset();
    form.resetFields();
    // Tomorrow at the first space's site; its zone is the one the series is anchored in.
    const zone = zoneOf(portfolio, spaces[0]?.siteId);
    const tomorrow = (zone ? dayjs(todayIn(zone)) : dayjs()).add(1, 'day');
    matchedDate.current = tomorrow;
    form.setFieldsValue({
      spaceId: spaces[0]?.id,
      startDate: tomorrow,
      startTime: dayjs('2000-01-01T19:00'),
      durationMinutes: 90,
      frequency: 'WEEKLY',
      interval: 1,
      byDay: [byDayOf(tomorrow)],
      count: 8,
      partySize: 1,
      onConflict: 'skip',
    });
  }, [open, spaces, portfolio, form, reset]);

  const bodyOf = (values: FormValues, dryRun: boolean): CreateSeriesBody => {
    const parts = [`FREQ=${values.frequency}`, `INTERVAL=${values.interval}`];
    if (values.frequency === 'WEEKLY' && values.byDay.length) parts.push(`BYDAY=${values.byDay.join(',')}`);
    parts.push(`COUNT=${values.count}`);
    return {
      spaceId: values.spaceId,
      startDate: values.startDate.format('YYYY-MM-DD'),
      startTime: values.startTime.format('HH:mm'),
      durationMinutes: values.durationMinutes,
      rule: parts.join(';'),
      exdates: [],
      partySize: values.partySize,
      ...(values.purpose?.trim() ? { purpose: values.purpose.trim() } : {}),
      onConflict: values.onConflict,
      dryRun,
    };
  };

  const submit = async (dryRun: boolean) => {
    let values: FormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    run.mutate(bodyOf(values, dryRun));
  };

  const conflicts = preview?.filter((occurrence) => occurrence.status !== 'ok').length ?? 0;
  const bookable = (preview?.length ?? 0) - conflicts;
  const frequency = Form.useWatch('frequency', form);
  const saved: SeriesResult | undefined = run.data && !run.data.dryRun ? run.data : undefined;
  // The API refuses a save that would book nothing (someone took the dates since the preview); its details list
  // each occurrence with the reason, so the table shows what went wrong.
  const refusedAll = run.error instanceof ApiError && run.error.code === 'SERIES_BOOKS_NOTHING' ? run.error : undefined;
  const bookedNothing = refusedAll ? occurrencesOf(refusedAll).length : saved?.booked === 0 ? saved.skipped : null;
  const busy = run.isPending ? (run.variables.dryRun ? 'preview' : 'save') : null;

  return (
    <Modal
      open={open}
      width={720}
      title={t('series.title')}
      onCancel={onClose}
      forceRender
      footer={
        <Flex gap="small" justify="flex-end">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={() => void submit(true)} loading={busy === 'preview'} data-testid="series-preview">
            {t('series.preview')}
          </Button>
          <Button type="primary" disabled={!preview || bookable === 0} onClick={() => void submit(false)} loading={busy === 'save'} data-testid="series-save">
            {t('series.save')}
          </Button>
        </Flex>
      }
    >
      <Form<FormValues>
        form={form}
        // Field ids are prefixed with the form's name: the timeline's booking form has a spaceId and a purpose too.
        name="series"
        {...formLayout}
        requiredMark={false}
        data-testid="series-form"
        onValuesChange={(changed: Partial<FormValues>) => {
          setPreview(null);
          run.reset();
          if (changed.startDate) {
            form.setFieldValue('byDay', byDayAfterMove(form.getFieldValue('byDay') ?? [], matchedDate.current, changed.startDate));
            matchedDate.current = changed.startDate;
          }
        }}
      >
        <Form.Item name="spaceId" label={t('booking.space')} rules={[{ required: true }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={spaces.map((space) => ({ value: space.id, label: `${portfolio.siteById.get(space.siteId)?.name ?? ''} · ${space.name}` }))}
          />
        </Form.Item>
        <Flex gap="small" wrap>
          <Form.Item name="startDate" label={t('series.startDate')} rules={[{ required: true }]}>
            <DatePicker allowClear={false} />
          </Form.Item>
          <Form.Item name="startTime" label={t('booking.start')} rules={[{ required: true }]}>
            <TimePicker format="HH:mm" minuteStep={15} allowClear={false} needConfirm={false} />
          </Form.Item>
          <Form.Item name="durationMinutes" label={t('series.duration')} rules={[{ required: true }]}>
            <InputNumber min={15} max={1440} step={15} />
          </Form.Item>
        </Flex>
        <Flex gap="small" wrap>
          <Form.Item name="frequency" label={t('series.frequency')}>
            <Select
              style={{ width: 140 }}
              options={(['DAILY', 'WEEKLY', 'MONTHLY'] as const).map((value) => ({ value, label: t(`series.freq.${value}`) }))}
            />
          </Form.Item>
          <Form.Item name="interval" label={t('series.interval')}>
            <InputNumber min={1} max={12} />
          </Form.Item>
          <Form.Item name="count" label={t('series.count')} rules={[{ required: true }]}>
            <InputNumber min={1} max={100} />
          </Form.Item>
          <Form.Item name="partySize" label={t('booking.partySize')}>
            <InputNumber min={1} max={10000} />
          </Form.Item>
        </Flex>
        {frequency === 'WEEKLY' ? (
          <Form.Item name="byDay" label={t('series.byDay')}>
            <Checkbox.Group options={BYDAY.map((value, index) => ({ value, label: t(`hours.days.${DAY_KEYS[index]!}`) }))} />
          </Form.Item>
        ) : null}
        <Form.Item name="purpose" label={t('booking.purpose')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="onConflict" label={t('series.onConflict')}>
          <Radio.Group
            options={[
              { value: 'skip', label: t('series.skip') },
              { value: 'fail', label: t('series.fail') },
            ]}
          />
        </Form.Item>
      </Form>
      {run.error && !refusedAll ? <Alert type="error" showIcon role="alert" title={describeError(run.error)} style={{ marginBottom: 12 }} /> : null}
      {bookedNothing !== null ? (
        <Alert type="error" showIcon role="alert" data-testid="series-booked-nothing" title={t('series.bookedNothing', { skipped: bookedNothing })} style={{ marginBottom: 12 }} />
      ) : null}
      {preview ? (
        <Flex vertical gap="small">
          <Alert
            type={bookable === 0 ? 'error' : conflicts ? 'warning' : 'success'}
            showIcon
            data-testid="series-preview-summary"
            title={bookable === 0 ? t('series.nothingBookable', { total: preview.length }) : t('series.previewSummary', { total: preview.length, conflicts })}
          />
          <Table<SeriesOccurrence>
            size="small"
            rowKey="localDate"
            pagination={false}
            scroll={{ y: 240 }}
            dataSource={preview}
            columns={[
              { title: t('booking.date'), dataIndex: 'localDate', render: (date: string) => formatLocalDate(date, i18n.language) },
              { title: t('booking.start'), dataIndex: 'startAt', render: () => form.getFieldValue('startTime')?.format('HH:mm') },
              {
                title: t('booking.status'),
                dataIndex: 'status',
                render: (status: string) =>
                  status === 'ok' ? <Tag color="green">{t('series.ok')}</Tag> : <Tag color="red">{describeReason({ code: status })}</Tag>,
              },
            ]}
          />
        </Flex>
      ) : null}
    </Modal>
  );
}
