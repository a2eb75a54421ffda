import type { SessionRegistrations, WalkInBody } from '@linli/contracts';
import { Alert, App, Button, Card, Drawer, Empty, Flex, Input, InputNumber, List, Rate, Skeleton, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../api/describeError.ts';
import { BookingStatusTag } from '../bookings/BookingStatusTag.tsx';
import { RefusalAlert } from '../bookings/RefusalAlert.tsx';
import { EventEquipment } from '../equipment/EventEquipment.tsx';
import { formatRange } from '../time/zoned.ts';
import { STATUS_COLORS, type SessionRow, titleOf } from './model.ts';
import { checkInRegistrant, invalidateProgramme, programmeQueries, recordWalkIn } from './programme.api.ts';

/** Check-in is open from 30 minutes before the start until the end (the API's rule, packages/domain). */
const CHECK_IN_OPENS_BEFORE_MS = 30 * 60_000;

interface SessionDrawerProps {
  row: SessionRow | null;
  onClose: () => void;
  onOpenActivity: (activityId: string) => void;
}

/** One session: who registered (check them in), walk-ins, the waitlist in order, and the feedback summary. */
export function SessionDrawer({ row, onClose, onOpenActivity }: SessionDrawerProps) {
  const { t, i18n } = useTranslation();
  return (
    <Drawer
      open={row !== null}
      onClose={onClose}
      size={640}
      title={row ? titleOf(row.activity, i18n.language) : t('programme.session.title')}
      closable={{ 'aria-label': t('common.close') }}
      destroyOnHidden
      data-testid="session-drawer"
      extra={
        row ? (
          <Button size="small" onClick={() => onOpenActivity(row.activity.id)}>
            {t('programme.session.manageActivity')}
          </Button>
        ) : null
      }
    >
      {row ? <SessionDetails key={row.session.id} row={row} /> : null}
    </Drawer>
  );
}

function SessionDetails({ row }: { row: SessionRow }) {
  const { t, i18n } = useTranslation();
  const registrations = useQuery(programmeQueries.registrations(row.session.id));
  const feedback = useQuery(programmeQueries.feedback(row.session.id));
  const data = registrations.data;
  return (
    <Flex vertical gap="middle">
      <Flex vertical gap={4}>
        <Flex gap="small" align="center" wrap>
          <Typography.Text strong>{formatRange(row.session.startAt, row.session.endAt, row.zone, i18n.language)}</Typography.Text>
          <Tag color={STATUS_COLORS[row.status]}>{t(`programme.statuses.${row.status}`)}</Tag>
        </Flex>
        <Typography.Text type="secondary">
          {row.siteName} · {row.spaceName}
        </Typography.Text>
      </Flex>
      {registrations.error ? <Alert type="error" showIcon title={describeError(registrations.error)} /> : null}
      {!data ? (
        <Skeleton active />
      ) : (
        <>
          <Flex gap="large" wrap>
            <Statistic title={t('programme.session.held')} value={`${peopleOf(data)} / ${data.places}`} />
            <Statistic title={t('programme.session.walkIns')} value={data.walkIns} />
          </Flex>
          <Registrants row={row} data={data} />
          {row.session.status === 'scheduled' ? <WalkInForm sessionId={row.session.id} /> : null}
          <Card size="small" title={t('programme.session.waitlist')}>
            {data.waitlist.length === 0 ? (
              <Typography.Text type="secondary">{t('programme.session.noWaitlist')}</Typography.Text>
            ) : (
              <List
                size="small"
                dataSource={[...data.waitlist].sort((a, b) => a.position - b.position)}
                data-testid="session-waitlist"
                renderItem={(entry) => (
                  <List.Item extra={<Tag>{t(`programme.session.waitStatuses.${entry.status}`)}</Tag>}>
                    <Typography.Text>
                      {entry.position}. {entry.displayName} · {t('programme.session.party')} {entry.partySize}
                    </Typography.Text>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </>
      )}
      <EventEquipment
        sessionId={row.session.id}
        siteId={row.session.siteId}
        start={row.session.startAt}
        end={row.session.endAt}
        purpose={titleOf(row.activity, i18n.language)}
      />
      <Card size="small" title={t('programme.session.feedback')} data-testid="session-feedback">
        {feedback.error ? (
          <Alert type="error" showIcon title={describeError(feedback.error)} />
        ) : !feedback.data ? (
          <Skeleton active />
        ) : feedback.data.count === 0 ? (
          <Typography.Text type="secondary">{t('programme.session.noFeedback')}</Typography.Text>
        ) : (
          <Flex vertical gap="small">
            <Flex gap="large" wrap align="end">
              <Statistic title={t('programme.session.average')} value={feedback.data.average?.toFixed(2) ?? '—'} />
              <Statistic
                title={t('programme.session.responseRate')}
                value={feedback.data.responseRate === null ? '—' : `${Math.round(feedback.data.responseRate * 100)}%`}
              />
              <Statistic title={t('programme.session.responses')} value={`${feedback.data.count} / ${feedback.data.attended}`} />
            </Flex>
            {feedback.data.comments.length ? (
              <>
                <Typography.Text strong>{t('programme.session.comments')}</Typography.Text>
                <List
                  size="small"
                  dataSource={feedback.data.comments}
                  renderItem={(comment) => (
                    <List.Item>
                      <Flex vertical>
                        <Rate disabled value={comment.rating} style={{ fontSize: 12 }} />
                        <Typography.Text>{comment.comment}</Typography.Text>
                      </Flex>
                    </List.Item>
                  )}
                />
              </>
            ) : null}
          </Flex>
        )}
      </Card>
    </Flex>
  );
}

type Registrant = SessionRegistrations['registrations'][number];

/** People who hold or held a place: `placesHeld` counts only places still held, so a past session would read 0. */
function peopleOf(data: SessionRegistrations): number {
  const counted = new Set<Registrant['status']>(['pending', 'confirmed', 'checked_in', 'completed', 'no_show']);
  return Math.max(data.placesHeld, data.registrations.filter((r) => counted.has(r.status)).reduce((sum, r) => sum + r.partySize, 0));
}

function Registrants({ row, data }: { row: SessionRow; data: SessionRegistrations }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const now = Date.now();
  const checkInOpen = now >= Date.parse(row.session.startAt) - CHECK_IN_OPENS_BEFORE_MS && now < Date.parse(row.session.endAt);
  const checkIn = useMutation({
    mutationFn: (registrant: Registrant) => checkInRegistrant(registrant.id),
    onSuccess: (_, registrant) => {
      void message.success(t('programme.session.checkedIn', { name: registrant.displayName }));
      void invalidateProgramme(row.session.id);
    },
  });

  return (
    <Card size="small" title={t('programme.session.registrations')}>
      {checkIn.error ? <RefusalAlert error={checkIn.error} zone={row.zone} onClose={() => checkIn.reset()} /> : null}
      {data.registrations.length === 0 ? (
        <Empty description={t('programme.session.noRegistrations')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Table<Registrant>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={data.registrations}
          data-testid="session-registrations"
          columns={[
            { key: 'name', title: t('programme.session.name'), dataIndex: 'displayName' },
            { key: 'party', title: t('programme.session.party'), dataIndex: 'partySize', width: 70 },
            { key: 'status', title: t('programme.session.status'), render: (_, r) => <BookingStatusTag status={r.status} />, width: 110 },
            {
              key: 'checkIn',
              title: t('programme.session.checkIn'),
              width: 110,
              render: (_, r) =>
                r.status === 'confirmed' ? (
                  <Tooltip title={checkInOpen ? undefined : t('programme.session.checkInClosed')}>
                    <Button
                      size="small"
                      type="primary"
                      disabled={!checkInOpen}
                      loading={checkIn.isPending && checkIn.variables.id === r.id}
                      aria-label={t('programme.session.checkInOf', { name: r.displayName })}
                      onClick={() => checkIn.mutate(r)}
                    >
                      {t('programme.session.checkIn')}
                    </Button>
                  </Tooltip>
                ) : null,
            },
          ]}
        />
      )}
    </Card>
  );
}

function WalkInForm({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [people, setPeople] = useState<number | null>(1);
  const [note, setNote] = useState('');
  const walkIn = useMutation({
    mutationFn: (body: WalkInBody) => recordWalkIn(sessionId, body),
    onSuccess: (_, body) => {
      void message.success(t('programme.session.walkInRecorded', { count: body.people }));
      setNote('');
      void invalidateProgramme(sessionId);
    },
  });
  const record = () => {
    if (people) walkIn.mutate({ people, ...(note.trim() ? { note: note.trim() } : {}) });
  };
  return (
    <Card size="small" title={t('programme.session.recordWalkIn')}>
      <Flex gap="small" wrap align="center">
        <Typography.Text>{t('programme.session.walkInPeople')}</Typography.Text>
        <InputNumber aria-label={t('programme.session.walkInPeople')} min={1} max={1000} value={people} onChange={setPeople} style={{ width: 90 }} />
        <Input aria-label={t('programme.session.walkInNote')} placeholder={t('programme.session.walkInNote')} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} style={{ flex: '1 1 160px' }} />
        <Button onClick={record} loading={walkIn.isPending} disabled={!people}>
          {t('programme.session.recordWalkIn')}
        </Button>
      </Flex>
      {walkIn.error ? <Alert type="error" showIcon title={describeError(walkIn.error)} style={{ marginTop: 8 }} /> : null}
    </Card>
  );
}
