-- Activity calendars (issue #11): programmes of sessions across sites, registrations as claims on a session's
-- places, a fair waitlist, attendance and feedback. A session holds its room through a booking (source 'activity'),
-- so rooms keep one conflict system; registrations are claims on the session's places, guarded like seats: the
-- session row is locked, the places held are counted, then the registration is written.
CREATE TABLE "activity_categories" (
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "slug" text NOT NULL,
  "name_zh" text NOT NULL,
  "name_en" text NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  PRIMARY KEY ("org_id", "slug")
);
--> statement-breakpoint
CREATE TABLE "partner_organizations" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "name" text NOT NULL,
  "contact" text,
  "created_at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activities" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "title" text NOT NULL,
  "title_en" text,
  "description" text,
  "description_en" text,
  "category" text NOT NULL,
  "organizer_user_id" uuid REFERENCES "users"("id"),
  "partner_id" uuid REFERENCES "partner_organizations"("id"),
  -- {"kind": "everyone"} | {"kind": "home_site", "siteId"} | {"kind": "district", "district"} | {"kind": "age_band", "minAge", "maxAge"}
  "audience" jsonb DEFAULT '{"kind":"everyone"}'::jsonb NOT NULL,
  "places" integer NOT NULL CHECK ("places" > 0),
  "max_party_size" integer DEFAULT 1 NOT NULL CHECK ("max_party_size" > 0),
  "registration_opens_at" timestamptz,
  "registration_closes_at" timestamptz,
  "cancel_cutoff_minutes" integer DEFAULT 120 NOT NULL CHECK ("cancel_cutoff_minutes" >= 0),
  "waitlist_mode" text DEFAULT 'offer' NOT NULL CHECK ("waitlist_mode" IN ('offer', 'auto_book')),
  "offer_hold_minutes" integer DEFAULT 120 NOT NULL CHECK ("offer_hold_minutes" > 0),
  -- At most this many open registrations per resident in this category per ISO week (null: no limit).
  "category_weekly_limit" integer CHECK ("category_weekly_limit" > 0),
  "status" text DEFAULT 'draft' NOT NULL CHECK ("status" IN ('draft', 'published', 'completed', 'cancelled')),
  "version" integer DEFAULT 1 NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL,
  FOREIGN KEY ("org_id", "category") REFERENCES "activity_categories"("org_id", "slug")
);
--> statement-breakpoint
CREATE INDEX "activities_org_status_idx" ON "activities" ("org_id", "status");
--> statement-breakpoint
CREATE TABLE "activity_sessions" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "activity_id" uuid NOT NULL REFERENCES "activities"("id"),
  "site_id" uuid NOT NULL REFERENCES "sites"("id"),
  "space_id" uuid NOT NULL REFERENCES "spaces"("id"),
  -- The booking that holds the room (source 'activity'); its status follows the session.
  "booking_id" uuid NOT NULL REFERENCES "bookings"("id"),
  "series_id" uuid REFERENCES "booking_series"("id"),
  "start_at" timestamptz NOT NULL,
  "end_at" timestamptz NOT NULL,
  "places" integer NOT NULL CHECK ("places" > 0),
  "status" text DEFAULT 'scheduled' NOT NULL CHECK ("status" IN ('scheduled', 'cancelled')),
  "version" integer DEFAULT 1 NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL,
  CONSTRAINT "activity_sessions_interval" CHECK ("end_at" > "start_at" AND "end_at" - "start_at" <= interval '24 hours')
);
--> statement-breakpoint
CREATE INDEX "activity_sessions_activity_idx" ON "activity_sessions" ("activity_id", "start_at");
--> statement-breakpoint
CREATE INDEX "activity_sessions_site_start_idx" ON "activity_sessions" ("site_id", "start_at");
--> statement-breakpoint
CREATE UNIQUE INDEX "activity_sessions_booking_idx" ON "activity_sessions" ("booking_id");
--> statement-breakpoint
-- A registration is a claim on a session's places, with the claim statuses (pending = a waitlist offer held).
CREATE TABLE "activity_registrations" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "session_id" uuid NOT NULL REFERENCES "activity_sessions"("id"),
  "activity_id" uuid NOT NULL REFERENCES "activities"("id"),
  "user_id" uuid NOT NULL REFERENCES "users"("id"),
  "party_size" integer NOT NULL CHECK ("party_size" > 0),
  "status" text NOT NULL,
  "source" text DEFAULT 'resident' NOT NULL,
  "offer_expires_at" timestamptz,
  "check_in_code" text NOT NULL,
  "checked_in_at" timestamptz,
  "version" integer DEFAULT 1 NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- One holding registration per resident and session: a second registration is refused by the database too.
