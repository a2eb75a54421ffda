import type { ActivityCategory, FeedbackBody, MyRegistrations, ProgrammeEntry, Registration, SessionWaitlistEntry } from '@linli/contracts';
import { CHECK_IN_OPENS_BEFORE_MS, isCheckInOpen } from '@linli/domain';
import { type UseQueryResult, useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Flex, Input, Rate, Skeleton, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { useSession } from '../auth/session.tsx';
import { type Portfolio, usePortfolio, zoneOf } from '../spaces/portfolio.ts';
import { formatDate, formatRange, formatTime } from '../time/zoned.ts';
import { acceptRegistrationOffer, cancelRegistration, checkInRegistration, giveFeedback, invalidateRegistrations } from './activities.api.ts';
import { describeRegistrationError } from './activityRefusals.ts';
import { titleOf } from './labels.ts';

const STATUS_COLORS: Record<Registration['status'], string> = {
  pending: 'gold',
  confirmed: 'green',
  checked_in: 'cyan',
  completed: 'blue',
  no_show: 'red',
  rejected: 'default',
  expired: 'default',
  cancelled: 'default',
};

/** Ticks every second while something on screen counts down. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [ticking]);
  return now;
}

// The API says whether a registration was rated, not with how many stars: those given here are remembered to show them.
const RATED_KEY = 'linli.activityRatings';
function readRated(): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RATED_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}
function rememberRated(id: string, rating: number): void {
  try {
    localStorage.setItem(RATED_KEY, JSON.stringify({ ...readRated(), [id]: rating }));
  } catch {
    // Not remembered; the API still refuses a second rating.
  }
}

interface Props {
  mine: UseQueryResult<MyRegistrations>;
  categories: ActivityCategory[];
  programme: ProgrammeEntry[];
}

/** The resident's registrations: places in line, offers to accept, check-in, cancelling, and rating afterwards. */
export function MyActivities({ mine, programme }: Props) {
  const { t } = useTranslation();
  const portfolio = usePortfolio();
  const registrations = mine.data?.registrations ?? [];
  const hasOffer = registrations.some((r) => r.status === 'pending' && r.offerExpiresAt);
  const now = useNow(hasOffer);
  const nowIso = new Date(now).toISOString();
  const sessionOf = new Map(programme.map((item) => [item.sessionId, item]));
  const waiting = (mine.data?.waitlist ?? []).filter((w) => w.status === 'waiting');
  const upcoming = registrations.filter((r) => r.endAt > nowIso && r.status !== 'cancelled' && r.status !== 'expired' && r.status !== 'rejected').sort((a, b) => a.startAt.localeCompare(b.startAt));
  const past = registrations.filter((r) => !upcoming.includes(r)).sort((a, b) => b.startAt.localeCompare(a.startAt));

  if (mine.error) return <Alert type="error" showIcon title={describeError(mine.error)} action={<Button onClick={() => void mine.refetch()}>{t('errors.retry')}</Button>} />;
  // Times are shown in each site's zone, which the portfolio names.
  if (!mine.data || !portfolio.data) return <Skeleton active />;
  const known = portfolio.data;
  return (
    <Flex vertical gap="small" data-testid="my-activities">
      <Typography.Title level={2} style={{ fontSize: 17, margin: 0 }}>
        {t('activities.upcoming')}
      </Typography.Title>
      {upcoming.length + waiting.length === 0 ? <Empty description={t('activities.noUpcoming')} /> : null}
      {waiting.map((entry) => (
        <WaitingCard key={entry.id} entry={entry} item={sessionOf.get(entry.sessionId)} />
      ))}
      {upcoming.map((r) => (
        <RegistrationCard key={r.id} registration={r} item={sessionOf.get(r.sessionId)} portfolio={known} now={now} />
      ))}
      <Typography.Title level={2} style={{ fontSize: 17, margin: '8px 0 0' }}>
        {t('activities.past')}
      </Typography.Title>
      {past.length === 0 ? <Empty description={t('activities.noPast')} /> : null}
      {past.map((r) => (
        <RegistrationCard key={r.id} registration={r} item={sessionOf.get(r.sessionId)} portfolio={known} now={now} />
      ))}
    </Flex>
  );
}

function WaitingCard({ entry, item }: { entry: SessionWaitlistEntry; item: ProgrammeEntry | undefined }) {
  const { t, i18n } = useTranslation();
  return (
    <Card size="small" data-testid="my-waitlist-entry" data-session-id={entry.sessionId}>
      <Flex justify="space-between" align="start" gap="small">
        <Flex vertical style={{ minWidth: 0 }}>
          <Typography.Text strong>{item ? titleOf(item, i18n.language) : t('activities.aSession')}</Typography.Text>
          {item ? (
            <>
              <Typography.Text type="secondary">
                {item.siteName} · {item.spaceName}
              </Typography.Text>
              <Typography.Text>{formatRange(item.startAt, item.endAt, item.timezone, i18n.language)}</Typography.Text>
            </>
          ) : null}
          <Typography.Text type="secondary">{t('activities.partyOf', { count: entry.partySize })}</Typography.Text>
        </Flex>
        <Tag color="gold" style={{ marginInlineEnd: 0 }} data-testid="waitlist-position">
          {t('activities.waitingPosition', { position: entry.position ?? '-' })}
        </Tag>
      </Flex>
    </Card>
  );
}

interface RegistrationCardProps {
  registration: Registration;
  item: ProgrammeEntry | undefined;
  portfolio: Portfolio;
  now: number;
}

function RegistrationCard({ registration: r, item, portfolio, now }: RegistrationCardProps) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const { session } = useSession();
  const site = portfolio.siteById.get(r.siteId);
  const zone = item?.timezone ?? zoneOf(portfolio, r.siteId) ?? portfolio.organizationZone;
  const [cutoffPassed, setCutoffPassed] = useState(false);
  const start = Date.parse(r.startAt);
  const end = Date.parse(r.endAt);
  const offer = r.status === 'pending' && r.offerExpiresAt !== null && Date.parse(r.offerExpiresAt) > now;
  const title = item ? titleOf(item, i18n.language) : r.activityTitle;
  const cancelled = r.sessionStatus === 'cancelled';

  const action = useMutation({
    mutationFn: ({ run }: { run: () => Promise<unknown>; done: string }) => run(),
    onSuccess: (_, { done }) => void message.success(done),
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'CANCEL_CUTOFF_PASSED') setCutoffPassed(true);
    },
    onSettled: () => (session.status === 'signed-in' ? invalidateRegistrations(session.user.id) : undefined),
  });
  const act = (run: () => Promise<unknown>, done: string) => action.mutateAsync({ run, done }).catch(() => undefined);
  const failure = action.error ? describeRegistrationError(action.error) : null;
  const busy = action.isPending;

  const cancel = () =>
    modal.confirm({
      title: offer ? t('activities.declineConfirm') : t('activities.cancelConfirm'),
      okText: offer ? t('activities.decline') : t('activities.cancel'),
      okButtonProps: { danger: true },
      cancelText: t('common.back'),
      onOk: () => act(() => cancelRegistration(r.id), offer ? t('activities.declined') : t('activities.cancelled')),
    });

  const holding = r.status === 'confirmed' || r.status === 'pending';
  const checkInOpen = r.status === 'confirmed' && isCheckInOpen(now, { start, end });
  const beforeCheckIn = r.status === 'confirmed' && now < start - CHECK_IN_OPENS_BEFORE_MS;
  const opensAt = new Date(start - CHECK_IN_OPENS_BEFORE_MS).toISOString();
  const attended = (r.status === 'completed' || r.status === 'checked_in') && end <= now;

  return (
    <Card size="small" data-testid="my-registration" data-session-id={r.sessionId} data-registration-id={r.id}>
      <Flex vertical gap={6}>
        <Flex justify="space-between" align="start" gap="small">
          <Flex vertical style={{ minWidth: 0 }}>
            <Typography.Text strong>{title}</Typography.Text>
            <Typography.Text type="secondary">{[site?.name ?? item?.siteName, item?.spaceName].filter(Boolean).join(' · ')}</Typography.Text>
          </Flex>
          <Tag color={offer ? 'gold' : STATUS_COLORS[r.status]} style={{ marginInlineEnd: 0 }} data-testid="registration-status">
            {offer ? t('activities.offered') : t(`activities.status.${r.status}`)}
          </Tag>
        </Flex>
        <Typography.Text>{formatRange(r.startAt, r.endAt, zone, i18n.language)}</Typography.Text>
        <Typography.Text type="secondary">{t('activities.partyOf', { count: r.partySize })}</Typography.Text>
        {cancelled ? <Alert type="warning" showIcon title={t('activities.sessionCancelled')} /> : null}
        {offer ? (
          <Alert
            type="info"
            showIcon
            data-testid="offer"
            title={t('activities.offerTitle')}
            description={t('activities.offerHeld', {
              time: `${formatDate(r.offerExpiresAt!, zone, i18n.language)} ${formatTime(r.offerExpiresAt!, zone, i18n.language)}`,
              left: countdown(Date.parse(r.offerExpiresAt!) - now),
            })}
          />
        ) : null}
        {r.status === 'confirmed' && !cancelled ? (
          <Typography.Text>
            {t('activities.checkInCode')}: <Typography.Text code strong data-testid="check-in-code">{r.checkInCode}</Typography.Text>
          </Typography.Text>
        ) : null}
        {beforeCheckIn && !cancelled ? (
          <Typography.Text type="secondary">
            {t('activities.checkInOpensAt', { time: `${formatDate(opensAt, zone, i18n.language)} ${formatTime(opensAt, zone, i18n.language)}` })}
          </Typography.Text>
        ) : null}
        {r.status === 'checked_in' && r.checkedInAt ? (
          <Typography.Text type="success">{t('activities.checkedInAt', { time: formatTime(r.checkedInAt, zone, i18n.language) })}</Typography.Text>
        ) : null}
        {cutoffPassed ? <Typography.Text type="warning">{t('activities.cutoffPassed')}</Typography.Text> : null}
        {holding && !cancelled && end > now ? (
          <Flex gap="small" wrap>
            {offer ? (
              <Button type="primary" loading={busy} onClick={() => void act(() => acceptRegistrationOffer(r.id), t('activities.accepted'))}>
                {t('activities.accept')}
              </Button>
            ) : null}
            {checkInOpen ? (
              <Button type="primary" loading={busy} onClick={() => void act(() => checkInRegistration(r.id, r.checkInCode), t('activities.checkedIn'))}>
                {t('activities.checkIn')}
              </Button>
            ) : null}
            {!cutoffPassed && now < start ? (
              <Button danger onClick={cancel}>
                {offer ? t('activities.decline') : t('activities.cancel')}
              </Button>
            ) : null}
          </Flex>
        ) : null}
        {failure ? <Alert type="error" showIcon role="alert" data-testid="refusal" closable={{ onClose: () => action.reset(), 'aria-label': t('common.close') }} title={failure} /> : null}
        {attended ? <RatingForm registrationId={r.id} feedbackGiven={r.feedbackGiven} /> : null}
      </Flex>
    </Card>
  );
}

