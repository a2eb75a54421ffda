import { describe, expect, it } from 'vitest';
import { Line, Text } from './common.ts';

const line = Line({ max: 200 });
const text = Text({ max: 200 });
const accepts = (schema: typeof line, value: string) => schema.safeParse(value).success;

// What people type: Chinese, accents, emoji (astral plane, surrogate pairs), punctuation CSV and iCal care about.
const ORDINARY = ['徐汇区田林街道 邻里中心', 'Café No. 5', '读书会 📚👩‍👩‍👧', 'a;b,c\\d "quoted"', '全角　空格'];
// Every control a client could slip in: NUL (PostgreSQL refuses it: a 500), C0, DEL, C1 and the Unicode breaks.
const ALWAYS_REFUSED = ['\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F', '\u0080', '\u0085', '\u009F', '\u2028', '\u2029'];
const LINE_BREAKS = ['\n', '\r', '\r\n'];

describe('Line: one line of text a client sends (names, titles, logins)', () => {
  it.each(ORDINARY)('accepts %j', (value) => {
    expect(line.parse(value)).toBe(value);
  });

  it.each([...ALWAYS_REFUSED, ...LINE_BREAKS, '\t'].map((c) => [JSON.stringify(c), c]))('refuses %s inside a value', (_, control) => {
    expect(accepts(line, `name${control}X-INJECTED:1`)).toBe(false);
  });

  it('trims surrounding spaces (and with them a trailing newline), but keeps secrets as typed', () => {
    expect(line.parse('  邻里  ')).toBe('邻里');
    expect(line.parse('room\n')).toBe('room');
    expect(Line({ max: 20, trim: false }).parse(' pass word ')).toBe(' pass word ');
    expect(Line({ max: 20, trim: false }).safeParse('password\n').success).toBe(false);
  });

  it('counts its bounds after trimming', () => {
    expect(Line({ min: 1, max: 3 }).safeParse('   ').success).toBe(false);
    expect(Line({ max: 3 }).safeParse('abcd').success).toBe(false);
    expect(Line({ max: 3 }).safeParse(' abc ').success).toBe(true);
  });
});

describe('Text: free text a client sends (reasons, descriptions)', () => {
  it.each([...ORDINARY, 'first line\nsecond line', 'col1\tcol2'])('accepts %j', (value) => {
    expect(text.parse(value)).toBe(value);
  });

  it.each([...ALWAYS_REFUSED, '\r'].map((c) => [JSON.stringify(c), c]))('refuses %s inside a value', (_, control) => {
    expect(accepts(text, `reason${control}more`)).toBe(false);
  });
});
