import type { Booking, Site } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Flex, Form, Input, Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Portfolio } from '../spaces/portfolio.ts';
import { formatTime } from '../time/zoned.ts';
import { checkInAtSite, invalidateBookings } from './bookings.api.ts';
import { checkInCodeOf, siteZone } from './frontDesk.ts';
import { QrScanner } from './QrScanner.tsx';
import { RefusalAlert } from './RefusalAlert.tsx';

interface DeskCheckInProps {
  open: boolean;
  /** The sites the desk may check in at; the first is picked unless `siteId` says otherwise. */
  sites: Site[];
  siteId?: string | null;
  portfolio: Portfolio | undefined;
  onClose: () => void;
}

interface DeskForm {
  siteId: string;
  code: string;
}

/** Staff check a resident in at the desk: the code typed, or read from the resident's QR code by the camera. */
export function DeskCheckIn({ open, sites, siteId, portfolio, onClose }: DeskCheckInProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<DeskForm>();
  const [scanning, setScanning] = useState(false);
  const checkIn = useMutation({
    mutationFn: ({ site, code }: { site: string; code: string }) => checkInAtSite(site, code),
    onSuccess: (booking) => {
      void message.success(describeCheckIn(booking));
      form.setFieldValue('code', '');
    },
    onSettled: () => invalidateBookings(),
  });

  const { reset } = checkIn;
  const initialSiteId = siteId ?? sites[0]?.id;
  useEffect(() => {
    if (!open) return;
    reset();
    setScanning(false);
    form.setFieldsValue({ siteId: initialSiteId, code: '' });
  }, [open, initialSiteId, form, reset]);

  const describeCheckIn = (booking: Booking) => {
    const zone = siteZone(portfolio, booking.siteId);
    return t('frontDesk.desk.checkedIn', {
      name: booking.booker?.displayName ?? t('frontDesk.desk.someone'),
      space: portfolio?.spaceById.get(booking.spaceId)?.name ?? '',
      time: `${formatTime(booking.startAt, zone, i18n.language)}–${formatTime(booking.endAt, zone, i18n.language)}`,
    });
  };

  const submit = ({ siteId: site, code }: DeskForm) => checkIn.mutate({ site, code: checkInCodeOf(code) });

  return (
    <Modal
      open={open}
      title={t('frontDesk.desk.title')}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      data-testid="desk-check-in"
    >
      <Form<DeskForm> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        {sites.length > 1 ? (
          <Form.Item name="siteId" label={t('frontDesk.desk.site')} rules={[{ required: true }]}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={sites.map((site) => ({ value: site.id, label: site.name }))} />
          </Form.Item>
        ) : (
          <Form.Item name="siteId" hidden>
            <Input />
          </Form.Item>
        )}
        <Form.Item name="code" label={t('frontDesk.desk.code')} rules={[{ required: true, whitespace: true, message: t('frontDesk.desk.codeRequired') }]}>
          <Input
            autoFocus
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={200}
            size="large"
            style={{ fontFamily: 'monospace', letterSpacing: 2 }}
            data-testid="desk-code"
          />
        </Form.Item>
        {scanning ? (
          <QrScanner
            onClose={() => setScanning(false)}
            onScan={(text) => {
              setScanning(false);
              form.setFieldValue('code', checkInCodeOf(text));
              form.submit();
            }}
          />
        ) : null}
        {checkIn.error ? <RefusalAlert error={checkIn.error} zone={siteZone(portfolio, form.getFieldValue('siteId') as string | undefined)} onClose={() => checkIn.reset()} /> : null}
        <Flex gap="small" wrap justify="flex-end" style={{ marginTop: 12 }}>
          {scanning ? null : <Button onClick={() => setScanning(true)}>{t('frontDesk.desk.scan')}</Button>}
          <Button type="primary" htmlType="submit" loading={checkIn.isPending} data-testid="desk-submit">
            {t('frontDesk.desk.submit')}
          </Button>
        </Flex>
      </Form>
    </Modal>
  );
}
