import type { EffectivePolicyResponse, PolicyRules } from '@linli/contracts';
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Flex, InputNumber, Select, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';

type Field = keyof EffectivePolicyResponse['values'];
type Value = EffectivePolicyResponse['values'][Field];

export const POLICY_FIELDS = [
  'slotMinutes', 'minDurationMinutes', 'maxDurationMinutes', 'leadTimeMinutes', 'horizonDays', 'bufferMinutes', 'approvalRequired', 'checkInRequired',
  'noShowAfterMinutes', 'cancelCutoffMinutes', 'quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes', 'waitlistMode', 'offerHoldMinutes',
] as const satisfies readonly Field[];

const QUOTAS: readonly Field[] = ['quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes'];
const SOURCE_COLORS = { default: 'default', org: 'blue', site: 'purple', space: 'green' } as const;

/** One level's rules beside what it would inherit (the API's space, site and organization policy answers). */
export interface PolicyView {
  own: PolicyRules;
  values: EffectivePolicyResponse['values'];
  inherited: EffectivePolicyResponse['values'];
  inheritedSources: Record<string, string>;
}

interface PolicyEditorProps {
  view: PolicyView;
  /** "Set for this space", "Set for this site" ...: the switch that overrides an inherited rule here. */
  setHereLabel: string;
  save: (rules: PolicyRules) => Promise<unknown>;
  onSaved: () => void;
}

/**
 * One level's booking rules (the organization's, a site's or a space's): each row shows the rule in force and
 * where it comes from, and can be set at this level or left to the level above. Saving writes this level's own
 * rules only.
 */
export function PolicyEditor({ view, setHereLabel, save: saveRules, onSaved }: PolicyEditorProps) {
  const { t } = useTranslation();
  const [own, setOwn] = useState<PolicyRules>(view.own);
  const { message } = App.useApp();
  const saving = useMutation({
    mutationFn: saveRules,
    onSuccess: () => {
      void message.success(t('setup.saved'));
      onSaved();
    },
  });
  const changed = JSON.stringify(own) !== JSON.stringify(view.own);

  const inheritedFrom = (field: Field) => (view.inheritedSources[field] ?? 'default') as keyof typeof SOURCE_COLORS;
  const show = (value: unknown) =>
    value === null
      ? t('setup.unlimited')
      : typeof value === 'boolean'
        ? value ? t('common.yes') : t('common.no')
        : value === 'auto_book' || value === 'offer'
          ? t(`setup.waitlistModes.${value}`)
          : String(value);
  const setField = (field: Field, value: Value | undefined) =>
    setOwn((rules) => {
      const next: Record<string, unknown> = { ...rules };
      if (value === undefined) delete next[field];
      else next[field] = value;
      return next as PolicyRules;
    });

  const editorOf = (field: Field) => {
    const value = (own as Record<string, Value | undefined>)[field];
    const label = t(`policy.fields.${field}`);
    if (typeof view.values[field] === 'boolean') {
      return <Switch aria-label={label} checked={Boolean(value)} onChange={(checked) => setField(field, checked)} />;
    }
    if (field === 'waitlistMode') {
      return (
        <Select
          aria-label={label}
          style={{ width: 140 }}
          value={value as 'auto_book' | 'offer'}
          onChange={(mode: 'auto_book' | 'offer') => setField(field, mode)}
          options={(['auto_book', 'offer'] as const).map((mode) => ({ value: mode, label: t(`setup.waitlistModes.${mode}`) }))}
        />
      );
    }
    // A quota left empty is "no limit" for this space, which is different from inheriting one.
    const quota = QUOTAS.includes(field);
    return (
      <InputNumber
        aria-label={label}
        min={0}
        value={value as number | null}
        placeholder={quota ? t('setup.unlimited') : undefined}
        onChange={(next) => setField(field, next === null ? (quota ? null : view.inherited[field]) : next)}
      />
    );
  };

  const save = () => saving.mutate(own);

  const rows = POLICY_FIELDS.map((field) => ({ field, set: field in own }));
  return (
    <Flex vertical gap="small" data-testid="policy-editor">
      <Table
        size="small"
        pagination={false}
        rowKey="field"
        dataSource={rows}
        columns={[
          { title: t('setup.rule'), dataIndex: 'field', render: (field: Field) => t(`policy.fields.${field}`) },
          {
            title: t('setup.inForce'),
            render: (_: unknown, { field, set }: { field: Field; set: boolean }) =>
              set ? (
                editorOf(field)
              ) : (
                <Flex gap="small" align="center">
                  <span>{show(view.inherited[field])}</span>
                  <Tag color={SOURCE_COLORS[inheritedFrom(field)]}>{t(`policy.sources.${inheritedFrom(field)}`)}</Tag>
                </Flex>
              ),
          },
          {
            title: setHereLabel,
            render: (_: unknown, { field, set }: { field: Field; set: boolean }) => (
              <Switch
                size="small"
                aria-label={`${setHereLabel}: ${t(`policy.fields.${field}`)}`}
                checked={set}
                onChange={(checked) => setField(field, checked ? view.inherited[field] : undefined)}
              />
            ),
          },
        ]}
      />
      {saving.error ? <Alert type="error" showIcon title={describeError(saving.error)} /> : null}
      <Flex gap="small">
        <Button type="primary" disabled={!changed} loading={saving.isPending} onClick={() => void save()}>
          {t('setup.savePolicy')}
        </Button>
        <Button disabled={!changed} onClick={() => setOwn(view.own)}>
          {t('setup.resetPolicy')}
        </Button>
      </Flex>
    </Flex>
  );
}
