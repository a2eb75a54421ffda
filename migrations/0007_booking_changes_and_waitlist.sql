-- Hand-written (issue #9, points 7 and 8).
-- History in the order changes committed. Each booking_event records the booking's version after its change
-- (every change bumps bookings.version, so the version orders a booking's history exactly), and an event is stamped
-- by the database clock when it is written, not with the time its request started: a cancellation that read the
-- clock before an approval but waited for the space lock used to be listed before it.
ALTER TABLE "booking_events" ADD COLUMN "version" integer;
--> statement-breakpoint
-- Existing events: each bumped the version once, so their order in time is the best record of it. History is
-- append-only (migration 0003); this one backfill is the exception.
ALTER TABLE "booking_events" DISABLE TRIGGER "booking_events_append_only";
--> statement-breakpoint
UPDATE "booking_events" e SET "version" = numbered.n
FROM (SELECT id, row_number() OVER (PARTITION BY booking_id ORDER BY at, id)::integer AS n FROM booking_events) numbered
WHERE numbered.id = e.id;
--> statement-breakpoint
ALTER TABLE "booking_events" ENABLE TRIGGER "booking_events_append_only";
--> statement-breakpoint
ALTER TABLE "booking_events" ALTER COLUMN "version" SET NOT NULL;
--> statement-breakpoint
-- clock_timestamp(), not now(): now() is when the transaction began, which can be before it waited for the lock.
ALTER TABLE "booking_events" ALTER COLUMN "at" SET DEFAULT clock_timestamp();
--> statement-breakpoint
-- The version is read from the booking row, which every writer has just inserted or updated in the same
-- transaction, so no writer (the booking function, the services, the seeds) can record a wrong one.
CREATE FUNCTION linli_booking_event_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT version INTO NEW.version FROM bookings WHERE id = NEW.booking_id;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER booking_events_version BEFORE INSERT ON "booking_events"
  FOR EACH ROW EXECUTE FUNCTION linli_booking_event_version();
--> statement-breakpoint
-- linli_book_space (migration 0005) as before, except that its first booking_event takes the column's default
-- stamp (the clock at the write) instead of the request's time.
CREATE OR REPLACE FUNCTION linli_book_space(
  p_id uuid, p_org_id uuid, p_site_id uuid, p_space_id uuid, p_exclusive boolean,
  p_booker_id uuid, p_created_by_id uuid, p_party_size integer, p_start_at timestamptz, p_end_at timestamptz,
  p_purpose text, p_status text, p_source text, p_series_id uuid, p_check_in_code text, p_offer_expires_at timestamptz,
  p_now timestamptz, p_event_id uuid, p_actor_id uuid, p_reason text,
  p_buffer_minutes integer, p_capacity integer, p_catalogue_version integer
) RETURNS jsonb LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  buffer interval := make_interval(mins => p_buffer_minutes);
  current_version integer;
  taken integer;
BEGIN
  PERFORM 1 FROM spaces WHERE id = p_space_id FOR UPDATE;
  IF p_catalogue_version IS NOT NULL THEN
    SELECT version INTO current_version FROM catalogue_versions WHERE org_id = p_org_id;
    IF current_version IS DISTINCT FROM p_catalogue_version THEN
      RETURN jsonb_build_object('refusal', 'STALE_CATALOGUE');
    END IF;
  END IF;
  IF p_exclusive THEN
    IF EXISTS (
      SELECT 1 FROM bookings
      WHERE space_id = p_space_id AND status IN ('pending', 'confirmed', 'checked_in')
        AND start_at < p_end_at + buffer
        AND start_at > p_start_at - buffer - interval '24 hours'
        AND end_at > p_start_at - buffer
    ) THEN
      RETURN jsonb_build_object('refusal', 'SLOT_TAKEN');
    END IF;
  ELSE
    -- People present at the busiest instant of [start, end): the count can only rise where a booking starts.
    WITH holding AS (
      SELECT start_at, end_at, party_size FROM bookings
      WHERE space_id = p_space_id AND status IN ('pending', 'confirmed', 'checked_in')
        AND start_at < p_end_at AND start_at > p_start_at - interval '24 hours' AND end_at > p_start_at
    ), instants AS (
      SELECT p_start_at AS at UNION SELECT start_at FROM holding WHERE start_at > p_start_at
    )
    SELECT coalesce(max((SELECT sum(h.party_size) FROM holding h WHERE h.start_at <= i.at AND h.end_at > i.at)), 0)
      INTO taken FROM instants i;
    IF taken + p_party_size > p_capacity THEN
      RETURN jsonb_build_object('refusal', 'CAPACITY_FULL', 'taken', taken);
    END IF;
  END IF;
  INSERT INTO bookings (id, org_id, site_id, space_id, exclusive, booker_id, created_by_id, party_size, start_at, end_at,
                        purpose, status, source, series_id, check_in_code, offer_expires_at, created_at, updated_at)
  VALUES (p_id, p_org_id, p_site_id, p_space_id, p_exclusive, p_booker_id, p_created_by_id, p_party_size, p_start_at, p_end_at,
          p_purpose, p_status, p_source, p_series_id, p_check_in_code, p_offer_expires_at, p_now, p_now);
  INSERT INTO booking_events (id, org_id, booking_id, actor_id, from_status, to_status, reason)
  VALUES (p_event_id, p_org_id, p_id, p_actor_id, NULL, p_status, p_reason);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- No queue-jumping: a resident waits at most once for any instant of a space. Waiting and offered entries are
-- active; booked, expired and cancelled ones are over.
ALTER TABLE "waitlist_entries" ADD COLUMN "during" tstzrange GENERATED ALWAYS AS (tstzrange(start_at, end_at, '[)')) STORED NOT NULL;
--> statement-breakpoint
-- Duplicates made before the constraint existed: the entry that keeps its place is an offered one, else the
-- oldest; the later duplicates are cancelled (kept, like all history), so the constraint can be added.
UPDATE "waitlist_entries" w SET "status" = 'cancelled'
WHERE w.status IN ('waiting', 'offered') AND EXISTS (
  SELECT 1 FROM waitlist_entries o
  WHERE o.space_id = w.space_id AND o.user_id = w.user_id AND o.id <> w.id
    AND o.status IN ('waiting', 'offered') AND o.during && w.during
    AND (o.status <> 'offered', o.created_at, o.id) < (w.status <> 'offered', w.created_at, w.id)
);
--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_one_active_entry"
  EXCLUDE USING gist ("space_id" WITH =, "user_id" WITH =, "during" WITH &&)
  WHERE ("status" IN ('waiting', 'offered'));
