-- A registration is a claim: its status is one of the claim statuses (packages/domain/src/claims.ts,
-- CLAIM_STATUSES). packages/db/src/engine-guardrails.int.test.ts compares this list with the constant.
ALTER TABLE "activity_registrations" ADD CONSTRAINT "activity_registrations_status"
  CHECK ("status" IN ('pending', 'confirmed', 'checked_in', 'completed', 'no_show', 'rejected', 'expired', 'cancelled'));
