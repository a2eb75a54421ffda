/**
 * The one drizzle schema for PGlite and PostgreSQL. Every table carries `org_id`: nothing crosses organizations,
 * and a later shard-by-org (Citus) needs it on every row. Invariants drizzle cannot express (exclusion constraints,
 * btree_gist) live in hand-written migrations under /migrations.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { v7 as uuidv7 } from 'uuid';
import type { PolicyRules, WeeklyHours } from '@linli/contracts';

// UUIDv7 ids sort by creation time, so cursor pagination on `id` lists rows in the order they were made.
const id = () =>
  uuid('id')
    .primaryKey()
    .$defaultFn(() => uuidv7());
const orgId = () => uuid('org_id').notNull();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/** `tstzrange`, read back as its text form; bookings expose start_at / end_at instead. */
const tstzrange = customType<{ data: string }>({ dataType: () => 'tstzrange' });

export const organizations = pgTable('organizations', {
  id: id(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  timezone: text('timezone').notNull().default('Asia/Shanghai'),
  /** The language messages go in when the person has none of their own (migration 0017). */
  locale: text('locale').$type<'zh-CN' | 'en'>().notNull().default('zh-CN'),
  policy: jsonb('policy').$type<PolicyRules>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * One counter per organization, bumped by triggers (hand-written in migration 0005) whenever its sites, spaces,
 * closures or own policy change. The API keeps an in-memory snapshot of that catalogue and trusts it only while
 * this number is unchanged; the booking function re-checks it under the space lock.
 */
export const catalogueVersions = pgTable('catalogue_versions', {
  orgId: uuid('org_id').primaryKey(),
  version: integer('version').notNull().default(1),
});

export const sites = pgTable(
  'sites',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    district: text('district').notNull(),
    subdistrict: text('subdistrict'),
    address: text('address'),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    timezone: text('timezone').notNull().default('Asia/Shanghai'),
    openingHours: jsonb('opening_hours').$type<WeeklyHours>().notNull(),
    policy: jsonb('policy').$type<PolicyRules>().notNull().default({}),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('sites_org_idx').on(t.orgId, t.district),
    check('sites_lat_range', sql`${t.lat} IS NULL OR ${t.lat} BETWEEN -90 AND 90`),
    check('sites_lng_range', sql`${t.lng} IS NULL OR ${t.lng} BETWEEN -180 AND 180`),
  ],
);

export const closures = pgTable(
  'closures',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    /** 'org' (e.g. a public holiday), 'district', or 'site'. */
    scope: text('scope').notNull(),
    district: text('district'),
    siteId: uuid('site_id').references(() => sites.id),
    /** Inclusive local dates, evaluated in each affected site's zone. */
    startDate: date('start_date').notNull(),
    endDate: date('end_date').notNull(),
    reason: text('reason').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('closures_org_idx').on(t.orgId, t.startDate),
    check('closures_dates', sql`${t.endDate} >= ${t.startDate}`),
    check(
      'closures_scope',
      sql`(${t.scope} = 'org' AND ${t.siteId} IS NULL AND ${t.district} IS NULL)
       OR (${t.scope} = 'district' AND ${t.district} IS NOT NULL AND ${t.siteId} IS NULL)
       OR (${t.scope} = 'site' AND ${t.siteId} IS NOT NULL)`,
    ),
  ],
);

export const spaces = pgTable(
  'spaces',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    bookingMode: text('booking_mode').notNull(),
    capacity: integer('capacity').notNull(),
    features: text('features').array().notNull().default(sql`'{}'::text[]`),
    bookableBy: text('bookable_by').notNull().default('residents'),
    /** Which residents may book it: everyone, residents of its district, or of its own site (SPACE_OPENNESS). */
    openTo: text('open_to').$type<'everyone' | 'district' | 'home_site'>().notNull().default('everyone'),
    /** Shown to residents before they book, with the site's address and hours (migration 0019). */
    description: text('description'),
    photoUrl: text('photo_url'),
    policy: jsonb('policy').$type<PolicyRules>().notNull().default({}),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('spaces_site_idx').on(t.siteId),
    index('spaces_org_idx').on(t.orgId),
    check('spaces_capacity_positive', sql`${t.capacity} > 0`),
    check('spaces_booking_mode', sql`${t.bookingMode} IN ('exclusive', 'shared_capacity')`),
    check('spaces_open_to', sql`${t.openTo} IN ('everyone', 'district', 'home_site')`),
  ],
);

