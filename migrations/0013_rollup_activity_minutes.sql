-- Utilization splits activity time (bookings of source 'activity', held by activity sessions) from ordinary
-- bookings. Stored rollup days have no split yet, so they are dropped and recomputed by the next report.
ALTER TABLE "site_usage_daily" ADD COLUMN "activity_minutes" double precision DEFAULT 0 NOT NULL;
--> statement-breakpoint
DELETE FROM "site_usage_daily";
