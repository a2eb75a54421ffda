/**
 * The equipment pool (issue #12): types, what each site holds, where units are now, which sites can lend how many
 * over a window, and loans between sites with their steps and history.
 */
import { DAY_MS, LOAN_STATUSES, LOAN_STEP_NAMES, MAX_LOAN_DAYS } from '@linli/domain';
import { z } from 'zod';
import { IsoInstant, Line, PageQuery, Text, boundInstantSpan, pageOf } from './common.ts';

/** Most units one request may ask for: a large festival, not a warehouse. */
export const MAX_LOAN_QUANTITY = 1000;
const Quantity = z.coerce.number().int().min(1).max(MAX_LOAN_QUANTITY);
const Units = z.number().int().min(0).max(100_000);

/** An http(s) address of a photo: shown as an image, so nothing else (no javascript:, no data:). */
export const PhotoUrl = Line({ min: 1, max: 2000 }).refine((value) => /^https?:\/\/[^\s]+$/i.test(value), 'must be an http(s) URL');

// ---- Types ----

export const EquipmentType = z.object({
  id: z.uuid(),
  key: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  /** Tracked one by one (asset tag, QR label) rather than counted. */
  tracked: z.boolean(),
  maxLoanDays: z.number().int(),
  archived: z.boolean(),
});
export type EquipmentType = z.infer<typeof EquipmentType>;

export const CreateEquipmentTypeBody = z.strictObject({
  key: Line({ min: 1, max: 40 }).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'),
  nameZh: Line({ min: 1, max: 60 }),
  nameEn: Line({ min: 1, max: 60 }),
  tracked: z.boolean().default(false),
  maxLoanDays: z.number().int().min(1).max(MAX_LOAN_DAYS).default(14),
});
export type CreateEquipmentTypeBody = z.infer<typeof CreateEquipmentTypeBody>;

export const UpdateEquipmentTypeBody = z.strictObject({
  nameZh: Line({ min: 1, max: 60 }),
  nameEn: Line({ min: 1, max: 60 }),
  maxLoanDays: z.number().int().min(1).max(MAX_LOAN_DAYS),
  archived: z.boolean(),
}).partial();
export type UpdateEquipmentTypeBody = z.infer<typeof UpdateEquipmentTypeBody>;

export const EquipmentTypeList = z.object({ items: z.array(EquipmentType) });

export const EquipmentSettings = z.strictObject({
  /** Handling time for any move between two different sites. */
  transitBaseMinutes: z.number().int().min(0).max(24 * 60),
  /** Travel time per straight-line kilometre. */
  transitMinutesPerKm: z.number().min(0).max(60),
});
export type EquipmentSettings = z.infer<typeof EquipmentSettings>;

// ---- Holdings ----

/**
 * Where a tracked item is now: at its owner, or out with a loan at another site. Counted stock is `stock`: its
 * units are counted, not followed one by one (`outNow` says how many are away).
 */
export const ItemWhereabouts = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stock') }),
  z.object({ kind: z.literal('home') }),
  z.object({ kind: z.literal('out'), loanId: z.uuid(), siteId: z.uuid(), siteName: z.string(), status: z.enum(LOAN_STATUSES) }),
]);

export const Holding = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  siteName: z.string(),
  typeId: z.uuid(),
  typeKey: z.string(),
  typeNameZh: z.string(),
  typeNameEn: z.string(),
  /** Set for a tracked item; null for a site's counted stock. */
  assetTag: z.string().nullable(),
  serialNumber: z.string().nullable(),
  inService: z.number().int(),
  damaged: z.number().int(),
  missing: z.number().int(),
  lendable: z.boolean(),
  conditionNote: z.string().nullable(),
  notes: z.string().nullable(),
  photoUrl: z.string().nullable(),
  /** Units of this holding out on loans right now (dispatched, received or on their way back). */
  outNow: z.number().int(),
  /** Where a tracked item is now (`stock` for counted stock). */
  whereabouts: ItemWhereabouts,
  version: z.number().int(),
});
export type Holding = z.infer<typeof Holding>;

