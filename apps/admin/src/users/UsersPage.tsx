import { type Invitation, type InviteUserBody, ROLES, type Role, type UpdateUserBody, type UserAccount, isSiteScopedRole } from '@linli/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Badge, Button, Empty, Flex, Form, Input, Modal, Popconfirm, Select, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { siteQueries } from '../sites/sites.api.ts';
import { type UserFilter, invalidateUsers, inviteUser, reissueInvitation, setUserActive, updateUser, userQueries } from './users.api.ts';

// A badge, not a coloured tag: antd's green and blue tag text is below 4.5:1 on its own tint; the badge's text is plain.
const STATUS_BADGES: Record<UserAccount['status'], 'success' | 'processing' | 'default'> = { active: 'success', invited: 'processing', deactivated: 'default' };

/** A refusal in words: the reason the API names (last admin, own account), else its own sentence. */
function useDescribeRefusal() {
  const { t } = useTranslation();
  return (error: unknown) => {
    const reason = error instanceof ApiError ? error.details.reason : undefined;
    if (reason === 'LAST_ORG_ADMIN' || reason === 'OWN_ACCOUNT') return t(`accounts.refusals.${reason}`);
    return describeError(error);
  };
}

function useSiteOptions() {
  const sites = useQuery(siteQueries.list());
  return (sites.data?.items ?? []).map((site) => ({ value: site.id, label: site.name }));
}

/** The admin's accounts page (issue #14.6): find people, invite them, change role and sites, deactivate. */
export default function UsersPage({ title }: PageProps) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<UserFilter>({ active: true });
  const [inviting, setInviting] = useState(false);
  const [editing, setEditing] = useState<UserAccount | null>(null);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const siteOptions = useSiteOptions();
  const users = useQuery(userQueries.list(filter));

  return (
    <Flex vertical gap="middle">
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <Flex gap="small" wrap>
        <Input.Search
          aria-label={t('accounts.search')}
          placeholder={t('accounts.search')}
          allowClear
          maxLength={100}
          style={{ width: 240 }}
          onSearch={(q) => setFilter((f) => ({ ...f, q: q.trim() || undefined }))}
        />
        <Select<Role | ''>
          aria-label={t('accounts.role')}
          style={{ minWidth: 160 }}
          value={filter.role ?? ''}
          onChange={(role) => setFilter((f) => ({ ...f, role: role || undefined }))}
          options={[{ value: '', label: t('accounts.allRoles') }, ...ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))]}
        />
        <Select<string>
          aria-label={t('accounts.sites')}
          style={{ minWidth: 200 }}
          value={filter.siteId ?? ''}
          showSearch={{ optionFilterProp: 'label' }}
          onChange={(siteId) => setFilter((f) => ({ ...f, siteId: siteId || undefined }))}
          options={[{ value: '', label: t('accounts.allSites') }, ...siteOptions]}
        />
        <Select<'true' | 'false' | ''>
          aria-label={t('accounts.state')}
          style={{ minWidth: 140 }}
          value={filter.active === undefined ? '' : filter.active ? 'true' : 'false'}
          onChange={(value) => setFilter((f) => ({ ...f, active: value === '' ? undefined : value === 'true' }))}
          options={[
            { value: 'true', label: t('accounts.statuses.active') },
            { value: 'false', label: t('accounts.statuses.deactivated') },
            { value: '', label: t('accounts.stateAny') },
          ]}
        />
        <Button type="primary" onClick={() => setInviting(true)}>
          {t('accounts.invite')}
        </Button>
      </Flex>
      {users.error ? <Alert type="error" showIcon title={describeError(users.error)} action={<Button onClick={() => void users.refetch()}>{t('errors.retry')}</Button>} /> : null}
      {/* A table without rows (loading, or none found) still scrolls sideways on a phone, and a scroll area must hold
          something the keyboard can reach: those states are said in words instead. */}
      {users.isPending ? (
        <Skeleton active />
      ) : users.isSuccess && users.data.items.length === 0 ? (
        <Empty description={t('accounts.noneFound')} />
      ) : (
        <UserTable users={users.data?.items ?? []} loading={users.isFetching} siteNames={new Map(siteOptions.map((o) => [o.value, o.label]))} onEdit={setEditing} onInvitation={setInvitation} />
      )}
      {inviting ? <InviteModal onClose={() => setInviting(false)} onInvited={(created) => { setInviting(false); setInvitation(created); }} /> : null}
      {editing ? <EditUserModal user={editing} onClose={() => setEditing(null)} /> : null}
      {invitation ? <InvitationLinkModal invitation={invitation} onClose={() => setInvitation(null)} /> : null}
    </Flex>
  );
}

