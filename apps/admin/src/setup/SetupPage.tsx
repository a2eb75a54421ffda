import { type Closure, SITE_KINDS, type Site, type Space } from '@linli/contracts';
import { DEFAULT_TIME_ZONE, SPACE_OPENNESS } from '@linli/domain';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Badge, Button, DatePicker, Drawer, Empty, Flex, Form, type FormInstance, Image, Input, InputNumber, List, Popconfirm, Radio, Select, Skeleton, Table, Tabs, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import type { PageProps } from '../shell/page-props.ts';
import { siteKindLabel } from '../sites/siteKinds.ts';
import { createClosure, createSite, deleteClosure, invalidateSites, setSiteArchived, siteKeys, siteQueries, updateOrganizationPolicy, updateSite } from '../sites/sites.api.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { createSpace, invalidateSpaces, setSpaceArchived, spaceQueries, updateSpace } from '../spaces/spaces.api.ts';
import { queryClient } from '../api/queryClient.ts';
import { type HoursValue, OpeningHoursEditor, hoursValueOf } from './OpeningHoursEditor.tsx';
import { PolicyEditor } from './PolicyEditor.tsx';

/** The portfolio admin's setup: sites (hours, address, zone, closures, archiving) and spaces (mode, capacity, what residents read). */
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

/** Field problems of a refused save, under the form ("body.lat: must be at most 90"). */
function FailureAlert({ failure }: { failure: unknown }) {
  if (!failure) return null;
  const fields = failure instanceof ApiError ? failure.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : '';
  return <Alert type="error" showIcon title={describeError(failure)} description={fields || undefined} style={{ marginBottom: 12 }} />;
}