export const CreateHoldingBody = z
  .strictObject({
    siteId: z.uuid(),
    typeId: z.uuid(),
    /** Counted stock: how many units. Leave out for a tracked item (one unit, with `assetTag`). */
    units: Units.min(1).optional(),
    assetTag: Line({ min: 1, max: 64 }).optional(),
    serialNumber: Line({ min: 1, max: 64 }).optional(),
    lendable: z.boolean().default(true),
    conditionNote: Line({ max: 200 }).optional(),
    notes: Text({ max: 1000 }).optional(),
    photoUrl: PhotoUrl.optional(),
  })
  .refine((body) => (body.assetTag === undefined) !== (body.units === undefined), {
    message: 'give units for counted stock, or an assetTag for a tracked item',
    path: ['units'],
  });
export type CreateHoldingBody = z.infer<typeof CreateHoldingBody>;

export const UpdateHoldingBody = z.strictObject({
  serialNumber: Line({ min: 1, max: 64 }).nullable(),
  lendable: z.boolean(),
  conditionNote: Line({ max: 200 }).nullable(),
  notes: Text({ max: 1000 }).nullable(),
  photoUrl: PhotoUrl.nullable(),
}).partial();
export type UpdateHoldingBody = z.infer<typeof UpdateHoldingBody>;

export const HOLDING_ADJUSTMENTS = ['adjusted', 'damaged', 'missing', 'repaired', 'found', 'retired'] as const;
/**
 * A change to a holding outside loans: `adjusted` sets the units in service of counted stock (a recount);
 * `damaged`/`missing` take units out of service, `repaired`/`found` bring them back, `retired` removes damaged or
 * missing units for good.
 */
export const AdjustHoldingBody = z.strictObject({
  kind: z.enum(HOLDING_ADJUSTMENTS),
  units: Units.min(1).max(100_000),
  note: Text({ max: 500 }).optional(),
});
export type AdjustHoldingBody = z.infer<typeof AdjustHoldingBody>;

export const HoldingListQuery = PageQuery.extend({
  siteId: z.uuid().optional(),
  typeId: z.uuid().optional(),
  /** Only tracked items, or only counted stock. */
  tracked: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  q: Line({ max: 64 }).optional(),
});
export type HoldingListQuery = z.infer<typeof HoldingListQuery>;
export const HoldingPage = pageOf(Holding);

/** The pool at a glance: per site and type, what is owned, out of service, lent out and borrowed in right now. */
export const PoolRow = z.object({
  siteId: z.uuid(),
  siteName: z.string(),
  district: z.string(),
  typeId: z.uuid(),
  typeKey: z.string(),
  typeNameZh: z.string(),
  typeNameEn: z.string(),
  inService: z.number().int(),
  lendable: z.number().int(),
  damaged: z.number().int(),
  missing: z.number().int(),
  /** Units of this site's out at other sites now. */
  lentOutNow: z.number().int(),
  /** Units of other sites' here now. */
  borrowedInNow: z.number().int(),
});
export const PoolQuery = z.strictObject({ siteId: z.uuid().optional(), typeId: z.uuid().optional() });
export type PoolQuery = z.infer<typeof PoolQuery>;
export const PoolInventory = z.object({ rows: z.array(PoolRow) });
export type PoolInventory = z.infer<typeof PoolInventory>;

/** A holding's story: added, damaged, repaired, and every loan it went out with, newest first. */
export const HoldingHistoryEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('holding'),
    at: IsoInstant,
    change: z.enum(['added', ...HOLDING_ADJUSTMENTS]),
    units: z.number().int(),
    note: z.string().nullable(),
    actorName: z.string().nullable(),
    loanId: z.uuid().nullable(),
  }),
  z.object({
    kind: z.literal('loan'),
    at: IsoInstant,
    loanId: z.uuid(),
    from: z.enum(LOAN_STATUSES).nullable(),
    to: z.enum(LOAN_STATUSES),
    borrowerSiteName: z.string(),
    actorName: z.string().nullable(),
    reason: z.string().nullable(),
  }),
]);
export const HoldingHistory = z.object({ holding: Holding, entries: z.array(HoldingHistoryEntry) });
export type HoldingHistory = z.infer<typeof HoldingHistory>;

