/**
 * Every message kind in zh-CN and en: a subject, the facts a person needs (what, where with the site's address,
 * when in the site's local time, what to do and by when) and a deep link into the app. Copy is written with
 * {placeholders}; a placeholder the kind's `vars` do not provide is a type error (Checked below), and a test
 * renders every kind in both languages with fixture data and fails on anything left unfilled.
 */
import { DateTime } from 'luxon';
import { type NotificationCategory, type NotificationKind, categoryOf } from './notification-rules.ts';
import { zoneOf } from './time.ts';

export const NOTIFICATION_LOCALES = ['zh-CN', 'en'] as const;
export type NotificationLocale = (typeof NOTIFICATION_LOCALES)[number];

/** The person's language if we write in it, else the organization's default (zh-CN unless set). */
export function notificationLocaleOf(userLocale: string | null | undefined, orgDefault: NotificationLocale = 'zh-CN'): NotificationLocale {
  if (userLocale?.toLowerCase().startsWith('en')) return 'en';
  if (userLocale?.toLowerCase().startsWith('zh')) return 'zh-CN';
  return orgDefault;
}

// ---- facts: what the change path records with each kind (instants as ISO strings, as stored in jsonb) ----------

export interface PlaceFacts {
  siteName: string;
  siteAddress: string | null;
  /** The site's IANA zone: times are shown on its wall clock. */
  siteZone: string;
  spaceName: string;
}
export interface SpanFacts {
  startAt: string;
  endAt: string;
}
export interface BookingFacts extends PlaceFacts, SpanFacts {
  bookingId: string;
}
export interface RegistrationFacts extends PlaceFacts, SpanFacts {
  registrationId: string;
  sessionId: string;
  activityTitle: string;
}
export interface LoanFacts {
  loanId: string;
  equipmentName: string;
  quantity: number;
  lenderSiteName: string;
  borrowerSiteName: string;
  /** The borrowing site's zone. */
  siteZone: string;
  useStartAt: string;
  useEndAt: string;
}

/** The facts of each kind; an intent for a kind must carry exactly these (apps/api modules/outbox intents). */
export interface NotificationFacts {
  'booking.confirmed': BookingFacts & { cancelUntil: string | null };
  'booking.approved': BookingFacts & { cancelUntil: string | null };
  'booking.rejected': BookingFacts & { reason: string | null };
  'booking.cancelled_by_staff': BookingFacts & { reason: string | null };
  'booking.moved': BookingFacts & { previousSpaceName: string; previousStartAt: string; previousEndAt: string };
  'booking.waitlist_offer': BookingFacts & { offerExpiresAt: string };
  'booking.promoted': BookingFacts & { cancelUntil: string | null };
  'booking.no_show': BookingFacts;
  'booking.check_in_open': BookingFacts & { checkInUntil: string };
  'booking.reminder': BookingFacts & { checkInFrom: string | null; cancelUntil: string | null };
  'activity.registered': RegistrationFacts & { partySize: number; cancelUntil: string | null };
  'activity.waitlisted': RegistrationFacts & { position: number | null };
  'activity.promoted': RegistrationFacts & { offerExpiresAt: string | null };
  'activity.session_changed': RegistrationFacts & { previousStartAt: string; previousEndAt: string };
  'activity.session_cancelled': RegistrationFacts & { reason: string | null };
  'activity.reminder': RegistrationFacts;
  'activity.feedback_request': RegistrationFacts;
  'loan.requested': LoanFacts;
  'loan.approved': LoanFacts;
  'loan.dispatched': LoanFacts;
  'loan.overdue': LoanFacts;
  'staff.approval_request': BookingFacts & { requesterName: string };
  'staff.loan_request': LoanFacts & { requesterName: string };
  'staff.daily_digest': {
    /** The local date the digest is for. */
    date: string;
    siteNames: string[];
    pendingApprovals: number;
    pendingLoanRequests: number;
    bookingsToday: number;
    sessionsToday: number;
    /** Approved loans the reader's sites must send out by the end of the day. */
    loansToDispatch?: number;
    /** Units coming to the reader's sites: sent to them, or returned to them to be checked. */
    loansToReceive?: number;
    /** Loans of the reader's sites whose units are still out after their claim window. */
    overdueLoans?: number;
  };
}