export const users = pgTable(
  'users',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    role: text('role').notNull(),
    email: text('email'),
    phone: text('phone'),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    homeSiteId: uuid('home_site_id').references(() => sites.id),
    locale: text('locale').notNull().default('zh-CN'),
    /** For age-band activity audiences; optional (migration 0011). */
    birthYear: integer('birth_year'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /**
     * An invited account has no usable password until the invitee sets one through the link (migration 0019):
     * the SHA-256 of the invitation token, and when it stops working.
     */
    inviteTokenHash: text('invite_token_hash'),
    inviteExpiresAt: timestamp('invite_expires_at', { withTimezone: true }),
    /**
     * Moves on when the account is deactivated or its role or sites change (migration 0020); an access token carries
     * the version it was issued for and is refused once it is behind.
     */
    accessVersion: integer('access_version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_org_email_key').on(t.orgId, t.email),
    uniqueIndex('users_org_phone_key').on(t.orgId, t.phone),
    check('users_role', sql`${t.role} IN ('org_admin', 'site_manager', 'staff', 'resident')`),
    check('users_login_present', sql`${t.email} IS NOT NULL OR ${t.phone} IS NOT NULL`),
  ],
);

/** Sites a site_manager or staff member works at; their reads and writes stop at these sites. */
export const userSites = pgTable(
  'user_sites',
  {
    orgId: orgId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.siteId] })],
);

/** Refresh tokens are stored only as SHA-256 hashes; a family is one login's chain of rotations. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    orgId: orgId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when rotated or logged out; presenting a revoked token again revokes its whole family. */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId)],
);

export const bookings = pgTable(
  'bookings',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    bookerId: uuid('booker_id').references(() => users.id),
    /** Who made it (a staff member booking on behalf of a resident or group). */
    createdById: uuid('created_by_id').references(() => users.id),
    /**
     * Copied from the space's booking_mode: the exclusion constraint (hand-written migration 0001) may only
     * look at this row, and it applies to exclusive spaces alone.
     */
    exclusive: boolean('exclusive').notNull(),
    partySize: integer('party_size').notNull().default(1),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    /** Half-open [start, end): the column the exclusion constraint and overlap queries use. */
    during: tstzrange('during')
      .notNull()
      .generatedAlwaysAs(sql`tstzrange(start_at, end_at, '[)')`),
    purpose: text('purpose'),
    status: text('status').notNull(),
    source: text('source').notNull().default('resident'),
    seriesId: uuid('series_id'),
    /** Short code the resident shows or types at check-in (QR-friendly). */
    checkInCode: text('check_in_code'),
    checkedInAt: timestamp('checked_in_at', { withTimezone: true }),
    /** Set on a waitlist offer: a pending hold the resident must accept before this instant. */
    offerExpiresAt: timestamp('offer_expires_at', { withTimezone: true }),
    /** A walk-in booked by staff without an account (migration 0018): booker_id is null then. */
    walkInName: text('walk_in_name'),
    walkInPhone: text('walk_in_phone'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('bookings_space_start_idx').on(t.spaceId, t.startAt),
    index('bookings_site_start_idx').on(t.siteId, t.startAt),
    index('bookings_booker_idx').on(t.bookerId, t.startAt),
    index('bookings_series_idx').on(t.seriesId),
    // The lifecycle sweep looks for holding bookings whose time has come (no-shows, completions, offer expiries).
    index('bookings_holding_start_idx')
      .on(t.startAt)
      .where(sql`status IN ('pending', 'confirmed', 'checked_in')`),
    check('bookings_interval', sql`${t.endAt} > ${t.startAt}`),
    check('bookings_party_positive', sql`${t.partySize} > 0`),
    check(
      'bookings_status',
      sql`${t.status} IN ('pending','confirmed','rejected','expired','cancelled','checked_in','completed','no_show')`,
    ),
  ],
);

