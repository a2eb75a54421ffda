import type { Database } from '@linli/db';
import type { Config } from '../config.ts';

/** What the app is built from; tests pass their own database and clock. */
export interface AppDeps {
  config: Config;
  db: Database;
  ping: () => Promise<void>;
  /** The current instant; injectable so lead times, windows and expiries are testable. */
  now: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}
