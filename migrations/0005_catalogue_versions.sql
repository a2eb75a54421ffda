CREATE TABLE "catalogue_versions" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
-- Hand-written from here. Every change to an organization's catalogue (its policy, sites, spaces, closures) bumps
-- its catalogue version in the same transaction, so a cached snapshot can tell it is stale.
INSERT INTO "catalogue_versions" ("org_id", "version") SELECT "id", 1 FROM "organizations";
--> statement-breakpoint
CREATE FUNCTION linli_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed_org uuid;
BEGIN
  IF TG_TABLE_NAME = 'organizations' THEN
    IF TG_OP = 'DELETE' THEN changed_org := OLD.id; ELSE changed_org := NEW.id; END IF;
  ELSE
    IF TG_OP = 'DELETE' THEN changed_org := OLD.org_id; ELSE changed_org := NEW.org_id; END IF;
  END IF;
  INSERT INTO catalogue_versions (org_id, version) VALUES (changed_org, 1)
  ON CONFLICT (org_id) DO UPDATE SET version = catalogue_versions.version + 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER organizations_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON "organizations"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER sites_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON "sites"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER spaces_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON "spaces"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER closures_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON "closures"
  FOR EACH ROW EXECUTE FUNCTION linli_catalogue_changed();
--> statement-breakpoint
-- The critical section of creating a booking, in one round trip: lock the space row (serializing attempts on the
-- space), confirm the caller's catalogue snapshot is current, judge the space's holding bookings (exclusive: none
-- within the buffer; shared: the busiest instant plus this party within capacity), then insert the booking and its
-- first booking_event. Returns NULL when booked, or {"refusal": code[, "taken": people]} when not; nothing is
-- written then. Each statement of a plpgsql function takes a fresh snapshot under READ COMMITTED, so the holdings
-- read after the lock see every booking committed before it. The exclusion constraint stays the last line of
-- defence. The 24-hour bound mirrors MAX_BOOKING_MS (bookings never last longer) so the reads use the
-- (space_id, start_at) index.
CREATE FUNCTION linli_book_space(
  p_id uuid, p_org_id uuid, p_site_id uuid, p_space_id uuid, p_exclusive boolean,
  p_booker_id uuid, p_created_by_id uuid, p_party_size integer, p_start_at timestamptz, p_end_at timestamptz,
  p_purpose text, p_status text, p_source text, p_series_id uuid, p_check_in_code text, p_offer_expires_at timestamptz,
  p_now timestamptz, p_event_id uuid, p_actor_id uuid, p_reason text,
  p_buffer_minutes integer, p_capacity integer, p_catalogue_version integer
) RETURNS jsonb LANGUAGE plpgsql AS $$
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
  INSERT INTO booking_events (id, org_id, booking_id, actor_id, from_status, to_status, reason, at)
  VALUES (p_event_id, p_org_id, p_id, p_actor_id, NULL, p_status, p_reason, p_now);
  RETURN NULL;
END;
$$;