// ---- formatting in the reader's language, times on the site's wall clock -------------------------------------

export interface Formatter {
  locale: NotificationLocale;
  /** A span like "2027年3月1日（周一）10:00–12:00" / "Mon 1 Mar 2027, 10:00–12:00". */
  when(startIso: string, endIso: string, zone: string): string;
  /** One instant, like "2027年3月1日（周一）10:00" / "Mon 1 Mar 2027, 10:00". */
  at(iso: string, zone: string): string;
  /** The site's name and address. */
  place(facts: Pick<PlaceFacts, 'siteName' | 'siteAddress'>): string;
  /** A local date, like "2027年3月1日（周一）" / "Mon 1 Mar 2027". */
  date(localDate: string): string;
  /** A literal in the reader's language. */
  pick(zh: string, en: string): string;
  list(items: readonly string[]): string;
}

const FORMATS = {
  'zh-CN': { date: "yyyy'年'M'月'd'日（'ccc'）'", time: 'HH:mm', dateTimeJoin: '' },
  en: { date: 'ccc d LLL yyyy', time: 'HH:mm', dateTimeJoin: ', ' },
} as const satisfies Record<NotificationLocale, { date: string; time: string; dateTimeJoin: string }>;

export function formatterFor(locale: NotificationLocale, readerZone: string): Formatter {
  const f = FORMATS[locale];
  const luxonLocale = locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
  const local = (iso: string, zone: string) => {
    const value = DateTime.fromISO(iso, { zone: zoneOf(zone) }).setLocale(luxonLocale);
    if (!value.isValid) throw new Error(`not an instant: ${iso} in ${zone}`);
    return value;
  };
  // A reader elsewhere is told whose clock the time is on.
  const zoneNote = (zone: string) => (zone === readerZone ? '' : ` (${zone})`);
  return {
    locale,
    when(startIso, endIso, zone) {
      const start = local(startIso, zone);
      const end = local(endIso, zone);
      const endText = start.hasSame(end, 'day') ? end.toFormat(f.time) : `${end.toFormat(f.date)}${f.dateTimeJoin}${end.toFormat(f.time)}`;
      return `${start.toFormat(f.date)}${f.dateTimeJoin}${start.toFormat(f.time)}–${endText}${zoneNote(zone)}`;
    },
    at(iso, zone) {
      const value = local(iso, zone);
      return `${value.toFormat(f.date)}${f.dateTimeJoin}${value.toFormat(f.time)}${zoneNote(zone)}`;
    },
    place({ siteName, siteAddress }) {
      if (!siteAddress) return siteName;
      return locale === 'zh-CN' ? `${siteName}（${siteAddress}）` : `${siteName}, ${siteAddress}`;
    },
    date(localDate) {
      return local(`${localDate}T12:00:00Z`, 'UTC').toFormat(f.date);
    },
    pick: (zh, en) => (locale === 'zh-CN' ? zh : en),
    list: (items) => items.join(locale === 'zh-CN' ? '、' : ', '),
  };
}

// ---- copy, checked against each kind's vars -------------------------------------------------------------------

/** Values for placeholders; a line holding a null value is left out (e.g. no cancellation deadline). */
type Vars = Record<string, string | null>;
interface Copy {
  subject: string;
  lines: readonly string[];
  /** The label of the deep link. */
  action: string;
}
type Placeholders<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
type CopyPlaceholders<C extends Copy> = Placeholders<C['subject']> | Placeholders<C['action']> | Placeholders<C['lines'][number]>;
/** The copy itself when every placeholder has a value, else a type naming the unknown ones. */
type Checked<C extends Copy, V> = [Exclude<CopyPlaceholders<C>, keyof V>] extends [never] ? C : { unknownPlaceholders: Exclude<CopyPlaceholders<C>, keyof V> };

