/**
 * The environment, parsed once at boot. Nothing else reads process.env: everything gets a Config. A wrong value
 * stops the server with the variable named.
 */
import { z } from 'zod';

const Bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const DEV_JWT_SECRET = 'linli-development-secret-change-me-0123456789';

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    DATA_DIR: z.string().default('.data/pglite'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    // What one statement may cost on PostgreSQL before it is cancelled (answered 503), so no request holds a
    // connection and a core for long. The embedded database has no statement timeout.
    STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
    // The longest one request may take, from arrival to answer (503 after it), and to send its body.
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_ISSUER: z.string().default('linli'),
    JWT_AUDIENCE: z.string().default('linli-api'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(30),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
    AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    SEED_DEMO: Bool.default(true),
    DEFAULT_ORG_SLUG: z.string().optional(),
    ADMIN_DIST_DIR: z.string().optional(),
    // API processes on one machine (node cluster): PostgreSQL only, the embedded database serves one process.
    WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    // How often the lifecycle sweep (no-shows, completions, lapsed offers) runs; one process runs it at a time.
    SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.WORKERS > 1 && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['WORKERS'], message: 'more than 1 needs DATABASE_URL (the embedded database serves one process)' });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
    }
  });

export type Config = Omit<z.infer<typeof EnvSchema>, 'JWT_SECRET'> & { JWT_SECRET: string };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, JWT_SECRET: parsed.data.JWT_SECRET ?? DEV_JWT_SECRET };
}