interface UserTableProps {
  users: UserAccount[];
  loading: boolean;
  siteNames: Map<string, string>;
  onEdit: (user: UserAccount) => void;
  onInvitation: (invitation: Invitation) => void;
}

function UserTable({ users, loading, siteNames, onEdit, onInvitation }: UserTableProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { session } = useSession();
  const myId = session.status === 'signed-in' ? session.user.id : null;
  const describeRefusal = useDescribeRefusal();
  const toggle = useMutation({
    mutationFn: ({ user, active }: { user: UserAccount; active: boolean }) => setUserActive(user.id, active),
    onSuccess: async (_, { active }) => {
      void message.success(active ? t('accounts.reactivated') : t('accounts.deactivated'));
      await invalidateUsers();
    },
    onError: (error) => void message.error(describeRefusal(error)),
  });
  const relink = useMutation({ mutationFn: reissueInvitation, onSuccess: onInvitation, onError: (error) => void message.error(describeError(error)) });

  return (
    <Table<UserAccount>
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={users}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
      columns={[
        { title: t('accounts.name'), dataIndex: 'displayName' },
        { title: t('accounts.login'), key: 'login', render: (_, user) => user.email ?? user.phone },
        { title: t('accounts.role'), dataIndex: 'role', render: (role: Role) => <Tag>{t(`roles.${role}`)}</Tag> },
        {
          title: t('accounts.sites'),
          key: 'sites',
          render: (_, user) => (isSiteScopedRole(user.role) ? user.siteIds : user.homeSiteId ? [user.homeSiteId] : []).map((id) => <Tag key={id}>{siteNames.get(id) ?? '…'}</Tag>),
        },
        { title: t('accounts.state'), dataIndex: 'status', render: (status: UserAccount['status']) => <Badge status={STATUS_BADGES[status]} text={t(`accounts.statuses.${status}`)} /> },
        {
          title: t('common.actions'),
          key: 'actions',
          render: (_, user) => (
            <Space wrap>
              <Button size="small" autoInsertSpace={false} aria-label={`${t('common.edit')} ${user.displayName}`} onClick={() => onEdit(user)}>
                {t('common.edit')}
              </Button>
              {user.status === 'invited' ? (
                <Button size="small" onClick={() => relink.mutate(user.id)} loading={relink.isPending && relink.variables === user.id}>
                  {t('accounts.newLink')}
                </Button>
              ) : null}
              {user.id === myId ? null : user.status === 'deactivated' ? (
                <Popconfirm title={t('accounts.reactivateConfirm', { name: user.displayName })} onConfirm={() => toggle.mutate({ user, active: true })}>
                  <Button size="small">{t('accounts.reactivate')}</Button>
                </Popconfirm>
              ) : (
                <Popconfirm title={t('accounts.deactivateConfirm', { name: user.displayName })} onConfirm={() => toggle.mutate({ user, active: false })}>
                  {/* Not `danger`: antd's red (#ff4d4f) is 3.3:1 on white, below WCAG's 4.5:1; the confirmation is the guard. */}
                  <Button size="small" autoInsertSpace={false} aria-label={`${t('accounts.deactivate')} ${user.displayName}`}>
                    {t('accounts.deactivate')}
                  </Button>
                </Popconfirm>
              )}
            </Space>
          ),
        },
      ]}
    />
  );
}

interface InviteForm {
  displayName: string;
  role: Role;
  email?: string;
  phone?: string;
  siteIds: string[];
  locale?: 'zh-CN' | 'en';
}