/** Append-only audit: written in the same transaction as the change it records. */
export const bookingEvents = pgTable(
  'booking_events',
  {
    id: id(),
    orgId: orgId(),
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    actorId: uuid('actor_id'),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    /** What a move or change changed, [{ field, from, to }] (migration 0018); empty for status changes. */
    changes: jsonb('changes')
      .$type<{ field: 'spaceId' | 'startAt' | 'endAt' | 'partySize' | 'purpose'; from: string | number | null; to: string | number | null }[]>()
      .notNull()
      .default([]),
    /**
     * The booking's version after this change, set by the database from the booking row (trigger
     * booking_events_version, migration 0007): history is listed in this order. The 0 only satisfies the insert type.
     */
    version: integer('version')
      .notNull()
      .$defaultFn(() => 0),
    /** Stamped by the database clock when the event is written (migration 0007), not when its request began. */
    at: timestamp('at', { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index('booking_events_booking_idx').on(t.bookingId, t.at)],
);

/** A recurrence whose occurrences are materialized as bookings (source 'series'); the rule stays for edits. */
export const bookingSeries = pgTable('booking_series', {
  id: id(),
  orgId: orgId(),
  siteId: uuid('site_id')
    .notNull()
    .references(() => sites.id),
  spaceId: uuid('space_id')
    .notNull()
    .references(() => spaces.id),
  bookerId: uuid('booker_id').references(() => users.id),
  createdById: uuid('created_by_id').references(() => users.id),
  rule: text('rule').notNull(),
  /** Anchored in the site's zone: the local date and wall-clock time of the first occurrence. */
  startLocalDate: date('start_local_date').notNull(),
  startTime: text('start_time').notNull(),
  durationMinutes: integer('duration_minutes').notNull(),
  timezone: text('timezone').notNull(),
  exdates: text('exdates').array().notNull().default(sql`'{}'::text[]`),
  partySize: integer('party_size').notNull().default(1),
  purpose: text('purpose'),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: id(),
    orgId: orgId(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    partySize: integer('party_size').notNull().default(1),
    purpose: text('purpose'),
    /** waiting -> offered | booked | expired | cancelled */
    status: text('status').notNull().default('waiting'),
    bookingId: uuid('booking_id').references(() => bookings.id),
    promotedAt: timestamp('promoted_at', { withTimezone: true }),
    createdAt: createdAt(),
    /**
     * Half-open [start, end) for the exclusion constraint waitlist_one_active_entry (hand-written, migration 0007):
     * one active (waiting or offered) entry per resident, space and instant.
     */
    during: tstzrange('during')
      .notNull()
      .generatedAlwaysAs(sql`tstzrange(start_at, end_at, '[)')`),
  },
  (t) => [
    index('waitlist_space_idx').on(t.spaceId, t.status, t.createdAt),
    check('waitlist_interval', sql`${t.endAt} > ${t.startAt}`),
  ],
);

/** The first successful answer to a create request, replayed for a retry with the same key. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: orgId(),
    userId: uuid('user_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/**
 * Demand the portfolio could not meet: booking requests refused as taken or full, searches that found nothing.
 * Written outside the refused transaction, so unmet demand survives the rollback and can be analysed.
 */
export const demandEvents = pgTable(
  'demand_events',
  {
    id: id(),
    orgId: orgId(),
    siteId: uuid('site_id'),
    spaceId: uuid('space_id'),
    userId: uuid('user_id'),
    /** 'refused_taken' | 'refused_full' | 'search_empty' */
    kind: text('kind').notNull(),
    requestedStart: timestamp('requested_start', { withTimezone: true }),
    requestedEnd: timestamp('requested_end', { withTimezone: true }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('demand_events_org_at_idx').on(t.orgId, t.at)],
);

/** A private calendar feed URL for one resident; rotating it revokes the old one. */
export const calendarTokens = pgTable('calendar_tokens', {
  id: id(),
  orgId: orgId(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdAt: createdAt(),
});

// ---------------------------------------------------------------------------------------------------------------
// Analytics rollup (docs/metrics.md, "How it is computed"). A cache, not a source of truth: every row can be
// recomputed from bookings, sites and closures, so there are no foreign keys and TRUNCATE of tenant data empties it.

/** `xid8`: a transaction id, compared with a stored snapshot to know whether a change is already counted. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/**
 * Occupied minutes of one site on one local date, clipped to its open time, as of `snapshot`: valid while its
 * `fingerprint` (zone, opening hours, closure of that date, spaces' modes and capacities) still matches and no
 * booking change of that site and date was committed outside the snapshot (see usage_changes).
 */
export const siteUsageDaily = pgTable(
  'site_usage_daily',
  {
    orgId: orgId(),
    siteId: uuid('site_id').notNull(),
    localDate: date('local_date').notNull(),
    bookedMinutes: doublePrecision('booked_minutes').notNull(),
    usedMinutes: doublePrecision('used_minutes').notNull(),
    /** Of bookedMinutes, the part held by activity sessions (migration 0013). */
    activityMinutes: doublePrecision('activity_minutes').notNull().default(0),
    fingerprint: text('fingerprint').notNull(),
    /** pg_current_snapshot() of the transaction that computed the row, as text. */
    snapshot: text('snapshot').notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.localDate] })],
);

/**
 * Site-dates whose bookings changed, written by triggers on bookings (migration analytics_rollups) with the writing
 * transaction's id. A rollup row is stale when a change to its site and date is not visible in its snapshot.
 */
export const usageChanges = pgTable(
  'usage_changes',
  {
    orgId: orgId(),
    siteId: uuid('site_id').notNull(),
    localDate: date('local_date').notNull(),
    xid: xid8('xid')
      .notNull()
      .default(sql`pg_current_xact_id()`),
    /** When the marker was written; the sweep drops markers older than any transaction can run (migration 0010). */
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('usage_changes_site_date_idx').on(t.siteId, t.localDate), index('usage_changes_recorded_at_idx').on(t.recordedAt)],
);

/** Rate-limit counters shared by every API process (migration 0009): one row per route, client and window. */
export const rateLimitWindows = pgTable('rate_limit_windows', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
}, (t) => [index('rate_limit_windows_ends_at_idx').on(t.endsAt)]);

// ---------------------------------------------------------------------------------------------------------------
// Activities (migration 0011). A session holds its room through a booking (source 'activity'); registrations are
// claims on the session's places with the claim statuses (packages/domain/src/claims.ts).

export type ActivityAudience =
  | { kind: 'everyone' }
  | { kind: 'home_site'; siteId: string }
  | { kind: 'district'; district: string }
  | { kind: 'age_band'; minAge: number; maxAge: number };

export const activityCategories = pgTable(
  'activity_categories',
  {
    orgId: orgId().references(() => organizations.id),
    slug: text('slug').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.slug] })],
);