CREATE UNIQUE INDEX "activity_registrations_one_per_person" ON "activity_registrations" ("session_id", "user_id")
  WHERE "status" IN ('pending', 'confirmed', 'checked_in');
--> statement-breakpoint
CREATE INDEX "activity_registrations_session_idx" ON "activity_registrations" ("session_id", "status");
--> statement-breakpoint
CREATE INDEX "activity_registrations_user_idx" ON "activity_registrations" ("user_id", "created_at");
--> statement-breakpoint
-- The waitlist of a session, in arrival order (`arrival` is taken under the session lock).
CREATE TABLE "activity_waitlist_entries" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "session_id" uuid NOT NULL REFERENCES "activity_sessions"("id"),
  "user_id" uuid NOT NULL REFERENCES "users"("id"),
  "party_size" integer NOT NULL CHECK ("party_size" > 0),
  "status" text DEFAULT 'waiting' NOT NULL CHECK ("status" IN ('waiting', 'offered', 'registered', 'expired', 'cancelled')),
  "registration_id" uuid REFERENCES "activity_registrations"("id"),
  "arrival" bigserial NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "activity_waitlist_one_active" ON "activity_waitlist_entries" ("session_id", "user_id")
  WHERE "status" IN ('waiting', 'offered');
--> statement-breakpoint
CREATE INDEX "activity_waitlist_session_idx" ON "activity_waitlist_entries" ("session_id", "status", "arrival");
--> statement-breakpoint
CREATE TABLE "registration_events" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "registration_id" uuid NOT NULL REFERENCES "activity_registrations"("id"),
  "actor_id" uuid,
  "from_status" text,
  "to_status" text NOT NULL,
  "reason" text,
  "at" timestamptz DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "registration_events_registration_idx" ON "registration_events" ("registration_id", "at");
--> statement-breakpoint
CREATE TRIGGER registration_events_append_only BEFORE UPDATE OR DELETE ON "registration_events"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER activity_registrations_never_deleted BEFORE DELETE ON "activity_registrations"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
-- What changed in a published activity or session (time, room, places, cancellation), kept for registrants.
CREATE TABLE "activity_changes" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "activity_id" uuid NOT NULL REFERENCES "activities"("id"),
  "session_id" uuid REFERENCES "activity_sessions"("id"),
  "actor_id" uuid,
  "kind" text NOT NULL,
  "before" jsonb,
  "after" jsonb,
  "at" timestamptz DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "activity_changes_activity_idx" ON "activity_changes" ("activity_id", "at");
--> statement-breakpoint
CREATE TRIGGER activity_changes_append_only BEFORE UPDATE OR DELETE ON "activity_changes"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
-- How it felt: one rating (1-5) and comment per attended registration.
CREATE TABLE "activity_feedback" (
  "registration_id" uuid PRIMARY KEY REFERENCES "activity_registrations"("id"),
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "session_id" uuid NOT NULL REFERENCES "activity_sessions"("id"),
  "activity_id" uuid NOT NULL REFERENCES "activities"("id"),
  "user_id" uuid NOT NULL REFERENCES "users"("id"),
  "rating" integer NOT NULL CHECK ("rating" BETWEEN 1 AND 5),
  "comment" text,
  "created_at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "activity_feedback_session_idx" ON "activity_feedback" ("session_id");
--> statement-breakpoint
-- People who came without registering, counted per session.
CREATE TABLE "activity_walk_ins" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "session_id" uuid NOT NULL REFERENCES "activity_sessions"("id"),
  "people" integer NOT NULL CHECK ("people" > 0),
  "note" text,
  "recorded_by" uuid REFERENCES "users"("id"),
  "at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Residents' birth years for age-band audiences (optional; a resident without one is outside any age band).
ALTER TABLE "users" ADD COLUMN "birth_year" integer CHECK ("birth_year" BETWEEN 1900 AND 2100);
