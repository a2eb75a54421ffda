import type { Booking, BookingAlternative, Space } from '@linli/contracts';
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Portfolio } from '../spaces/portfolio.ts';
import { instantAt, localPartsOf } from '../time/zoned.ts';
import { createBooking } from './bookings.api.ts';
import { RefusalAlert } from './RefusalAlert.tsx';

export interface BookingDraft {
  spaceId?: string;
  /** Local date and "HH:mm" times in the space's site zone. */
  date?: string;
  start?: string;
  end?: string;
}

interface FormValues {
  spaceId: string;
  date: Dayjs;
  start: Dayjs;
  end: Dayjs;
  partySize: number;
  purpose?: string;
}

interface BookingFormModalProps {
  open: boolean;
  draft: BookingDraft;
  /** The spaces offered (e.g. the sites on the timeline). */
  spaces: Space[];
  portfolio: Portfolio;
  onClose: () => void;
  onCreated: (booking: Booking) => void;
}

/** Staff create a booking: what the selection on the timeline proposed, or typed in by keyboard. */
export function BookingFormModal({ open, draft, spaces, portfolio, onClose, onCreated }: BookingFormModalProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const [failure, setFailure] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  // One key per distinct request: a double submit books once, a changed request is a new one.
  const attempt = useRef<{ body: string; key: string } | null>(null);

  useEffect(() => {
    if (!open) return;
    setFailure(null);
    attempt.current = null;
    form.resetFields();
    form.setFieldsValue({
      spaceId: draft.spaceId ?? spaces[0]?.id,
      date: dayjs(draft.date ?? undefined),
      start: dayjs(`2000-01-01T${draft.start ?? '10:00'}`),
      end: dayjs(`2000-01-01T${draft.end ?? '11:00'}`),
      partySize: 1,
    });
  }, [open, draft, spaces, form]);

  const zoneOf = (spaceId: string) => portfolio.siteById.get(portfolio.spaceById.get(spaceId)?.siteId ?? '')?.timezone ?? 'Asia/Shanghai';

  const submit = async (values: FormValues) => {
    const zone = zoneOf(values.spaceId);
    const date = values.date.format('YYYY-MM-DD');
    const body = {
      spaceId: values.spaceId,
      startAt: instantAt(date, values.start.format('HH:mm'), zone),
      endAt: instantAt(date, values.end.format('HH:mm'), zone),
      partySize: values.partySize,
      ...(values.purpose?.trim() ? { purpose: values.purpose.trim() } : {}),
    };
    const serialized = JSON.stringify(body);
    if (attempt.current?.body !== serialized) attempt.current = { body: serialized, key: crypto.randomUUID() };
    setSubmitting(true);
    setFailure(null);
    try {
      onCreated(await createBooking(body, attempt.current.key));
    } catch (error) {
      setFailure(error);
    } finally {
      setSubmitting(false);
    }
  };

  const pickAlternative = (alternative: BookingAlternative) => {
    const zone = zoneOf(alternative.spaceId);
    const start = localPartsOf(alternative.startAt, zone);
    const end = localPartsOf(alternative.endAt, zone);
    form.setFieldsValue({
      spaceId: alternative.spaceId,
      date: dayjs(start.date),
      start: dayjs(`2000-01-01T${start.time}`),
      end: dayjs(`2000-01-01T${end.time}`),
    });
    setFailure(null);
  };

  const spaceOptions = spaces.map((space) => ({
    value: space.id,
    label: `${portfolio.siteById.get(space.siteId)?.name ?? ''} · ${space.name}`,
  }));
  // An alternative at another site must be selectable too.
  for (const space of portfolio.spaces) {
    if (!spaceOptions.some((option) => option.value === space.id) && form.getFieldValue('spaceId') === space.id) {
      spaceOptions.push({ value: space.id, label: `${portfolio.siteById.get(space.siteId)?.name ?? ''} · ${space.name}` });
    }
  }

  return (
    <Modal
      open={open}
      title={t('booking.newTitle')}
      okText={t('booking.create')}
      cancelText={t('common.cancel')}
      confirmLoading={submitting}
      onOk={() => form.submit()}
      onCancel={onClose}
      forceRender
    >
      <Form<FormValues> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item name="spaceId" label={t('booking.space')} rules={[{ required: true, message: t('booking.spaceRequired') }]}>
          <Select options={spaceOptions} showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item name="date" label={t('booking.date')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} allowClear={false} />
        </Form.Item>
        <div style={{ display: 'flex', gap: 12 }}>
          <Form.Item name="start" label={t('booking.start')} rules={[{ required: true }]} style={{ flex: 1 }}>
            <TimePicker format="HH:mm" minuteStep={15} style={{ width: '100%' }} allowClear={false} needConfirm={false} />
          </Form.Item>
          <Form.Item
            name="end"
            label={t('booking.end')}
            dependencies={['start']}
            style={{ flex: 1 }}
            rules={[
              { required: true },
              ({ getFieldValue }) => ({
                validator: (_, value: Dayjs | undefined) =>
                  value && (getFieldValue('start') as Dayjs | undefined)?.isBefore(value)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('booking.endAfterStart'))),
              }),
            ]}
          >
            <TimePicker format="HH:mm" minuteStep={15} style={{ width: '100%' }} allowClear={false} needConfirm={false} />
          </Form.Item>
        </div>
        <Form.Item name="partySize" label={t('booking.partySize')} rules={[{ required: true }]}>
          <InputNumber min={1} max={10000} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="purpose" label={t('booking.purpose')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
      {failure ? (
        <RefusalAlert error={failure} zone={zoneOf(form.getFieldValue('spaceId') ?? '')} onPickAlternative={pickAlternative} />
      ) : (
        <Alert type="info" showIcon title={t('booking.staffHint')} />
      )}
    </Modal>
  );
}
