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
    // Notifications (docs/notifications.md). The worker runs inside the API process unless 'off' (then run
    // `npm run worker`, PostgreSQL only); tests default to 'off' and start it where they test it.
    NOTIFICATIONS_WORKER: z.enum(['inline', 'off']).optional(),
    // Without it, email deliveries are recorded as skipped (with the reason) and the inbox still works.
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    MAIL_FROM: z.string().min(3).default('Linli <noreply@linli.localhost>'),
    // The public origin of the app, for links in messages; defaults to this server on 127.0.0.1.
    APP_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    // Connecting, greeting and each socket read with the SMTP server give up after this long.
    SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    NOTIFICATION_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(5),
    // The first retry waits this long, each next one twice as long (at most an hour).
    NOTIFICATION_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    // A delivery job still running after this long is taken as lost (its worker died) and retried.
    NOTIFICATION_JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    // How often an idle worker looks for jobs when LISTEN/NOTIFY is not waking it.
    NOTIFICATION_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  })
  .superRefine((env, ctx) => {
    if (env.WORKERS > 1 && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['WORKERS'], message: 'more than 1 needs DATABASE_URL (the embedded database serves one process)' });
    }
    if (env.NOTIFICATIONS_WORKER === 'off' && !env.DATABASE_URL && env.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['NOTIFICATIONS_WORKER'], message: "'off' needs DATABASE_URL: no other process can deliver from the embedded database" });
    }
    if (env.NOTIFICATION_JOB_TIMEOUT_SECONDS * 1000 < 2 * env.SMTP_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFICATION_JOB_TIMEOUT_SECONDS'], message: 'must be at least twice SMTP_TIMEOUT_MS, or live sends would be taken as lost' });
    }
    if (env.NODE_ENV === 'production' && env.SMTP_URL && !env.APP_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['APP_BASE_URL'], message: 'is required in production when SMTP_URL is set (links in emails)' });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
    }
  });

type ParsedEnv = z.infer<typeof EnvSchema>;
export type Config = Omit<ParsedEnv, 'JWT_SECRET' | 'NOTIFICATIONS_WORKER' | 'APP_BASE_URL'> & {
  JWT_SECRET: string;
  NOTIFICATIONS_WORKER: 'inline' | 'off';
  APP_BASE_URL: string;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  return {
    ...values,
    JWT_SECRET: values.JWT_SECRET ?? DEV_JWT_SECRET,
    NOTIFICATIONS_WORKER: values.NOTIFICATIONS_WORKER ?? (values.NODE_ENV === 'test' ? 'off' : 'inline'),
    APP_BASE_URL: (values.APP_BASE_URL ?? `http://127.0.0.1:${values.PORT}`).replace(/\/+$/, ''),
  };
}
