import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_FIELDS,
  canScheduleSessions,
  canTransitionActivity,
  editableActivityFields,
  isRegistrationWindowValid,
  lockedActivityFields,
  sessionPlacesProblem,
} from './activity-rules.ts';

describe('activity states', () => {
  it.each([
    ['draft', 'published', true],
    ['draft', 'cancelled', true],
    ['published', 'completed', true],
    ['published', 'cancelled', true],
    ['draft', 'completed', false],
    ['published', 'draft', false],
    ['completed', 'cancelled', false],
    ['cancelled', 'published', false],
    ['cancelled', 'cancelled', false],
    ['unknown', 'published', false],
  ])('%s -> %s: %s', (from, to, allowed) => {
    expect(canTransitionActivity(from, to)).toBe(allowed);
  });

  it('sessions are scheduled only while the activity is a draft or published', () => {
    expect(['draft', 'published', 'completed', 'cancelled'].map(canScheduleSessions)).toEqual([true, true, false, false]);
  });
});

describe('what may be edited in which state', () => {
  it('a draft may change everything; an ended or cancelled activity nothing', () => {
    expect(editableActivityFields('draft')).toEqual(ACTIVITY_FIELDS);
    expect(editableActivityFields('completed')).toEqual([]);
    expect(editableActivityFields('cancelled')).toEqual([]);
  });

  it('a published activity keeps the terms people registered on, but its words may be corrected', () => {
    expect(lockedActivityFields('published', ['title', 'description', 'registrationClosesAt'])).toEqual([]);
    expect(lockedActivityFields('published', ['title', 'audience', 'maxPartySize', 'category'])).toEqual(['audience', 'maxPartySize', 'category']);
    expect(lockedActivityFields('cancelled', ['title'])).toEqual(['title']);
  });
});

describe('session places and registration window', () => {
  it.each([
    [10, 10, null],
    [1, 10, null],
    [11, 10, { places: 11, capacity: 10 }],
  ])('%i places in a space for %i: %j', (places, capacity, problem) => {
    expect(sessionPlacesProblem(places, capacity)).toEqual(problem);
  });

  it.each([
    [null, null, true],
    [1, null, true],
    [null, 1, true],
    [1, 2, true],
    [2, 2, false],
    [3, 2, false],
  ])('window %s..%s valid: %s', (opens, closes, valid) => {
    expect(isRegistrationWindowValid(opens, closes)).toBe(valid);
  });
});
