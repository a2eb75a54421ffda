-- Setup an operator can finish alone (issue #14): what residents read about a space before booking, and staff
-- invited by a link instead of a password typed by the admin.
ALTER TABLE "spaces" ADD COLUMN "description" text;
--> statement-breakpoint
ALTER TABLE "spaces" ADD COLUMN "photo_url" text;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "invite_token_hash" text;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "invite_expires_at" timestamptz;
--> statement-breakpoint
CREATE UNIQUE INDEX "users_invite_token_key" ON "users" ("invite_token_hash") WHERE "invite_token_hash" IS NOT NULL;
