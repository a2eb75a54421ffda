import type { Closure, Site, Space } from '@linli/contracts';
import { Alert, App, Button, DatePicker, Drawer, Empty, Flex, Form, Input, InputNumber, List, Popconfirm, Radio, Select, Skeleton, Table, Tabs, Tag, Typography } from 'antd';
import { SPACE_OPENNESS } from '@linli/domain';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { useResource } from '../api/useResource.ts';
import { useSave } from '../api/useSave.ts';
import type { PageProps } from '../shell/page-props.ts';
import { siteKindLabel } from '../sites/siteKinds.ts';
import { createClosure, deleteClosure, getOrganizationPolicy, getSitePolicy, listClosures, listSites, setSiteArchived, updateOrganizationPolicy, updateSite } from '../sites/sites.api.ts';
import { invalidatePortfolio } from '../spaces/portfolio.ts';
import { createSpace, getEffectivePolicy, listAllSpaces, setSpaceArchived, updateSpace } from '../spaces/spaces.api.ts';
import { type HoursValue, OpeningHoursEditor, hoursValueOf } from './OpeningHoursEditor.tsx';
import { PolicyEditor } from './PolicyEditor.tsx';

/** The portfolio admin's setup: sites (hours, closures, archiving) and spaces (mode, capacity, features, policy). */
export default function SetupPage({ title }: PageProps) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Tabs
        items={[
          { key: 'sites', label: t('setup.sites'), children: <SitesSetup /> },
          { key: 'spaces', label: t('setup.spaces'), children: <SpacesSetup /> },
          { key: 'rules', label: t('setup.orgRules'), children: <OrganizationRules /> },
        ]}
      />
    </Flex>
  );
}

function SitesSetup() {
  const { t } = useTranslation();
  const sites = useResource((signal) => listSites(signal, { includeArchived: true }), []);
  const [editing, setEditing] = useState<Site | null>(null);
  return (
    <>
      {sites.error ? <Alert type="error" showIcon title={describeError(sites.error)} action={<Button onClick={sites.reload}>{t('errors.retry')}</Button>} /> : null}
      <Table<Site>
        rowKey="id"
        size="middle"
        loading={sites.loading}
        dataSource={sites.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        columns={[
          { title: t('sites.name'), dataIndex: 'name' },
          { title: t('sites.kind'), dataIndex: 'kind', render: (kind: string) => <Tag>{siteKindLabel(kind)}</Tag> },
          { title: t('sites.district'), dataIndex: 'district' },
          { title: t('booking.status'), dataIndex: 'archivedAt', render: (archived: string | null) => (archived ? <Tag>{t('setup.archived')}</Tag> : <Tag color="green">{t('setup.active')}</Tag>) },
          { title: t('common.actions'), key: 'edit', render: (_, site) => <Button size="small" onClick={() => setEditing(site)}>{t('common.edit')}</Button> },
        ]}
      />
      {editing ? (
        <SiteDrawer
          site={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            invalidatePortfolio();
            sites.reload();
          }}
        />
      ) : null}
    </>
  );
}

interface SiteForm {
  name: string;
  district: string;
  subdistrict?: string | null;
  address?: string | null;
  openingHours: HoursValue;
}

/** The rules every site and space inherits unless it sets its own: a city-wide quota is set here. */
function OrganizationRules() {
  const { t } = useTranslation();
  const policy = useResource((signal) => getOrganizationPolicy(signal), []);
  if (policy.error) return <Alert type="error" showIcon title={describeError(policy.error)} action={<Button onClick={policy.reload}>{t('errors.retry')}</Button>} />;
  if (!policy.data) return <Skeleton active />;
  return (
    <Flex vertical gap="small" style={{ maxWidth: 720 }}>
      <Typography.Paragraph type="secondary">{t('setup.orgRulesHint')}</Typography.Paragraph>
      <PolicyEditor
        key={JSON.stringify(policy.data.own)}
        view={policy.data}
        setHereLabel={t('setup.setForOrg')}
        save={(rules) => updateOrganizationPolicy(rules)}
        onSaved={policy.reload}
      />
    </Flex>
  );
}

