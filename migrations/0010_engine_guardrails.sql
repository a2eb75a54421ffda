-- Guardrails the engine relies on, kept by the database itself.
-- 1. A claim lasts at most MAX_CLAIM_MS (24 hours, packages/domain/src/claims.ts): every range query bounds
--    start_at from below by it, so a longer row would be missed by them. A test compares this bound with the constant.
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_max_duration" CHECK ("end_at" - "start_at" <= interval '24 hours');
--> statement-breakpoint
-- 2. The catalogue version moves only when a row really changes: an UPDATE that writes the same values (a form
--    saved without edits, which only moves updated_at) no longer throws away every process's cached catalogue.
DROP TRIGGER organizations_catalogue_changed ON "organizations";
--> statement-breakpoint
CREATE TRIGGER organizations_catalogue_changed AFTER INSERT OR DELETE ON "organizations"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER organizations_catalogue_updated AFTER UPDATE ON "organizations"
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
DROP TRIGGER sites_catalogue_changed ON "sites";
--> statement-breakpoint
CREATE TRIGGER sites_catalogue_changed AFTER INSERT OR DELETE ON "sites"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER sites_catalogue_updated AFTER UPDATE ON "sites"
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
DROP TRIGGER spaces_catalogue_changed ON "spaces";
--> statement-breakpoint
CREATE TRIGGER spaces_catalogue_changed AFTER INSERT OR DELETE ON "spaces"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER spaces_catalogue_updated AFTER UPDATE ON "spaces"
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
DROP TRIGGER closures_catalogue_changed ON "closures";
--> statement-breakpoint
CREATE TRIGGER closures_catalogue_changed AFTER INSERT OR DELETE ON "closures"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER closures_catalogue_updated AFTER UPDATE ON "closures"
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')) EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
-- 3. usage_changes is bounded: each marker records when it was written, and the lifecycle sweep drops stale
--    rollup rows and the markers that are older than any transaction can run (see removeSettledUsageChanges).
ALTER TABLE "usage_changes" ADD COLUMN "recorded_at" timestamptz DEFAULT now() NOT NULL;
--> statement-breakpoint
CREATE INDEX "usage_changes_recorded_at_idx" ON "usage_changes" ("recorded_at");
