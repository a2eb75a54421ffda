-- Hand-written: the database itself keeps booking history.
-- booking_events is append-only (no UPDATE, no DELETE), and bookings are never deleted: a no-show release,
-- a cancellation or a rejection changes a status, so no-show and cancellation rates stay computable.
-- TRUNCATE (used only by the demo seed's --force reset) is a deliberate, whole-table operation and is allowed.
CREATE FUNCTION linli_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is not allowed: booking history is kept', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER booking_events_append_only BEFORE UPDATE OR DELETE ON "booking_events"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER bookings_never_deleted BEFORE DELETE ON "bookings"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
