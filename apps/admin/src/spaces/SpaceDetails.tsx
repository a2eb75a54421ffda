/**
 * What a resident reads about a space before booking (issue #14.6): its photo, its description, where the site is
 * and when it is open over the next seven days, each day named in the site's own zone. For the booking page to embed:
 *
 *   <SpaceDetails space={space} site={site} />
 */
import type { Site, Space } from '@linli/contracts';
import { Descriptions, Flex, Image, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { addDaysToLocalDate, formatLocalDate, todayIn, weekdayOf } from '../time/zoned.ts';

export interface SpaceDetailsProps {
  space: Pick<Space, 'name' | 'description' | 'photoUrl'>;
  site: Pick<Site, 'name' | 'address' | 'district' | 'subdistrict' | 'timezone' | 'openingHours'>;
  /** The first of the seven days shown (YYYY-MM-DD in the site's zone); today there when left out. */
  fromDate?: string;
}

const DAYS_SHOWN = 7;

export function SpaceDetails({ space, site, fromDate }: SpaceDetailsProps) {
  const { t, i18n } = useTranslation();
  const today = todayIn(site.timezone);
  const first = fromDate ?? today;
  const days = Array.from({ length: DAYS_SHOWN }, (_, i) => addDaysToLocalDate(first, i));
  const place = [site.district, site.subdistrict, site.address].filter(Boolean).join(' · ');

  return (
    <Flex vertical gap="small" data-testid="space-details">
      {space.photoUrl ? (
        <Image src={space.photoUrl} alt={t('spaceInfo.photoAlt', { name: space.name })} style={{ maxHeight: 240, objectFit: 'cover', borderRadius: 8 }} />
      ) : null}
      <Typography.Paragraph style={{ whiteSpace: 'pre-line', margin: 0 }} type={space.description ? undefined : 'secondary'}>
        {space.description ?? t('spaceInfo.noDescription')}
      </Typography.Paragraph>
      <Descriptions size="small" column={1} bordered items={[{ key: 'address', label: t('spaceInfo.address'), children: `${site.name}${place ? ` — ${place}` : ''}` }]} />
      <Typography.Text strong>{t('spaceInfo.hoursThisWeek')}</Typography.Text>
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label={t('spaceInfo.hoursThisWeek')}>
        {days.map((date) => {
          const intervals = site.openingHours[weekdayOf(date)] ?? [];
          return (
            <li key={date} style={{ display: 'flex', gap: 12, fontWeight: date === today ? 600 : undefined }}>
              <span style={{ minWidth: 120 }}>
                {formatLocalDate(date, i18n.language)}
                {date === today ? ` (${t('spaceInfo.today')})` : ''}
              </span>
              <span>{intervals.length ? intervals.map((interval) => `${interval.start}–${interval.end}`).join(', ') : t('spaceInfo.closedToday')}</span>
            </li>
          );
        })}
      </ul>
    </Flex>
  );
}