interface TemplateSpec<F, V extends Vars, Z extends Copy, E extends Copy> {
  /** The app path the message links to. */
  link: (facts: F) => string;
  vars: (facts: F, fmt: Formatter) => V;
  'zh-CN': Checked<Z, V>;
  en: Checked<E, V>;
}
interface Template<F> {
  link: (facts: F) => string;
  vars: (facts: F, fmt: Formatter) => Vars;
  copy: Record<NotificationLocale, Copy>;
}

function template<F, V extends Vars, const Z extends Copy, const E extends Copy>(spec: TemplateSpec<F, V, Z, E>): Template<F> {
  return { link: spec.link, vars: spec.vars, copy: { 'zh-CN': spec['zh-CN'] as Copy, en: spec.en as Copy } };
}

const bookingLink = (f: BookingFacts) => `/my-bookings?booking=${f.bookingId}`;
const registrationLink = (f: RegistrationFacts) => `/activities?registration=${f.registrationId}`;
const loanLink = (f: LoanFacts) => `/equipment/loans/${f.loanId}`;

const bookingVars = (f: BookingFacts, fmt: Formatter) => ({ space: f.spaceName, place: fmt.place(f), when: fmt.when(f.startAt, f.endAt, f.siteZone) });
const registrationVars = (f: RegistrationFacts, fmt: Formatter) => ({
  activity: f.activityTitle,
  space: f.spaceName,
  place: fmt.place(f),
  when: fmt.when(f.startAt, f.endAt, f.siteZone),
});
const loanVars = (f: LoanFacts, fmt: Formatter) => ({
  equipment: f.equipmentName,
  quantity: String(f.quantity),
  lender: f.lenderSiteName,
  borrower: f.borrowerSiteName,
  when: fmt.when(f.useStartAt, f.useEndAt, f.siteZone),
});
const optionalAt = (iso: string | null, zone: string, fmt: Formatter) => (iso ? fmt.at(iso, zone) : null);
const reasonOf = (reason: string | null, fmt: Formatter) => reason ?? fmt.pick('未说明', 'not given');

