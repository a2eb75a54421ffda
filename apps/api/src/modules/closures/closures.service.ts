import type { Closure, CreateClosureBody, ListClosuresQuery } from '@linli/contracts';
import { type Database, schema } from '@linli/db';
import { type SQL, and, eq, gt, gte, inArray, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { closuresAffecting } from '../claims/space-context.ts';
import { findManageableSite, findVisibleSite } from '../sites/sites.service.ts';

const { closures, sites } = schema;
type ClosureRow = typeof closures.$inferSelect;

function toClosure(row: ClosureRow): Closure {
  return {
    id: row.id,
    scope: row.scope as Closure['scope'],
    district: row.district,
    siteId: row.siteId,
    startDate: row.startDate,
    endDate: row.endDate,
    reason: row.reason,
  };
}

/** What site staff may see: closures of their own sites and of their sites' districts, and org-wide ones. */
function visibleClosuresFilter(actor: Actor): SQL | undefined {
  if (actor.role === 'org_admin' || actor.role === 'resident') return undefined;
  const ids = actor.siteIds.length ? actor.siteIds : ['00000000-0000-0000-0000-000000000000'];
  return or(
    eq(closures.scope, 'org'),
    inArray(closures.siteId, ids),
    and(
      eq(closures.scope, 'district'),
      inArray(closures.district, sql`(select ${sites.district} from ${sites} where ${inArray(sites.id, ids)})`),
    ),
  );
}

export async function listClosures(db: Database, actor: Actor, query: ListClosuresQuery) {
  const filters: (SQL | undefined)[] = [eq(closures.orgId, actor.orgId), visibleClosuresFilter(actor)];
  if (query.siteId) filters.push(closuresAffecting(await findVisibleSite(db, actor, query.siteId)));
  if (query.from) filters.push(gte(closures.endDate, query.from));
  if (query.to) filters.push(lte(closures.startDate, query.to));
  const after = decodeCursor(query.cursor);
  if (after) filters.push(gt(closures.id, after));
  const rows = await db
    .select()
    .from(closures)
    .where(and(...filters))
    .orderBy(closures.id)
    .limit(query.limit + 1);
  const page = toPage(rows, query.limit);
  return { items: page.items.map(toClosure), nextCursor: page.nextCursor };
}

/** Org admins close anything; a site manager closes only their own sites. */
export async function createClosure(db: Database, actor: Actor, body: CreateClosureBody): Promise<Closure> {
  if (body.scope !== 'site' && actor.role !== 'org_admin') {
    throw new AppError('FORBIDDEN', { detail: 'Only an org admin can close a district or the whole organization.' });
  }
  if (body.siteId) await findManageableSite(db, actor, body.siteId);
  const [row] = await db
    .insert(closures)
    .values({
      orgId: actor.orgId,
      scope: body.scope,
      district: body.district ?? null,
      siteId: body.siteId ?? null,
      startDate: body.startDate,
      endDate: body.endDate,
      reason: body.reason,
    })
    .returning();
  return toClosure(row!);
}

export async function deleteClosure(db: Database, actor: Actor, closureId: string): Promise<void> {
  const [row] = await db
    .select()
    .from(closures)
    .where(and(eq(closures.id, closureId), eq(closures.orgId, actor.orgId)));
  if (!row) throw notFound('Closure');
  if (row.siteId) await findManageableSite(db, actor, row.siteId);
  else if (actor.role !== 'org_admin') throw new AppError('FORBIDDEN');
  await db.delete(closures).where(eq(closures.id, closureId));
}
