import type { CurrentUser, NotificationPreferences, NotificationPreferencesBody } from '@linli/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Form, Skeleton, Switch, Table, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { queryClient } from '../api/queryClient.ts';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import type { PageProps } from '../shell/page-props.ts';
import { notificationKeys, notificationQueries, updateNotificationPreferences } from './notifications.api.ts';

type Category = NotificationPreferences['channels'][number]['category'];
type Channel = NotificationPreferences['channels'][number]['channel'];

/** Residents hear about their own bookings and places; requests, loans and the digest are the site team's. */
const RESIDENT_CATEGORIES: readonly Category[] = ['booking', 'activity', 'reminder', 'feedback'];
const isStaff = (user: CurrentUser) => user.role !== 'resident';
const LOCKED_NOTE_ID = 'notification-locked-note';

interface FormValues {
  /** `${category}:${channel}` -> on. */
  channels: Record<string, boolean>;
  quiet: boolean;
  quietStart: Dayjs;
  quietEnd: Dayjs;
  nightOffersByEmail: boolean;
  staffDigest: boolean;
}

const pairKey = (category: Category, channel: Channel) => `${category}:${channel}`;
const clock = (text: string) => dayjs(text, 'HH:mm');

function formValuesOf(preferences: NotificationPreferences): FormValues {
  return {
    channels: Object.fromEntries(preferences.channels.map((pair) => [pairKey(pair.category, pair.channel), pair.enabled])),
    quiet: preferences.quietHours !== null,
    // Turning quiet hours on starts from what the service assumes for everyone.
    quietStart: clock(preferences.quietHours?.start ?? '22:00'),
    quietEnd: clock(preferences.quietHours?.end ?? '08:00'),
    nightOffersByEmail: preferences.nightOffersByEmail,
    staffDigest: preferences.staffDigest,
  };
}

/**
 * The body PUT replaces the choices with. The form submits only the fields it shows, so what the page does not
 * show (the zone, another role's categories, a resident's digest setting) is sent back as it was loaded.
 */
function bodyOf(values: Partial<FormValues>, preferences: NotificationPreferences): NotificationPreferencesBody {
  return {
    timezone: preferences.timezone,
    quietHours: values.quiet && values.quietStart && values.quietEnd ? { start: values.quietStart.format('HH:mm'), end: values.quietEnd.format('HH:mm') } : null,
    nightOffersByEmail: values.nightOffersByEmail ?? preferences.nightOffersByEmail,
    staffDigest: values.staffDigest ?? preferences.staffDigest,
    disabled: preferences.channels
      .filter((pair) => !pair.locked && !(values.channels?.[pairKey(pair.category, pair.channel)] ?? pair.enabled))
      .map(({ category, channel }) => ({ category, channel })),
  };
}