const TEMPLATES: { [K in NotificationKind]: Template<NotificationFacts[K]> } = {
  'booking.confirmed': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.confirmed'], fmt) => ({ ...bookingVars(f, fmt), cancelUntil: optionalAt(f.cancelUntil, f.siteZone, fmt) }),
    'zh-CN': { subject: '预约已确认：{space}', lines: ['您预约的{space}已确认。', '地点：{place}', '时间：{when}', '如需取消，请在{cancelUntil}前操作。'], action: '查看预约' },
    en: { subject: 'Booking confirmed: {space}', lines: ['Your booking of {space} is confirmed.', 'Where: {place}', 'When: {when}', 'Cancel by {cancelUntil} if your plans change.'], action: 'View booking' },
  }),
  'booking.approved': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.approved'], fmt) => ({ ...bookingVars(f, fmt), cancelUntil: optionalAt(f.cancelUntil, f.siteZone, fmt) }),
    'zh-CN': { subject: '预约已通过审核：{space}', lines: ['工作人员已通过您对{space}的预约申请。', '地点：{place}', '时间：{when}', '如需取消，请在{cancelUntil}前操作。'], action: '查看预约' },
    en: { subject: 'Booking approved: {space}', lines: ['Staff approved your request for {space}.', 'Where: {place}', 'When: {when}', 'Cancel by {cancelUntil} if your plans change.'], action: 'View booking' },
  }),
  'booking.rejected': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.rejected'], fmt) => ({ ...bookingVars(f, fmt), reason: reasonOf(f.reason, fmt) }),
    'zh-CN': { subject: '预约未通过：{space}', lines: ['很抱歉，您对{space}的预约申请未通过。', '地点：{place}', '时间：{when}', '原因：{reason}'], action: '查看详情' },
    en: { subject: 'Booking not approved: {space}', lines: ['Sorry, your request for {space} was not approved.', 'Where: {place}', 'When: {when}', 'Reason: {reason}'], action: 'View details' },
  }),
  'booking.cancelled_by_staff': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.cancelled_by_staff'], fmt) => ({ ...bookingVars(f, fmt), reason: reasonOf(f.reason, fmt) }),
    'zh-CN': { subject: '预约已被工作人员取消：{space}', lines: ['工作人员取消了您的{space}预约，请勿前往。', '地点：{place}', '时间：{when}', '原因：{reason}'], action: '查看详情' },
    en: { subject: 'Booking cancelled by staff: {space}', lines: ['Staff cancelled your booking of {space}; please do not go.', 'Where: {place}', 'When: {when}', 'Reason: {reason}'], action: 'View details' },
  }),
  'booking.moved': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.moved'], fmt) => ({
      ...bookingVars(f, fmt),
      previousSpace: f.previousSpaceName,
      previousWhen: fmt.when(f.previousStartAt, f.previousEndAt, f.siteZone),
    }),
    'zh-CN': { subject: '预约已调整：{space}，{when}', lines: ['您的预约已调整，请按新的安排前往。', '现为：{space}，{when}', '地点：{place}', '原为：{previousSpace}，{previousWhen}'], action: '查看预约' },
    en: { subject: 'Booking moved: {space}, {when}', lines: ['Your booking has been moved; please go at the new time and place.', 'Now: {space}, {when}', 'Where: {place}', 'Was: {previousSpace}, {previousWhen}'], action: 'View booking' },
  }),
  'booking.waitlist_offer': template({
    link: (f) => `/my-bookings?offer=${f.bookingId}`,
    vars: (f: NotificationFacts['booking.waitlist_offer'], fmt) => ({ ...bookingVars(f, fmt), acceptBy: fmt.at(f.offerExpiresAt, f.siteZone) }),
    'zh-CN': { subject: '候补名额：{space}，请在{acceptBy}前确认', lines: ['您候补的{space}有空位了，名额为您保留至{acceptBy}。', '地点：{place}', '时间：{when}', '逾期未确认，名额将让给下一位候补者。'], action: '接受名额' },
    en: { subject: 'A place for you: {space}, accept by {acceptBy}', lines: ['A place in {space} you waited for is free and held for you until {acceptBy}.', 'Where: {place}', 'When: {when}', 'If you do not accept by then, it goes to the next person waiting.'], action: 'Accept the place' },
  }),
  'booking.promoted': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.promoted'], fmt) => ({ ...bookingVars(f, fmt), cancelUntil: optionalAt(f.cancelUntil, f.siteZone, fmt) }),
    'zh-CN': { subject: '候补成功：{space}', lines: ['有空位了，您的候补已自动转为正式预约。', '地点：{place}', '时间：{when}', '如需取消，请在{cancelUntil}前操作。'], action: '查看预约' },
    en: { subject: 'Off the waitlist: {space}', lines: ['A place came free and your waitlist entry is now a booking.', 'Where: {place}', 'When: {when}', 'Cancel by {cancelUntil} if your plans change.'], action: 'View booking' },
  }),
  'booking.no_show': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.no_show'], fmt) => bookingVars(f, fmt),
    'zh-CN': { subject: '已记录未到场：{space}', lines: ['您预约的{space}在签到时间内未签到，已记录为未到场，空间已释放。', '地点：{place}', '时间：{when}', '如有误，请联系站点工作人员。'], action: '查看预约' },
    en: { subject: 'Marked as no-show: {space}', lines: ['You did not check in for {space} in time, so the booking was marked as a no-show and the space released.', 'Where: {place}', 'When: {when}', 'If this is wrong, please contact the site staff.'], action: 'View booking' },
  }),
  'booking.check_in_open': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.check_in_open'], fmt) => ({ ...bookingVars(f, fmt), checkInUntil: fmt.at(f.checkInUntil, f.siteZone) }),
    'zh-CN': { subject: '现在可以签到：{space}', lines: ['您的预约即将开始，现在可以签到。', '地点：{place}', '时间：{when}', '请在{checkInUntil}前签到，否则空间将被释放。'], action: '去签到' },
    en: { subject: 'Check-in is open: {space}', lines: ['Your booking starts soon and check-in is open.', 'Where: {place}', 'When: {when}', 'Check in by {checkInUntil} or the space is released.'], action: 'Check in' },
  }),
  'booking.reminder': template({
    link: bookingLink,
    vars: (f: NotificationFacts['booking.reminder'], fmt) => ({
      ...bookingVars(f, fmt),
      checkInFrom: optionalAt(f.checkInFrom, f.siteZone, fmt),
      cancelUntil: optionalAt(f.cancelUntil, f.siteZone, fmt),
    }),
    'zh-CN': { subject: '预约提醒：{space}，{when}', lines: ['提醒您即将到来的预约。', '地点：{place}', '时间：{when}', '可于{checkInFrom}起签到。', '如需取消，请在{cancelUntil}前操作。'], action: '查看预约' },
    en: { subject: 'Reminder: {space}, {when}', lines: ['A reminder of your upcoming booking.', 'Where: {place}', 'When: {when}', 'Check-in opens at {checkInFrom}.', 'Cancel by {cancelUntil} if you cannot come.'], action: 'View booking' },
  }),
  'activity.registered': template({
    link: registrationLink,
    vars: (f: NotificationFacts['activity.registered'], fmt) => ({
      ...registrationVars(f, fmt),
      party: String(f.partySize),
      cancelUntil: optionalAt(f.cancelUntil, f.siteZone, fmt),
    }),
    'zh-CN': { subject: '报名成功：{activity}', lines: ['您已报名{activity}，共{party}人。', '地点：{place}，{space}', '时间：{when}', '如需取消，请在{cancelUntil}前操作。'], action: '查看报名' },
    en: { subject: 'Registered: {activity}', lines: ['You are registered for {activity}, party of {party}.', 'Where: {place}, {space}', 'When: {when}', 'Cancel by {cancelUntil} if you cannot come.'], action: 'View registration' },
  }),
  'activity.waitlisted': template({
    link: registrationLink,
    vars: (f: NotificationFacts['activity.waitlisted'], fmt) => ({ ...registrationVars(f, fmt), position: f.position === null ? null : String(f.position) }),
    'zh-CN': { subject: '已加入候补：{activity}', lines: ['{activity}名额已满，您已加入候补名单。', '您目前排在第{position}位。', '地点：{place}，{space}', '时间：{when}', '有名额时我们会通知您。'], action: '查看报名' },
    en: { subject: 'On the waitlist: {activity}', lines: ['{activity} is full and you are on its waitlist.', 'You are number {position} in line.', 'Where: {place}, {space}', 'When: {when}', 'We will tell you when a place comes free.'], action: 'View registration' },
  }),
  'activity.promoted': template({
    link: registrationLink,
    vars: (f: NotificationFacts['activity.promoted'], fmt) => ({
      ...registrationVars(f, fmt),
      acceptBy: optionalAt(f.offerExpiresAt, f.siteZone, fmt),
      autoRegistered: f.offerExpiresAt ? null : fmt.pick('您已自动转为正式报名，无需操作。', 'You are now registered; nothing else to do.'),
    }),
    'zh-CN': { subject: '候补名额：{activity}', lines: ['{activity}有空位了。', '名额为您保留至{acceptBy}，请及时确认。', '{autoRegistered}', '地点：{place}，{space}', '时间：{when}'], action: '查看报名' },
    en: { subject: 'A place for you: {activity}', lines: ['A place came free in {activity}.', 'It is held for you until {acceptBy}; accept it before then.', '{autoRegistered}', 'Where: {place}, {space}', 'When: {when}'], action: 'View registration' },
  }),
  'activity.session_changed': template({
    link: registrationLink,
    vars: (f: NotificationFacts['activity.session_changed'], fmt) => ({ ...registrationVars(f, fmt), previousWhen: fmt.when(f.previousStartAt, f.previousEndAt, f.siteZone) }),
    'zh-CN': { subject: '活动安排有变：{activity}', lines: ['{activity}的场次已调整，请按新安排参加。', '现为：{when}', '地点：{place}，{space}', '原为：{previousWhen}'], action: '查看报名' },
    en: { subject: 'Session changed: {activity}', lines: ['The session of {activity} you registered for has changed.', 'Now: {when}', 'Where: {place}, {space}', 'Was: {previousWhen}'], action: 'View registration' },
  }),
  'activity.session_cancelled': template({
    link: registrationLink,
    vars: (f: NotificationFacts['activity.session_cancelled'], fmt) => ({ ...registrationVars(f, fmt), reason: reasonOf(f.reason, fmt) }),
    'zh-CN': { subject: '活动已取消：{activity}', lines: ['很抱歉，{activity}在{when}的场次已取消，请勿前往。', '地点：{place}，{space}', '原因：{reason}'], action: '查看报名' },
    en: { subject: 'Session cancelled: {activity}', lines: ['Sorry, the session of {activity} on {when} is cancelled; please do not go.', 'Where: {place}, {space}', 'Reason: {reason}'], action: 'View registration' },
  }),
  'activity.reminder': template({
    link: registrationLink,
    vars: (f: NotificationFacts['activity.reminder'], fmt) => registrationVars(f, fmt),
    'zh-CN': { subject: '活动提醒：{activity}，{when}', lines: ['提醒您即将参加{activity}。', '地点：{place}，{space}', '时间：{when}'], action: '查看报名' },
    en: { subject: 'Reminder: {activity}, {when}', lines: ['A reminder that {activity} is coming up.', 'Where: {place}, {space}', 'When: {when}'], action: 'View registration' },
  }),
  'activity.feedback_request': template({
    link: (f) => `/activities?registration=${f.registrationId}&feedback=1`,
    vars: (f: NotificationFacts['activity.feedback_request'], fmt) => registrationVars(f, fmt),
    'zh-CN': { subject: '说说您对{activity}的感受', lines: ['感谢您参加{activity}（{when}，{place}）。', '花一分钟为活动打分，帮助我们办得更好。'], action: '去评价' },
    en: { subject: 'How was {activity}?', lines: ['Thank you for coming to {activity} ({when}, {place}).', 'Rating it takes a minute and helps us do better.'], action: 'Rate it' },
  }),
  'loan.requested': template({
    link: loanLink,
    vars: (f: NotificationFacts['loan.requested'], fmt) => loanVars(f, fmt),
    'zh-CN': { subject: '借用申请已提交：{equipment}×{quantity}', lines: ['已向{lender}提交借用{equipment}×{quantity}的申请，等待对方批准。', '借入站点：{borrower}', '使用时间：{when}'], action: '查看借用单' },
    en: { subject: 'Loan requested: {quantity} × {equipment}', lines: ['Your request to borrow {quantity} × {equipment} from {lender} is waiting for approval.', 'For: {borrower}', 'When: {when}'], action: 'View the loan' },
  }),
  'loan.approved': template({
    link: loanLink,
    vars: (f: NotificationFacts['loan.approved'], fmt) => loanVars(f, fmt),
    'zh-CN': { subject: '借用已批准：{equipment}×{quantity}', lines: ['{lender}已批准借出{equipment}×{quantity}。', '借入站点：{borrower}', '使用时间：{when}'], action: '查看借用单' },
    en: { subject: 'Loan approved: {quantity} × {equipment}', lines: ['{lender} approved lending {quantity} × {equipment}.', 'For: {borrower}', 'When: {when}'], action: 'View the loan' },
  }),
  'loan.dispatched': template({
    link: loanLink,
    vars: (f: NotificationFacts['loan.dispatched'], fmt) => loanVars(f, fmt),
    'zh-CN': { subject: '设备已发出：{equipment}×{quantity}', lines: ['{lender}已发出{equipment}×{quantity}，请注意接收。', '借入站点：{borrower}', '使用时间：{when}'], action: '确认收货' },
    en: { subject: 'On its way: {quantity} × {equipment}', lines: ['{lender} has sent {quantity} × {equipment}; please look out for it.', 'For: {borrower}', 'When: {when}'], action: 'Confirm receipt' },
  }),
  'loan.overdue': template({
    link: loanLink,
    vars: (f: NotificationFacts['loan.overdue'], fmt) => ({ ...loanVars(f, fmt), returnBy: fmt.at(f.useEndAt, f.siteZone) }),
    'zh-CN': { subject: '设备逾期未还：{equipment}×{quantity}', lines: ['借自{lender}的{equipment}×{quantity}应于{returnBy}前归还，目前尚未归还。', '借入站点：{borrower}', '请尽快安排归还。'], action: '查看借用单' },
    en: { subject: 'Overdue: {quantity} × {equipment}', lines: ['{quantity} × {equipment} borrowed from {lender} was due back by {returnBy} and has not been returned.', 'For: {borrower}', 'Please arrange the return soon.'], action: 'View the loan' },
  }),
  'staff.approval_request': template({
    link: (f) => `/approvals?booking=${f.bookingId}`,
    vars: (f: NotificationFacts['staff.approval_request'], fmt) => ({ ...bookingVars(f, fmt), requester: f.requesterName }),
    'zh-CN': { subject: '待审核：{requester}申请{space}', lines: ['{requester}申请使用{space}，等待审核。', '地点：{place}', '时间：{when}'], action: '去审核' },
    en: { subject: 'To approve: {space} for {requester}', lines: ['{requester} asked to book {space} and is waiting for approval.', 'Where: {place}', 'When: {when}'], action: 'Review' },
  }),
  'staff.loan_request': template({
    link: loanLink,
    vars: (f: NotificationFacts['staff.loan_request'], fmt) => ({ ...loanVars(f, fmt), requester: f.requesterName }),
    'zh-CN': { subject: '借用申请：{borrower}申请{equipment}×{quantity}', lines: ['{borrower}向{lender}申请借用{equipment}×{quantity}（申请人：{requester}）。', '使用时间：{when}'], action: '去处理' },
    en: { subject: 'Loan request: {quantity} × {equipment} for {borrower}', lines: ['{borrower} asks {lender} to lend {quantity} × {equipment} (requested by {requester}).', 'When: {when}'], action: 'Review' },
  }),
  'staff.daily_digest': template({
    link: () => '/today',
    vars: (f: NotificationFacts['staff.daily_digest'], fmt) => ({
      date: fmt.date(f.date),
      sites: fmt.list(f.siteNames),
      approvals: String(f.pendingApprovals),
      loans: String(f.pendingLoanRequests),
      bookings: String(f.bookingsToday),
      sessions: String(f.sessionsToday),
      toDispatch: f.loansToDispatch === undefined ? null : String(f.loansToDispatch),
      toReceive: f.loansToReceive === undefined ? null : String(f.loansToReceive),
      overdue: f.overdueLoans === undefined ? null : String(f.overdueLoans),
    }),
    'zh-CN': { subject: '{date}工作摘要：{sites}', lines: ['站点：{sites}', '待审核预约：{approvals}', '待处理借用申请：{loans}', '今日预约：{bookings}', '今日活动场次：{sessions}', '待发出借用：{toDispatch}', '待接收设备：{toReceive}', '逾期未还借用：{overdue}'], action: '打开今日安排' },
    en: { subject: 'Daily digest, {date}: {sites}', lines: ['Sites: {sites}', 'Bookings to approve: {approvals}', 'Loan requests to answer: {loans}', 'Bookings today: {bookings}', 'Activity sessions today: {sessions}', 'Loans to send out: {toDispatch}', 'Equipment to receive: {toReceive}', 'Loans overdue: {overdue}'], action: 'Open today' },
  }),
};

