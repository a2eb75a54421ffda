/**
 * A @fastify/rate-limit store kept in the database, so a limit (e.g. login attempts per client per minute) holds
 * across every API process on one database instead of multiplying by the number of processes. One upsert per
 * counted request: it opens a window, or counts into the open one, and answers the count and the time left.
 */
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Database } from '@linli/db';
import { sql } from 'drizzle-orm';
import { queryRows } from '../lib/sql.ts';

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;
interface RouteInfo {
  routeInfo?: { method?: string | string[]; url?: string };
}

export async function countHit(db: Database, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const [row] = await queryRows<{ hits: number; ttl: string }>(db, sql`
    INSERT INTO rate_limit_windows AS w (key, hits, ends_at)
    VALUES (${key}, 1, clock_timestamp() + ${windowMs} * interval '1 millisecond')
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN w.ends_at <= clock_timestamp() THEN 1 ELSE w.hits + 1 END,
      ends_at = CASE WHEN w.ends_at <= clock_timestamp() THEN excluded.ends_at ELSE w.ends_at END
    RETURNING hits, ceil(extract(epoch FROM ends_at - clock_timestamp()) * 1000) AS ttl`);
  return { current: Number(row!.hits), ttl: Math.max(0, Number(row!.ttl)) };
}

/** Removes windows that ended; the lifecycle sweep calls it so the table stays as small as the active clients. */
export async function removeLapsedRateLimitWindows(db: Database, now: Date): Promise<number> {
  const removed = await queryRows(db, sql`DELETE FROM rate_limit_windows WHERE ends_at < ${now.toISOString()}::timestamptz RETURNING 1`);
  return removed.length;
}

/** The store class @fastify/rate-limit instantiates; `prefix` keeps each route's counters apart. */
export function databaseRateLimitStore(db: Database) {
  return class DatabaseRateLimitStore implements FastifyRateLimitStore {
    private readonly prefix: string;

    constructor(options: FastifyRateLimitOptions & RouteInfo = {}) {
      const route = options.routeInfo;
      this.prefix = route?.url ? `${[route.method].flat().join(',')} ${route.url}|` : 'global|';
    }

    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      countHit(db, this.prefix + key, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(routeOptions: FastifyRateLimitOptions & RouteInfo): FastifyRateLimitStore {
      return new DatabaseRateLimitStore(routeOptions);
    }
  };
}