// ---- Availability across the pool ----

/** Longest window a pool question may ask about: the longest loan. */
export const MAX_LOAN_MS = MAX_LOAN_DAYS * DAY_MS;

export const PoolAvailabilityQuery = z
  .strictObject({
    typeId: z.uuid(),
    quantity: Quantity,
    /** The destination: the site that will use the units. */
    siteId: z.uuid(),
    start: IsoInstant,
    end: IsoInstant,
  })
  .superRefine(boundInstantSpan(['start', 'end'], { maxMs: MAX_LOAN_MS, refuseReversed: true }));
export type PoolAvailabilityQuery = z.infer<typeof PoolAvailabilityQuery>;

export const LenderAvailability = z.object({
  siteId: z.uuid(),
  siteName: z.string(),
  district: z.string(),
  /** Straight-line distance to the destination; null when a site has no coordinates. */
  distanceKm: z.number().nullable(),
  /** Transit each way added before and after the window. */
  transitMinutes: z.number().int(),
  /** Units this site can give over the window plus transit. */
  free: z.number().int(),
  claimStart: IsoInstant,
  claimEnd: IsoInstant,
});
export type LenderAvailability = z.infer<typeof LenderAvailability>;

export const PoolAvailability = z.object({
  typeId: z.uuid(),
  quantity: z.number().int(),
  siteId: z.uuid(),
  start: IsoInstant,
  end: IsoInstant,
  /** Sites that could lend at least one unit, nearest first (the destination itself first when it owns some). */
  lenders: z.array(LenderAvailability),
  totalFree: z.number().int(),
  /** Units nobody can lend over the window (0 when the request can be met). */
  shortfall: z.number().int(),
  /** How a request would be split, nearest first. */
  suggestedSplit: z.array(z.object({ siteId: z.uuid(), quantity: z.number().int() })),
});
export type PoolAvailability = z.infer<typeof PoolAvailability>;

// ---- Loans ----

export const LoanPart = z.strictObject({ siteId: z.uuid(), quantity: Quantity });

export const CreateLoanBody = z
  .strictObject({
    typeId: z.uuid(),
    quantity: Quantity,
    /** The site that will use the units. */
    borrowerSiteId: z.uuid(),
    start: IsoInstant,
    end: IsoInstant,
    purpose: Line({ max: 200 }).optional(),
    /** Which sites lend how many; left out, the nearest sites with free units are asked, nearest first. */
    lenders: z.array(LoanPart).min(1).max(20).optional(),
    /** The booking or activity session (at the borrowing site) the units are for: the loan follows its changes. */
    bookingId: z.uuid().optional(),
    sessionId: z.uuid().optional(),
  })
  .refine((body) => !(body.bookingId && body.sessionId), { message: 'name a booking or a session, not both', path: ['sessionId'] })
  .superRefine(boundInstantSpan(['start', 'end'], { maxMs: MAX_LOAN_MS, refuseReversed: false }))
  .refine((body) => !body.lenders || body.lenders.reduce((sum, part) => sum + part.quantity, 0) === body.quantity, {
    message: 'the lenders\' quantities must add up to quantity',
    path: ['lenders'],
  })
  .refine((body) => !body.lenders || new Set(body.lenders.map((part) => part.siteId)).size === body.lenders.length, {
    message: 'name each lending site once',
    path: ['lenders'],
  });
export type CreateLoanBody = z.infer<typeof CreateLoanBody>;

export const LoanItem = z.object({ holdingId: z.uuid(), assetTag: z.string() });

