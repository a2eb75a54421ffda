-- Archiving a space now cancels its bookings that would start after the archive instant, in the same transaction
-- (apps/api/src/modules/spaces/spaces.service.ts, archiveSpace). Spaces archived before that kept theirs holding:
-- cancel them the same way, each with its booking_event (no actor: the system did it) and any waitlist offer settled.
WITH held AS (
  SELECT b.id, b.status
  FROM bookings b
  JOIN spaces s ON s.id = b.space_id
  WHERE s.archived_at IS NOT NULL AND b.start_at > s.archived_at AND b.status IN ('pending', 'confirmed')
), cancelled AS (
  UPDATE bookings b
  SET status = 'cancelled', version = b.version + 1, updated_at = now()
  FROM held
  WHERE b.id = held.id
  RETURNING b.id, b.org_id, held.status AS from_status
), offers AS (
  UPDATE waitlist_entries w SET status = 'expired' FROM cancelled c WHERE w.booking_id = c.id
)
INSERT INTO booking_events (id, org_id, booking_id, actor_id, from_status, to_status, reason, at)
SELECT
  -- A UUIDv7 (millisecond time, then random bits), like the ids the application makes, so events sort by creation.
  encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid,
  c.org_id, c.id, NULL, c.from_status, 'cancelled', 'space archived', now()
FROM cancelled c;
