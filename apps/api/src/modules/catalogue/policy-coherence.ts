/**
 * Saving one level's booking rules must not leave that level, or a site or space beneath it, with merged rules
 * that contradict each other: a space whose own maximum is below a minimum it inherits can be booked by nobody.
 * Judged on the organization's policies with the edit applied; problems elsewhere in the tree do not block it.
 * Reads the rows itself rather than through the catalogue: sites and spaces services call this, and the catalogue
 * depends on them.
 */
import type { PolicyRules } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { type InheritedPolicyProblem, type PolicyTree, findInheritedPolicyProblems } from '@linli/domain';
import { AppError } from '../../lib/app-error.ts';
import { eq } from 'drizzle-orm';

const { organizations, sites, spaces } = schema;

/** The level being saved; a site or space being created has no id yet. */
export type PolicyEdit =
  | { level: 'org'; policy: PolicyRules }
  | { level: 'site'; id: string | null; name: string; policy: PolicyRules }
  | { level: 'space'; id: string | null; name: string; siteId: string; policy: PolicyRules };

const NEW_ROW = 'new';

async function readPolicyTree(db: Database, orgId: string): Promise<PolicyTree> {
  const [orgRows, siteRows, spaceRows] = await Promise.all([
    db.select({ policy: organizations.policy }).from(organizations).where(eq(organizations.id, orgId)),
    db.select({ id: sites.id, name: sites.name, policy: sites.policy }).from(sites).where(eq(sites.orgId, orgId)),
    db.select({ id: spaces.id, name: spaces.name, siteId: spaces.siteId, policy: spaces.policy }).from(spaces).where(eq(spaces.orgId, orgId)),
  ]);
  return { org: orgRows[0]?.policy ?? {}, sites: siteRows, spaces: spaceRows };
}

export async function assertPoliciesCoherent(db: Database, orgId: string, edit: PolicyEdit): Promise<void> {
  const tree = await readPolicyTree(db, orgId);
  if (edit.level === 'org') tree.org = edit.policy;
  if (edit.level === 'site') tree.sites = replaceNode(tree.sites, { id: edit.id ?? NEW_ROW, name: edit.name, policy: edit.policy });
  if (edit.level === 'space') {
    tree.spaces = replaceNode(tree.spaces, { id: edit.id ?? NEW_ROW, name: edit.name, siteId: edit.siteId, policy: edit.policy });
  }
  const problems = findInheritedPolicyProblems(tree).filter((problem) => isUnder(problem, edit, tree));
  if (problems.length) {
    throw new AppError('VALIDATION_FAILED', {
      detail: 'With these booking rules, what a site or space inherits would contradict its own rules.',
      errors: problems.map((problem) => ({ path: ['policy', ...problem.path].join('.'), message: `${problem.message} (${describeWhere(problem)})` })),
    });
  }
}

function replaceNode<T extends { id: string }>(nodes: readonly T[], node: T): T[] {
  return [...nodes.filter((n) => n.id !== node.id), node];
}

/** Whether the problem lies at the edited level or beneath it. */
function isUnder(problem: InheritedPolicyProblem, edit: PolicyEdit, tree: PolicyTree): boolean {
  if (edit.level === 'org') return true;
  const editedId = edit.id ?? NEW_ROW;
  if (edit.level === 'space') return problem.level === 'space' && problem.id === editedId;
  if (problem.level === 'site') return problem.id === editedId;
  return problem.level === 'space' && tree.spaces.some((space) => space.id === problem.id && space.siteId === editedId);
}

function describeWhere(problem: InheritedPolicyProblem): string {
  return problem.level === 'org' ? 'for the organization' : `in effect at ${problem.level} "${problem.name}"`;
}
