/**
 * Activities and sessions made straight in the database for registration tests, so they do not depend on the
 * activities API: a category, a published activity, and per session the room's booking (source 'activity').
 */
import { randomBytes } from 'node:crypto';
import { type Database, newId, schema } from '@linli/db';

const unique = () => randomBytes(4).toString('hex');

export async function createActivity(db: Database, input: { orgId: string; category?: string } & Partial<typeof schema.activities.$inferInsert>) {
  const category = input.category ?? `cat-${unique()}`;
  await db.insert(schema.activityCategories).values({ orgId: input.orgId, slug: category, nameZh: '亲子', nameEn: 'Parent-child' }).onConflictDoNothing();
  const [activity] = await db
    .insert(schema.activities)
    .values({ title: `亲子阅读 ${unique()}`, places: 10, maxPartySize: 2, status: 'published', ...input, category })
    .returning();
  return activity!;
}

/** A session of `activity` in `space` over `[startAt, endAt)`, holding the room through a confirmed booking. */
export async function createSession(
  db: Database,
  input: { activity: { id: string; orgId: string; places: number }; siteId: string; spaceId: string; startAt: string; endAt: string; places?: number; status?: string },
) {
  const [booking] = await db
    .insert(schema.bookings)
    .values({
      id: newId(),
      orgId: input.activity.orgId,
      siteId: input.siteId,
      spaceId: input.spaceId,
      exclusive: true,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      purpose: 'activity',
      status: 'confirmed',
      source: 'activity',
    })
    .returning();
  const [session] = await db
    .insert(schema.activitySessions)
    .values({
      orgId: input.activity.orgId,
      activityId: input.activity.id,
      siteId: input.siteId,
      spaceId: input.spaceId,
      bookingId: booking!.id,
      startAt: new Date(input.startAt),
      endAt: new Date(input.endAt),
      places: input.places ?? input.activity.places,
      status: input.status ?? 'scheduled',
    })
    .returning();
  return session!;
}
