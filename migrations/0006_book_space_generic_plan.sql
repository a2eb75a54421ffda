-- Hand-written. linli_book_space checks one space's holding bookings in a window. With the default plan cache
-- mode PostgreSQL plans each call for its values, and for a window in the months ahead, where statistics think
-- there are no bookings yet, it preferred the partial index of holding bookings by start time (built for the
-- lifecycle sweep) over the space's own (space_id, start_at) index, reading every space's bookings in the window.
-- A generic plan does not depend on how full statistics think a window is, keys on the space, and is planned once
-- per connection.
ALTER FUNCTION linli_book_space(
  uuid, uuid, uuid, uuid, boolean, uuid, uuid, integer, timestamptz, timestamptz, text, text, text, uuid, text,
  timestamptz, timestamptz, uuid, uuid, text, integer, integer, integer
) SET plan_cache_mode = force_generic_plan;
