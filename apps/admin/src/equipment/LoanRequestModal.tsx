import type { LoanRequestResponse, PoolAvailability } from '@linli/contracts';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, DatePicker, Flex, Form, Input, InputNumber, Modal, Select, Skeleton, Table, Tag, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.tsx';
import { addDaysToLocalDate, instantAt, localPartsOf, todayIn } from '../time/zoned.ts';
import { type AvailabilityQuery, equipmentQueries, invalidateEquipment, requestLoan } from './equipment.api.ts';
import { borrowerSitesOf, describeEquipmentError, shortfallOf, typeNameOf, usePortfolioQuery, zoneOfSite } from './model.ts';

/** What the request starts from: a booking or an activity session fixes the site and proposes its window. */
export interface LoanRequestDraft {
  siteId?: string | undefined;
  /** ISO instants of the use window. */
  start?: string | undefined;
  end?: string | undefined;
  purpose?: string | undefined;
  /** The loan follows this booking or session (moved with it, cancelled with it). */
  bookingId?: string | undefined;
  sessionId?: string | undefined;
}

interface LoanRequestModalProps {
  open: boolean;
  draft: LoanRequestDraft;
  onClose: () => void;
  onRequested?: (response: LoanRequestResponse) => void;
}

interface FormValues {
  typeId?: string;
  quantity?: number;
  siteId?: string;
  startDate?: Dayjs;
  startTime?: Dayjs;
  endDate?: Dayjs;
  endTime?: Dayjs;
  purpose?: string;
}

const ISO_DATE = 'YYYY-MM-DD';
const CLOCK = 'HH:mm';
/** A time picker's value holding a clock time ("HH:mm"); its date part is never read. */
const clockValue = (clock: string) => dayjs(`2000-01-01T${clock}`);

/** Asks the pool for equipment: what, how many, where and when, with which sites could lend it before anything is sent. */
export function LoanRequestModal({ open, ...props }: LoanRequestModalProps) {
  return open ? <LoanRequestForm {...props} /> : null;
}

