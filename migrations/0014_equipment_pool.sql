-- The equipment pool (issue #12): equipment types per organization, what each site owns of them (a counted stock
-- or individually tracked items), and loans between sites. A loan is a claim of `quantity` units of one type held by
-- one lending site over [claim_start, claim_end) (the borrower's use window plus transit each way). Every loan is
-- written under a lock on the lender's holdings of that type after the holding loans are counted, like seats.
CREATE TABLE "equipment_settings" (
  "org_id" uuid PRIMARY KEY REFERENCES "organizations"("id"),
  "transit_base_minutes" integer DEFAULT 60 NOT NULL CHECK ("transit_base_minutes" BETWEEN 0 AND 1440),
  "transit_minutes_per_km" double precision DEFAULT 4 NOT NULL CHECK ("transit_minutes_per_km" BETWEEN 0 AND 60),
  "updated_at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "equipment_types" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "key" text NOT NULL,
  "name_zh" text NOT NULL,
  "name_en" text NOT NULL,
  -- Valuable things are tracked one by one (asset tag, serial number); the rest are counted.
  "tracked" boolean DEFAULT false NOT NULL,
  "max_loan_days" integer DEFAULT 14 NOT NULL CHECK ("max_loan_days" BETWEEN 1 AND 90),
  "archived_at" timestamptz,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  UNIQUE ("org_id", "key")
);
--> statement-breakpoint
CREATE TABLE "equipment_holdings" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "site_id" uuid NOT NULL REFERENCES "sites"("id"),
  "type_id" uuid NOT NULL REFERENCES "equipment_types"("id"),
  -- Set for a tracked item (exactly one unit); null for a site's counted stock of the type.
  "asset_tag" text,
  "serial_number" text,
  -- Units that can be used or lent; damaged and missing ones are out of the pool until repaired or found.
  "in_service" integer NOT NULL CHECK ("in_service" >= 0),
  "damaged" integer DEFAULT 0 NOT NULL CHECK ("damaged" >= 0),
  "missing" integer DEFAULT 0 NOT NULL CHECK ("missing" >= 0),
  -- The owner lends these to other sites; when false only its own site may use them.
  "lendable" boolean DEFAULT true NOT NULL,
  "condition_note" text,
  "notes" text,
  "photo_url" text,
  "version" integer DEFAULT 1 NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL,
  CONSTRAINT "equipment_holdings_item_is_one_unit" CHECK ("asset_tag" IS NULL OR "in_service" + "damaged" + "missing" = 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_holdings_asset_tag_key" ON "equipment_holdings" ("org_id", "asset_tag") WHERE "asset_tag" IS NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_holdings_one_stock_key" ON "equipment_holdings" ("site_id", "type_id") WHERE "asset_tag" IS NULL;
--> statement-breakpoint
CREATE INDEX "equipment_holdings_type_idx" ON "equipment_holdings" ("org_id", "type_id", "site_id");
--> statement-breakpoint
CREATE TABLE "equipment_loans" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "type_id" uuid NOT NULL REFERENCES "equipment_types"("id"),
  "lender_site_id" uuid NOT NULL REFERENCES "sites"("id"),
  "borrower_site_id" uuid NOT NULL REFERENCES "sites"("id"),
  -- The parts of one request split across lenders share it (a single-lender request: the loan's own id).
  "request_id" uuid NOT NULL,
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "use_start" timestamptz NOT NULL,
  "use_end" timestamptz NOT NULL,
  "claim_start" timestamptz NOT NULL,
  "claim_end" timestamptz NOT NULL,
  "status" text DEFAULT 'requested' NOT NULL
    CHECK ("status" IN ('requested', 'approved', 'dispatched', 'received', 'returned', 'checked', 'rejected', 'cancelled')),
  "booking_id" uuid REFERENCES "bookings"("id"),
  "session_id" uuid REFERENCES "activity_sessions"("id"),
  "purpose" text,
  "requested_by" uuid REFERENCES "users"("id"),
  "returned_damaged" integer DEFAULT 0 NOT NULL CHECK ("returned_damaged" >= 0),
  "returned_missing" integer DEFAULT 0 NOT NULL CHECK ("returned_missing" >= 0),
  -- Set by the lifecycle sweep when the units were not back by claim_end.
  "overdue_at" timestamptz,
  "version" integer DEFAULT 1 NOT NULL,
  "created_at" timestamptz DEFAULT now() NOT NULL,
  "updated_at" timestamptz DEFAULT now() NOT NULL,
  CONSTRAINT "equipment_loans_windows" CHECK ("claim_start" <= "use_start" AND "use_start" < "use_end" AND "use_end" <= "claim_end"),
  -- Range queries bound claim_start from below by this; the longest loan (90 days) plus transit both ways fits.
  CONSTRAINT "equipment_loans_max_claim" CHECK ("claim_end" - "claim_start" <= interval '100 days'),
  CONSTRAINT "equipment_loans_returned_within_quantity" CHECK ("returned_damaged" + "returned_missing" <= "quantity")
);
--> statement-breakpoint
CREATE INDEX "equipment_loans_lender_idx" ON "equipment_loans" ("lender_site_id", "type_id", "claim_start");
--> statement-breakpoint
-- The pool question (which sites could lend a type over a window) reads every lender's loans of the type at once.
CREATE INDEX "equipment_loans_type_idx" ON "equipment_loans" ("type_id", "claim_start");
--> statement-breakpoint
CREATE INDEX "equipment_loans_borrower_idx" ON "equipment_loans" ("borrower_site_id", "use_start");
--> statement-breakpoint
CREATE INDEX "equipment_loans_org_status_idx" ON "equipment_loans" ("org_id", "status");
--> statement-breakpoint
CREATE INDEX "equipment_loans_booking_idx" ON "equipment_loans" ("booking_id") WHERE "booking_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "equipment_loans_session_idx" ON "equipment_loans" ("session_id") WHERE "session_id" IS NOT NULL;
--> statement-breakpoint
CREATE TRIGGER equipment_loans_never_deleted BEFORE DELETE ON "equipment_loans"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
-- Tracked items that went out with a loan (assigned when it is dispatched).
CREATE TABLE "equipment_loan_items" (
  "loan_id" uuid NOT NULL REFERENCES "equipment_loans"("id"),
  "holding_id" uuid NOT NULL REFERENCES "equipment_holdings"("id"),
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  PRIMARY KEY ("loan_id", "holding_id")
);
--> statement-breakpoint
CREATE INDEX "equipment_loan_items_holding_idx" ON "equipment_loan_items" ("holding_id");
--> statement-breakpoint
CREATE TABLE "equipment_loan_events" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "loan_id" uuid NOT NULL REFERENCES "equipment_loans"("id"),
  "actor_id" uuid REFERENCES "users"("id"),
  "from_status" text,
  "to_status" text NOT NULL,
  "reason" text,
  "details" jsonb,
  "at" timestamptz DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "equipment_loan_events_loan_idx" ON "equipment_loan_events" ("loan_id", "at");
--> statement-breakpoint
CREATE TRIGGER equipment_loan_events_append_only BEFORE UPDATE OR DELETE ON "equipment_loan_events"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
-- What happened to a holding outside loans: added, counted again, damaged, repaired, lost, found, retired.
CREATE TABLE "equipment_holding_events" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "holding_id" uuid NOT NULL REFERENCES "equipment_holdings"("id"),
  "actor_id" uuid REFERENCES "users"("id"),
  "kind" text NOT NULL CHECK ("kind" IN ('added', 'adjusted', 'damaged', 'missing', 'repaired', 'found', 'retired')),
  "units" integer NOT NULL,
  "loan_id" uuid REFERENCES "equipment_loans"("id"),
  "note" text,
  "at" timestamptz DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "equipment_holding_events_holding_idx" ON "equipment_holding_events" ("holding_id", "at");
--> statement-breakpoint
CREATE TRIGGER equipment_holding_events_append_only BEFORE UPDATE OR DELETE ON "equipment_holding_events"
  FOR EACH ROW EXECUTE FUNCTION linli_refuse_history_change();
--> statement-breakpoint
-- Requests the pool could not fill (units short), kept for unmet-demand analytics.
CREATE TABLE "equipment_refusals" (
  "id" uuid PRIMARY KEY,
  "org_id" uuid NOT NULL REFERENCES "organizations"("id"),
  "type_id" uuid NOT NULL REFERENCES "equipment_types"("id"),
  "borrower_site_id" uuid NOT NULL REFERENCES "sites"("id"),
  "quantity" integer NOT NULL CHECK ("quantity" > 0),
  "shortfall" integer NOT NULL CHECK ("shortfall" > 0),
  "use_start" timestamptz NOT NULL,
  "use_end" timestamptz NOT NULL,
  "at" timestamptz DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "equipment_refusals_org_idx" ON "equipment_refusals" ("org_id", "use_start");