/** What reaches the signed-in person, where and when: per category and channel, quiet hours, offers at night, the digest. */
export default function NotificationSettingsPage({ title }: PageProps) {
  const { session } = useSession();
  const user = session.status === 'signed-in' ? session.user : null;
  const preferences = useQuery({ ...notificationQueries.preferences(user?.id ?? ''), enabled: user !== null });
  return (
    <Flex vertical gap="middle" style={{ maxWidth: 720, margin: '0 auto', width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      {preferences.error ? (
        <Alert type="error" showIcon title={describeError(preferences.error)} action={<RetryButton onRetry={() => void preferences.refetch()} />} />
      ) : null}
      {user && preferences.data ? (
        // Keyed by what was loaded, so a save's answer resets the form to what is now stored.
        <PreferencesForm key={JSON.stringify(preferences.data)} user={user} preferences={preferences.data} />
      ) : preferences.error ? null : (
        <Skeleton active />
      )}
    </Flex>
  );
}

function RetryButton({ onRetry }: { onRetry: () => void }) {
  const { t } = useTranslation();
  return <Button onClick={onRetry}>{t('errors.retry')}</Button>;
}

function PreferencesForm({ user, preferences }: { user: CurrentUser; preferences: NotificationPreferences }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const quiet = Form.useWatch('quiet', form) ?? preferences.quietHours !== null;
  const save = useMutation({
    mutationFn: (values: Partial<FormValues>) => updateNotificationPreferences(bodyOf(values, preferences)),
    onSuccess: (saved) => {
      queryClient.setQueryData(notificationKeys.preferences(user.id), saved);
      void message.success(t('setup.saved'));
    },
  });

  const categories = [...new Set(preferences.channels.map((pair) => pair.category))].filter((category) => isStaff(user) || RESIDENT_CATEGORIES.includes(category));
  const channels = [...new Set(preferences.channels.map((pair) => pair.channel))];
  const pairOf = (category: Category, channel: Channel) => preferences.channels.find((pair) => pair.category === category && pair.channel === channel);

  return (
    <Form<FormValues> form={form} layout="vertical" initialValues={formValuesOf(preferences)} onFinish={(values) => save.mutate(values)} data-testid="notification-settings">
      <Flex vertical gap="middle">
        <Card size="small" title={t('notifications.settings.whatTitle')}>
          <Table<Category>
            size="small"
            rowKey={(category) => category}
            dataSource={categories}
            pagination={false}
            columns={[
              { key: 'category', title: t('notifications.settings.category'), render: (_, category) => t(`notifications.categories.${category}`) },
              ...channels.map((channel) => ({
                key: channel,
                title: t(`notifications.channels.${channel}`),
                align: 'center' as const,
                render: (_: unknown, category: Category) => {
                  const pair = pairOf(category, channel);
                  if (!pair) return null;
                  const label = `${t(`notifications.categories.${category}`)} · ${t(`notifications.channels.${channel}`)}`;
                  return (
                    <Form.Item name={['channels', pairKey(category, channel)]} valuePropName="checked" noStyle>
                      <Switch
                        size="small"
                        aria-label={label}
                        disabled={pair.locked}
                        aria-describedby={pair.locked ? LOCKED_NOTE_ID : undefined}
                        data-testid={`channel-${category}-${channel}`}
                      />
                    </Form.Item>
                  );
                },
              })),
            ]}
          />
          <Typography.Paragraph id={LOCKED_NOTE_ID} type="secondary" style={{ margin: '8px 0 0' }}>
            {t('notifications.settings.lockedNote')}
          </Typography.Paragraph>
        </Card>

        <Card size="small" title={t('notifications.settings.whenTitle')}>
          <Form.Item name="quiet" valuePropName="checked" label={t('notifications.settings.quietHours')} extra={t('notifications.settings.quietHoursHint', { zone: preferences.effectiveTimezone })}>
            <Switch data-testid="quiet-hours" />
          </Form.Item>
          {quiet ? (
            <Flex gap="middle" wrap>
              <Form.Item name="quietStart" label={t('notifications.settings.quietStart')} rules={[{ required: true }]}>
                <TimePicker format="HH:mm" minuteStep={15} allowClear={false} needConfirm={false} />
              </Form.Item>
              <Form.Item
                name="quietEnd"
                label={t('notifications.settings.quietEnd')}
                dependencies={['quietStart']}
                rules={[
                  { required: true },
                  ({ getFieldValue }) => ({
                    validator: (_, end: Dayjs | undefined) =>
                      end && end.format('HH:mm') === (getFieldValue('quietStart') as Dayjs | undefined)?.format('HH:mm')
                        ? Promise.reject(new Error(t('notifications.settings.quietSame')))
                        : Promise.resolve(),
                  }),
                ]}
              >
                <TimePicker format="HH:mm" minuteStep={15} allowClear={false} needConfirm={false} />
              </Form.Item>
            </Flex>
          ) : null}
          <Form.Item name="nightOffersByEmail" valuePropName="checked" label={t('notifications.settings.nightOffers')} extra={t('notifications.settings.nightOffersHint')}>
            <Switch />
          </Form.Item>
          {isStaff(user) ? (
            <Form.Item name="staffDigest" valuePropName="checked" label={t('notifications.settings.staffDigest')} extra={t('notifications.settings.staffDigestHint')}>
              <Switch />
            </Form.Item>
          ) : null}
        </Card>

        <Card size="small" title={t('notifications.settings.languageTitle')}>
          <Typography.Text>{t('notifications.settings.languageNote', { language: t(`notifications.languages.${preferences.language}`) })}</Typography.Text>
        </Card>

        {save.error ? <Alert type="error" showIcon title={describeError(save.error)} /> : null}
        <Flex justify="flex-end">
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="save-notification-settings">
            {t('common.save')}
          </Button>
        </Flex>
      </Flex>
    </Form>
  );
}
