/**
 * Plans sites and spaces as plain values (no database), drawn from a seeded random source: the demo seed and the
 * benchmark generator both build their portfolio here, and the same seed always gives the same plan.
 */
import type { PolicyRules, WeeklyHours } from '@linli/contracts';
import { DEFAULT_TIME_ZONE, type SpaceOpenness, WEEKDAYS, type Weekday } from '@linli/domain';
import type { SeededRandom } from './random.ts';
import { SHANGHAI_DISTRICTS, type District, type Subdistrict } from './shanghai-places.ts';
import { FEATURES, SPACE_MIXES, type SiteKind, type SpaceTemplate } from './space-templates.ts';

export type { SiteKind } from './space-templates.ts';

export interface SitePlan {
  name: string;
  kind: SiteKind;
  district: string;
  subdistrict: string;
  address: string;
  lat: number;
  lng: number;
  timezone: string;
  openingHours: WeeklyHours;
  policy: PolicyRules;
}

export interface SpacePlan {
  name: string;
  kind: string;
  bookingMode: 'exclusive' | 'shared_capacity';
  capacity: number;
  features: string[];
  bookableBy: 'residents' | 'staff_only';
  openTo: SpaceOpenness;
  policy: PolicyRules;
}

/**
 * Kinds in a repeating order whose length (5) shares no factor with the 8 districts, so every district gets a
 * mix of kinds; two in five sites are neighbourhood centres and two are study rooms, as in the city's networks.
 */
const KIND_ORDER: readonly SiteKind[] = [
  'neighborhood_center',
  'study_room',
  'white_collar_hub',
  'neighborhood_center',
  'study_room',
];

/** Sites round-robin over the districts so any 8 consecutive sites cover all of them. */
export function planSites(random: SeededRandom, count: number): SitePlan[] {
  const subdistrictOrders = SHANGHAI_DISTRICTS.map((district) => random.shuffle(district.subdistricts));
  const namesUsed = new Map<string, number>();
  const plans: SitePlan[] = [];
  for (let i = 0; i < count; i++) {
    const districtIndex = i % SHANGHAI_DISTRICTS.length;
    const district = SHANGHAI_DISTRICTS[districtIndex]!;
    const subdistricts = subdistrictOrders[districtIndex]!;
    const round = Math.floor(i / SHANGHAI_DISTRICTS.length);
    const subdistrict = subdistricts[round % subdistricts.length]!;
    const kind = KIND_ORDER[i % KIND_ORDER.length]!;
    plans.push({
      name: uniqueName(siteName(kind, district, subdistrict), namesUsed),
      kind,
      district: district.name,
      subdistrict: subdistrict.name,
      address: `上海市${district.name}${random.pick(district.roads)}${random.int(8, 1600)}号`,
      // Up to ~400 m from the subdistrict centre, so sites of one subdistrict do not sit on one point.
      lat: roundTo(subdistrict.lat + (random.next() - 0.5) * 0.008, 6),
      lng: roundTo(subdistrict.lng + (random.next() - 0.5) * 0.008, 6),
      timezone: DEFAULT_TIME_ZONE,
      openingHours: planOpeningHours(random, kind),
      policy: planSitePolicy(random, kind),
    });
  }
  return plans;
}

/** e.g. 徐汇区田林街道邻里中心, 陆家嘴白领驿站, 杨浦区城市书房·五角场. */
function siteName(kind: SiteKind, district: District, subdistrict: Subdistrict): string {
  switch (kind) {
    case 'neighborhood_center':
      return `${district.name}${subdistrict.name}邻里中心`;
    case 'white_collar_hub':
      return `${subdistrict.area}白领驿站`;
    case 'study_room':
      return `${district.name}城市书房·${subdistrict.area}`;
  }
}

