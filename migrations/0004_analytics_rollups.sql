CREATE TABLE "site_usage_daily" (
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"local_date" date NOT NULL,
	"booked_minutes" double precision NOT NULL,
	"used_minutes" double precision NOT NULL,
	"fingerprint" text NOT NULL,
	"snapshot" text NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_usage_daily_site_id_local_date_pk" PRIMARY KEY("site_id","local_date")
);
--> statement-breakpoint
CREATE TABLE "usage_changes" (
	"org_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"local_date" date NOT NULL,
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "usage_changes_site_date_idx" ON "usage_changes" USING btree ("site_id","local_date");--> statement-breakpoint
-- Hand-written: every booking write marks the site and local dates it touches in usage_changes, with the writing
-- transaction's id, so the analytics rollup (site_usage_daily) can tell which of its rows a change has made stale,
-- even a change committed while the rollup row was being computed. One row per site and date per statement.
CREATE FUNCTION linli_usage_changes_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_changes (org_id, site_id, local_date)
  SELECT DISTINCT b.org_id, b.site_id, d::date
  FROM new_rows b
  JOIN sites s ON s.id = b.site_id
  CROSS JOIN LATERAL generate_series(
    (b.start_at AT TIME ZONE s.timezone)::date,
    ((b.end_at - interval '1 microsecond') AT TIME ZONE s.timezone)::date,
    interval '1 day') AS d;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION linli_usage_changes_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_changes (org_id, site_id, local_date)
  SELECT DISTINCT b.org_id, b.site_id, d::date
  FROM (
    SELECT o.org_id, o.site_id, o.start_at, o.end_at, n.org_id AS n_org_id, n.site_id AS n_site_id, n.start_at AS n_start_at, n.end_at AS n_end_at
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.status, o.start_at, o.end_at, o.party_size, o.space_id, o.site_id)
      IS DISTINCT FROM (n.status, n.start_at, n.end_at, n.party_size, n.space_id, n.site_id)
  ) changed
  CROSS JOIN LATERAL (VALUES (changed.org_id, changed.site_id, changed.start_at, changed.end_at),
                             (changed.n_org_id, changed.n_site_id, changed.n_start_at, changed.n_end_at)) AS b(org_id, site_id, start_at, end_at)
  JOIN sites s ON s.id = b.site_id
  CROSS JOIN LATERAL generate_series(
    (b.start_at AT TIME ZONE s.timezone)::date,
    ((b.end_at - interval '1 microsecond') AT TIME ZONE s.timezone)::date,
    interval '1 day') AS d;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION linli_usage_rollup_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM site_usage_daily;
  DELETE FROM usage_changes;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER bookings_usage_changes_insert AFTER INSERT ON "bookings"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linli_usage_changes_on_insert();
--> statement-breakpoint
CREATE TRIGGER bookings_usage_changes_update AFTER UPDATE ON "bookings"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION linli_usage_changes_on_update();
--> statement-breakpoint
CREATE TRIGGER bookings_usage_rollup_truncate AFTER TRUNCATE ON "bookings"
  FOR EACH STATEMENT EXECUTE FUNCTION linli_usage_rollup_on_truncate();
