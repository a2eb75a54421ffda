import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, findInheritedPolicyProblems, findPolicyProblems, getEffectivePolicy } from './policy.ts';

describe('getEffectivePolicy', () => {
  it('with nothing set, every rule is the default', () => {
    const effective = getEffectivePolicy({});
    expect(effective.values).toEqual(DEFAULT_POLICY);
    expect(new Set(Object.values(effective.sources))).toEqual(new Set(['default']));
  });

  it('the most specific level that sets a rule wins; unset levels inherit', () => {
    const effective = getEffectivePolicy({
      org: { horizonDays: 14, quotaPerWeekCount: 10 },
      site: { horizonDays: 21, approvalRequired: true },
      space: { approvalRequired: false },
    });
    expect(effective.values).toMatchObject({ horizonDays: 21, quotaPerWeekCount: 10, approvalRequired: false });
    expect(effective.sources).toMatchObject({ horizonDays: 'site', quotaPerWeekCount: 'org', approvalRequired: 'space', slotMinutes: 'default' });
  });

  it('a level may set a quota back to unlimited (null) over an inherited one', () => {
    const effective = getEffectivePolicy({ org: { quotaPerDayCount: 2 }, space: { quotaPerDayCount: null } });
    expect(effective.values.quotaPerDayCount).toBeNull();
    expect(effective.sources.quotaPerDayCount).toBe('space');
  });
});

describe('findPolicyProblems', () => {
  it('flags a minimum longer than the maximum, and a minimum off the slot grid', () => {
    expect(findPolicyProblems({ ...DEFAULT_POLICY, minDurationMinutes: 300, maxDurationMinutes: 240 }).map((p) => p.path[0])).toEqual(['minDurationMinutes']);
    expect(findPolicyProblems({ ...DEFAULT_POLICY, minDurationMinutes: 45, slotMinutes: 30 }).map((p) => p.message)).toEqual(['must be a multiple of slotMinutes']);
    expect(findPolicyProblems(DEFAULT_POLICY)).toEqual([]);
  });
});

describe('findPolicyProblems on one level', () => {
  it('judges only the pairs the level sets both halves of', () => {
    expect(findPolicyProblems({ minDurationMinutes: 300 })).toEqual([]);
    expect(findPolicyProblems({ minDurationMinutes: 300, maxDurationMinutes: 240 }).map((p) => p.message)).toEqual(['must not exceed maxDurationMinutes']);
  });
});

describe('findInheritedPolicyProblems', () => {
  const site = { id: 's1', name: 'Site', policy: {} };
  const space = { id: 'r1', name: 'Room', siteId: 's1', policy: { maxDurationMinutes: 60 } };

  it("an organization minimum above a space's own maximum is a problem of that space", () => {
    const problems = findInheritedPolicyProblems({ org: { minDurationMinutes: 120 }, sites: [site], spaces: [space] });
    expect(problems).toEqual([{ level: 'space', id: 'r1', name: 'Room', path: ['minDurationMinutes'], message: 'must not exceed maxDurationMinutes' }]);
  });

  it('a site minimum above the default maximum is a problem of the site and of each space that inherits it', () => {
    const problems = findInheritedPolicyProblems({ org: {}, sites: [{ ...site, policy: { minDurationMinutes: 300 } }], spaces: [{ ...space, policy: {} }] });
    expect(problems.map((p) => `${p.level}:${p.id}`)).toEqual(['site:s1', 'space:r1']);
  });

  it('a space that sets its own coherent pair is fine under any inherited one', () => {
    expect(findInheritedPolicyProblems({ org: { minDurationMinutes: 120 }, sites: [site], spaces: [{ ...space, policy: { minDurationMinutes: 30, maxDurationMinutes: 60 } }] })).toEqual([]);
  });
});
