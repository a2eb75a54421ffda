/**
 * The life of an activity (programme): draft -> published -> completed, cancelled from draft or published, and
 * what may be changed in each state. Pure, so the API and the admin app judge alike.
 */

export const ACTIVITY_STATUSES = ['draft', 'published', 'completed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** No status comes back from completed or cancelled: registrants have been told. */
export const ACTIVITY_TRANSITIONS = {
  draft: ['published', 'cancelled'],
  published: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
} as const satisfies Record<ActivityStatus, readonly ActivityStatus[]>;

export function canTransitionActivity(from: string, to: string): boolean {
  const allowed = (ACTIVITY_TRANSITIONS as Record<string, readonly string[]>)[from];
  return allowed !== undefined && allowed.includes(to);
}

/** Fields an activity's editor may send. */
export const ACTIVITY_FIELDS = [
  'title',
  'titleEn',
  'description',
  'descriptionEn',
  'category',
  'organizerUserId',
  'partnerId',
  'audience',
  'places',
  'maxPartySize',
  'registrationOpensAt',
  'registrationClosesAt',
  'cancelCutoffMinutes',
  'waitlistMode',
  'offerHoldMinutes',
  'categoryWeeklyLimit',
] as const;
export type ActivityField = (typeof ACTIVITY_FIELDS)[number];

/**
 * Once published, people have registered on the terms shown: who it is for, what it is, the party rules and the
 * limits stay; the words, the window's end and the waitlist's handling may still be corrected.
 */
const EDITABLE_WHEN_PUBLISHED: readonly ActivityField[] = [
  'title',
  'titleEn',
  'description',
  'descriptionEn',
  'registrationClosesAt',
  'cancelCutoffMinutes',
  'offerHoldMinutes',
];

export function editableActivityFields(status: string): readonly ActivityField[] {
  if (status === 'draft') return ACTIVITY_FIELDS;
  if (status === 'published') return EDITABLE_WHEN_PUBLISHED;
  return [];
}

/** The fields of `changed` that may not be edited in `status` (empty: the edit is allowed). */
export function lockedActivityFields(status: string, changed: readonly string[]): string[] {
  const editable = new Set<string>(editableActivityFields(status));
  return changed.filter((field) => !editable.has(field));
}

/** Sessions are added, moved and cancelled while the activity is a draft or published, never after it ended. */
export function canScheduleSessions(status: string): boolean {
  return status === 'draft' || status === 'published';
}

/**
 * A session's places fit the room it holds: a seat area lends that many seats, an exclusive room is booked whole
 * and holds at most its capacity. Returns the problem, or null.
 */
export function sessionPlacesProblem(places: number, spaceCapacity: number): { places: number; capacity: number } | null {
  return places > spaceCapacity ? { places, capacity: spaceCapacity } : null;
}

/** A registration window must open before it closes (either end may be left open). */
export function isRegistrationWindowValid(opensAt: number | null, closesAt: number | null): boolean {
  return opensAt === null || closesAt === null || opensAt < closesAt;
}

/**
 * The categories every organization starts with (issue #11); an organization may add its own beside them. One list
 * for the API (written the first time an organization's categories are used) and the demo seed.
 */
export const DEFAULT_ACTIVITY_CATEGORIES = [
  { slug: 'parent_child', nameZh: '亲子', nameEn: 'Parent and child' },
  { slug: 'elderly', nameZh: '为老', nameEn: 'Older people' },
  { slug: 'young_professionals', nameZh: '青年白领', nameEn: 'Young professionals' },
  { slug: 'culture', nameZh: '文化', nameEn: 'Culture' },
  { slug: 'sport', nameZh: '运动', nameEn: 'Sport' },
  { slug: 'deliberation', nameZh: '议事', nameEn: 'Community deliberation' },
  { slug: 'volunteering', nameZh: '志愿', nameEn: 'Volunteering' },
  { slug: 'training', nameZh: '培训', nameEn: 'Training' },
] as const;
