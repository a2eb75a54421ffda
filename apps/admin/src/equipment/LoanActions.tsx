import type { Loan, LoanStepBody } from '@linli/contracts';
import type { LoanStep } from '@linli/domain';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Flex, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.tsx';
import { equipmentQueries, invalidateEquipment, takeLoanStep } from './equipment.api.ts';
import { stepsFor } from './loanSides.ts';
import { describeEquipmentError } from './model.ts';

/** Steps that need nothing but a click; the others ask something first (why, which items, what came back broken). */
const ONE_CLICK: ReadonlySet<LoanStep> = new Set(['approve', 'receive']);
const DANGER: ReadonlySet<LoanStep> = new Set(['reject', 'cancel']);

interface LoanActionsProps {
  loan: Loan;
  size?: 'small' | 'middle';
  /** A scanned item to put first when dispatching (its QR label opened the page). */
  preselectItemId?: string | undefined;
  /** Only these steps (e.g. the item page offers only moving it on). */
  only?: readonly LoanStep[];
}

/** The buttons for the steps the caller's side may take on a loan now, each with what it has to ask. */
export function LoanActions({ loan, size = 'small', preselectItemId, only }: LoanActionsProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const [asking, setAsking] = useState<LoanStep | null>(null);
  const oneClick = useMutation({
    mutationFn: (step: LoanStep) => takeLoanStep(loan.id, step, {}),
    onSuccess: (_, step) => {
      void message.success(t(`equipment.stepDone.${step}`));
      return invalidateEquipment();
    },
    onError: (error) => void message.error(describeEquipmentError(error)),
  });
  const steps = stepsFor(user, loan).filter((step) => !only || only.includes(step));
  if (!steps.length) return null;

  return (
    <>
      <Flex gap="small" wrap>
        {steps.map((step) => (
          <Button
            key={step}
            size={size}
            type={DANGER.has(step) ? 'default' : 'primary'}
            danger={DANGER.has(step)}
            loading={oneClick.isPending && oneClick.variables === step}
            data-testid={`loan-step-${step}`}
            onClick={() => (ONE_CLICK.has(step) ? oneClick.mutate(step) : setAsking(step))}
          >
            {t(`equipment.steps.${step}`)}
          </Button>
        ))}
      </Flex>
      {asking ? <LoanStepDialog loan={loan} step={asking} preselectItemId={preselectItemId} onClose={() => setAsking(null)} /> : null}
    </>
  );
}

interface StepValues {
  reason?: string;
  itemIds?: string[];
  damaged?: number;
  missing?: number;
  damagedItemIds?: string[];
  missingItemIds?: string[];
}

interface LoanStepDialogProps {
  loan: Loan;
  step: LoanStep;
  preselectItemId?: string | undefined;
  onClose: () => void;
}

