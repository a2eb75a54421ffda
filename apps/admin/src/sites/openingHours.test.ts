import { describe, expect, it } from 'vitest';
import { type HoursWording, summarizeOpeningHours } from './openingHours.ts';

const english: HoursWording = {
  dayName: (day) => day[0]!.toUpperCase() + day.slice(1),
  dayRange: (from, to) => `${from}–${to}`,
  daily: 'Daily',
  closed: 'Closed',
  groupSeparator: '; ',
  intervalSeparator: ', ',
};

const nineToNine = [{ start: '09:00', end: '21:00' }];

describe('summarizeOpeningHours', () => {
  it.each([
    ['no hours at all', {}, 'Closed'],
    ['every day alike', Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, nineToNine])), 'Daily 09:00–21:00'],
    [
      'weekdays and a shorter weekend',
      { mon: nineToNine, tue: nineToNine, wed: nineToNine, thu: nineToNine, fri: nineToNine, sat: [{ start: '10:00', end: '18:00' }], sun: [{ start: '10:00', end: '18:00' }] },
      'Mon–Fri 09:00–21:00; Sat–Sun 10:00–18:00',
    ],
    [
      'a study room closed on Mondays, with a lunch break (intervals given out of order)',
      Object.fromEntries(['tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '13:00', end: '20:00' }, { start: '08:30', end: '12:00' }]])),
      'Tue–Sun 08:30–12:00, 13:00–20:00',
    ],
    [
      'same hours on days that are not consecutive stay apart',
      { mon: nineToNine, tue: [], wed: nineToNine, sun: [{ start: '00:00', end: '24:00' }] },
      'Mon 09:00–21:00; Wed 09:00–21:00; Sun 00:00–24:00',
    ],
  ])('%s', (_name, hours, expected) => {
    expect(summarizeOpeningHours(hours, english)).toBe(expected);
  });
});
