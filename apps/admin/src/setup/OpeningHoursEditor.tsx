import type { WeeklyHours } from '@linli/contracts';
import { Button, Flex, TimePicker, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Interval = { start: string; end: string };
export type HoursValue = Record<(typeof DAYS)[number], Interval[]>;

export function hoursValueOf(hours: Record<string, Interval[]>): HoursValue {
  return Object.fromEntries(DAYS.map((day) => [day, [...(hours[day] ?? [])]])) as HoursValue;
}

/** A week of opening hours: several intervals a day (e.g. closed for lunch), an empty day is closed. */
export function OpeningHoursEditor({ value, onChange }: { value?: HoursValue; onChange?: (value: HoursValue) => void }) {
  const { t } = useTranslation();
  const hours = value ?? hoursValueOf({});
  const set = (day: (typeof DAYS)[number], intervals: Interval[]) => onChange?.({ ...hours, [day]: intervals });
  const parse = (clock: string) => dayjs(`2000-01-01T${clock === '24:00' ? '23:59' : clock}`);

  return (
    <Flex vertical gap={6}>
      {DAYS.map((day) => (
        <Flex key={day} gap="small" align="center" wrap>
          <Typography.Text style={{ width: 48 }}>{t(`hours.days.${day}`)}</Typography.Text>
          {hours[day].length === 0 ? <Typography.Text type="secondary">{t('hours.closed')}</Typography.Text> : null}
          {hours[day].map((interval, index) => (
            <Flex key={index} gap={4} align="center">
              <TimePicker.RangePicker
                aria-label={`${t(`hours.days.${day}`)} ${index + 1}`}
                format="HH:mm"
                minuteStep={15}
                allowClear={false}
                needConfirm={false}
                size="small"
                value={[parse(interval.start), parse(interval.end)]}
                onChange={(range) => {
                  if (!range?.[0] || !range[1]) return;
                  const next = [...hours[day]];
                  next[index] = { start: range[0].format('HH:mm'), end: range[1].format('HH:mm') === '23:59' ? '24:00' : range[1].format('HH:mm') };
                  set(day, next);
                }}
              />
              <Button size="small" type="text" aria-label={t('setup.removeInterval')} onClick={() => set(day, hours[day].filter((_, i) => i !== index))}>
                ×
              </Button>
            </Flex>
          ))}
          <Button size="small" onClick={() => set(day, [...hours[day], { start: hours[day].at(-1)?.end ?? '09:00', end: '21:00' }])}>
            {t('setup.addInterval')}
          </Button>
          {day === 'mon' ? (
            // A bordered button, not a link: antd's hover tint of this teal falls below 4.5:1 on white.
            <Button size="small" onClick={() => onChange?.(Object.fromEntries(DAYS.map((d) => [d, [...hours.mon]])) as HoursValue)}>
              {t('setup.copyToAll')}
            </Button>
          ) : null}
        </Flex>
      ))}
    </Flex>
  );
}

export type { WeeklyHours };
