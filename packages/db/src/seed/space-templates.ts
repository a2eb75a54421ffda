/**
 * What each kind of site typically offers, as templates the planner draws from. Capacities follow what such
 * rooms hold in Shanghai community buildings; policies override the org's only where that room really differs.
 */
import type { PolicyRules } from '@linli/contracts';
import type { SpaceOpenness } from '@linli/domain';

export type SiteKind = 'neighborhood_center' | 'white_collar_hub' | 'study_room';

export interface SpaceTemplate {
  name: string;
  /** A slug from SPACE_KINDS in @linli/contracts. */
  kind: string;
  bookingMode: 'exclusive' | 'shared_capacity';
  capacity: { min: number; max: number; step: number };
  features: readonly string[];
  /** Each is added with even odds, so rooms of one template still differ. */
  optionalFeatures?: readonly string[];
  policy?: PolicyRules;
  bookableBy?: 'residents' | 'staff_only';
  /** Every resident unless set. */
  openTo?: SpaceOpenness;
}

/** Every site of a kind has the `always` rooms, plus `someCount` drawn from `some`. */
export interface SpaceMix {
  always: readonly SpaceTemplate[];
  some: readonly SpaceTemplate[];
  someCount: { min: number; max: number };
}

/** Features in the order they are listed on a space, so the same set always reads the same. */
export const FEATURES = [
  'accessible',
  'projector',
  'whiteboard',
  'video_conf',
  'sound_system',
  'piano',
  'kitchen',
  'mirror_wall',
  'power_outlets',
  'quiet_zone',
] as const;

// Halls draw crowds and noise, so staff approve each booking and residents book a day ahead.
const HALL_POLICY: PolicyRules = { approvalRequired: true, leadTimeMinutes: 24 * 60, maxDurationMinutes: 240 };
// Study seats are held for a check-in and released to the next resident after 15 minutes.
const STUDY_SEAT_POLICY: PolicyRules = {
  slotMinutes: 60,
  minDurationMinutes: 60,
  maxDurationMinutes: 240,
  checkInRequired: true,
  noShowAfterMinutes: 15,
  quotaPerDayCount: 1,
};
// A kitchen needs cleaning between groups.
const KITCHEN_POLICY: PolicyRules = { maxDurationMinutes: 180, bufferMinutes: 30 };

const studyArea = (name: string, min: number, max: number): SpaceTemplate => ({
  name,
  kind: 'study_area',
  bookingMode: 'shared_capacity',
  capacity: { min, max, step: 10 },
  features: ['power_outlets', 'quiet_zone'],
  optionalFeatures: ['accessible'],
  policy: STUDY_SEAT_POLICY,
});

export const SPACE_MIXES: Record<SiteKind, SpaceMix> = {
  neighborhood_center: {
    always: [
      {
        name: '一号活动室',
        kind: 'activity_room',
        bookingMode: 'exclusive',
        capacity: { min: 15, max: 30, step: 5 },
        features: ['accessible', 'whiteboard'],
        optionalFeatures: ['projector', 'sound_system'],
      },
      {
        name: '二号活动室',
        kind: 'activity_room',
        bookingMode: 'exclusive',
        capacity: { min: 12, max: 24, step: 2 },
        features: ['whiteboard'],
        optionalFeatures: ['accessible', 'projector'],
      },
      {
        name: '多功能厅',
        kind: 'hall',
        bookingMode: 'exclusive',
        capacity: { min: 50, max: 80, step: 10 },
        features: ['accessible', 'projector', 'sound_system'],
        optionalFeatures: ['piano', 'video_conf'],
        policy: HALL_POLICY,
      },
      {
        name: '共享厨房',
        kind: 'kitchen',
        bookingMode: 'exclusive',
        capacity: { min: 8, max: 12, step: 2 },
        features: ['kitchen'],
        optionalFeatures: ['accessible'],
        policy: KITCHEN_POLICY,
        // Kept for the neighbourhood: residents of other sites cannot book it.
        openTo: 'home_site',
      },
    ],
    some: [
      {
        name: '舞蹈室',
        kind: 'gym',
        bookingMode: 'exclusive',
        capacity: { min: 15, max: 25, step: 5 },
        features: ['mirror_wall', 'sound_system'],
      },
      {
        name: '书画室',
        kind: 'classroom',
        bookingMode: 'exclusive',
        capacity: { min: 12, max: 20, step: 2 },
        features: ['whiteboard', 'quiet_zone'],
      },
      {
        name: '居民议事厅',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 10, max: 20, step: 2 },
        features: ['projector', 'whiteboard'],
        optionalFeatures: ['video_conf'],
        // Residents' affairs of the district are discussed here; it is not lent city-wide.
        openTo: 'district',
      },
      {
        name: '琴房',
        kind: 'activity_room',
        bookingMode: 'exclusive',
        capacity: { min: 6, max: 10, step: 2 },
        features: ['piano', 'quiet_zone'],
        policy: { maxDurationMinutes: 120 },
        // Few and sought after: practice hours go to the district's residents first.
        openTo: 'district',
      },
      {
        name: '党群服务室',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 8, max: 16, step: 2 },
        features: ['projector'],
        bookableBy: 'staff_only',
      },
    ],
    someCount: { min: 1, max: 3 },
  },
  white_collar_hub: {
    always: [
      {
        name: '会议室A',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 6, max: 12, step: 2 },
        features: ['projector', 'whiteboard', 'video_conf', 'power_outlets'],
        policy: { maxDurationMinutes: 120 },
      },
      {
        name: '会议室B',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 8, max: 16, step: 2 },
        features: ['whiteboard', 'power_outlets'],
        optionalFeatures: ['projector', 'video_conf'],
        policy: { maxDurationMinutes: 120 },
      },
      {
        name: '路演厅',
        kind: 'hall',
        bookingMode: 'exclusive',
        capacity: { min: 40, max: 60, step: 10 },
        features: ['accessible', 'projector', 'sound_system', 'video_conf'],
        policy: HALL_POLICY,
      },
    ],
    some: [
      {
        name: '瑜伽室',
        kind: 'gym',
        bookingMode: 'exclusive',
        capacity: { min: 12, max: 20, step: 2 },
        features: ['mirror_wall', 'sound_system'],
      },
      {
        name: '共享厨房',
        kind: 'kitchen',
        bookingMode: 'exclusive',
        capacity: { min: 6, max: 10, step: 2 },
        features: ['kitchen'],
        policy: KITCHEN_POLICY,
        openTo: 'district',
      },
      {
        name: '洽谈室',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 6, max: 8, step: 2 },
        features: ['whiteboard', 'power_outlets'],
        policy: { maxDurationMinutes: 120 },
      },
    ],
    someCount: { min: 1, max: 2 },
  },
  study_room: {
    always: [
      studyArea('阅览自习区', 60, 120),
      {
        name: '研讨室',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 6, max: 10, step: 2 },
        features: ['whiteboard', 'power_outlets'],
        optionalFeatures: ['video_conf'],
        policy: { maxDurationMinutes: 120 },
      },
    ],
    some: [
      studyArea('静音自习区', 40, 80),
      {
        name: '亲子阅读室',
        kind: 'activity_room',
        bookingMode: 'exclusive',
        capacity: { min: 15, max: 25, step: 5 },
        features: ['accessible'],
      },
      {
        name: '小研讨室',
        kind: 'meeting_room',
        bookingMode: 'exclusive',
        capacity: { min: 6, max: 8, step: 2 },
        features: ['whiteboard'],
        policy: { maxDurationMinutes: 120 },
      },
    ],
    someCount: { min: 1, max: 2 },
  },
};