function countdown(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const pad = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}` : `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/** 1-5 and an optional comment, once per attended registration. */
function RatingForm({ registrationId, feedbackGiven }: { registrationId: string; feedbackGiven: boolean }) {
  const { t } = useTranslation();
  const [given, setGiven] = useState<number | null>(() => readRated()[registrationId] ?? null);
  const [already, setAlready] = useState(false);
  const [open, setOpen] = useState(false);
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const rate = useMutation({
    mutationFn: (body: FeedbackBody) => giveFeedback(registrationId, body),
    onSuccess: (_, body) => {
      rememberRated(registrationId, body.rating);
      setGiven(body.rating);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'FEEDBACK_ALREADY_GIVEN') setAlready(true);
    },
  });

  if (given !== null) {
    return (
      <Flex align="center" gap="small" data-testid="rating-given">
        <Typography.Text type="secondary">{t('activities.yourRating')}</Typography.Text>
        <Rate disabled value={given} aria-label={t('activities.yourRating')} />
      </Flex>
    );
  }
  if (already || feedbackGiven) return <Typography.Text type="secondary" data-testid="rating-already">{t('activities.alreadyRated')}</Typography.Text>;
  if (!open) {
    return (
      <div>
        <Button size="small" onClick={() => setOpen(true)}>
          {t('activities.rate')}
        </Button>
      </div>
    );
  }

  const submit = () => {
    const text = comment.trim();
    rate.mutate({ rating, ...(text ? { comment: text } : {}) });
  };
  const failure = rate.error instanceof ApiError && rate.error.code === 'FEEDBACK_ALREADY_GIVEN' ? null : rate.error;

  return (
    <Flex vertical gap="small" data-testid="rating-form" style={{ borderTop: '1px solid rgba(5,5,5,0.06)', paddingTop: 8 }}>
      <Typography.Text>{t('activities.rateHint')}</Typography.Text>
      <Rate value={rating} onChange={setRating} aria-label={t('activities.rating')} tooltips={[1, 2, 3, 4, 5].map((n) => t('activities.stars', { count: n }))} />
      <Input.TextArea aria-label={t('activities.comment')} placeholder={t('activities.commentPlaceholder')} maxLength={1000} autoSize={{ minRows: 2, maxRows: 5 }} value={comment} onChange={(e) => setComment(e.target.value)} />
      {failure ? <Alert type="error" showIcon title={describeError(failure)} /> : null}
      <div>
        <Button type="primary" disabled={rating < 1} loading={rate.isPending} onClick={submit}>
          {t('activities.submitRating')}
        </Button>
      </div>
    </Flex>
  );
}