/** Large portfolios revisit a subdistrict; a second site there is its 2号点, as operators number them. */
function uniqueName(name: string, used: Map<string, number>): string {
  const seen = used.get(name) ?? 0;
  used.set(name, seen + 1);
  return seen === 0 ? name : `${name}·${seen + 1}号点`;
}

const interval = (start: string, end: string) => ({ start, end });

function weeklyHours(hoursOf: (day: Weekday) => { start: string; end: string }[]): WeeklyHours {
  return Object.fromEntries(WEEKDAYS.map((day) => [day, hoursOf(day)])) as WeeklyHours;
}

const isWeekend = (day: Weekday) => day === 'sat' || day === 'sun';

/**
 * Study rooms keep long hours every day; white-collar hubs open around office lunch breaks and evenings;
 * neighbourhood centres close for lunch, and some close one weekday for cleaning and staff rest.
 */
export function planOpeningHours(random: SeededRandom, kind: SiteKind): WeeklyHours {
  switch (kind) {
    case 'study_room': {
      const variant = random.int(0, 2);
      if (variant === 0) return weeklyHours(() => [interval('08:00', '22:00')]);
      if (variant === 1) return weeklyHours(() => [interval('09:00', '21:00')]);
      return weeklyHours((day) => [isWeekend(day) ? interval('09:00', '21:00') : interval('08:00', '22:00')]);
    }
    case 'white_collar_hub': {
      const weekend = random.pick(['closed', 'saturday', 'both'] as const);
      return weeklyHours((day) => {
        if (!isWeekend(day)) return [interval('11:30', '13:30'), interval('17:30', '21:30')];
        if (weekend === 'both' || (weekend === 'saturday' && day === 'sat')) return [interval('10:00', '16:00')];
        return [];
      });
    }
    case 'neighborhood_center': {
      const closedOnMonday = random.chance(0.4);
      return weeklyHours((day) =>
        closedOnMonday && day === 'mon' ? [] : [interval('08:30', '11:30'), interval('13:00', '20:30')],
      );
    }
  }
}

function planSitePolicy(random: SeededRandom, kind: SiteKind): PolicyRules {
  switch (kind) {
    // Seats turn over daily; a week's horizon stops a few residents from holding them all month.
    case 'study_room':
      return { horizonDays: 7 };
    case 'white_collar_hub':
      return { leadTimeMinutes: 30 };
    case 'neighborhood_center':
      return random.chance(0.5) ? { cancelCutoffMinutes: 120 } : {};
  }
}

/**
 * The spaces of one site: its kind's standard rooms plus a few of the optional ones. With `count`, exactly that
 * many, repeating the kind's templates as numbered copies (会议室A（2）) when a site needs more rooms than it has.
 */
export function planSpaces(random: SeededRandom, kind: SiteKind, count?: number): SpacePlan[] {
  const mix = SPACE_MIXES[kind];
  const optional = random.shuffle(mix.some);
  const templates =
    count === undefined
      ? [...mix.always, ...optional.slice(0, random.int(mix.someCount.min, mix.someCount.max))]
      : Array.from({ length: count }, (_, i) => [...mix.always, ...optional][i % (mix.always.length + optional.length)]!);
  const perRound = mix.always.length + optional.length;
  return templates.map((template, i) => {
    const copy = Math.floor(i / perRound);
    return planSpace(random, template, copy === 0 ? template.name : `${template.name}（${copy + 1}）`);
  });
}

function planSpace(random: SeededRandom, template: SpaceTemplate, name: string): SpacePlan {
  const features = new Set(template.features);
  for (const feature of template.optionalFeatures ?? []) if (random.chance(0.5)) features.add(feature);
  return {
    name,
    kind: template.kind,
    bookingMode: template.bookingMode,
    capacity: random.intStep(template.capacity.min, template.capacity.max, template.capacity.step),
    features: FEATURES.filter((feature) => features.has(feature)),
    bookableBy: template.bookableBy ?? 'residents',
    openTo: template.openTo ?? 'everyone',
    policy: template.policy ?? {},
  };
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