export const partnerOrganizations = pgTable('partner_organizations', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  name: text('name').notNull(),
  contact: text('contact'),
  createdAt: createdAt(),
});

export const activities = pgTable(
  'activities',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    title: text('title').notNull(),
    titleEn: text('title_en'),
    description: text('description'),
    descriptionEn: text('description_en'),
    category: text('category').notNull(),
    organizerUserId: uuid('organizer_user_id').references(() => users.id),
    partnerId: uuid('partner_id').references(() => partnerOrganizations.id),
    audience: jsonb('audience').$type<ActivityAudience>().notNull().default({ kind: 'everyone' }),
    places: integer('places').notNull(),
    maxPartySize: integer('max_party_size').notNull().default(1),
    registrationOpensAt: timestamp('registration_opens_at', { withTimezone: true }),
    registrationClosesAt: timestamp('registration_closes_at', { withTimezone: true }),
    cancelCutoffMinutes: integer('cancel_cutoff_minutes').notNull().default(120),
    waitlistMode: text('waitlist_mode').notNull().default('offer'),
    offerHoldMinutes: integer('offer_hold_minutes').notNull().default(120),
    categoryWeeklyLimit: integer('category_weekly_limit'),
    /** draft -> published -> completed; cancelled at any point */
    status: text('status').notNull().default('draft'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('activities_org_status_idx').on(t.orgId, t.status)],
);

