import type { ActivityAudience, ActivityCategory, ActivityWithSessions, CreateActivityBody, CreateSessionsBody, CurrentUser } from '@linli/contracts';
import { Alert, App, Button, DatePicker, Descriptions, Drawer, Empty, Flex, Form, Input, InputNumber, List, Radio, Segmented, Select, Skeleton, Tag, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { useDialogFormLayout } from '../shell/dialogForm.ts';
import { type Portfolio, zoneOf } from '../spaces/portfolio.ts';
import { formatRange, instantAt, instantOfWallClock, localPartsOf } from '../time/zoned.ts';
import { CancelWithReason } from './CancelWithReason.tsx';
import { STATUS_COLORS, type SessionRow, categoryName, rowsOf, titleOf } from './model.ts';
import { cancelActivity, cancelSession, createActivity, createSessions, invalidateProgramme, programmeQueries, publishActivity } from './programme.api.ts';

interface ActivityDrawerProps {
  /** null: closed; id null: a new activity. */
  state: { id: string | null } | null;
  categories: ActivityCategory[];
  portfolio: Portfolio | undefined;
  user: CurrentUser | null;
  onClose: () => void;
  onOpenSession: (row: SessionRow) => void;
}

/** Create an activity, then schedule its sessions (at one or several sites), publish or cancel it. */
export function ActivityDrawer({ state, categories, portfolio, user, onClose, onOpenSession }: ActivityDrawerProps) {
  const { t } = useTranslation();
  const [createdId, setCreatedId] = useState<string | null>(null);
  useEffect(() => setCreatedId(null), [state]);
  const id = state?.id ?? createdId;
  return (
    <Drawer
      open={state !== null}
      onClose={onClose}
      size={720}
      title={id ? t('programme.activity') : t('programme.drawer.newTitle')}
      closable={{ 'aria-label': t('common.close') }}
      destroyOnHidden
      data-testid="activity-drawer"
    >
      {state === null ? null : id ? (
        <ManageActivity key={id} id={id} categories={categories} portfolio={portfolio} onOpenSession={onOpenSession} />
      ) : (
        <ActivityForm
          categories={categories}
          portfolio={portfolio}
          user={user}
          onCreated={setCreatedId}
        />
      )}
    </Drawer>
  );
}

interface ActivityFormValues {
  title: string;
  titleEn?: string;
  description?: string;
  category: string;
  organizerKind: 'me' | 'staff' | 'partner';
  organizerUserId?: string;
  partnerId?: string;
  audienceKind: ActivityAudience['kind'];
  homeSiteId?: string;
  district?: string;
  minAge?: number;
  maxAge?: number;
  places: number;
  maxPartySize: number;
  opensAt?: Dayjs | null;
  closesAt?: Dayjs | null;
  waitlistMode: 'offer' | 'auto_book';
}

function ActivityForm({ categories, portfolio, user, onCreated }: { categories: ActivityCategory[]; portfolio: Portfolio | undefined; user: CurrentUser | null; onCreated: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ActivityFormValues>();
  const formLayout = useDialogFormLayout();
  const isAdmin = user?.role === 'org_admin';
  const isManager = isAdmin || user?.role === 'site_manager';
  const staff = useQuery({ ...programmeQueries.staff(), enabled: isAdmin });
  const partners = useQuery({ ...programmeQueries.partners(), enabled: isManager });
  const organizerKind = Form.useWatch('organizerKind', form);
  const audienceKind = Form.useWatch('audienceKind', form);
  // An activity has no site yet: its registration window is picked as wall-clock time of the organization's zone.
  const zone = portfolio?.organizationZone;
  const required = [{ required: true, message: t('programme.form.required') }];
  const create = useMutation({
    mutationFn: createActivity,
    onSuccess: (created) => {
      void message.success(t('programme.form.created'));
      void invalidateProgramme();
      onCreated(created.id);
    },
  });

  const submit = (values: ActivityFormValues) => {
    if (!zone) return;
    const audience: ActivityAudience =
      values.audienceKind === 'home_site'
        ? { kind: 'home_site', siteId: values.homeSiteId ?? '' }
        : values.audienceKind === 'district'
          ? { kind: 'district', district: values.district?.trim() ?? '' }
          : values.audienceKind === 'age_band'
            ? { kind: 'age_band', minAge: values.minAge ?? 0, maxAge: values.maxAge ?? 120 }
            : { kind: 'everyone' };
    const body: CreateActivityBody = {
      title: values.title.trim(),
      ...(values.titleEn?.trim() ? { titleEn: values.titleEn.trim() } : {}),
      ...(values.description?.trim() ? { description: values.description.trim() } : {}),
      category: values.category,
      ...(values.organizerKind === 'staff' && values.organizerUserId ? { organizerUserId: values.organizerUserId } : {}),
      ...(values.organizerKind === 'partner' && values.partnerId ? { partnerId: values.partnerId } : {}),
      audience,
      places: values.places,
      maxPartySize: values.maxPartySize,
      ...(values.opensAt ? { registrationOpensAt: instantOfWallClock(values.opensAt.toDate(), zone) } : {}),
      ...(values.closesAt ? { registrationClosesAt: instantOfWallClock(values.closesAt.toDate(), zone) } : {}),
      waitlistMode: values.waitlistMode,
    } as CreateActivityBody;
    create.mutate(body);
  };

  return (
    <Form<ActivityFormValues>
      form={form}
      name="activity"
      {...formLayout}
      initialValues={{ organizerKind: 'me', audienceKind: 'everyone', places: 20, maxPartySize: 1, waitlistMode: 'offer' }}
      onFinish={submit}
      data-testid="activity-form"
    >
      <Form.Item name="title" label={t('programme.form.titleZh')} rules={required}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="titleEn" label={t('programme.form.titleEn')}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="description" label={t('programme.form.description')}>
        <Input.TextArea rows={3} maxLength={4000} />
      </Form.Item>
      <Form.Item name="category" label={t('programme.form.category')} rules={required}>
        <Select options={categories.map((c) => ({ value: c.slug, label: categoryName(categories, c.slug, i18n.language) }))} data-testid="activity-category" />
      </Form.Item>
      <Form.Item name="organizerKind" label={t('programme.form.organizer')}>
        <Radio.Group
          options={[
            { value: 'me', label: t('programme.form.organizerMe') },
            ...(isAdmin ? [{ value: 'staff', label: t('programme.form.organizerStaff') }] : []),
            ...(isManager ? [{ value: 'partner', label: t('programme.form.organizerPartner') }] : []),
          ]}
        />
      </Form.Item>
      {organizerKind === 'staff' ? (
        <Form.Item name="organizerUserId" label={t('programme.form.staffMember')} rules={required}>
          <Select showSearch={{ optionFilterProp: 'label' }} loading={staff.isLoading} options={(staff.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))} />
        </Form.Item>
      ) : null}
      {organizerKind === 'partner' ? (
        <Form.Item name="partnerId" label={t('programme.form.partner')} rules={required}>
          <Select showSearch={{ optionFilterProp: 'label' }} loading={partners.isLoading} options={(partners.data ?? []).map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
      ) : null}
      <Flex gap="middle" wrap>
        <Form.Item name="audienceKind" label={t('programme.form.audience')} style={{ minWidth: 220 }}>
          <Select options={(['everyone', 'home_site', 'district', 'age_band'] as const).map((k) => ({ value: k, label: t(`programme.form.audienceKinds.${k}`) }))} />
        </Form.Item>
        {audienceKind === 'home_site' ? (
          <Form.Item name="homeSiteId" label={t('programme.form.homeSite')} rules={required} style={{ minWidth: 220 }}>
            <Select showSearch={{ optionFilterProp: 'label' }} options={(portfolio?.sites ?? []).map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
        ) : null}
        {audienceKind === 'district' ? (
          <Form.Item name="district" label={t('programme.form.district')} rules={required}>
            <Select showSearch options={[...new Set((portfolio?.sites ?? []).map((s) => s.district))].map((d) => ({ value: d, label: d }))} style={{ minWidth: 160 }} />
          </Form.Item>
        ) : null}
        {audienceKind === 'age_band' ? (
          <>
            <Form.Item name="minAge" label={t('programme.form.minAge')} rules={required}>
              <InputNumber min={0} max={120} />
            </Form.Item>
            <Form.Item name="maxAge" label={t('programme.form.maxAge')} rules={required}>
              <InputNumber min={0} max={120} />
            </Form.Item>
          </>
        ) : null}
      </Flex>
      <Flex gap="middle" wrap>
        <Form.Item name="places" label={t('programme.form.places')} rules={required}>
          <InputNumber min={1} max={10000} />
        </Form.Item>
        <Form.Item name="maxPartySize" label={t('programme.form.maxPartySize')} rules={required}>
          <InputNumber min={1} max={50} />
        </Form.Item>
        <Form.Item name="opensAt" label={t('programme.form.windowOpens')}>
          <DatePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Form.Item name="closesAt" label={t('programme.form.windowCloses')}>
          <DatePicker showTime={{ format: 'HH:mm', minuteStep: 15 }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Flex>
      <Form.Item name="waitlistMode" label={t('programme.form.waitlistMode')}>
        <Radio.Group options={(['offer', 'auto_book'] as const).map((m) => ({ value: m, label: t(`programme.form.waitlistModes.${m}`) }))} />
      </Form.Item>
      {create.error ? <Alert type="error" showIcon title={describeError(create.error)} style={{ marginBottom: 16 }} /> : null}
      <Button type="primary" htmlType="submit" loading={create.isPending} disabled={!zone}>
        {t('programme.form.create')}
      </Button>
    </Form>
  );
}

function ManageActivity({ id, categories, portfolio, onOpenSession }: { id: string; categories: ActivityCategory[]; portfolio: Portfolio | undefined; onOpenSession: (row: SessionRow) => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const activity = useQuery(programmeQueries.activity(id));
  const publish = useMutation({
    mutationFn: publishActivity,
    onSuccess: () => {
      void message.success(t('programme.drawer.published'));
      void invalidateProgramme();
    },
  });
  const changed = () => void invalidateProgramme();
  if (activity.error && !activity.data) return <Alert type="error" showIcon title={describeError(activity.error)} />;
  if (!activity.data || !portfolio) return <Skeleton active />;
  const current: ActivityWithSessions = activity.data;
  const rows = rowsOf([current], portfolio, new Map());
  const scheduled = current.sessions.some((s) => s.status === 'scheduled');
  const open = current.status === 'draft' || current.status === 'published';

  return (
    <Flex vertical gap="middle">
      <Flex justify="space-between" align="start" gap="small" wrap>
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {titleOf(current, i18n.language)}
        </Typography.Title>
        <Tag color={STATUS_COLORS[current.status]} data-testid="activity-status">
          {t(`programme.statuses.${current.status}`)}
        </Tag>
      </Flex>
      <Descriptions
        size="small"
        column={2}
        items={[
          { key: 'category', label: t('programme.form.category'), children: categoryName(categories, current.category, i18n.language) },
          { key: 'places', label: t('programme.form.places'), children: current.places },
          { key: 'party', label: t('programme.form.maxPartySize'), children: current.maxPartySize },
          { key: 'audience', label: t('programme.form.audience'), children: t(`programme.form.audienceKinds.${current.audience.kind}`) },
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
        {t('programme.drawer.sessions')}
      </Typography.Title>
      {rows.length === 0 ? (
        <Empty description={t('programme.drawer.noSessionsYet')} />
      ) : (
        <List
          size="small"
          bordered
          dataSource={rows}
          data-testid="activity-sessions"
          renderItem={(row) => (
            <List.Item
              actions={[
                <Button key="open" size="small" onClick={() => onOpenSession(row)}>
                  {t('programme.registrations')}
                </Button>,
                ...(row.session.status === 'scheduled' && open
                  ? [
                      <CancelWithReason
                        key="cancel"
                        size="small"
                        label={t('programme.drawer.cancelSession')}
                        confirmText={t('programme.drawer.cancelSessionConfirm')}
                        done={t('programme.drawer.sessionCancelled')}
                        onCancel={(reason) => cancelSession(row.session, reason)}
                        onDone={changed}
                      />,
                    ]
                  : []),
              ]}
            >
              <Flex vertical>
                <Typography.Text delete={row.session.status === 'cancelled'}>{formatRange(row.session.startAt, row.session.endAt, row.zone, i18n.language)}</Typography.Text>
                <Typography.Text type="secondary">
                  {row.siteName} · {row.spaceName} · {t('programme.form.places')} {row.session.places}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      )}
      {open ? <AddSessions activityId={current.id} portfolio={portfolio} /> : null}
      {publish.error ? <RefusalAlert error={publish.error} zone={rows[0]?.zone ?? portfolio.organizationZone} onClose={() => publish.reset()} /> : null}
      <Flex gap="small" wrap align="center">
        {current.status === 'draft' ? (
          <Button type="primary" disabled={!scheduled} loading={publish.isPending} onClick={() => publish.mutate(current)} data-testid="publish-activity">
            {t('programme.drawer.publish')}
          </Button>
        ) : null}
        {current.status === 'draft' && !scheduled ? <Typography.Text type="secondary">{t('programme.drawer.publishHint')}</Typography.Text> : null}
        {open ? (
          <CancelWithReason
            label={t('programme.drawer.cancelActivity')}
            confirmText={t('programme.drawer.cancelActivityConfirm')}
            done={t('programme.drawer.activityCancelled')}
            onCancel={(reason) => cancelActivity(current, reason)}
            onDone={changed}
          />
        ) : null}
      </Flex>
    </Flex>
  );
}

interface SessionFormValues {
  mode: 'one' | 'recurring';
  siteId?: string;
  spaceId?: string;
  date?: Dayjs;
  start?: Dayjs;
  end?: Dayjs;
  startDate?: Dayjs;
  time?: Dayjs;
  durationMinutes?: number;
  repeat: 'weekly' | 'fortnightly';
  count: number;
  places?: number | null;
}

/** One session, or a weekly / fortnightly run; add several times for a touring programme at several sites. */
function AddSessions({ activityId, portfolio }: { activityId: string; portfolio: Portfolio }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SessionFormValues>();
  const mode = Form.useWatch('mode', form);
  const siteId = Form.useWatch('siteId', form);
  // Times are picked as wall-clock times of the chosen site; before one is chosen, of the organization.
  const zone = zoneOf(portfolio, siteId) ?? portfolio.organizationZone;
  const spaces = portfolio.spaces.filter((s) => s.siteId === siteId && !s.archivedAt);
  const required = [{ required: true, message: t('programme.form.required') }];
  const add = useMutation({
    mutationFn: (body: CreateSessionsBody) => createSessions(activityId, body),
    onSuccess: (result) => {
      void message.success(t('programme.drawer.added', { count: result.sessions.length }));
      const skipped = result.occurrences.filter((o) => o.status !== 'ok').length;
      if (skipped) void message.warning(t('programme.drawer.skipped', { count: skipped }));
      form.resetFields(['date', 'start', 'end', 'startDate', 'time', 'places']);
      void invalidateProgramme();
    },
  });

  const submit = (values: SessionFormValues) => {
    const places = values.places ? { places: values.places } : {};
    const body: CreateSessionsBody =
      values.mode === 'one'
        ? {
            spaceId: values.spaceId!,
            startAt: instantAt(values.date!.format('YYYY-MM-DD'), values.start!.format('HH:mm'), zone),
            endAt: instantAt(values.date!.format('YYYY-MM-DD'), values.end!.format('HH:mm'), zone),
            ...places,
          }
        : {
            spaceId: values.spaceId!,
            startDate: values.startDate!.format('YYYY-MM-DD'),
            startTime: values.time!.format('HH:mm'),
            durationMinutes: values.durationMinutes!,
            rule: `FREQ=WEEKLY;INTERVAL=${values.repeat === 'fortnightly' ? 2 : 1};COUNT=${values.count}`,
            onConflict: 'fail',
            ...places,
          };
    add.mutate(body);
  };

  return (
    <Form<SessionFormValues>
      form={form}
      layout="vertical"
      initialValues={{ mode: 'one', repeat: 'weekly', count: 4, durationMinutes: 90 }}
      onFinish={submit}
      data-testid="add-sessions"
      style={{ border: '1px solid #f0f0f0', borderRadius: 8, padding: 16 }}
    >
      <Flex justify="space-between" align="center" wrap gap="small" style={{ marginBottom: 12 }}>
        <Typography.Text strong>{t('programme.drawer.addSessions')}</Typography.Text>
        <Form.Item name="mode" noStyle>
          <Segmented options={[{ value: 'one', label: t('programme.drawer.oneOff') }, { value: 'recurring', label: t('programme.drawer.recurring') }]} />
        </Form.Item>
      </Flex>
      <Flex gap="middle" wrap>
        <Form.Item name="siteId" label={t('programme.drawer.site')} rules={required} style={{ minWidth: 240, flex: 1 }}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={(portfolio?.sites ?? []).map((s) => ({ value: s.id, label: s.name }))}
            onChange={() => form.setFieldValue('spaceId', undefined)}
            data-testid="session-site"
          />
        </Form.Item>
        <Form.Item name="spaceId" label={t('programme.drawer.room')} rules={required} style={{ minWidth: 200, flex: 1 }}>
          <Select options={spaces.map((s) => ({ value: s.id, label: `${s.name} (${s.capacity})` }))} data-testid="session-room" />
        </Form.Item>
      </Flex>
      {mode === 'recurring' ? (
        <Flex gap="middle" wrap>
          <Form.Item name="startDate" label={t('programme.drawer.startDate')} rules={required}>
            <DatePicker data-testid="session-start-date" />
          </Form.Item>
          <Form.Item name="time" label={t('programme.drawer.time')} rules={required}>
            <TimePicker format="HH:mm" minuteStep={15} data-testid="session-time" />
          </Form.Item>
          <Form.Item name="durationMinutes" label={t('programme.drawer.duration')} rules={required}>
            <InputNumber min={5} max={1440} step={15} />
          </Form.Item>
          <Form.Item name="repeat" label={t('programme.drawer.repeat')}>
            <Select style={{ minWidth: 120 }} options={[{ value: 'weekly', label: t('programme.drawer.weekly') }, { value: 'fortnightly', label: t('programme.drawer.fortnightly') }]} />
          </Form.Item>
          <Form.Item name="count" label={t('programme.drawer.count')} rules={required}>
            <InputNumber min={1} max={52} />
          </Form.Item>
        </Flex>
      ) : (
        <Flex gap="middle" wrap>
          <Form.Item name="date" label={t('programme.drawer.date')} rules={required}>
            <DatePicker data-testid="session-date" />
          </Form.Item>
          <Form.Item name="start" label={t('programme.drawer.start')} rules={required}>
            <TimePicker format="HH:mm" minuteStep={15} data-testid="session-start" />
          </Form.Item>
          <Form.Item name="end" label={t('programme.drawer.end')} rules={required}>
            <TimePicker format="HH:mm" minuteStep={15} data-testid="session-end" />
          </Form.Item>
        </Flex>
      )}
      <Flex gap="middle" wrap align="end">
        <Form.Item name="places" label={t('programme.drawer.sessionPlaces')}>
          <InputNumber min={1} max={10000} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="add-session">
            {t('programme.drawer.add')}
          </Button>
        </Form.Item>
      </Flex>
      {add.error ? (
        <RefusalAlert
          error={add.error}
          zone={zone}
          onClose={() => add.reset()}
          onPickAlternative={(alternative) => {
            const altZone = zoneOf(portfolio, alternative.siteId) ?? zone;
            const start = localPartsOf(alternative.startAt, altZone);
            const end = localPartsOf(alternative.endAt, altZone);
            form.setFieldsValue({
              mode: 'one',
              siteId: alternative.siteId,
              spaceId: alternative.spaceId,
              date: dayjs(start.date),
              start: dayjs(`2000-01-01T${start.time}`),
              end: dayjs(`2000-01-01T${end.time}`),
            });
            add.reset();
          }}
        />
      ) : null}
    </Form>
  );
}
