import type { BookingEvent } from '@linli/contracts';
import { Flex, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Portfolio } from '../spaces/portfolio.ts';
import { formatRange, formatTime, formatDate } from '../time/zoned.ts';

type Change = BookingEvent['changes'][number];

/**
 * The reasons the server writes itself (English words in the log), by their translation key; a reason a person
 * typed (a rejection, a cancellation) is shown as they wrote it.
 */
const SYSTEM_REASONS: Record<string, string> = {
  created: 'created',
  'created by series': 'createdBySeries',
  cancelled: 'cancelled',
  approved: 'approved',
  'self check-in': 'selfCheckIn',
  'checked in by staff': 'staffCheckIn',
  'checked in at the kiosk': 'kioskCheckIn',
  'kiosk check-in': 'kioskCheckIn',
  'offer accepted': 'offerAccepted',
  'offer accepted; awaits approval': 'offerAcceptedAwaitsApproval',
  'offer not accepted in time': 'offerExpired',
  'not approved before the start': 'notApprovedInTime',
  ended: 'ended',
  'not checked in; space released': 'noShowReleased',
  'activity session': 'activitySession',
  'activity session moved': 'activitySessionMoved',
  'session cancelled': 'sessionCancelled',
  'activity cancelled': 'activityCancelled',
  moved: 'moved',
  rescheduled: 'rescheduled',
  'change needs approval': 'changeNeedsApproval',
  'space archived': 'spaceArchived',
};

interface BookingHistoryProps {
  events: BookingEvent[];
  portfolio: Portfolio | undefined;
  /** The booking's site zone: every time in the history is shown in it. */
  zone: string;
}

/** What happened to a booking, oldest first, in words: status changes, reasons, before -> after, and who acted. */
export function BookingHistory({ events, portfolio, zone }: BookingHistoryProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const reasonText = (reason: string) => {
    const key = SYSTEM_REASONS[reason];
    return key ? t(`frontDesk.history.reasons.${key}` as 'frontDesk.history.reasons.created') : reason;
  };
  const valueText = (field: Change['field'], value: Change['from']) => {
    if (value === null || value === '') return '—';
    if (field === 'spaceId') return portfolio?.spaceById.get(String(value))?.name ?? t('frontDesk.history.unknownSpace');
    if (field === 'startAt' || field === 'endAt') return `${formatDate(String(value), zone, language)} ${formatTime(String(value), zone, language)}`;
    return String(value);
  };
  // A move changes start and end together: shown as one line "time: before -> after", ranges in full.
  const changeLines = (changes: Change[]) => {
    const start = changes.find((c) => c.field === 'startAt');
    const end = changes.find((c) => c.field === 'endAt');
    const lines: { key: string; label: string; from: string; to: string }[] = [];
    if (start && end && start.from && start.to && end.from && end.to) {
      lines.push({
        key: 'time',
        label: t('frontDesk.history.fields.time'),
        from: formatRange(String(start.from), String(end.from), zone, language),
        to: formatRange(String(start.to), String(end.to), zone, language),
      });
    }
    for (const change of changes) {
      if (lines.some((line) => line.key === 'time') && (change.field === 'startAt' || change.field === 'endAt')) continue;
      lines.push({
        key: change.field,
        label: t(`frontDesk.history.fields.${change.field}`),
        from: valueText(change.field, change.from),
        to: valueText(change.field, change.to),
      });
    }
    return lines;
  };

  return (
    <Timeline
      data-testid="booking-history"
      items={events.map((event) => {
        const statusChanged = event.fromStatus !== null && event.fromStatus !== event.toStatus;
        const headline = event.fromStatus === null
          ? t('frontDesk.history.created', { status: t(`status.${event.toStatus}` as 'status.pending') })
          : statusChanged
            ? `${t(`status.${event.fromStatus}` as 'status.pending')} → ${t(`status.${event.toStatus}` as 'status.pending')}`
            : t('frontDesk.history.changed');
        return {
          key: event.id,
          content: (
            <Flex vertical>
              <Typography.Text strong>{headline}</Typography.Text>
              {changeLines(event.changes).map((line) => (
                <Typography.Text key={line.key} data-testid={`change-${line.key}`}>
                  {line.label}: <Typography.Text delete type="secondary">{line.from}</Typography.Text> → {line.to}
                </Typography.Text>
              ))}
              {event.reason ? <Typography.Text type="secondary">{reasonText(event.reason)}</Typography.Text> : null}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDate(event.at, zone, language)} {formatTime(event.at, zone, language)}
                {' · '}
                {event.actorId === null ? t('booking.bySystem') : (event.actorName ?? t('frontDesk.history.someone'))}
              </Typography.Text>
            </Flex>
          ),
        };
      })}
    />
  );
}