export const activitySessions = pgTable(
  'activity_sessions',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    spaceId: uuid('space_id')
      .notNull()
      .references(() => spaces.id),
    /** The booking that holds the room (source 'activity'). */
    bookingId: uuid('booking_id')
      .notNull()
      .references(() => bookings.id),
    seriesId: uuid('series_id').references(() => bookingSeries.id),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    places: integer('places').notNull(),
    /** scheduled | cancelled */
    status: text('status').notNull().default('scheduled'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('activity_sessions_activity_idx').on(t.activityId, t.startAt),
    index('activity_sessions_site_start_idx').on(t.siteId, t.startAt),
    uniqueIndex('activity_sessions_booking_idx').on(t.bookingId),
  ],
);

export const activityRegistrations = pgTable(
  'activity_registrations',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => activitySessions.id),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    partySize: integer('party_size').notNull(),
    /** A claim status: pending (a waitlist offer held), confirmed, checked_in, completed, no_show, cancelled, expired, rejected. */
    status: text('status').notNull(),
    source: text('source').notNull().default('resident'),
    offerExpiresAt: timestamp('offer_expires_at', { withTimezone: true }),
    checkInCode: text('check_in_code').notNull(),
    checkedInAt: timestamp('checked_in_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('activity_registrations_one_per_person')
      .on(t.sessionId, t.userId)
      .where(sql`status IN ('pending', 'confirmed', 'checked_in')`),
    index('activity_registrations_session_idx').on(t.sessionId, t.status),
    index('activity_registrations_user_idx').on(t.userId, t.createdAt),
  ],
);

export const activityWaitlistEntries = pgTable(
  'activity_waitlist_entries',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => activitySessions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    partySize: integer('party_size').notNull(),
    /** waiting -> offered | registered | expired | cancelled */
    status: text('status').notNull().default('waiting'),
    registrationId: uuid('registration_id').references(() => activityRegistrations.id),
    /** Arrival order, taken under the session lock. */
    arrival: bigserial('arrival', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('activity_waitlist_one_active')
      .on(t.sessionId, t.userId)
      .where(sql`status IN ('waiting', 'offered')`),
    index('activity_waitlist_session_idx').on(t.sessionId, t.status, t.arrival),
  ],
);

export const registrationEvents = pgTable(
  'registration_events',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    registrationId: uuid('registration_id')
      .notNull()
      .references(() => activityRegistrations.id),
    actorId: uuid('actor_id'),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('registration_events_registration_idx').on(t.registrationId, t.at)],
);

export const activityChanges = pgTable(
  'activity_changes',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id),
    sessionId: uuid('session_id').references(() => activitySessions.id),
    actorId: uuid('actor_id'),
    kind: text('kind').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('activity_changes_activity_idx').on(t.activityId, t.at)],
);