function SitesSetup() {
  const { t } = useTranslation();
  const sites = useQuery(siteQueries.list(true));
  const [editing, setEditing] = useState<Site | 'new' | null>(null);
  return (
    <Flex vertical gap="middle">
      <Flex>
        <Button type="primary" onClick={() => setEditing('new')}>
          {t('siteSetup.newSite')}
        </Button>
      </Flex>
      {sites.error ? <Alert type="error" showIcon title={describeError(sites.error)} action={<Button onClick={() => void sites.refetch()}>{t('errors.retry')}</Button>} /> : null}
      {/* A table without rows (loading, or none yet) still scrolls sideways on a phone, and a scroll area must hold
          something the keyboard can reach: those states are said in words instead. */}
      {sites.isPending ? (
        <Skeleton active />
      ) : !sites.data?.items.length ? (
        <Empty description={t('sites.empty')} />
      ) : (
        <Table<Site>
          rowKey="id"
          size="middle"
          loading={sites.isFetching}
          dataSource={sites.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          columns={[
            { title: t('sites.name'), dataIndex: 'name' },
            { title: t('sites.kind'), dataIndex: 'kind', render: (kind: string) => <Tag>{siteKindLabel(kind)}</Tag> },
            { title: t('sites.district'), dataIndex: 'district' },
            { title: t('siteSetup.timezone'), dataIndex: 'timezone' },
            { title: t('booking.status'), dataIndex: 'archivedAt', render: (archived: string | null) => <Badge status={archived ? 'default' : 'success'} text={archived ? t('setup.archived') : t('setup.active')} /> },
            { title: t('common.actions'), key: 'edit', render: (_, site) => <Button size="small" autoInsertSpace={false} aria-label={`${t('common.edit')} ${site.name}`} onClick={() => setEditing(site)}>{t('common.edit')}</Button> },
          ]}
        />
      )}
      {editing ? <SiteDrawer site={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
    </Flex>
  );
}

interface SiteForm {
  name: string;
  kind: string;
  district: string;
  subdistrict?: string | null;
  address?: string | null;
  timezone: string;
  lat?: number | null;
  lng?: number | null;
  openingHours: HoursValue;
}

/** Every IANA zone the browser knows, for a site outside the organization's own zone. */
function useTimeZoneOptions() {
  return useMemo(() => {
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    return zones.map((zone) => ({ value: zone, label: zone }));
  }, []);
}

/** The rules every site and space inherits unless it sets its own: a city-wide quota is set here. */
function OrganizationRules() {
  const { t } = useTranslation();
  const policy = useQuery(siteQueries.organizationPolicy());
  if (policy.error) return <Alert type="error" showIcon title={describeError(policy.error)} action={<Button onClick={() => void policy.refetch()}>{t('errors.retry')}</Button>} />;
  if (!policy.data) return <Skeleton active />;
  return (
    <Flex vertical gap="small" style={{ maxWidth: 720 }}>
      <Typography.Paragraph type="secondary">{t('setup.orgRulesHint')}</Typography.Paragraph>
      <PolicyEditor
        key={JSON.stringify(policy.data.own)}
        view={policy.data}
        setHereLabel={t('setup.setForOrg')}
        save={(rules) => updateOrganizationPolicy(rules)}
        onSaved={() => void policy.refetch()}
      />
    </Flex>
  );
}

/**
 * antd focuses a drawer's outer frame, which lies outside its dialog: once it has slid in, start at the first field,
 * unless the user has already clicked or tabbed somewhere else in the meantime.
 */
function focusFirstField(form: FormInstance, name: string) {
  const active = document.activeElement;
  if (active && active !== document.body && !active.classList.contains('ant-drawer')) return;
  form.focusField(name);
}

/** A new site (everything an operator needs before its spaces can be booked) or an existing one's details. */
function SiteDrawer({ site, onClose }: { site: Site | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SiteForm>();
  const portfolio = usePortfolio();
  const zoneOptions = useTimeZoneOptions();
  const save = useMutation({
    mutationFn: (values: SiteForm) => {
      const fields = {
        name: values.name,
        kind: values.kind,
        district: values.district,
        subdistrict: values.subdistrict || null,
        address: values.address || null,
        timezone: values.timezone,
        lat: values.lat ?? null,
        lng: values.lng ?? null,
        openingHours: values.openingHours,
      };
      return site ? updateSite(site.id, fields) : createSite({ ...fields, policy: {} });
    },
    onSuccess: async () => {
      void message.success(site ? t('setup.saved') : t('siteSetup.created'));
      await invalidateSites();
      if (!site) onClose();
    },
  });
  const initialValues: Partial<SiteForm> = site
    ? { ...site, openingHours: hoursValueOf(site.openingHours) }
    : { kind: SITE_KINDS[0], timezone: portfolio.data?.organizationZone ?? DEFAULT_TIME_ZONE, openingHours: hoursValueOf({}) };

  return (
    <Drawer open onClose={onClose} size={620} title={site?.name ?? t('siteSetup.newSite')} afterOpenChange={(opened) => opened && focusFirstField(form, 'name')}>
      <Form<SiteForm> form={form} layout="vertical" initialValues={initialValues} onFinish={(values) => save.mutate(values)}>
        <Form.Item name="name" label={t('sites.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={120} />
        </Form.Item>
        <Form.Item name="kind" label={t('siteSetup.kind')} rules={[{ required: true }]}>
          <Select aria-label={t('siteSetup.kind')} options={SITE_KINDS.map((kind) => ({ value: kind, label: siteKindLabel(kind) }))} />
        </Form.Item>
        <Flex gap="small" wrap>
          <Form.Item name="district" label={t('sites.district')} rules={[{ required: true, whitespace: true }]} style={{ flex: '1 1 200px' }}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="subdistrict" label={t('sites.subdistrict')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={60} />
          </Form.Item>
        </Flex>
        <Form.Item name="address" label={t('setup.address')}>
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="timezone" label={t('siteSetup.timezone')} rules={[{ required: true }]}>
          <Select aria-label={t('siteSetup.timezone')} showSearch={{ optionFilterProp: 'label' }} options={zoneOptions} />
        </Form.Item>
        <Flex gap="small" wrap>
          <Form.Item name="lat" label={t('siteSetup.lat')} extra={t('siteSetup.coordinatesHint')} style={{ flex: '1 1 200px' }}>
            <InputNumber min={-90} max={90} step={0.000001} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="lng" label={t('siteSetup.lng')} style={{ flex: '1 1 200px' }}>
            <InputNumber min={-180} max={180} step={0.000001} style={{ width: '100%' }} />
          </Form.Item>
        </Flex>
        <Form.Item name="openingHours" label={t('sites.openingHours')}>
          <OpeningHoursEditor />
        </Form.Item>
        <FailureAlert failure={save.error} />
        <Flex gap="small" justify="space-between">
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
          {site ? <SiteArchiveButton site={site} /> : null}
        </Flex>
      </Form>
      {site ? <SiteRulesAndClosures site={site} /> : null}
    </Drawer>
  );
}

function SiteArchiveButton({ site }: { site: Site }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [archived, setArchived] = useState(site.archivedAt !== null);
  const toggle = useMutation({
    mutationFn: () => setSiteArchived(site.id, !archived),
    onSuccess: async () => {
      setArchived(!archived);
      await invalidateSites();
    },
    onError: (error) => void message.error(describeError(error)),
  });
  return (
    <Popconfirm title={archived ? t('setup.unarchiveConfirm') : t('setup.archiveConfirm')} onConfirm={() => toggle.mutate()}>
      {/* Not `danger`: antd's red (#ff4d4f) is 3.3:1 on white, below WCAG's 4.5:1; the confirmation is the guard. */}
      <Button loading={toggle.isPending}>
        {archived ? t('setup.unarchive') : t('setup.archive')}
      </Button>
    </Popconfirm>
  );
}

function SiteRulesAndClosures({ site }: { site: Site }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const closures = useQuery(siteQueries.closures(site.id));
  const sitePolicy = useQuery(siteQueries.policy(site.id));
  const [closureRange, setClosureRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [closureReason, setClosureReason] = useState('');
  const refreshClosures = () => queryClient.invalidateQueries({ queryKey: siteKeys.closures(site.id) });
  const addClosure = useMutation({
    mutationFn: (range: [Dayjs, Dayjs]) =>
      createClosure({ scope: 'site', siteId: site.id, startDate: range[0].format('YYYY-MM-DD'), endDate: range[1].format('YYYY-MM-DD'), reason: closureReason.trim() }),
    onSuccess: async () => {
      setClosureRange(null);
      setClosureReason('');
      await refreshClosures();
    },
    onError: (error) => void message.error(describeError(error)),
  });
  const removeClosure = useMutation({ mutationFn: deleteClosure, onSuccess: refreshClosures, onError: (error) => void message.error(describeError(error)) });

  return (
    <>
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
          onSaved={() => void sitePolicy.refetch()}
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
        loading={closures.isPending}
        dataSource={closures.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('setup.noClosures')} /> }}
        renderItem={(closure) => (
          <List.Item
            actions={
              closure.scope === 'site'
                ? [
                    <Popconfirm key="delete" title={t('setup.deleteClosure')} onConfirm={() => removeClosure.mutate(closure.id)}>
                      <Button size="small">
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
        <Button onClick={() => closureRange && addClosure.mutate(closureRange)} loading={addClosure.isPending} disabled={!closureRange || !closureReason.trim()}>
          {t('setup.addClosure')}
        </Button>
      </Flex>
    </>
  );
}

function SpacesSetup() {
  const { t } = useTranslation();
  const sites = useQuery(siteQueries.list());
  const [siteId, setSiteId] = useState<string | undefined>();
  const chosen = siteId ?? sites.data?.items[0]?.id;
  const spaces = useQuery(spaceQueries.ofSite(chosen, true));
  const [editing, setEditing] = useState<Space | 'new' | null>(null);
  return (
    <Flex vertical gap="middle">
      <Flex gap="small" wrap>
        <Select
          aria-label={t('book.site')}
          style={{ minWidth: 280 }}
          value={chosen}
          onChange={setSiteId}
          loading={sites.isPending}
          showSearch={{ optionFilterProp: 'label' }}
          options={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
        />
        <Button type="primary" onClick={() => setEditing('new')} disabled={!chosen}>
          {t('setup.newSpace')}
        </Button>
      </Flex>
      {spaces.error ? <Alert type="error" showIcon title={describeError(spaces.error)} /> : null}
      {/* A table without rows (loading, or none yet) still scrolls sideways on a phone, and a scroll area must hold
          something the keyboard can reach: those states are said in words instead. */}
      {spaces.isLoading ? (
        <Skeleton active />
      ) : !spaces.data?.length ? (
        <Empty description={t('siteSetup.noSpaces')} />
      ) : (
        <Table<Space>
          rowKey="id"
          size="middle"
          loading={spaces.isFetching}
          dataSource={spaces.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('sites.name'), dataIndex: 'name' },
            { title: t('setup.mode'), dataIndex: 'bookingMode', render: (mode: Space['bookingMode']) => t(`modes.${mode}`) },
            { title: t('setup.capacity'), dataIndex: 'capacity' },
            { title: t('book.features'), dataIndex: 'features', render: (features: string[]) => features.map((f) => <Tag key={f}>{t(`features.${f}` as 'features.projector', { defaultValue: f })}</Tag>) },
            { title: t('booking.status'), dataIndex: 'archivedAt', render: (archived: string | null) => <Badge status={archived ? 'default' : 'success'} text={archived ? t('setup.archived') : t('setup.active')} /> },
            { title: t('common.actions'), key: 'edit', render: (_, space) => <Button size="small" autoInsertSpace={false} aria-label={`${t('common.edit')} ${space.name}`} onClick={() => setEditing(space)}>{t('common.edit')}</Button> },
          ]}
        />
      )}
      {editing && chosen ? <SpaceDrawer space={editing === 'new' ? null : editing} siteId={chosen} onClose={() => setEditing(null)} /> : null}
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
  description?: string | null;
  photoUrl?: string | null;
}

/** As the API checks it: a photo is shown as an image, so only an https address. */
const isHttpsAddress = (value: string) => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
};

function SpaceDrawer({ space, siteId, onClose }: { space: Space | null; siteId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SpaceForm>();
  const photoUrl = Form.useWatch('photoUrl', form);
  const policy = useQuery({ ...spaceQueries.policy(space?.id ?? ''), enabled: Boolean(space) });
  const save = useMutation({
    mutationFn: (values: SpaceForm) => {
      const fields = { ...values, description: values.description?.trim() || null, photoUrl: values.photoUrl?.trim() || null };
      return space ? updateSpace(space.id, fields) : createSpace({ ...fields, siteId, policy: {} });
    },
    onSuccess: async () => {
      void message.success(t('setup.saved'));
      await invalidateSpaces();
      if (!space) onClose();
    },
  });
  const archive = useMutation({
    mutationFn: (archived: boolean) => setSpaceArchived(space!.id, archived),
    onSuccess: async () => {
      await invalidateSpaces();
      onClose();
    },
    onError: (error) => void message.error(describeError(error)),
  });

  return (
    <Drawer open onClose={onClose} size={560} title={space?.name ?? t('setup.newSpace')} afterOpenChange={(opened) => opened && focusFirstField(form, 'name')}>
      <Form<SpaceForm>
        form={form}
        layout="vertical"
        onFinish={(values) => save.mutate(values)}
        initialValues={
          space
            ? { name: space.name, kind: space.kind, bookingMode: space.bookingMode, capacity: space.capacity, features: space.features, bookableBy: space.bookableBy, openTo: space.openTo, description: space.description, photoUrl: space.photoUrl }
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
          <Select aria-label={t('book.features')} mode="tags" tokenSeparators={[',', ' ']} />
        </Form.Item>
        <Form.Item name="bookableBy" label={t('setup.bookableBy')}>
          <Radio.Group options={[{ value: 'residents', label: t('setup.residents') }, { value: 'staff_only', label: t('setup.staffOnly') }]} />
        </Form.Item>
        <Form.Item name="openTo" label={t('setup.openTo')}>
          <Select aria-label={t('setup.openTo')} options={SPACE_OPENNESS.map((value) => ({ value, label: t(`setup.openness.${value}`) }))} />
        </Form.Item>
        <Form.Item name="description" label={t('spaceInfo.description')} extra={t('spaceInfo.descriptionHint')}>
          {/* antd places the count over the line below the box, where the hint is: keep it in the flow instead. */}
          <Input.TextArea maxLength={2000} showCount styles={{ count: { position: 'static', display: 'block', textAlign: 'end' } }} autoSize={{ minRows: 3, maxRows: 8 }} />
        </Form.Item>
        <Form.Item
          name="photoUrl"
          label={t('spaceInfo.photoUrl')}
          rules={[{ validator: (_, value?: string | null) => (!value?.trim() || isHttpsAddress(value.trim()) ? Promise.resolve() : Promise.reject(new Error(t('spaceInfo.photoUrlInvalid')))) }]}
        >
          <Input type="url" maxLength={500} placeholder="https://" />
        </Form.Item>
        {photoUrl && isHttpsAddress(photoUrl) ? (
          <Image src={photoUrl} alt={t('spaceInfo.photoAlt', { name: form.getFieldValue('name') ?? '' })} width={200} style={{ marginBottom: 16, borderRadius: 8 }} />
        ) : null}
        <FailureAlert failure={save.error} />
        <Flex gap="small" justify="space-between">
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
          {space ? (
            <Popconfirm title={space.archivedAt ? t('setup.unarchiveConfirm') : t('setup.archiveConfirm')} onConfirm={() => archive.mutate(!space.archivedAt)}>
              <Button loading={archive.isPending}>
                {space.archivedAt ? t('setup.unarchive') : t('setup.archive')}
              </Button>
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
          {policy.isLoading ? <Skeleton active /> : null}
          {policy.data ? (
            <PolicyEditor
              key={JSON.stringify(policy.data.levels.space)}
              view={{ ...policy.data, own: policy.data.levels.space }}
              setHereLabel={t('setup.setForSpace')}
              save={(rules) => updateSpace(space.id, { policy: rules })}
              onSaved={() => void policy.refetch()}
            />
          ) : null}
        </>
      ) : null}
    </Drawer>
  );
}