/** Asks what a step needs: a reason to refuse or withdraw, the items that go, or what came back damaged or missing. */
function LoanStepDialog({ loan, step, preselectItemId, onClose }: LoanStepDialogProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<StepValues>();
  const counting = step === 'return' || step === 'check';
  const naming = step === 'dispatch' && loan.tracked;
  const mutation = useMutation({
    mutationFn: (body: LoanStepBody) => takeLoanStep(loan.id, step, body),
    onSuccess: async () => {
      void message.success(t(`equipment.stepDone.${step}`));
      onClose();
      await invalidateEquipment();
    },
  });

  const submit = (values: StepValues) => {
    const body: LoanStepBody = {};
    if (values.reason?.trim()) body.reason = values.reason.trim();
    if (naming) body.itemIds = values.itemIds ?? [];
    if (counting && loan.tracked) {
      body.damagedItemIds = values.damagedItemIds ?? [];
      body.missingItemIds = values.missingItemIds ?? [];
    } else if (counting) {
      body.damaged = values.damaged ?? 0;
      body.missing = values.missing ?? 0;
    }
    mutation.mutate(body);
  };

  // The lender's check starts from what the borrower reported at return.
  const initialValues: StepValues =
    step === 'check' && !loan.tracked
      ? { damaged: loan.returnedDamaged, missing: loan.returnedMissing }
      : { damaged: 0, missing: 0, itemIds: preselectItemId ? [preselectItemId] : [] };
  const itemOptions = loan.items.map((item) => ({ value: item.holdingId, label: item.assetTag }));
  const notMoreThanLent = ({ getFieldValue }: { getFieldValue: (name: keyof StepValues) => unknown }) => ({
    validator: () => {
      const count = (name: keyof StepValues) => {
        const value = getFieldValue(name);
        return Array.isArray(value) ? value.length : typeof value === 'number' ? value : 0;
      };
      const reported = loan.tracked ? count('damagedItemIds') + count('missingItemIds') : count('damaged') + count('missing');
      return reported <= loan.quantity ? Promise.resolve() : Promise.reject(new Error(t('equipment.step.moreThanLent', { count: loan.quantity })));
    },
  });

  return (
    <Modal
      open
      title={t(`equipment.steps.${step}`)}
      okText={t(`equipment.steps.${step}`)}
      okButtonProps={{ danger: DANGER.has(step), loading: mutation.isPending }}
      cancelText={t('common.back')}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form<StepValues> form={form} layout="vertical" initialValues={initialValues} onFinish={submit} requiredMark={false} data-testid="loan-step-form">
        <Typography.Paragraph type="secondary">{t(`equipment.step.hints.${step}`, { count: loan.quantity })}</Typography.Paragraph>
        {naming ? <DispatchItems loan={loan} /> : null}
        {counting && loan.tracked ? (
          <>
            <Form.Item name="damagedItemIds" label={t('equipment.step.damagedItems')} dependencies={['missingItemIds']} rules={[notMoreThanLent]}>
              <Select mode="multiple" options={itemOptions} allowClear />
            </Form.Item>
            <Form.Item name="missingItemIds" label={t('equipment.step.missingItems')}>
              <Select mode="multiple" options={itemOptions} allowClear />
            </Form.Item>
          </>
        ) : null}
        {counting && !loan.tracked ? (
          <Flex gap="middle">
            <Form.Item name="damaged" label={t('equipment.step.damaged')} dependencies={['missing']} rules={[notMoreThanLent]} style={{ flex: 1 }}>
              <InputNumber min={0} max={loan.quantity} precision={0} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="missing" label={t('equipment.step.missing')} style={{ flex: 1 }}>
              <InputNumber min={0} max={loan.quantity} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Flex>
        ) : null}
        <Form.Item
          name="reason"
          label={t(DANGER.has(step) ? 'equipment.step.reason' : 'equipment.step.note')}
          rules={step === 'reject' ? [{ required: true, whitespace: true, message: t('equipment.step.reasonRequired') }] : []}
        >
          <Input.TextArea maxLength={500} rows={2} />
        </Form.Item>
      </Form>
      {mutation.error ? <Alert type="error" showIcon role="alert" title={describeEquipmentError(mutation.error)} /> : null}
    </Modal>
  );
}

/** The items that go out with a tracked loan: the lender's items of the type that are at home and in service. */
function DispatchItems({ loan }: { loan: Loan }) {
  const { t } = useTranslation();
  const items = useQuery(equipmentQueries.allHoldings({ siteId: loan.lenderSiteId, typeId: loan.typeId, tracked: true }));
  const options = (items.data ?? [])
    .filter((item) => item.inService > 0 && item.whereabouts?.kind !== 'out' && item.assetTag)
    .map((item) => ({ value: item.id, label: item.serialNumber ? `${item.assetTag} · ${item.serialNumber}` : (item.assetTag ?? '') }));
  return (
    <Form.Item
      name="itemIds"
      label={t('equipment.step.items', { count: loan.quantity })}
      rules={[
        {
          validator: (_, value: string[] | undefined) =>
            (value?.length ?? 0) === loan.quantity ? Promise.resolve() : Promise.reject(new Error(t('equipment.step.itemsExactly', { count: loan.quantity }))),
        },
      ]}
    >
      <Select
        mode="multiple"
        options={options}
        loading={items.isPending}
        showSearch={{ optionFilterProp: 'label' }}
        maxCount={loan.quantity}
        placeholder={t('equipment.step.pickItems')}
        notFoundContent={items.error ? describeEquipmentError(items.error) : undefined}
      />
    </Form.Item>
  );
}