export const Loan = z.object({
  id: z.uuid(),
  requestId: z.uuid(),
  typeId: z.uuid(),
  typeKey: z.string(),
  typeNameZh: z.string(),
  typeNameEn: z.string(),
  tracked: z.boolean(),
  lenderSiteId: z.uuid(),
  lenderSiteName: z.string(),
  borrowerSiteId: z.uuid(),
  borrowerSiteName: z.string(),
  quantity: z.number().int(),
  /** The borrower's use window. */
  start: IsoInstant,
  end: IsoInstant,
  /** The lender's units are held over this window (use plus transit each way). */
  claimStart: IsoInstant,
  claimEnd: IsoInstant,
  status: z.enum(LOAN_STATUSES),
  bookingId: z.uuid().nullable(),
  sessionId: z.uuid().nullable(),
  purpose: z.string().nullable(),
  /** The units are still out after the claim window ended. */
  overdue: z.boolean(),
  returnedDamaged: z.number().int(),
  returnedMissing: z.number().int(),
  items: z.array(LoanItem),
  version: z.number().int(),
  createdAt: IsoInstant,
});
export type Loan = z.infer<typeof Loan>;

export const LoanRequestResponse = z.object({ requestId: z.uuid(), loans: z.array(Loan) });
export type LoanRequestResponse = z.infer<typeof LoanRequestResponse>;

export const LoanStepParams = z.strictObject({ id: z.uuid(), step: z.enum(LOAN_STEP_NAMES) });
export type LoanStepParams = z.infer<typeof LoanStepParams>;

/**
 * The body of a loan step. `itemIds`: dispatch of a tracked type names the items that go (as many as the loan's
 * quantity). `damaged`/`missing`: return (the borrower's report) and check (the lender's count, which takes the
 * units out of the pool) count units that came back broken or did not come back; for a tracked type, name the
 * items instead with `damagedItemIds`/`missingItemIds`.
 */
export const LoanStepBody = z.strictObject({
  reason: Text({ max: 500 }).optional(),
  itemIds: z.array(z.uuid()).max(MAX_LOAN_QUANTITY).optional(),
  damaged: z.number().int().min(0).max(MAX_LOAN_QUANTITY).optional(),
  missing: z.number().int().min(0).max(MAX_LOAN_QUANTITY).optional(),
  damagedItemIds: z.array(z.uuid()).max(MAX_LOAN_QUANTITY).optional(),
  missingItemIds: z.array(z.uuid()).max(MAX_LOAN_QUANTITY).optional(),
});
export type LoanStepBody = z.infer<typeof LoanStepBody>;

export const LOAN_SIDES = ['lending', 'borrowing', 'all'] as const;

export const LoanListQuery = PageQuery.extend({
  /** Loans my sites lend, borrow, or both. */
  side: z.enum(LOAN_SIDES).default('all'),
  siteId: z.uuid().optional(),
  typeId: z.uuid().optional(),
  status: z.enum(LOAN_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  bookingId: z.uuid().optional(),
  sessionId: z.uuid().optional(),
  /** Loans whose use window overlaps [from, to). */
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
}).superRefine(boundInstantSpan(['from', 'to'], { maxMs: 366 * DAY_MS, refuseReversed: true }));
export type LoanListQuery = z.infer<typeof LoanListQuery>;
export const LoanPage = pageOf(Loan);

export const LoanEvent = z.object({
  id: z.uuid(),
  at: IsoInstant,
  from: z.enum(LOAN_STATUSES).nullable(),
  to: z.enum(LOAN_STATUSES),
  actorName: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export const LoanDetail = z.object({ loan: Loan, events: z.array(LoanEvent) });
export type LoanDetail = z.infer<typeof LoanDetail>;

/** Equipment a booking or an activity session asks for with its room. */
export const EquipmentNeed = z.strictObject({ typeId: z.uuid(), quantity: Quantity });
export type EquipmentNeed = z.infer<typeof EquipmentNeed>;
export const EquipmentNeeds = z.array(EquipmentNeed).max(10).refine((needs) => new Set(needs.map((n) => n.typeId)).size === needs.length, 'name each type once');

/** What the pool can do for one need over a window: the booking check reports this. */
export const EquipmentNeedStanding = z.object({
  typeId: z.uuid(),
  quantity: z.number().int(),
  totalFree: z.number().int(),
  shortfall: z.number().int(),
  lenders: z.array(LenderAvailability),
});
export type EquipmentNeedStanding = z.infer<typeof EquipmentNeedStanding>;
