-- The organization's default language (issue #13): messages go in the person's language, else this one.
ALTER TABLE "organizations" ADD COLUMN "locale" text NOT NULL DEFAULT 'zh-CN';
--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_locale" CHECK ("locale" IN ('zh-CN', 'en'));
