-- Notifications (issue #13). A change someone must hear about writes one `notifications` row per (event,
-- recipient) in its own transaction, with one `notification_deliveries` row per channel it goes to, and the
-- pg-boss job that delivers it (schema pgboss, installed by packages/db/src/migrate.ts). The delivery row's
-- status is the idempotency key: a retried job or a second worker finds it sent and does nothing.
CREATE TABLE "notifications" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "recipient_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
  "kind" text NOT NULL,
  "category" text NOT NULL,
  -- What the templates need (site name and zone, instants, ids for the deep link), as the change saw it.
  "facts" jsonb NOT NULL,
  "link_path" text NOT NULL CHECK ("link_path" LIKE '/%'),
  -- The event's own key (e.g. booking.confirmed:<booking id>); with the recipient it is unique, so the same
  -- event never notifies the same person twice, however often the change path runs.
  "dedupe_key" text NOT NULL CHECK (char_length("dedupe_key") BETWEEN 1 AND 300),
  -- The request that caused it, so the worker's log lines join the API's.
  "request_id" text,
  "created_at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_recipient_dedupe_key" ON "notifications" ("recipient_id", "dedupe_key");
--> statement-breakpoint
CREATE INDEX "notifications_org_idx" ON "notifications" ("org_id", "created_at");
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "notification_id" uuid NOT NULL REFERENCES "notifications"("id") ON DELETE CASCADE,
  -- The notification's recipient again, so the inbox is read from one index.
  "recipient_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
  "channel" text NOT NULL CHECK ("channel" IN ('inbox', 'email', 'sms', 'wechat')),
  "status" text DEFAULT 'queued' NOT NULL CHECK ("status" IN ('queued', 'sent', 'failed', 'dead', 'skipped')),
  "attempts" integer DEFAULT 0 NOT NULL CHECK ("attempts" >= 0),
  -- Short and free of secrets: an SMTP reply code and text, a timeout, a reason for skipping.
  "last_error" text CHECK (char_length("last_error") <= 300),
  "message_id" text,
  -- Not sent before this instant (quiet hours); the delivery job starts after it.
  "not_before" timestamptz NOT NULL,
  "sent_at" timestamptz,
  "read_at" timestamptz,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL,
  CONSTRAINT "notification_deliveries_one_per_channel" UNIQUE ("notification_id", "channel"),
  CONSTRAINT "notification_deliveries_read_in_inbox" CHECK ("read_at" IS NULL OR "channel" = 'inbox')
);
--> statement-breakpoint
CREATE INDEX "notification_deliveries_inbox_idx" ON "notification_deliveries" ("recipient_id", "id") WHERE "channel" = 'inbox' AND "status" = 'sent';
--> statement-breakpoint
CREATE INDEX "notification_deliveries_unread_idx" ON "notification_deliveries" ("recipient_id") WHERE "channel" = 'inbox' AND "status" = 'sent' AND "read_at" IS NULL;
--> statement-breakpoint
CREATE INDEX "notification_deliveries_status_idx" ON "notification_deliveries" ("org_id", "status", "channel", "id");
--> statement-breakpoint
-- One row per conversation with a provider (an SMTP send), written before it starts and settled after: an
-- attempt that never settles is a worker that died mid-send.
CREATE TABLE "notification_attempts" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "delivery_id" uuid NOT NULL REFERENCES "notification_deliveries"("id") ON DELETE CASCADE,
  "attempt" integer NOT NULL CHECK ("attempt" >= 1),
  "worker" text NOT NULL,
  "started_at" timestamptz DEFAULT clock_timestamp() NOT NULL,
  "finished_at" timestamptz,
  "outcome" text CHECK ("outcome" IN ('sent', 'failed', 'dead', 'skipped')),
  "error" text CHECK (char_length("error") <= 300)
);
--> statement-breakpoint
CREATE INDEX "notification_attempts_delivery_idx" ON "notification_attempts" ("delivery_id", "attempt");
--> statement-breakpoint
-- A person's choices; no row means the defaults (packages/domain notification-rules.ts).
CREATE TABLE "notification_preferences" (
  "user_id" uuid PRIMARY KEY REFERENCES "users"("id") ON DELETE CASCADE,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  -- Null: the home site's zone, else the organization's.
  "timezone" text,
  -- Minutes after local midnight; both null means no quiet hours.
  "quiet_start_minute" integer CHECK ("quiet_start_minute" BETWEEN 0 AND 1439),
  "quiet_end_minute" integer CHECK ("quiet_end_minute" BETWEEN 0 AND 1439),
  "night_offers_by_email" boolean DEFAULT false NOT NULL,
  "staff_digest" boolean DEFAULT false NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL,
  CONSTRAINT "notification_preferences_quiet_hours" CHECK (
    ("quiet_start_minute" IS NULL AND "quiet_end_minute" IS NULL)
    OR ("quiet_start_minute" IS NOT NULL AND "quiet_end_minute" IS NOT NULL AND "quiet_start_minute" <> "quiet_end_minute")
  )
);
--> statement-breakpoint
-- Category x channel pairs a person turned off (in preferences or by an unsubscribe link).
CREATE TABLE "notification_opt_outs" (
  "user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "category" text NOT NULL,
  "channel" text NOT NULL CHECK ("channel" IN ('inbox', 'email', 'sms', 'wechat')),
  "created_at" timestamptz DEFAULT now() NOT NULL,
  PRIMARY KEY ("user_id", "category", "channel")
);
--> statement-breakpoint
-- Unsubscribe links that were used, by the SHA-256 of the token: a second use answers "already", and a person
-- who turned the category back on is not turned off again by an old link.
CREATE TABLE "notification_unsubscribes" (
  "token_hash" text PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
  "category" text NOT NULL,
  "channel" text NOT NULL,
  "used_at" timestamptz DEFAULT now() NOT NULL
);