function SiteDrawer({ site, onClose, onSaved }: { site: Site; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SiteForm>();
  const { saving, failure, save: saveWith } = useSave();
  const [archived, setArchived] = useState(site.archivedAt !== null);
  const closures = useResource((signal) => listClosures(site.id, signal), [site.id]);
  const sitePolicy = useResource((signal) => getSitePolicy(site.id, signal), [site.id]);
  const [closureRange, setClosureRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [closureReason, setClosureReason] = useState('');

  const save = async (values: SiteForm) => {
    const saved = await saveWith(() =>
      updateSite(site.id, { name: values.name, district: values.district, subdistrict: values.subdistrict || null, address: values.address || null, openingHours: values.openingHours }),
    );
    if (saved) onSaved();
  };

  const addClosure = async () => {
    if (!closureRange || !closureReason.trim()) return;
    try {
      await createClosure({ scope: 'site', siteId: site.id, startDate: closureRange[0].format('YYYY-MM-DD'), endDate: closureRange[1].format('YYYY-MM-DD'), reason: closureReason.trim() });
      setClosureRange(null);
      setClosureReason('');
      closures.reload();
    } catch (error) {
      void message.error(describeError(error));
    }
  };

  return (
    <Drawer open onClose={onClose} size={620} title={site.name}>
      <Form<SiteForm>
        form={form}
        layout="vertical"
        initialValues={{ name: site.name, district: site.district, subdistrict: site.subdistrict, address: site.address, openingHours: hoursValueOf(site.openingHours) }}
        onFinish={save}
      >
        <Form.Item name="name" label={t('sites.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={120} />
        </Form.Item>
        <Flex gap="small">
          <Form.Item name="district" label={t('sites.district')} rules={[{ required: true, whitespace: true }]} style={{ flex: 1 }}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="subdistrict" label={t('sites.subdistrict')} style={{ flex: 1 }}>
            <Input maxLength={60} />
          </Form.Item>
        </Flex>
        <Form.Item name="address" label={t('setup.address')}>
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="openingHours" label={t('sites.openingHours')}>
          <OpeningHoursEditor />
        </Form.Item>
        {failure ? <Alert type="error" showIcon title={describeError(failure)} description={failure instanceof Error && 'errors' in failure ? (failure as { errors: { path: string; message: string }[] }).errors.map((e) => `${e.path}: ${e.message}`).join('; ') : undefined} style={{ marginBottom: 12 }} /> : null}
        <Flex gap="small" justify="space-between">
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('common.save')}
          </Button>
          <Popconfirm
            title={archived ? t('setup.unarchiveConfirm') : t('setup.archiveConfirm')}
            onConfirm={async () => {
              try {
                await setSiteArchived(site.id, !archived);
                setArchived(!archived);
                onSaved();
              } catch (error) {
                void message.error(describeError(error));
              }
            }}
          >
            <Button danger={!archived}>{archived ? t('setup.unarchive') : t('setup.archive')}</Button>
          </Popconfirm>
        </Flex>
      </Form>
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
        {t('setup.siteRules')}
      </Typography.Title>
      {sitePolicy.error ? <Alert type="error" showIcon title={describeError(sitePolicy.error)} /> : null}
      {sitePolicy.data ? (
        <PolicyEditor
          key={JSON.stringify(sitePolicy.data.own)}
          view={sitePolicy.data}
          setHereLabel={t('setup.setForSite')}
          save={(rules) => updateSite(site.id, { policy: rules })}
          onSaved={sitePolicy.reload}
        />
      ) : (
        <Skeleton active />
      )}
      <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
        {t('setup.closures')}
      </Typography.Title>
      {closures.error ? <Alert type="error" showIcon title={describeError(closures.error)} /> : null}
      <List<Closure>
        size="small"
        loading={closures.loading}
        dataSource={closures.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('setup.noClosures')} /> }}
        renderItem={(closure) => (
          <List.Item
            actions={
              closure.scope === 'site'
                ? [
                    <Popconfirm key="delete" title={t('setup.deleteClosure')} onConfirm={() => void deleteClosure(closure.id).then(closures.reload, (e: unknown) => void message.error(describeError(e)))}>
                      <Button size="small" type="link" danger>
                        {t('common.delete')}
                      </Button>
                    </Popconfirm>,
                  ]
                : [<Tag key="scope">{t(`setup.scope.${closure.scope}`)}</Tag>]
            }
          >
            {closure.startDate === closure.endDate ? closure.startDate : `${closure.startDate} – ${closure.endDate}`} · {closure.reason}
          </List.Item>
        )}
      />
      <Flex gap="small" wrap style={{ marginTop: 8 }}>
        <DatePicker.RangePicker aria-label={t('setup.closureDates')} value={closureRange} onChange={(value) => setClosureRange(value?.[0] && value[1] ? [value[0], value[1]] : null)} />
        <Input aria-label={t('setup.closureReason')} placeholder={t('setup.closureReason')} value={closureReason} onChange={(e) => setClosureReason(e.target.value)} style={{ flex: '1 1 160px' }} maxLength={200} />
        <Button onClick={() => void addClosure()} disabled={!closureRange || !closureReason.trim()}>
          {t('setup.addClosure')}
        </Button>
      </Flex>
    </Drawer>
  );
}

function SpacesSetup() {
  const { t } = useTranslation();
  const sites = useResource((signal) => listSites(signal), []);
  const [siteId, setSiteId] = useState<string | undefined>();
  const chosen = siteId ?? sites.data?.items[0]?.id;
  const spaces = useResource((signal) => (chosen ? listAllSpaces(chosen, signal, true) : Promise.resolve([])), [chosen]);
  const [editing, setEditing] = useState<Space | 'new' | null>(null);
  return (
    <Flex vertical gap="middle">
      <Flex gap="small" wrap>
        <Select
          aria-label={t('book.site')}
          style={{ minWidth: 280 }}
          value={chosen}
          onChange={setSiteId}
          loading={sites.loading}
          showSearch={{ optionFilterProp: 'label' }}
          options={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
        />
        <Button type="primary" onClick={() => setEditing('new')} disabled={!chosen}>
          {t('setup.newSpace')}
        </Button>
      </Flex>
      {spaces.error ? <Alert type="error" showIcon title={describeError(spaces.error)} /> : null}
      <Table<Space>
        rowKey="id"
        size="middle"
        loading={spaces.loading}
        dataSource={spaces.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('sites.name'), dataIndex: 'name' },
          { title: t('setup.mode'), dataIndex: 'bookingMode', render: (mode: Space['bookingMode']) => t(`modes.${mode}`) },
          { title: t('setup.capacity'), dataIndex: 'capacity' },
          { title: t('book.features'), dataIndex: 'features', render: (features: string[]) => features.map((f) => <Tag key={f}>{t(`features.${f}` as 'features.projector', { defaultValue: f })}</Tag>) },
          { title: t('booking.status'), dataIndex: 'archivedAt', render: (archived: string | null) => (archived ? <Tag>{t('setup.archived')}</Tag> : <Tag color="green">{t('setup.active')}</Tag>) },
          { title: t('common.actions'), key: 'edit', render: (_, space) => <Button size="small" onClick={() => setEditing(space)}>{t('common.edit')}</Button> },
        ]}
      />
      {editing && chosen ? (
        <SpaceDrawer
          space={editing === 'new' ? null : editing}
          siteId={chosen}
          onClose={() => setEditing(null)}
          onSaved={() => {
            invalidatePortfolio();
            spaces.reload();
          }}
        />
      ) : null}
    </Flex>
  );
}

