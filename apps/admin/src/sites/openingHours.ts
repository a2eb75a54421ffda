import type { Site } from '@linli/contracts';
import type { Weekday } from '@linli/domain';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];

/** The words a summary is made of, in the UI language. */
export interface HoursWording {
  dayName: (day: Weekday) => string;
  dayRange: (from: string, to: string) => string;
  daily: string;
  closed: string;
  groupSeparator: string;
  intervalSeparator: string;
}

/**
 * A site's week on one line: consecutive days with the same hours are joined, closed days are left out, e.g.
 * "Mon–Fri 09:00–12:00, 13:00–21:00; Sat–Sun 10:00–18:00". Times are the site's local clock times.
 */
export function summarizeOpeningHours(hours: Site['openingHours'], wording: HoursWording): string {
  const dayTexts = WEEKDAYS.map((day) =>
    [...(hours[day] ?? [])]
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((interval) => `${interval.start}–${interval.end}`)
      .join(wording.intervalSeparator),
  );
  if (dayTexts.every((text) => text === '')) return wording.closed;
  if (dayTexts.every((text) => text === dayTexts[0])) return `${wording.daily} ${dayTexts[0]}`;

  const runs: { from: number; to: number; text: string }[] = [];
  dayTexts.forEach((text, index) => {
    const last = runs.at(-1);
    if (last && last.text === text) last.to = index;
    else runs.push({ from: index, to: index, text });
  });
  return runs
    .filter((run) => run.text !== '')
    .map((run) => {
      const from = wording.dayName(WEEKDAYS[run.from]!);
      const days = run.from === run.to ? from : wording.dayRange(from, wording.dayName(WEEKDAYS[run.to]!));
      return `${days} ${run.text}`;
    })
    .join(wording.groupSeparator);
}
