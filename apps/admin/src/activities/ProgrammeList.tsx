import type { ActivityCategory, CurrentUser, MyRegistrations, ProgrammeEntry } from '@linli/contracts';
import { Alert, App, Button, Card, DatePicker, Divider, Empty, Flex, InputNumber, Modal, Select, Skeleton, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { usePortfolio } from '../spaces/portfolio.ts';
import { addDaysToLocalDate, formatDate, formatRange, formatTime, todayIn } from '../time/zoned.ts';
import { activityQueries, invalidateRegistrations, registerForSession } from './activities.api.ts';
import { describeRegistrationError, maxPartyOf } from './activityRefusals.ts';
import { categoryName, titleOf } from './labels.ts';

/** The API answers at most 62 days at a time. */
const MAX_DAYS = 62;
const HOLDING = new Set(['pending', 'confirmed', 'checked_in']);

interface Props {
  user: CurrentUser | null;
  /** The resident's zone (home site's, else the organization's), whose "today" the dates start from; undefined while loading. */
  zone: string | undefined;
  categories: ActivityCategory[];
  mine: MyRegistrations | undefined;
  onRegistered: () => void;
}

/** The programme by dates and category: sessions in the resident's own district first, then the others. */
export function ProgrammeList({ user, zone, categories, mine, onRegistered }: Props) {
  const { t, i18n } = useTranslation();
  const portfolio = usePortfolio();
  const [range, setRange] = useState<[string, string] | null>(null);
  // Two weeks from the resident's today, once their zone is known.
  useEffect(() => {
    if (zone && !range) setRange([todayIn(zone), addDaysToLocalDate(todayIn(zone), 13)]);
  }, [zone, range]);
  const [category, setCategory] = useState<string | undefined>();
  const [chosen, setChosen] = useState<ProgrammeEntry | null>(null);
  const programme = useQuery({
    ...activityQueries.programme({ orgId: user?.orgId ?? '', from: range?.[0] ?? '', to: range?.[1] ?? '', category }),
    enabled: user !== null && range !== null,
  });
  const homeSite = user?.homeSiteId ? portfolio.data?.siteById.get(user.homeSiteId) : undefined;
  const homeDistrict = homeSite?.district;

  const taken = useMemo(() => {
    const status = new Map<string, 'registered' | 'waiting'>();
    for (const r of mine?.registrations ?? []) if (HOLDING.has(r.status)) status.set(r.sessionId, 'registered');
    for (const w of mine?.waitlist ?? []) if (w.status === 'waiting') status.set(w.sessionId, 'waiting');
    return status;
  }, [mine]);

  const { near, others } = useMemo(() => {
    const now = new Date().toISOString();
    const items = (programme.data?.items ?? []).filter((item) => item.startAt > now).sort((a, b) => a.startAt.localeCompare(b.startAt));
    const isNear = (item: ProgrammeEntry) => homeDistrict !== undefined && item.district === homeDistrict;
    return { near: items.filter(isNear), others: items.filter((item) => !isNear(item)) };
  }, [programme.data, homeDistrict]);

  const card = (item: ProgrammeEntry) => (
    <ProgrammeCard key={item.sessionId} item={item} categories={categories} standing={taken.get(item.sessionId)} onRegister={() => setChosen(item)} />
  );

  return (
    <Flex vertical gap="small">
      <Flex gap="small" wrap>
        <DatePicker.RangePicker
          aria-label={t('activities.dates')}
          allowClear={false}
          inputReadOnly
          value={range ? [dayjs(range[0]), dayjs(range[1])] : null}
          onChange={(value) => {
            if (!value?.[0] || !value[1]) return;
            const from = value[0].format('YYYY-MM-DD');
            const to = value[1].format('YYYY-MM-DD');
            const last = addDaysToLocalDate(from, MAX_DAYS - 1);
            setRange([from, to > last ? last : to]);
          }}
          style={{ flex: '1 1 240px' }}
        />
        <Select
          aria-label={t('activities.category')}
          allowClear
          placeholder={t('activities.allCategories')}
          value={category}
          onChange={setCategory}
          options={categories.map((c) => ({ value: c.slug, label: categoryName(c.slug, categories, i18n.language) }))}
          style={{ flex: '1 1 140px' }}
        />
      </Flex>
      {programme.error ? <Alert type="error" showIcon title={describeError(programme.error)} action={<Button onClick={() => void programme.refetch()}>{t('errors.retry')}</Button>} /> : null}
      {!programme.data ? (
        <Skeleton active />
      ) : near.length + others.length === 0 ? (
        <Empty description={t('activities.noneFound')} />
      ) : (
        <Flex vertical gap="small" data-testid="programme">
          {near.length ? (
            <>
              <Divider titlePlacement="start" style={{ margin: '4px 0' }}>
                {t('activities.nearMe', { district: homeDistrict })}
              </Divider>
              {near.map(card)}
            </>
          ) : null}
          {others.length ? (
            <>
              <Divider titlePlacement="start" style={{ margin: '4px 0' }}>
                {near.length ? t('activities.elsewhere') : t('activities.allSites')}
              </Divider>
              {others.map(card)}
            </>
          ) : null}
        </Flex>
      )}
      <RegisterModal
        item={chosen}
        userId={user?.id}
        categories={categories}
        onClose={() => setChosen(null)}
        onDone={() => {
          setChosen(null);
          onRegistered();
        }}
      />
    </Flex>
  );
}

function ProgrammeCard({ item, categories, standing, onRegister }: { item: ProgrammeEntry; categories: ActivityCategory[]; standing: 'registered' | 'waiting' | undefined; onRegister: () => void }) {
  const { t, i18n } = useTranslation();
  const title = titleOf(item, i18n.language);
  const now = Date.now();
  const notYet = item.registrationOpensAt !== null && Date.parse(item.registrationOpensAt) > now;
  const closed = item.registrationClosesAt !== null && Date.parse(item.registrationClosesAt) <= now;
  const full = item.placesLeft <= 0;
  return (
    <Card size="small" data-testid="activity-card" data-session-id={item.sessionId}>
      <Flex vertical gap={4}>
        <Flex justify="space-between" align="start" gap="small">
          <Typography.Text strong>{title}</Typography.Text>
          <Tag color="blue" style={{ marginInlineEnd: 0 }}>
            {categoryName(item.category, categories, i18n.language)}
          </Tag>
        </Flex>
        <Typography.Text type="secondary">
          {item.siteName} · {item.spaceName}
        </Typography.Text>
        <Typography.Text>{formatRange(item.startAt, item.endAt, item.timezone, i18n.language)}</Typography.Text>
        {item.partnerName ? <Typography.Text type="secondary">{t('activities.with', { partner: item.partnerName })}</Typography.Text> : null}
        <Flex justify="space-between" align="center" gap="small" wrap>
          {full ? <Tag color="orange">{t('activities.fullJoinWaitlist')}</Tag> : <Tag color="green">{t('activities.placesLeft', { count: item.placesLeft, places: item.places })}</Tag>}
          {standing ? (
            <Tag color={standing === 'registered' ? 'green' : 'gold'}>{standing === 'registered' ? t('activities.youAreRegistered') : t('activities.youAreWaiting')}</Tag>
          ) : notYet ? (
            <Typography.Text type="secondary">{t('activities.opensAt', { time: `${formatDate(item.registrationOpensAt!, item.timezone, i18n.language)} ${formatTime(item.registrationOpensAt!, item.timezone, i18n.language)}` })}</Typography.Text>
          ) : closed ? (
            <Typography.Text type="secondary">{t('activities.closed')}</Typography.Text>
          ) : (
            <Button type={full ? 'default' : 'primary'} autoInsertSpace={false} onClick={onRegister} aria-label={`${full ? t('activities.joinWaitlist') : t('activities.register')} ${title}`}>
              {full ? t('activities.joinWaitlist') : t('activities.register')}
            </Button>
          )}
        </Flex>
      </Flex>
    </Card>
  );
}

interface RegisterModalProps {
  item: ProgrammeEntry | null;
  userId: string | undefined;
  categories: ActivityCategory[];
  onClose: () => void;
  onDone: () => void;
}

function RegisterModal({ item, userId, categories, onClose, onDone }: RegisterModalProps) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [partySize, setPartySize] = useState(1);
  const full = (item?.placesLeft ?? 0) <= 0;
  const max = item ? Math.max(1, Math.min(item.maxPartySize, full ? item.places : item.placesLeft)) : 1;
  const register = useMutation({
    mutationFn: ({ sessionId, party }: { sessionId: string; party: number }) => registerForSession(sessionId, party),
    onSuccess: (outcome) => {
      if ('registration' in outcome) void message.success(t('activities.registered'));
      else void message.info(t('activities.waitlisted', { position: outcome.waitlisted.position ?? 1 }));
      setPartySize(1);
      onDone();
    },
    onError: (error) => {
      const limit = maxPartyOf(error);
      if (limit !== null) setPartySize((size) => Math.min(size, limit));
    },
    // A refusal changes places left too (someone else took the last one): the list is read again either way.
    onSettled: () => (userId ? invalidateRegistrations(userId) : undefined),
  });

  const submit = () => {
    if (item) register.mutate({ sessionId: item.sessionId, party: partySize });
  };

  return (
    <Modal
      open={item !== null}
      title={full ? t('activities.joinWaitlist') : t('activities.register')}
      okText={full ? t('activities.joinWaitlist') : t('activities.confirmRegister')}
      cancelText={t('common.back')}
      okButtonProps={{ loading: register.isPending, 'data-testid': 'confirm-registration' }}
      onOk={submit}
      onCancel={() => {
        register.reset();
        onClose();
      }}
      destroyOnHidden
    >
      {item ? (
        <Flex vertical gap="small">
          <Typography.Text strong>{titleOf(item, i18n.language)}</Typography.Text>
          <Typography.Text type="secondary">
            {categoryName(item.category, categories, i18n.language)} · {item.siteName} · {item.spaceName}
          </Typography.Text>
          <Typography.Text>{formatRange(item.startAt, item.endAt, item.timezone, i18n.language)}</Typography.Text>
          {full ? <Alert type="warning" showIcon title={t('activities.fullHint')} /> : null}
          <Flex align="center" gap="small">
            <label htmlFor="activity-party-size">{t('activities.partySize')}</label>
            <InputNumber id="activity-party-size" aria-label={t('activities.partySize')} min={1} max={max} precision={0} value={partySize} onChange={(value) => setPartySize(value ?? 1)} />
          </Flex>
          {register.error ? <Alert type="error" showIcon role="alert" data-testid="refusal" title={describeRegistrationError(register.error)} /> : null}
        </Flex>
      ) : null}
    </Modal>
  );
}