export const activityFeedback = pgTable(
  'activity_feedback',
  {
    registrationId: uuid('registration_id')
      .primaryKey()
      .references(() => activityRegistrations.id),
    orgId: orgId().references(() => organizations.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => activitySessions.id),
    activityId: uuid('activity_id')
      .notNull()
      .references(() => activities.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [index('activity_feedback_session_idx').on(t.sessionId)],
);

export const activityWalkIns = pgTable('activity_walk_ins', {
  id: id(),
  orgId: orgId().references(() => organizations.id),
  sessionId: uuid('session_id')
    .notNull()
    .references(() => activitySessions.id),
  people: integer('people').notNull(),
  note: text('note'),
  recordedBy: uuid('recorded_by').references(() => users.id),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

// ---- The equipment pool (issue #12, migration 0014) ----

/** How long units take between sites, per organization (defaults when no row). */
export const equipmentSettings = pgTable('equipment_settings', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organizations.id),
  transitBaseMinutes: integer('transit_base_minutes').notNull().default(60),
  transitMinutesPerKm: doublePrecision('transit_minutes_per_km').notNull().default(4),
  updatedAt: updatedAt(),
});

export const equipmentTypes = pgTable(
  'equipment_types',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    key: text('key').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    /** Valuable things are tracked one by one (asset tag); the rest are counted. */
    tracked: boolean('tracked').notNull().default(false),
    maxLoanDays: integer('max_loan_days').notNull().default(14),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('equipment_types_org_id_key_key').on(t.orgId, t.key)],
);

/** A site's counted stock of a type (asset_tag null, one per site and type) or one tracked item (asset_tag set). */
export const equipmentHoldings = pgTable(
  'equipment_holdings',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id),
    typeId: uuid('type_id')
      .notNull()
      .references(() => equipmentTypes.id),
    assetTag: text('asset_tag'),
    serialNumber: text('serial_number'),
    /** Units that can be used or lent; damaged and missing ones are out of the pool until repaired or found. */
    inService: integer('in_service').notNull(),
    damaged: integer('damaged').notNull().default(0),
    missing: integer('missing').notNull().default(0),
    lendable: boolean('lendable').notNull().default(true),
    conditionNote: text('condition_note'),
    notes: text('notes'),
    photoUrl: text('photo_url'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('equipment_holdings_type_idx').on(t.orgId, t.typeId, t.siteId)],
);

export const equipmentLoans = pgTable(
  'equipment_loans',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    typeId: uuid('type_id')
      .notNull()
      .references(() => equipmentTypes.id),
    lenderSiteId: uuid('lender_site_id')
      .notNull()
      .references(() => sites.id),
    borrowerSiteId: uuid('borrower_site_id')
      .notNull()
      .references(() => sites.id),
    /** The parts of one request split across lenders share it. */
    requestId: uuid('request_id').notNull(),
    quantity: integer('quantity').notNull(),
    useStart: timestamp('use_start', { withTimezone: true }).notNull(),
    useEnd: timestamp('use_end', { withTimezone: true }).notNull(),
    /** The lender's units are held over the claim window: the use window plus transit each way. */
    claimStart: timestamp('claim_start', { withTimezone: true }).notNull(),
    claimEnd: timestamp('claim_end', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('requested'),
    bookingId: uuid('booking_id').references(() => bookings.id),
    sessionId: uuid('session_id').references(() => activitySessions.id),
    purpose: text('purpose'),
    requestedBy: uuid('requested_by').references(() => users.id),
    returnedDamaged: integer('returned_damaged').notNull().default(0),
    returnedMissing: integer('returned_missing').notNull().default(0),
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('equipment_loans_lender_idx').on(t.lenderSiteId, t.typeId, t.claimStart),
    index('equipment_loans_type_idx').on(t.typeId, t.claimStart),
    index('equipment_loans_borrower_idx').on(t.borrowerSiteId, t.useStart),
    index('equipment_loans_org_status_idx').on(t.orgId, t.status),
  ],
);

/** Tracked items that went out with a loan (assigned when it is dispatched). */
export const equipmentLoanItems = pgTable(
  'equipment_loan_items',
  {
    loanId: uuid('loan_id')
      .notNull()
      .references(() => equipmentLoans.id),
    holdingId: uuid('holding_id')
      .notNull()
      .references(() => equipmentHoldings.id),
    orgId: orgId().references(() => organizations.id),
  },
  (t) => [primaryKey({ columns: [t.loanId, t.holdingId] }), index('equipment_loan_items_holding_idx').on(t.holdingId)],
);