function LoanRequestForm({ draft, onClose, onRequested }: Omit<LoanRequestModalProps, 'open'>) {
  const { t, i18n } = useTranslation();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const portfolio = usePortfolioQuery();
  const types = useQuery(equipmentQueries.types());
  const [form] = Form.useForm<FormValues>();
  const fixedSite = Boolean(draft.bookingId || draft.sessionId);
  const sites = borrowerSitesOf(user, portfolio.data);
  const initialSite = draft.siteId ?? (sites.find((site) => site.id === user?.homeSiteId) ?? sites[0])?.id;

  const values = Form.useWatch([], form) as FormValues | undefined;
  const zone = zoneOfSite(portfolio.data, values?.siteId ?? initialSite);
  const picked = windowOf(values, zone);
  const query: AvailabilityQuery | null =
    values?.typeId && values.siteId && values.quantity && values.quantity >= 1 && picked && picked.end > picked.start
      ? { typeId: values.typeId, quantity: values.quantity, siteId: values.siteId, start: picked.start, end: picked.end }
      : null;
  const availability = useQuery({
    ...equipmentQueries.availability(query ?? { typeId: '', quantity: 0, siteId: '', start: '', end: '' }),
    enabled: query !== null,
    placeholderData: keepPreviousData,
  });

  const request = useMutation({
    mutationFn: requestLoan,
    onSuccess: async (response) => {
      onRequested?.(response);
      onClose();
      await invalidateEquipment();
    },
  });

  const submit = (submitted: FormValues) => {
    const chosenZone = zoneOfSite(portfolio.data, submitted.siteId);
    const range = windowOf(submitted, chosenZone);
    if (!submitted.typeId || !submitted.siteId || !submitted.quantity || !range) return;
    request.mutate({
      typeId: submitted.typeId,
      quantity: submitted.quantity,
      borrowerSiteId: submitted.siteId,
      start: range.start,
      end: range.end,
      ...(submitted.purpose?.trim() ? { purpose: submitted.purpose.trim() } : {}),
      ...(draft.bookingId ? { bookingId: draft.bookingId } : {}),
      ...(draft.sessionId ? { sessionId: draft.sessionId } : {}),
    });
  };

  const initialValues = initialValuesOf(draft, initialSite, zoneOfSite(portfolio.data, initialSite));
  const chosenType = types.data?.items.find((type) => type.id === values?.typeId);
  const shortfall = shortfallOf(request.error);

  return (
    <Modal
      open
      title={t('equipment.request.title')}
      okText={t('equipment.request.submit')}
      cancelText={t('common.cancel')}
      confirmLoading={request.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      width={680}
    >
      {portfolio.error ? <Alert type="error" showIcon title={describeEquipmentError(portfolio.error)} /> : null}
      {/* The initial window is read in the site's zone, so the form waits for the sites. */}
      {!portfolio.data ? <Skeleton active /> : <Form<FormValues> form={form} layout="vertical" initialValues={initialValues} onFinish={submit} requiredMark={false} data-testid="loan-request-form">
        <Flex gap="middle" wrap>
          <Form.Item name="typeId" label={t('equipment.request.type')} rules={[{ required: true, message: t('equipment.request.typeRequired') }]} style={{ flex: '2 1 240px' }}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={types.isPending}
              options={(types.data?.items ?? [])
                .filter((type) => !type.archived)
                .map((type) => ({ value: type.id, label: typeNameOf(type, i18n.language) }))}
            />
          </Form.Item>
          <Form.Item name="quantity" label={t('equipment.request.quantity')} rules={[{ required: true }]} style={{ flex: '1 1 100px' }}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
        <Form.Item name="siteId" label={t('equipment.request.site')} rules={[{ required: true }]}>
          <Select
            disabled={fixedSite}
            showSearch={{ optionFilterProp: 'label' }}
            options={sites.map((site) => ({ value: site.id, label: site.name }))}
          />
        </Form.Item>
        <Flex gap="middle" wrap>
          <Form.Item name="startDate" label={t('equipment.request.startDate')} rules={[{ required: true }]} style={{ flex: '1 1 140px' }}>
            <DatePicker style={{ width: '100%' }} allowClear={false} />
          </Form.Item>
          <Form.Item name="startTime" label={t('equipment.request.startTime')} rules={[{ required: true }]} style={{ flex: '1 1 100px' }}>
            <TimePicker format={CLOCK} minuteStep={15} style={{ width: '100%' }} allowClear={false} needConfirm={false} />
          </Form.Item>
          <Form.Item name="endDate" label={t('equipment.request.endDate')} rules={[{ required: true }]} style={{ flex: '1 1 140px' }}>
            <DatePicker style={{ width: '100%' }} allowClear={false} />
          </Form.Item>
          <Form.Item
            name="endTime"
            label={t('equipment.request.endTime')}
            dependencies={['startDate', 'startTime', 'endDate']}
            style={{ flex: '1 1 100px' }}
            rules={[
              { required: true },
              ({ getFieldsValue }) => ({
                validator: () => {
                  const range = windowOf(getFieldsValue(true) as FormValues, zone);
                  return !range || range.end > range.start ? Promise.resolve() : Promise.reject(new Error(t('equipment.request.endAfterStart')));
                },
              }),
            ]}
          >
            <TimePicker format={CLOCK} minuteStep={15} style={{ width: '100%' }} allowClear={false} needConfirm={false} />
          </Form.Item>
        </Flex>
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: -12, marginBottom: 12, fontSize: 12 }}>
          {t('equipment.request.zoneHint', { zone })}
          {chosenType ? ` · ${t('equipment.request.maxDays', { count: chosenType.maxLoanDays })}` : ''}
        </Typography.Text>
        <Form.Item name="purpose" label={t('equipment.request.purpose')}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>}

      {query === null ? (
        <Typography.Text type="secondary">{t('equipment.request.fillToSee')}</Typography.Text>
      ) : availability.error ? (
        <Alert type="error" showIcon title={describeEquipmentError(availability.error)} />
      ) : availability.data ? (
        // The previous answer stays, dimmed, while the changed question is asked.
        <div style={{ opacity: availability.isPlaceholderData ? 0.6 : 1 }} aria-busy={availability.isFetching}>
          <LendersTable availability={availability.data} />
        </div>
      ) : (
        <Typography.Text type="secondary">{t('equipment.request.asking')}</Typography.Text>
      )}

      {request.error ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="loan-refusal"
          style={{ marginTop: 12 }}
          title={describeEquipmentError(request.error)}
          description={
            shortfall && shortfall.lenders.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {shortfall.lenders.map((lender) => (
                  <li key={lender.siteId}>
                    {t('equipment.request.lenderFree', { site: lender.siteName, count: lender.free })}
                    {lender.distanceKm !== null ? ` · ${t('equipment.request.km', { km: lender.distanceKm.toFixed(1) })}` : ''}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
        />
      ) : null}
    </Modal>
  );
}

/** Which sites could lend, nearest first, and how the request would be split among them. */
function LendersTable({ availability }: { availability: PoolAvailability }) {
  const { t } = useTranslation();
  const split = new Map(availability.suggestedSplit.map((part) => [part.siteId, part.quantity]));
  type Lender = PoolAvailability['lenders'][number];
  return (
    <Flex vertical gap="small" data-testid="loan-lenders">
      {availability.shortfall > 0 ? (
        <Alert type="warning" showIcon title={t('equipment.request.short', { shortfall: availability.shortfall, free: availability.totalFree })} />
      ) : (
        <Alert type="success" showIcon title={t('equipment.request.canLend', { count: availability.quantity, free: availability.totalFree })} />
      )}
      <Table<Lender>
        size="small"
        rowKey="siteId"
        pagination={false}
        dataSource={availability.lenders}
        locale={{ emptyText: t('equipment.request.noLenders') }}
        columns={[
          {
            key: 'site',
            title: t('equipment.request.lender'),
            render: (_, lender) => (
              <Flex vertical>
                <Typography.Text>{lender.siteName}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {lender.district}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            key: 'distance',
            title: t('equipment.request.distance'),
            render: (_, lender) => (lender.distanceKm === null ? '—' : t('equipment.request.km', { km: lender.distanceKm.toFixed(1) })),
          },
          { key: 'transit', title: t('equipment.request.transit'), render: (_, lender) => t('equipment.request.minutes', { count: lender.transitMinutes }) },
          { key: 'free', title: t('equipment.request.free'), dataIndex: 'free' },
          {
            key: 'part',
            title: t('equipment.request.part'),
            render: (_, lender) => (split.get(lender.siteId) ? <Tag color="green">{split.get(lender.siteId)}</Tag> : '—'),
          },
        ]}
      />
    </Flex>
  );
}

/** The use window as ISO instants, reading the picked dates and clock times in the destination site's zone. */
function windowOf(values: FormValues | undefined, zone: string): { start: string; end: string } | null {
  if (!values?.startDate || !values.startTime || !values.endDate || !values.endTime) return null;
  return {
    start: instantAt(values.startDate.format(ISO_DATE), values.startTime.format(CLOCK), zone),
    end: instantAt(values.endDate.format(ISO_DATE), values.endTime.format(CLOCK), zone),
  };
}

/** The draft's window in the site's zone, or tomorrow 10:00-12:00 there. */
function initialValuesOf(draft: LoanRequestDraft, siteId: string | undefined, zone: string): FormValues {
  const tomorrow = addDaysToLocalDate(todayIn(zone), 1);
  const start = draft.start ? localPartsOf(draft.start, zone) : { date: tomorrow, time: '10:00' };
  const end = draft.end ? localPartsOf(draft.end, zone) : { date: tomorrow, time: '12:00' };
  return {
    quantity: 1,
    ...(siteId ? { siteId } : {}),
    startDate: dayjs(start.date),
    startTime: clockValue(start.time),
    endDate: dayjs(end.date),
    endTime: clockValue(end.time),
    ...(draft.purpose ? { purpose: draft.purpose } : {}),
  };
}
