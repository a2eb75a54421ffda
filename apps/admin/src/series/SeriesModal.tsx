import type { CreateSeriesBody, SeriesOccurrence, Space } from '@linli/contracts';
import { Alert, App, Button, Checkbox, DatePicker, Flex, Form, Input, InputNumber, Modal, Radio, Select, Table, Tag, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { describeReason } from '../bookings/refusals.ts';
import type { Portfolio } from '../spaces/portfolio.ts';
import { formatLocalDate } from '../time/zoned.ts';
import { createSeries } from './series.api.ts';

const BYDAY = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

interface FormValues {
  spaceId: string;
  startDate: Dayjs;
  startTime: Dayjs;
  durationMinutes: number;
  frequency: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  interval: number;
  byDay: (typeof BYDAY)[number][];
  count: number;
  partySize: number;
  purpose?: string;
  onConflict: 'skip' | 'fail';
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
  const [preview, setPreview] = useState<SeriesOccurrence[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null);

  useEffect(() => {
    if (!open) return;
    setPreview(null);
    setFailure(null);
    form.resetFields();
    const tomorrow = dayjs().add(1, 'day');
    form.setFieldsValue({
      spaceId: spaces[0]?.id,
      startDate: tomorrow,
      startTime: dayjs('2000-01-01T19:00'),
      durationMinutes: 90,
      frequency: 'WEEKLY',
      interval: 1,
      byDay: [BYDAY[(tomorrow.day() + 6) % 7]!],
      count: 8,
      partySize: 1,
      onConflict: 'skip',
    });
  }, [open, spaces, form]);

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

  const run = async (dryRun: boolean) => {
    let values: FormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(dryRun ? 'preview' : 'save');
    setFailure(null);
    try {
      const result = await createSeries(bodyOf(values, dryRun));
      if (dryRun) setPreview(result.occurrences);
      else {
        void message.success(t('series.saved', { booked: result.booked, skipped: result.skipped }));
        onCreated();
      }
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(null);
    }
  };

  const conflicts = preview?.filter((occurrence) => occurrence.status !== 'ok').length ?? 0;
  const frequency = Form.useWatch('frequency', form);

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
          <Button onClick={() => void run(true)} loading={busy === 'preview'}>
            {t('series.preview')}
          </Button>
          <Button type="primary" disabled={!preview} onClick={() => void run(false)} loading={busy === 'save'}>
            {t('series.save')}
          </Button>
        </Flex>
      }
    >
      <Form<FormValues> form={form} layout="vertical" requiredMark={false} onValuesChange={() => setPreview(null)}>
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
      {failure ? <Alert type="error" showIcon title={describeError(failure)} style={{ marginBottom: 12 }} /> : null}
      {preview ? (
        <Flex vertical gap="small">
          <Alert
            type={conflicts ? 'warning' : 'success'}
            showIcon
            title={t('series.previewSummary', { total: preview.length, conflicts })}
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
