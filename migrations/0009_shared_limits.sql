-- Limits that protect the service hold across API processes: their counters live in the database, not in one
-- process's memory. A row is one (route, client) window; the lifecycle sweep removes lapsed windows.
CREATE TABLE "rate_limit_windows" (
  "key" text PRIMARY KEY,
  "hits" integer NOT NULL,
  "ends_at" timestamptz NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rate_limit_windows_ends_at_idx" ON "rate_limit_windows" ("ends_at");