export const CATEGORY_LABELS: Record<NotificationCategory, Record<NotificationLocale, string>> = {
  booking: { 'zh-CN': '预约动态', en: 'Booking updates' },
  activity: { 'zh-CN': '活动报名动态', en: 'Activity registrations' },
  reminder: { 'zh-CN': '提醒', en: 'Reminders' },
  feedback: { 'zh-CN': '活动评价邀请', en: 'Feedback requests' },
  equipment: { 'zh-CN': '设备借用', en: 'Equipment loans' },
  staff_request: { 'zh-CN': '待处理申请', en: 'Requests to handle' },
  digest: { 'zh-CN': '每日摘要', en: 'Daily digest' },
};

// ---- rendering ---------------------------------------------------------------------------------------------------

export interface RenderContext {
  locale: NotificationLocale;
  /** The reader's zone: times elsewhere name their zone. */
  readerZone: string;
  /** The app's public origin, e.g. https://linli.example.org, for absolute links. */
  appBaseUrl: string;
  /** Email only: where the reader turns this category off. */
  unsubscribeUrl?: string | undefined;
}

export interface RenderedNotification {
  subject: string;
  /** The body, one fact per line, without the link. */
  lines: string[];
  actionLabel: string;
  linkPath: string;
  linkUrl: string;
  text: string;
  html: string;
}

