/**
 * Booking policy, inherited org -> site -> space. Each level stores only the rules it sets; the effective policy
 * of a space takes, for every rule, the most specific level that sets it, and says where the value came from.
 */
export interface PolicyValues {
  /** Bookings start and end on this grid (minutes from local midnight). */
  slotMinutes: number;
  minDurationMinutes: number;
  maxDurationMinutes: number;
  /** How far ahead of its start a resident must book. */
  leadTimeMinutes: number;
  /** How many days ahead bookings open. */
  horizonDays: number;
  /** Free time kept between two bookings of an exclusive space. */
  bufferMinutes: number;
  approvalRequired: boolean;
  checkInRequired: boolean;
  /** Minutes after the start after which an unchecked booking becomes a no-show and the space is released. */
  noShowAfterMinutes: number;
  /** Residents may cancel until this many minutes before the start. */
  cancelCutoffMinutes: number;
  /** Resident quotas; null means unlimited. Counted across the level the rule comes from (space, site or org). */
  quotaPerDayCount: number | null;
  quotaPerDayMinutes: number | null;
  quotaPerWeekCount: number | null;
  quotaPerWeekMinutes: number | null;
  /** What happens when a waited-for slot frees up. */
  waitlistMode: 'auto_book' | 'offer';
  /** How long an offered slot is held for the resident. */
  offerHoldMinutes: number;
}

export type PolicyRules = Partial<PolicyValues>;
export type PolicyLevel = 'default' | 'org' | 'site' | 'space';
export type PolicySources = Record<keyof PolicyValues, PolicyLevel>;

export const DEFAULT_POLICY: PolicyValues = {
  slotMinutes: 30,
  minDurationMinutes: 30,
  maxDurationMinutes: 240,
  leadTimeMinutes: 0,
  horizonDays: 30,
  bufferMinutes: 0,
  approvalRequired: false,
  checkInRequired: false,
  noShowAfterMinutes: 15,
  cancelCutoffMinutes: 0,
  quotaPerDayCount: null,
  quotaPerDayMinutes: null,
  quotaPerWeekCount: null,
  quotaPerWeekMinutes: null,
  waitlistMode: 'offer',
  offerHoldMinutes: 30,
};

export const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as (keyof PolicyValues)[];

export interface EffectivePolicy {
  values: PolicyValues;
  sources: PolicySources;
}

/** Merges levels from the most general to the most specific; `undefined` means "inherit". */
export function getEffectivePolicy(levels: { org?: PolicyRules; site?: PolicyRules; space?: PolicyRules }): EffectivePolicy {
  const values = { ...DEFAULT_POLICY } as Record<keyof PolicyValues, unknown>;
  const sources = Object.fromEntries(POLICY_KEYS.map((k) => [k, 'default'])) as PolicySources;
  for (const level of ['org', 'site', 'space'] as const) {
    const rules = levels[level];
    if (!rules) continue;
    for (const key of POLICY_KEYS) {
      if (rules[key] !== undefined) {
        values[key] = rules[key];
        sources[key] = level;
      }
    }
  }
  return { values: values as PolicyValues, sources };
}

/**
 * One level's rules as an editor shows them: what the level sets itself, what is in force there, and what would be
 * in force (and from where) if the level set nothing. For a site, `levels.space` is absent; for the organization,
 * `levels.site` too.
 */
export function describePolicyLevel(levels: { org: PolicyRules; site?: PolicyRules; space?: PolicyRules }, level: 'org' | 'site' | 'space') {
  const above = { org: level === 'org' ? {} : levels.org, site: level === 'space' ? levels.site : {}, space: {} };
  const inherited = getEffectivePolicy(above);
  const effective = getEffectivePolicy({ ...above, [level]: levels[level] ?? {} });
  return { own: levels[level] ?? {}, values: effective.values, sources: effective.sources, inherited: inherited.values, inheritedSources: inherited.sources };
}

/**
 * Rules that contradict each other, e.g. a minimum longer than the maximum. Works on one level's own rules (only
 * the pairs it sets both halves of) as well as on merged values.
 */
export function findPolicyProblems(rules: PolicyRules): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const { minDurationMinutes: min, maxDurationMinutes: max, slotMinutes: slot } = rules;
  if (min !== undefined && max !== undefined && min > max) {
    problems.push({ path: ['minDurationMinutes'], message: 'must not exceed maxDurationMinutes' });
  }
  if (min !== undefined && slot !== undefined && min % slot !== 0) {
    problems.push({ path: ['minDurationMinutes'], message: 'must be a multiple of slotMinutes' });
  }
  return problems;
}

/** An organization's policies at every level, as the editor of one level would leave them. */
export interface PolicyTree {
  org: PolicyRules;
  sites: readonly { id: string; name: string; policy: PolicyRules }[];
  spaces: readonly { id: string; name: string; siteId: string; policy: PolicyRules }[];
}

export interface InheritedPolicyProblem {
  level: 'org' | 'site' | 'space';
  id: string | null;
  name: string | null;
  path: string[];
  message: string;
}

/**
 * Where the merged rules contradict each other anywhere in the tree: a site or space whose own maximum is below a
 * minimum it inherits (or the reverse) can book nothing, so the edit that causes it is refused, whichever level.
 */
export function findInheritedPolicyProblems(tree: PolicyTree): InheritedPolicyProblem[] {
  const problems: InheritedPolicyProblem[] = [];
  const report = (level: InheritedPolicyProblem['level'], node: { id: string; name: string } | null, values: PolicyValues) => {
    for (const problem of findPolicyProblems(values)) problems.push({ level, id: node?.id ?? null, name: node?.name ?? null, ...problem });
  };
  report('org', null, getEffectivePolicy({ org: tree.org }).values);
  const siteRules = new Map(tree.sites.map((site) => [site.id, site.policy]));
  for (const site of tree.sites) report('site', site, getEffectivePolicy({ org: tree.org, site: site.policy }).values);
  for (const space of tree.spaces) {
    report('space', space, getEffectivePolicy({ org: tree.org, site: siteRules.get(space.siteId), space: space.policy }).values);
  }
  return problems;
}
