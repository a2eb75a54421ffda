/**
 * The week as a table that can be read: one row per space, one column per day, each booking a line with its time,
 * purpose and state. A shared seat area shows how full it gets each day (37/100) instead of a pile of blocks. It
 * is a plain table so it reads at 1440 px, scrolls sideways on a phone, and works by keyboard and screen reader.
 */
import type { ScheduleBooking, SiteSchedule, Space } from '@linli/contracts';
import { peakOccupancy } from '@linli/domain';
import { Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { STATUS_COLORS } from '../bookings/BookingStatusTag.tsx';
import { addDaysToLocalDate, formatLocalDate, formatTime, localTimeToInstant } from '../time/zoned.ts';
import { BookingHoverCard } from './BookingHoverCard.tsx';

/** Lines per cell before the rest fold into "+n more" (which opens that day). */
const LINES_PER_CELL = 4;

export interface WeekRow {
  schedule: SiteSchedule;
  spaces: Space[];
}

interface WeekBoardProps {
  rows: WeekRow[];
  /** The seven local dates shown, Monday first. */
  days: string[];
  /** Today in the first site's zone: its column is marked. */
  today: string;
  onOpenBooking: (id: string) => void;
  onOpenDay: (date: string) => void;
}

/** The local day [start, end) as instants in the zone. */
function dayRange(date: string, zone: string) {
  return { start: localTimeToInstant(date, 0, zone), end: localTimeToInstant(addDaysToLocalDate(date, 1), 0, zone) };
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;

/** A no-show released its place: it no longer counts towards how full a seat area is. */
const occupies = (booking: ScheduleBooking) => booking.status !== 'no_show';

export function WeekBoard({ rows, days, today, onOpenBooking, onOpenDay }: WeekBoardProps) {
  const { t, i18n } = useTranslation();
  const grouped = rows.length > 1;
  return (
    <div className="linli-week" data-testid="week-board">
      <table>
        <caption className="linli-visually-hidden">{t('board.weekTable')}</caption>
        <colgroup>
          <col className="linli-week-space-col" />
          {days.map((day) => (
            <col key={day} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{t('booking.space')}</th>
            {days.map((day) => (
              <th key={day} scope="col" data-date={day} data-today={day === today || undefined} aria-current={day === today ? 'date' : undefined}>
                {formatLocalDate(day, i18n.language)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ schedule, spaces }) => {
            const zone = schedule.site.timezone;
            const open = schedule.openRanges.map((r) => ({ start: Date.parse(r.startAt), end: Date.parse(r.endAt) }));
            const dayRanges = days.map((day) => dayRange(day, zone));
            return [
              grouped ? (
                <tr key={`site:${schedule.site.id}`} className="linli-week-site">
                  <th scope="colgroup" colSpan={days.length + 1}>
                    {schedule.site.name}
                  </th>
                </tr>
              ) : null,
              ...spaces.map((space) => {
                const bookings = schedule.bookings.filter((b) => b.spaceId === space.id);
                return (
                  <tr key={space.id} data-space-id={space.id}>
                    <th scope="row">
                      <span className="linli-week-space-name">{space.name}</span>
                      <span className="linli-week-space-capacity">{t('book.capacity', { count: space.capacity })}</span>
                    </th>
                    {days.map((day, index) => {
                      const range = dayRanges[index]!;
                      const isOpen = open.some((r) => overlaps(r, range));
                      const ofDay = bookings.filter((b) => overlaps({ start: Date.parse(b.startAt), end: Date.parse(b.endAt) }, range));
                      return (
                        <td key={day} data-date={day} data-today={day === today || undefined} className={isOpen ? undefined : 'linli-week-closed'}>
                          {!isOpen && !ofDay.length ? <span className="linli-week-muted">{t('timeline.closedHours')}</span> : null}
                          {space.bookingMode === 'shared_capacity' ? (
                            <Occupancy space={space} bookings={ofDay} range={range} onOpen={() => onOpenDay(day)} />
                          ) : (
                            <BookingLines bookings={ofDay} zone={zone} onOpenBooking={onOpenBooking} onMore={() => onOpenDay(day)} />
                          )}
                        </td>
                      );
                    })}
                  </tr>
                );
              }),
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}

function BookingLines({ bookings, zone, onOpenBooking, onMore }: { bookings: ScheduleBooking[]; zone: string; onOpenBooking: (id: string) => void; onMore: () => void }) {
  const { t, i18n } = useTranslation();
  const shown = bookings.slice(0, LINES_PER_CELL);
  return (
    <>
      {shown.map((booking) => {
        const time = `${formatTime(booking.startAt, zone, i18n.language)}–${formatTime(booking.endAt, zone, i18n.language)}`;
        return (
          <Tooltip key={booking.id} title={<BookingHoverCard booking={booking} zone={zone} />} mouseEnterDelay={0.25}>
            <button
              type="button"
              className={`linli-week-booking linli-${booking.status.replace('_', '-')}`}
              style={{ borderInlineStartColor: STATUS_COLORS[booking.status] }}
              data-booking-id={booking.id}
              onClick={() => onOpenBooking(booking.id)}
            >
              <span className="linli-week-time">{time}</span>
              <span className="linli-week-purpose" data-testid="week-purpose">
                {booking.purpose || t(`status.${booking.status}`)}
              </span>
              <span className="linli-week-status">
                {t(`status.${booking.status}`)}
                {booking.partySize > 1 ? ` · ${t('timeline.people', { count: booking.partySize })}` : ''}
              </span>
            </button>
          </Tooltip>
        );
      })}
      {bookings.length > shown.length ? (
        <Button type="link" size="small" onClick={onMore} style={{ paddingInline: 0 }}>
          {t('programme.more', { count: bookings.length - shown.length })}
        </Button>
      ) : null}
    </>
  );
}

/** The busiest moment of the day in a shared seat area, as "taken/capacity"; it opens the day's detail. */
function Occupancy({ space, bookings, range, onOpen }: { space: Space; bookings: ScheduleBooking[]; range: { start: number; end: number }; onOpen: () => void }) {
  const { t } = useTranslation();
  const used = peakOccupancy(
    bookings.filter(occupies).map((b) => ({ range: { start: Date.parse(b.startAt), end: Date.parse(b.endAt) }, partySize: b.partySize })),
    range,
  );
  if (!bookings.length) return null;
  const share = space.capacity ? Math.min(1, used / space.capacity) : 0;
  return (
    <button type="button" className="linli-week-occupancy" data-testid="occupancy" onClick={onOpen}>
      <span className="linli-week-occupancy-text">
        {used}/{space.capacity}
      </span>
      {/* Read after the figure, so the button's name starts with what is seen. */}
      <span className="linli-visually-hidden"> {t('board.occupancyLabel', { used, capacity: space.capacity })}</span>
      <span className="linli-week-occupancy-bar" aria-hidden>
        <span style={{ width: `${Math.round(share * 100)}%`, background: share >= 0.9 ? '#b91c1c' : share >= 0.6 ? '#b45309' : '#0f766e' }} />
      </span>
    </button>
  );
}
