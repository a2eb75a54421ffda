-- The front desk (issue #14). Staff book for walk-ins who have no account: the name (and phone, if given) is
-- kept on the booking. A booking's history records what a move or change changed, before -> after.
ALTER TABLE "bookings" ADD COLUMN "walk_in_name" text;
--> statement-breakpoint
ALTER TABLE "bookings" ADD COLUMN "walk_in_phone" text;
--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_walk_in_has_no_booker" CHECK ("walk_in_name" IS NULL OR "booker_id" IS NULL);
--> statement-breakpoint
ALTER TABLE "booking_events" ADD COLUMN "changes" jsonb NOT NULL DEFAULT '[]'::jsonb;
--> statement-breakpoint
-- The desk finds a booking by the code on the resident's QR code.
CREATE INDEX "bookings_check_in_code_idx" ON "bookings" ("site_id", "check_in_code") WHERE "check_in_code" IS NOT NULL;
