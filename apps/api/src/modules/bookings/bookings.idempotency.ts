/**
 * Idempotency-Keys: a retried POST /bookings with the same key creates nothing twice and replays the first answer;
 * the same key with a different body is refused.
 */
import type { Booking } from '@linli/contracts';
import { type Database, type Transaction, schema } from '@linli/db';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../plugins/access.ts';
import { AppError } from '../../lib/app-error.ts';

const { idempotencyKeys } = schema;

export type IdempotentOutcome = { replayed: true; statusCode: number; booking: Booking } | { replayed: false; booking: Booking };

/**
 * Claims an Idempotency-Key inside the booking transaction. A concurrent duplicate blocks on the primary key
 * until the first commits, then finds its answer; if the first failed and rolled back, the retry proceeds.
 */
export async function claimIdempotencyKey(tx: Transaction, actor: Actor, key: string, requestHash: string) {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ orgId: actor.orgId, userId: actor.userId, key, requestHash, statusCode: 0, response: {} })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length) return null;
  const [prior] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, key)));
  if (!prior || prior.requestHash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return prior;
}

export async function findCompletedIdempotentAnswer(db: Database, actor: Actor, key: string, requestHash: string) {
  const [prior] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, key)));
  if (!prior) return null;
  if (prior.requestHash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return prior.statusCode ? prior : null;
}

/** Stores the answer under the key claimed earlier in the same transaction, for replays. */
export async function saveIdempotentAnswer(tx: Transaction, actor: Actor, key: string, statusCode: number, response: Booking) {
  await tx
    .update(idempotencyKeys)
    .set({ statusCode, response })
    .where(and(eq(idempotencyKeys.userId, actor.userId), eq(idempotencyKeys.key, key)));
}
