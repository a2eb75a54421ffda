/**
 * Whether an access token still speaks for its account. A token carries the account's access version it was issued
 * for (claim `ver`); deactivating the account or changing its role or sites moves the version on (users.service),
 * and the access check refuses a token that is behind, so a deactivated member of staff is out at once, not when
 * their token expires (up to ACCESS_TOKEN_TTL_SECONDS).
 *
 * Read once per account every TTL_MS at most, per process: in the process that made the change the entry is
 * dropped at once (`forget`); another API process sees it within TTL_MS. That bound is the guarantee.
 */
import { type Database, schema } from '@linli/db';
import { eq } from 'drizzle-orm';

export interface AccessState {
  version: number;
  active: boolean;
}

export interface AccessStates {
  /** The account's current access version and whether it may act; null when there is no such account. */
  of(userId: string): Promise<AccessState | null>;
  /** Drops what is known of the account, after a change to it has committed. */
  forget(userId: string): void;
}

const TTL_MS = 2_000;
/** Past this many accounts the cache starts again rather than grow: a busy process re-reads, it never leaks. */
const MAX_ENTRIES = 50_000;

export function createAccessStates(db: Database, clock: () => number = () => performance.now()): AccessStates {
  const known = new Map<string, { state: AccessState | null; until: number }>();
  return {
    async of(userId) {
      const now = clock();
      const entry = known.get(userId);
      if (entry && entry.until > now) return entry.state;
      const [row] = await db
        .select({ version: schema.users.accessVersion, disabledAt: schema.users.disabledAt })
        .from(schema.users)
        .where(eq(schema.users.id, userId));
      const state = row ? { version: row.version, active: row.disabledAt === null } : null;
      if (known.size >= MAX_ENTRIES) known.clear();
      known.set(userId, { state, until: now + TTL_MS });
      return state;
    },
    forget(userId) {
      known.delete(userId);
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's view of accounts' access versions (app.ts); routes that change an account forget it. */
    accessStates: AccessStates;
  }
}
