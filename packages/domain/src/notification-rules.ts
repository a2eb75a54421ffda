/**
 * Who hears what, where and when: message kinds and their categories, which channels a message goes to for a
 * person's choices, and quiet hours in the person's zone. Pure: the outbox (apps/api modules/outbox) reads the
 * person's choices and asks these functions; nothing here does I/O.
 */
import { addDaysToLocalDate, type InstantRange, localDateOf, localTimeToInstant } from './time.ts';

/** Where a message can go. inbox and email are built in; sms and wechat need a provider adapter (docs/notifications.md). */
export const DELIVERY_CHANNELS = ['inbox', 'email', 'sms', 'wechat'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** What a person turns on and off, per channel. */
export const NOTIFICATION_CATEGORIES = ['booking', 'activity', 'reminder', 'feedback', 'equipment', 'staff_request', 'digest'] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

/**
 * Transactional messages that cannot be turned off in the app: they are the person's record of what happened to
 * their booking or place (confirmed, rejected, cancelled by staff, moved, offered). Email for them can be.
 */
export const LOCKED_IN_APP_CATEGORIES: readonly NotificationCategory[] = ['booking', 'activity'];

/**
 * How quiet hours treat a kind. `now`: in the app at once, by email after quiet hours. `offer`: a waitlist offer
 * that expires, in the app at once and by email at night only if the person allows it. `reminder`: scheduled
 * ahead, moved earlier out of quiet hours when scheduled (reminderTime).
 */
export type NotificationTiming = 'now' | 'offer' | 'reminder';

export const NOTIFICATION_KINDS = {
  'booking.confirmed': { category: 'booking', timing: 'now' },
  'booking.approved': { category: 'booking', timing: 'now' },
  'booking.rejected': { category: 'booking', timing: 'now' },
  'booking.cancelled_by_staff': { category: 'booking', timing: 'now' },
  'booking.moved': { category: 'booking', timing: 'now' },
  'booking.waitlist_offer': { category: 'booking', timing: 'offer' },
  'booking.promoted': { category: 'booking', timing: 'now' },
  'booking.no_show': { category: 'booking', timing: 'now' },
  'booking.check_in_open': { category: 'reminder', timing: 'reminder' },
  'booking.reminder': { category: 'reminder', timing: 'reminder' },
  'activity.registered': { category: 'activity', timing: 'now' },
  'activity.waitlisted': { category: 'activity', timing: 'now' },
  'activity.promoted': { category: 'activity', timing: 'offer' },
  'activity.session_changed': { category: 'activity', timing: 'now' },
  'activity.session_cancelled': { category: 'activity', timing: 'now' },
  'activity.reminder': { category: 'reminder', timing: 'reminder' },
  'activity.feedback_request': { category: 'feedback', timing: 'now' },
  'loan.requested': { category: 'equipment', timing: 'now' },
  'loan.approved': { category: 'equipment', timing: 'now' },
  'loan.dispatched': { category: 'equipment', timing: 'now' },
  'loan.overdue': { category: 'equipment', timing: 'now' },
  'staff.approval_request': { category: 'staff_request', timing: 'now' },
  'staff.loan_request': { category: 'staff_request', timing: 'now' },
  'staff.daily_digest': { category: 'digest', timing: 'now' },
} as const satisfies Record<string, { category: NotificationCategory; timing: NotificationTiming }>;
export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

export const categoryOf = (kind: NotificationKind): NotificationCategory => NOTIFICATION_KINDS[kind].category;

export function isLockedInApp(category: NotificationCategory, channel: DeliveryChannel): boolean {
  return channel === 'inbox' && LOCKED_IN_APP_CATEGORIES.includes(category);
}

/** Local minutes after midnight, [start, end); start > end spans midnight (22:00-08:00). */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}
/** What a person has until they choose otherwise: no email between 22:00 and 08:00 their time. */
export const DEFAULT_QUIET_HOURS: QuietHours = { startMinute: 22 * 60, endMinute: 8 * 60 };