/** The deep link path of a message, stored with it when it is recorded. */
export function notificationLinkOf<K extends NotificationKind>(kind: K, facts: NotificationFacts[K]): string {
  return (TEMPLATES[kind] as Template<NotificationFacts[K]>).link(facts);
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Fills {placeholders}; null when the text needs a value that is absent for these facts (an optional line). */
function fill(text: string, vars: Vars, where: string): string | null {
  let missing = false;
  const filled = text.replace(PLACEHOLDER, (_, name: string) => {
    if (!(name in vars)) throw new Error(`${where}: no value for {${name}}`);
    const value = vars[name];
    if (value === null || value === undefined) missing = true;
    return value ?? '';
  });
  return missing ? null : filled;
}

export function renderNotification<K extends NotificationKind>(kind: K, facts: NotificationFacts[K], context: RenderContext): RenderedNotification {
  const spec = TEMPLATES[kind] as Template<NotificationFacts[K]>;
  const where = `${kind} (${context.locale})`;
  const copy = spec.copy[context.locale];
  const vars = spec.vars(facts, formatterFor(context.locale, context.readerZone));
  const required = (text: string) => {
    const value = fill(text, vars, where);
    if (value === null) throw new Error(`${where}: "${text}" needs a value that is null`);
    return value;
  };
  const subject = required(copy.subject);
  const actionLabel = required(copy.action);
  const lines = copy.lines.map((line) => fill(line, vars, where)).filter((line): line is string => line !== null && line !== '');
  const linkPath = spec.link(facts);
  const linkUrl = `${context.appBaseUrl.replace(/\/+$/, '')}${linkPath}`;
  const footer = context.unsubscribeUrl ? footerOf(categoryOf(kind), context.locale) : null;
  const [colon, space] = context.locale === 'zh-CN' ? ['：', ''] : [': ', ' '];
  const text = [
    subject,
    '',
    ...lines,
    '',
    `${actionLabel}${colon}${linkUrl}`,
    // "-- " (with the space) is the signature separator mail readers recognise.
    ...(footer && context.unsubscribeUrl ? ['', '-- ', `${footer.reason}${space}${footer.unsubscribe}${colon}${context.unsubscribeUrl}`] : []),
    '',
  ].join('\n');
  const html = [
    `<!doctype html><html lang="${context.locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:-apple-system,\'PingFang SC\',\'Microsoft YaHei\',Arial,sans-serif;color:#1f1f1f;line-height:1.6">',
    `<h1 style="font-size:18px">${escapeHtml(subject)}</h1>`,
    ...lines.map((line) => `<p style="margin:4px 0">${escapeHtml(line)}</p>`),
    `<p style="margin:20px 0"><a href="${escapeHtml(linkUrl)}" style="background:#1677ff;color:#fff;padding:8px 16px;border-radius:6px;text-decoration:none">${escapeHtml(actionLabel)}</a></p>`,
    ...(footer && context.unsubscribeUrl
      ? [`<p style="color:#8c8c8c;font-size:12px">${escapeHtml(footer.reason)} <a href="${escapeHtml(context.unsubscribeUrl)}" style="color:#8c8c8c">${escapeHtml(footer.unsubscribe)}</a></p>`]
      : []),
    '</body></html>',
  ].join('\n');
  return { subject, lines, actionLabel, linkPath, linkUrl, text, html };
}

function footerOf(category: NotificationCategory, locale: NotificationLocale) {
  const label = CATEGORY_LABELS[category][locale];
  return locale === 'zh-CN'
    ? { reason: `您收到这封邮件，是因为开启了「${label}」邮件通知。`, unsubscribe: '退订此类邮件' }
    : { reason: `You get this email because "${label}" emails are on.`, unsubscribe: 'Unsubscribe from these emails' };
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
