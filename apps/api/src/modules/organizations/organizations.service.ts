import type { Organization, PolicyAtLevel, UpdateOrganizationBody } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { describePolicyLevel } from '@linli/domain';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { notFound } from '../../lib/app-error.ts';
import { toIso } from '../../lib/dates.ts';
import { assertPoliciesCoherent } from '../catalogue/policy-coherence.ts';

const { organizations } = schema;

function toOrganization(row: typeof organizations.$inferSelect): Organization {
  return { id: row.id, slug: row.slug, name: row.name, timezone: row.timezone, locale: row.locale, policy: row.policy, createdAt: toIso(row.createdAt) };
}

/** The caller's own organization; there is no way to name another. */
export async function getOwnOrganization(db: Database, actor: Actor): Promise<Organization> {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, actor.orgId));
  if (!row) throw notFound('Organization');
  return toOrganization(row);
}

export async function updateOwnOrganization(db: Database, actor: Actor, body: UpdateOrganizationBody): Promise<Organization> {
  if (body.policy) await assertPoliciesCoherent(db, actor.orgId, { level: 'org', policy: body.policy });
  const [row] = await db
    .update(organizations)
    .set({ ...body, updatedAt: new Date() })
    .where(eq(organizations.id, actor.orgId))
    .returning();
  if (!row) throw notFound('Organization');
  return toOrganization(row);
}

/** The organization's own booking rules beside the defaults they override. */
export async function getOrganizationPolicy(db: Database, actor: Actor): Promise<PolicyAtLevel> {
  const [row] = await db.select({ policy: organizations.policy }).from(organizations).where(eq(organizations.id, actor.orgId));
  if (!row) throw notFound('Organization');
  return { level: 'org', ...describePolicyLevel({ org: row.policy }, 'org') };
}
