import { type Booking, type BookingAlternative, Phone, type Space } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { Alert, ConfigProvider, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Portfolio, zoneOf } from '../spaces/portfolio.ts';
import { instantAt, localPartsOf } from '../time/zoned.ts';
import { createBooking, invalidateBookings } from './bookings.api.ts';
import { READABLE_STATUS_THEME } from './frontDesk.ts';
import { PersonPicker } from './PersonPicker.tsx';
import { RefusalAlert } from './RefusalAlert.tsx';

/** Whom staff book for: themselves (the site's own use), a resident with an account, or a walk-in without one. */
type BookingFor = 'self' | 'resident' | 'walkIn';

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
  bookingFor: BookingFor;
  bookerId?: string;
  walkInName?: string;
  walkInPhone?: string;
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
  const bookingFor = Form.useWatch('bookingFor', form) ?? 'self';
  const [failure, setFailure] = useState<unknown>(null);
  const create = useMutation({
    mutationFn: ({ body, key }: { body: Parameters<typeof createBooking>[0]; key: string }) => createBooking(body, key),
    onSettled: () => invalidateBookings(),
  });
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
      bookingFor: 'self',
    });
  }, [open, draft, spaces, form]);

  const zoneOfSpace = (spaceId: string) => zoneOf(portfolio, portfolio.spaceById.get(spaceId)?.siteId) ?? portfolio.organizationZone;

  const submit = async (values: FormValues) => {
    const zone = zoneOfSpace(values.spaceId);
    const date = values.date.format('YYYY-MM-DD');
    const body = {
      spaceId: values.spaceId,
      startAt: instantAt(date, values.start.format('HH:mm'), zone),
      endAt: instantAt(date, values.end.format('HH:mm'), zone),
      partySize: values.partySize,
      ...(values.purpose?.trim() ? { purpose: values.purpose.trim() } : {}),
      ...(values.bookingFor === 'resident' && values.bookerId ? { bookerId: values.bookerId } : {}),
      ...(values.bookingFor === 'walkIn' && values.walkInName?.trim()
        ? { walkIn: { name: values.walkInName.trim(), ...(values.walkInPhone?.trim() ? { phone: values.walkInPhone.trim() } : {}) } }
        : {}),
    };
    const serialized = JSON.stringify(body);
    if (attempt.current?.body !== serialized) attempt.current = { body: serialized, key: crypto.randomUUID() };
    setFailure(null);
    try {
      onCreated(await create.mutateAsync({ body, key: attempt.current.key }));
    } catch (error) {
      setFailure(error);
    }
  };

  const pickAlternative = (alternative: BookingAlternative) => {
    const zone = zoneOfSpace(alternative.spaceId);
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
    <ConfigProvider theme={READABLE_STATUS_THEME}>
      <Modal
        open={open}
        title={t('booking.newTitle')}
        okText={t('booking.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={onClose}
        forceRender
      >
        <Form<FormValues> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="bookingFor" label={t('frontDesk.form.bookingFor')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'self', label: t('frontDesk.form.forSite') },
                { value: 'resident', label: t('frontDesk.form.forResident') },
                { value: 'walkIn', label: t('frontDesk.form.forWalkIn') },
              ]}
            />
          </Form.Item>
          {bookingFor === 'resident' ? (
            <Form.Item name="bookerId" label={t('frontDesk.form.resident')} rules={[{ required: true, message: t('frontDesk.form.residentRequired') }]}>
              <PersonPicker />
            </Form.Item>
          ) : null}
          {bookingFor === 'walkIn' ? (
            <div style={{ display: 'flex', gap: 12 }}>
              <Form.Item
                name="walkInName"
                label={t('frontDesk.form.walkInName')}
                style={{ flex: 1 }}
                rules={[{ required: true, whitespace: true, message: t('frontDesk.form.walkInNameRequired') }]}
              >
                <Input maxLength={60} autoComplete="off" />
              </Form.Item>
              <Form.Item
                name="walkInPhone"
                label={t('frontDesk.form.walkInPhone')}
                style={{ flex: 1 }}
                rules={[
                  {
                    validator: (_, value: string | undefined) =>
                      !value?.trim() || Phone.safeParse(value.trim()).success ? Promise.resolve() : Promise.reject(new Error(t('frontDesk.form.phoneInvalid'))),
                  },
                ]}
              >
                <Input inputMode="tel" maxLength={16} autoComplete="off" />
              </Form.Item>
            </div>
          ) : null}
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
          <RefusalAlert error={failure} zone={zoneOfSpace(form.getFieldValue('spaceId') ?? '')} onPickAlternative={pickAlternative} />
        ) : (
          <Alert type="info" showIcon title={t('booking.staffHint')} />
        )}
      </Modal>
    </ConfigProvider>
  );
}
