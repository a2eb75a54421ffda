-- An access token names the version of its account's access it was issued for; deactivating the account or
-- changing its role or sites moves the version on, and older tokens stop working at once instead of at expiry.
ALTER TABLE "users" ADD COLUMN "access_version" integer DEFAULT 1 NOT NULL;
