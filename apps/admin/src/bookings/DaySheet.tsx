import type { Booking, Site, Space } from '@linli/contracts';
import { useTranslation } from 'react-i18next';
import { clockText, formatLocalDate, formatTime, localPartsOf, clockMinutes } from '../time/zoned.ts';

interface DaySheetProps {
  site: Site;
  /** The site's spaces: the sheet's columns. */
  spaces: Space[];
  bookings: Booking[];
  /** The local date (YYYY-MM-DD) in the site's zone. */
  date: string;
  /** Whether this is the sheet being printed now (only it shows on paper). */
  printing: boolean;
}

/**
 * One site's day on paper, for the door or the desk: rooms across, hours down, and in each cell who has the room
 * from when to when. Only bookings that hold or held the room are listed (not cancelled or rejected ones).
 */
export function DaySheet({ site, spaces, bookings, date, printing }: DaySheetProps) {
  const { t, i18n } = useTranslation();
  const zone = site.timezone;
  const listed = bookings.filter((b) => ['pending', 'confirmed', 'checked_in', 'completed', 'no_show'].includes(b.status));
  const startHour = (b: Booking) => Math.floor(clockMinutes(localPartsOf(b.startAt, zone).time) / 60);
  // Hours from the earliest booking to the latest (or the working day when there are none), so the sheet fits a page.
  const hours = listed.length ? listed.map(startHour) : [8, 20];
  const lastEnd = listed.length ? Math.max(...listed.map((b) => Math.ceil(clockMinutes(localPartsOf(b.endAt, zone).time) / 60) || 24)) : 21;
  const rows: number[] = [];
  for (let hour = Math.min(...hours); hour < Math.max(lastEnd, Math.min(...hours) + 1); hour++) rows.push(hour);
  const columns = spaces.filter((space) => space.siteId === site.id);

  return (
    <section className="day-sheet" data-printing={printing ? 'true' : 'false'} aria-hidden={!printing} data-testid={`day-sheet-${site.id}`}>
      <h1>{t('frontDesk.today.sheetTitle', { site: site.name, date: formatLocalDate(date, i18n.language) })}</h1>
      <p>{t('frontDesk.today.sheetPrinted', { time: formatTime(new Date().toISOString(), zone, i18n.language) })}</p>
      <table>
        <thead>
          <tr>
            <th className="time">{t('frontDesk.today.sheetTime')}</th>
            {columns.map((space) => (
              <th key={space.id}>{space.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((hour) => (
            <tr key={hour}>
              <th className="time">{clockText(hour * 60)}</th>
              {columns.map((space) => (
                <td key={space.id}>
                  {listed
                    .filter((b) => b.spaceId === space.id && startHour(b) === hour)
                    .sort((a, b) => a.startAt.localeCompare(b.startAt))
                    .map((b) => (
                      <div key={b.id}>
                        {formatTime(b.startAt, zone, i18n.language)}–{formatTime(b.endAt, zone, i18n.language)} {b.booker?.displayName ?? b.purpose ?? ''}
                        {b.partySize > 1 ? ` (${b.partySize})` : ''}
                      </div>
                    ))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
