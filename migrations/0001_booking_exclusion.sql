-- Hand-written: drizzle has no builder for EXCLUDE constraints.
-- No two holding bookings of an exclusive space may overlap. shared_capacity spaces are checked under a
-- per-space lock in the booking transaction instead, so the constraint only looks at exclusive bookings;
-- `exclusive` is copied onto the booking row (schema.ts) because a constraint cannot read the spaces table.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap"
  EXCLUDE USING gist ("space_id" WITH =, "during" WITH &&)
  WHERE ("exclusive" AND "status" IN ('pending', 'confirmed', 'checked_in'));
--> statement-breakpoint
CREATE INDEX "bookings_during_idx" ON "bookings" USING gist ("space_id", "during");