/** Append-only (trigger in migration 0014): every step of every loan. */
export const equipmentLoanEvents = pgTable(
  'equipment_loan_events',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    loanId: uuid('loan_id')
      .notNull()
      .references(() => equipmentLoans.id),
    actorId: uuid('actor_id').references(() => users.id),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('equipment_loan_events_loan_idx').on(t.loanId, t.at)],
);

/** Append-only: what happened to a holding outside loans (added, counted again, damaged, repaired, lost, found). */
export const equipmentHoldingEvents = pgTable(
  'equipment_holding_events',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    holdingId: uuid('holding_id')
      .notNull()
      .references(() => equipmentHoldings.id),
    actorId: uuid('actor_id').references(() => users.id),
    kind: text('kind').notNull(),
    units: integer('units').notNull(),
    loanId: uuid('loan_id').references(() => equipmentLoans.id),
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('equipment_holding_events_holding_idx').on(t.holdingId, t.at)],
);

/** Requests the pool could not fill, for unmet-demand analytics. */
export const equipmentRefusals = pgTable(
  'equipment_refusals',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    typeId: uuid('type_id')
      .notNull()
      .references(() => equipmentTypes.id),
    borrowerSiteId: uuid('borrower_site_id')
      .notNull()
      .references(() => sites.id),
    quantity: integer('quantity').notNull(),
    shortfall: integer('shortfall').notNull(),
    useStart: timestamp('use_start', { withTimezone: true }).notNull(),
    useEnd: timestamp('use_end', { withTimezone: true }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('equipment_refusals_org_idx').on(t.orgId, t.useStart)],
);

// ---------------------------------------------------------------------------------------------------------------
// Notifications (migration 0016, issue #13). One notification per (event, recipient), written in the transaction of
// the change; one delivery per channel, whose status is the idempotency key the worker updates in one statement.

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    category: text('category').notNull(),
    facts: jsonb('facts').$type<Record<string, unknown>>().notNull(),
    linkPath: text('link_path').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('notifications_recipient_dedupe_key').on(t.recipientId, t.dedupeKey), index('notifications_org_idx').on(t.orgId, t.createdAt)],
);

export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    recipientId: uuid('recipient_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** inbox | email | sms | wechat */
    channel: text('channel').notNull(),
    /** queued | sent | failed | dead | skipped */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    messageId: text('message_id'),
    notBefore: timestamp('not_before', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('notification_deliveries_one_per_channel').on(t.notificationId, t.channel),
    index('notification_deliveries_status_idx').on(t.orgId, t.status, t.channel, t.id),
  ],
);

/** One conversation with a provider; an attempt that never finished is a worker that died mid-send. */
export const notificationAttempts = pgTable(
  'notification_attempts',
  {
    id: id(),
    orgId: orgId().references(() => organizations.id),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    worker: text('worker').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    outcome: text('outcome'),
    error: text('error'),
  },
  (t) => [index('notification_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);

/** A person's choices; no row means the defaults of packages/domain notification-rules.ts. */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  orgId: orgId().references(() => organizations.id),
  timezone: text('timezone'),
  quietStartMinute: integer('quiet_start_minute'),
  quietEndMinute: integer('quiet_end_minute'),
  nightOffersByEmail: boolean('night_offers_by_email').notNull().default(false),
  staffDigest: boolean('staff_digest').notNull().default(false),
  updatedAt: updatedAt(),
});

export const notificationOptOuts = pgTable(
  'notification_opt_outs',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: orgId().references(() => organizations.id),
    category: text('category').notNull(),
    channel: text('channel').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.category, t.channel] })],
);

/** Used unsubscribe links, by token hash: a reused link answers "already" and changes nothing. */
export const notificationUnsubscribes = pgTable('notification_unsubscribes', {
  tokenHash: text('token_hash').primaryKey(),
  orgId: orgId().references(() => organizations.id),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  category: text('category').notNull(),
  channel: text('channel').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull().defaultNow(),
});
