-- Who a space is open to becomes three-way (packages/domain SPACE_OPENNESS): every resident, residents whose home
-- site is in the space's district, or residents of its own site. A space closed to other sites keeps that meaning.
ALTER TABLE "spaces" ADD COLUMN "open_to" text DEFAULT 'everyone' NOT NULL;
--> statement-breakpoint
UPDATE "spaces" SET "open_to" = 'home_site' WHERE NOT "open_to_other_sites";
--> statement-breakpoint
ALTER TABLE "spaces" ADD CONSTRAINT "spaces_open_to" CHECK ("open_to" IN ('everyone', 'district', 'home_site'));
--> statement-breakpoint
ALTER TABLE "spaces" DROP COLUMN "open_to_other_sites";