function InviteModal({ onClose, onInvited }: { onClose: () => void; onInvited: (invitation: Invitation) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<InviteForm>();
  const role = Form.useWatch('role', form);
  const siteOptions = useSiteOptions();
  const invite = useMutation({
    mutationFn: (values: InviteForm) => {
      const body: InviteUserBody = {
        role: values.role,
        displayName: values.displayName,
        siteIds: isSiteScopedRole(values.role) ? values.siteIds : [],
        ...(values.email?.trim() ? { email: values.email.trim() } : {}),
        ...(values.phone?.trim() ? { phone: values.phone.trim() } : {}),
        ...(values.locale ? { locale: values.locale } : {}),
      };
      return inviteUser(body);
    },
    onSuccess: async (created) => {
      await invalidateUsers();
      onInvited(created);
    },
  });
  return (
    <Modal open title={t('invite.title')} onCancel={onClose} okText={t('invite.create')} onOk={() => form.submit()} confirmLoading={invite.isPending} destroyOnHidden>
      <Form<InviteForm> form={form} layout="vertical" initialValues={{ role: 'staff', siteIds: [] }} onFinish={(values) => invite.mutate(values)}>
        <Form.Item name="displayName" label={t('accounts.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={60} autoFocus />
        </Form.Item>
        <Form.Item name="role" label={t('accounts.role')} rules={[{ required: true }]}>
          <Select aria-label={t('accounts.role')} options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Form.Item name="email" label={t('invite.email')} rules={[{ type: 'email' }]}>
          <Input type="email" maxLength={254} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('invite.phone')}
          dependencies={['email']}
          rules={[({ getFieldValue }) => ({ validator: (_, phone?: string) => (phone?.trim() || getFieldValue('email')?.trim() ? Promise.resolve() : Promise.reject(new Error(t('invite.loginRequired')))) })]}
        >
          <Input type="tel" maxLength={16} autoComplete="off" />
        </Form.Item>
        {role && isSiteScopedRole(role) ? (
          <Form.Item name="siteIds" label={t('accounts.sites')} rules={[{ required: true, type: 'array', min: 1 }]}>
            <Select aria-label={t('accounts.sites')} mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={siteOptions} />
          </Form.Item>
        ) : null}
        <Form.Item name="locale" label={t('accounts.language')}>
          <Select aria-label={t('accounts.language')} allowClear options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]} />
        </Form.Item>
        {invite.error ? <Alert type="error" showIcon title={describeError(invite.error)} description={invite.error instanceof ApiError ? invite.error.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || undefined : undefined} /> : null}
      </Form>
    </Modal>
  );
}

/** The link is shown once (the server keeps only its hash): copy it now and send it to the invitee. */
function InvitationLinkModal({ invitation, onClose }: { invitation: Invitation; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const expires = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(invitation.expiresAt));
  return (
    <Modal open title={t('invite.linkTitle')} onCancel={onClose} footer={<Button type="primary" onClick={onClose}>{t('invite.done')}</Button>}>
      <Typography.Paragraph>{t('invite.linkHint', { name: invitation.user.displayName, date: expires })}</Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: invitation.inviteUrl, tooltips: [t('invite.copy'), t('invite.copied')] }} code data-testid="invite-url" style={{ wordBreak: 'break-all' }}>
        {invitation.inviteUrl}
      </Typography.Paragraph>
    </Modal>
  );
}

interface EditForm {
  displayName: string;
  role: Role;
  siteIds: string[];
  homeSiteId?: string | null;
  locale: 'zh-CN' | 'en';
}

function EditUserModal({ user, onClose }: { user: UserAccount; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditForm>();
  const role = Form.useWatch('role', form);
  const siteOptions = useSiteOptions();
  const describeRefusal = useDescribeRefusal();
  const save = useMutation({
    mutationFn: (values: EditForm) => {
      const body: UpdateUserBody = {
        displayName: values.displayName,
        role: values.role,
        locale: values.locale,
        ...(isSiteScopedRole(values.role) ? { siteIds: values.siteIds } : {}),
        ...(values.role === 'resident' ? { homeSiteId: values.homeSiteId ?? null } : {}),
      };
      return updateUser(user.id, body);
    },
    onSuccess: async () => {
      void message.success(t('setup.saved'));
      await invalidateUsers();
      onClose();
    },
  });
  return (
    <Modal open title={t('accounts.edit')} onCancel={onClose} okText={t('common.save')} onOk={() => form.submit()} confirmLoading={save.isPending} destroyOnHidden>
      <Form<EditForm>
        form={form}
        layout="vertical"
        initialValues={{ displayName: user.displayName, role: user.role, siteIds: user.siteIds, homeSiteId: user.homeSiteId, locale: user.locale === 'en' ? 'en' : 'zh-CN' }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item name="displayName" label={t('accounts.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="role" label={t('accounts.role')}>
          <Select aria-label={t('accounts.role')} options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        {role && isSiteScopedRole(role) ? (
          <Form.Item name="siteIds" label={t('accounts.sites')} rules={[{ required: true, type: 'array', min: 1 }]}>
            <Select aria-label={t('accounts.sites')} mode="multiple" showSearch={{ optionFilterProp: 'label' }} options={siteOptions} />
          </Form.Item>
        ) : null}
        {role === 'resident' ? (
          <Form.Item name="homeSiteId" label={t('accounts.homeSite')}>
            <Select aria-label={t('accounts.homeSite')} allowClear options={siteOptions} />
          </Form.Item>
        ) : null}
        <Form.Item name="locale" label={t('accounts.language')}>
          <Select aria-label={t('accounts.language')} options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]} />
        </Form.Item>
        {save.error ? <Alert type="error" showIcon title={describeRefusal(save.error)} /> : null}
      </Form>
    </Modal>
  );
}