/** A person's choices, as the planner needs them. */
export interface RecipientChoices {
  /** Channels the person can be reached on at all (the inbox always; email when they have an address). */
  reachableOn: ReadonlySet<DeliveryChannel>;
  /** `${category}:${channel}` pairs turned off. */
  optOuts: ReadonlySet<string>;
  quietHours: QuietHours | null;
  /** The person's IANA zone, in which quiet hours are read. */
  zone: string;
  nightOffersByEmail: boolean;
  /** Staff who take one daily digest instead of an email per request. */
  staffDigest: boolean;
}

export const optOutKey = (category: NotificationCategory, channel: DeliveryChannel) => `${category}:${channel}`;

export interface PlannedDelivery {
  channel: DeliveryChannel;
  /** Epoch ms before which it is not sent (quiet hours); `now` when it goes at once. */
  notBefore: number;
}

export interface DeliveryPlanInput {
  kind: NotificationKind;
  now: number;
  /** After this instant the message is worth nothing (an offer's expiry, the start of what it reminds of). */
  useBy?: number | null;
}

/**
 * The channels a message goes to and when. The inbox gets everything at once (it makes no noise) unless turned
 * off, which transactional categories cannot be; other channels respect opt-outs, the staff digest and quiet
 * hours, and are dropped when quiet hours would hold them past the point the message is useful.
 */
export function planDeliveries(input: DeliveryPlanInput, choices: RecipientChoices, channels: readonly DeliveryChannel[]): PlannedDelivery[] {
  const { category, timing } = NOTIFICATION_KINDS[input.kind];
  const planned: PlannedDelivery[] = [];
  for (const channel of channels) {
    if (!choices.reachableOn.has(channel)) continue;
    if (choices.optOuts.has(optOutKey(category, channel)) && !isLockedInApp(category, channel)) continue;
    if (category === 'digest' && !choices.staffDigest) continue;
    if (channel === 'inbox') {
      planned.push({ channel, notBefore: input.now });
      continue;
    }
    if (category === 'staff_request' && choices.staffDigest) continue;
    const quiet = choices.quietHours ? quietPeriodAt(input.now, choices.quietHours, choices.zone) : null;
    if (!quiet || (timing === 'offer' && choices.nightOffersByEmail)) {
      planned.push({ channel, notBefore: input.now });
      continue;
    }
    if (input.useBy != null && quiet.end >= input.useBy) continue;
    planned.push({ channel, notBefore: quiet.end });
  }
  return planned;
}

/**
 * When a reminder meant for `at` should go out: at `at`, or, when that falls in the person's quiet hours, just
 * before they begin. If that moment has already passed, after quiet hours if still before `useBy` (the start of
 * what it reminds of); otherwise null, no reminder.
 */
export function reminderTime(at: number, now: number, choices: Pick<RecipientChoices, 'quietHours' | 'zone'>, useBy: number | null): number | null {
  const quiet = choices.quietHours ? quietPeriodAt(at, choices.quietHours, choices.zone) : null;
  if (!quiet) return at;
  const earlier = quiet.start - REMINDER_LEAD_BEFORE_QUIET_MS;
  if (earlier >= now) return earlier;
  if (useBy === null || quiet.end < useBy) return Math.max(quiet.end, now);
  return null;
}
/** A reminder moved out of quiet hours goes this long before they begin (21:59 for 22:00). */
const REMINDER_LEAD_BEFORE_QUIET_MS = 60_000;

/**
 * The quiet period [start, end) containing `instant` in `zone`, or null when it is outside quiet hours. Read on
 * the local wall clock, so a 22:00-08:00 night is 9 or 11 hours long across a DST change.
 */
export function quietPeriodAt(instant: number, quiet: QuietHours, zone: string): InstantRange | null {
  if (quiet.startMinute === quiet.endMinute) return null;
  const overnight = quiet.startMinute > quiet.endMinute;
  const today = localDateOf(instant, zone);
  // The period containing the instant began today or, for a night spanning midnight, yesterday.
  for (const startDate of [addDaysToLocalDate(today, -1), today]) {
    const start = localTimeToInstant(startDate, quiet.startMinute, zone);
    const end = localTimeToInstant(overnight ? addDaysToLocalDate(startDate, 1) : startDate, quiet.endMinute, zone);
    if (start <= instant && instant < end) return { start, end };
  }
  return null;
}

/** "HH:mm" of local minutes after midnight. */
export function clockTimeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