interface SpaceForm {
  name: string;
  kind: string;
  bookingMode: Space['bookingMode'];
  capacity: number;
  features: string[];
  bookableBy: Space['bookableBy'];
  openTo: Space['openTo'];
}


function SpaceDrawer({ space, siteId, onClose, onSaved }: { space: Space | null; siteId: string; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SpaceForm>();
  const { saving, failure, save: saveWith } = useSave();
  const policy = useResource((signal) => (space ? getEffectivePolicy(space.id, signal) : Promise.resolve(null)), [space?.id]);

  const save = async (values: SpaceForm) => {
    const saved = await saveWith(() => (space ? updateSpace(space.id, values) : createSpace({ ...values, siteId, policy: {} })));
    if (!saved) return;
    onSaved();
    if (!space) onClose();
  };

  return (
    <Drawer open onClose={onClose} size={560} title={space?.name ?? t('setup.newSpace')}>
      <Form<SpaceForm>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={
          space
            ? { name: space.name, kind: space.kind, bookingMode: space.bookingMode, capacity: space.capacity, features: space.features, bookableBy: space.bookableBy, openTo: space.openTo }
            : { kind: 'activity_room', bookingMode: 'exclusive', capacity: 10, features: [], bookableBy: 'residents', openTo: 'everyone' }
        }
      >
        <Form.Item name="name" label={t('sites.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={120} />
        </Form.Item>
        <Form.Item name="kind" label={t('sites.kind')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{1,39}$/ }]}>
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="bookingMode" label={t('setup.mode')}>
          <Radio.Group options={(['exclusive', 'shared_capacity'] as const).map((value) => ({ value, label: t(`modes.${value}`) }))} />
        </Form.Item>
        <Form.Item name="capacity" label={t('setup.capacity')} rules={[{ required: true }]}>
          <InputNumber min={1} max={10000} />
        </Form.Item>
        <Form.Item name="features" label={t('book.features')}>
          <Select mode="tags" tokenSeparators={[',', ' ']} />
        </Form.Item>
        <Form.Item name="bookableBy" label={t('setup.bookableBy')}>
          <Radio.Group options={[{ value: 'residents', label: t('setup.residents') }, { value: 'staff_only', label: t('setup.staffOnly') }]} />
        </Form.Item>
        <Form.Item name="openTo" label={t('setup.openTo')}>
          <Select aria-label={t('setup.openTo')} options={SPACE_OPENNESS.map((value) => ({ value, label: t(`setup.openness.${value}`) }))} />
        </Form.Item>
        {failure ? <Alert type="error" showIcon title={describeError(failure)} style={{ marginBottom: 12 }} /> : null}
        <Flex gap="small" justify="space-between">
          <Button type="primary" htmlType="submit" loading={saving}>
            {t('common.save')}
          </Button>
          {space ? (
            <Popconfirm
              title={space.archivedAt ? t('setup.unarchiveConfirm') : t('setup.archiveConfirm')}
              onConfirm={() => void setSpaceArchived(space.id, !space.archivedAt).then(() => { onSaved(); onClose(); }, (e: unknown) => void message.error(describeError(e)))}
            >
              <Button danger={!space.archivedAt}>{space.archivedAt ? t('setup.unarchive') : t('setup.archive')}</Button>
            </Popconfirm>
          ) : null}
        </Flex>
      </Form>
      {space ? (
        <>
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
            {t('setup.effectivePolicy')}
          </Typography.Title>
          {policy.error ? <Alert type="error" showIcon title={describeError(policy.error)} /> : null}
          {policy.loading && !policy.data ? <Skeleton active /> : null}
          {policy.data ? (
            <PolicyEditor
              key={JSON.stringify(policy.data.levels.space)}
              view={{ ...policy.data, own: policy.data.levels.space }}
              setHereLabel={t('setup.setForSpace')}
              save={(rules) => updateSpace(space.id, { policy: rules })}
              onSaved={policy.reload}
            />
          ) : null}
        </>
      ) : null}
    </Drawer>
  );
}
