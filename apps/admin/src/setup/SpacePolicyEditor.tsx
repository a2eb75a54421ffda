import type { EffectivePolicyResponse, PolicyRules } from '@linli/contracts';
import { Alert, App, Button, Flex, InputNumber, Select, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { updateSpace } from '../spaces/spaces.api.ts';

type Field = keyof EffectivePolicyResponse['values'];
type Value = EffectivePolicyResponse['values'][Field];

export const POLICY_FIELDS = [
  'slotMinutes', 'minDurationMinutes', 'maxDurationMinutes', 'leadTimeMinutes', 'horizonDays', 'bufferMinutes', 'approvalRequired', 'checkInRequired',
  'noShowAfterMinutes', 'cancelCutoffMinutes', 'quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes', 'waitlistMode', 'offerHoldMinutes',
] as const satisfies readonly Field[];

const QUOTAS: readonly Field[] = ['quotaPerDayCount', 'quotaPerDayMinutes', 'quotaPerWeekCount', 'quotaPerWeekMinutes'];
const SOURCE_COLORS = { default: 'default', org: 'blue', site: 'purple', space: 'green' } as const;

interface SpacePolicyEditorProps {
  spaceId: string;
  policy: EffectivePolicyResponse;
  onSaved: () => void;
}

/**
 * The space's booking rules: each row shows the rule in force and where it comes from, and can be set for this
 * space alone or left to the site, the organization or the default. Saving writes the space's own rules only.
 */
export function SpacePolicyEditor({ spaceId, policy, onSaved }: SpacePolicyEditorProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [own, setOwn] = useState<PolicyRules>(policy.levels.space);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const changed = JSON.stringify(own) !== JSON.stringify(policy.levels.space);

  const inheritedFrom = (field: Field) => (field in policy.levels.site ? 'site' : field in policy.levels.org ? 'org' : 'default');
  const show = (value: unknown) => (value === null ? t('setup.unlimited') : typeof value === 'boolean' ? (value ? t('common.yes') : t('common.no')) : String(value));
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
    if (typeof policy.values[field] === 'boolean') {
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
        onChange={(next) => setField(field, next === null ? (quota ? null : policy.inherited[field]) : next)}
      />
    );
  };

  const save = async () => {
    setSaving(true);
    setFailure(null);
    try {
      await updateSpace(spaceId, { policy: own });
      void message.success(t('setup.saved'));
      onSaved();
    } catch (error) {
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  const rows = POLICY_FIELDS.map((field) => ({ field, set: field in own }));
  return (
    <Flex vertical gap="small" data-testid="space-policy">
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
                  <span>{show(policy.inherited[field])}</span>
                  <Tag color={SOURCE_COLORS[inheritedFrom(field)]}>{t(`policy.sources.${inheritedFrom(field)}`)}</Tag>
                </Flex>
              ),
          },
          {
            title: t('setup.setHere'),
            render: (_: unknown, { field, set }: { field: Field; set: boolean }) => (
              <Switch
                size="small"
                aria-label={`${t('setup.setHere')}: ${t(`policy.fields.${field}`)}`}
                checked={set}
                onChange={(checked) => setField(field, checked ? policy.inherited[field] : undefined)}
              />
            ),
          },
        ]}
      />
      {failure ? <Alert type="error" showIcon title={describeError(failure)} /> : null}
      <Flex gap="small">
        <Button type="primary" disabled={!changed} loading={saving} onClick={() => void save()}>
          {t('setup.savePolicy')}
        </Button>
        <Button disabled={!changed} onClick={() => setOwn(policy.levels.space)}>
          {t('setup.resetPolicy')}
        </Button>
      </Flex>
    </Flex>
  );
}
