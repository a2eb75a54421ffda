/**
 * The demo's activity programme (issue #11): the eight default categories, three partner organizations and a few
 * dozen activities at the demo sites, five weeks back and three ahead. Each session holds its room through a
 * booking of source 'activity', placed only where the demo bookings already planned leave the room free (a seat
 * area: where the seats left cover the session's places), so the one conflict system stays consistent. Past
 * sessions have attendance, no-shows, feedback and walk-ins; upcoming ones registrations, and the popular ones are
 * full with a waitlist in arrival order. Planned from the demo's seeded random source: no I/O here.
 */
import {
  type ActivityAudience,
  CONSUMING_STATUSES,
  type HoldingClaim,
  type InstantRange,
  type Weekday,
  DEFAULT_ACTIVITY_CATEGORIES,
  addDaysToLocalDate,
  isInAudience,
  isWithinOpenRanges,
  judgeClaim,
  localDateOf,
  localTimeToInstant,
  openRanges,
  weekdayOf,
} from '@linli/domain';
import { v7 as uuidv7 } from 'uuid';
import type {
  activities,
  activityCategories,
  activityFeedback,
  activityRegistrations,
  activitySessions,
  activityWaitlistEntries,
  activityWalkIns,
  closures,
  partnerOrganizations,
  registrationEvents,
} from '../schema.ts';
import { type PlannedBooking, type PlannedBookingEvent, type SiteRef, closuresOf } from './demo-bookings.ts';
import type { PlannedUser } from './demo-people.ts';
import type { SeededRandom } from './random.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The programme runs from five weeks before today to three weeks after it. */
const PAST_DAYS = 35;
const AHEAD_DAYS = 21;

type CategorySlug = (typeof DEFAULT_ACTIVITY_CATEGORIES)[number]['slug'];

const PARTNERS = [
  { name: '彩虹桥亲子阅读推广中心', contact: '周老师 021-5820 1133' },
  { name: '申城银龄互助社', contact: '陈阿姨 021-6431 0726' },
  { name: '红十字应急救护志愿服务队', contact: '李队长 021-6258 9120' },
] as const;

type SiteKind = 'neighborhood_center' | 'white_collar_hub' | 'study_room';
type Schedule =
  | { kind: 'weekly'; weekday: Weekday; everyWeeks: 1 | 2 }
  /** One session, in the seven days starting `weekOffset` weeks from today (negative: in the past). */
  | { kind: 'once'; weekday: Weekday; weekOffset: number }
  /** One session a week at each site of one district in turn, from `weekOffset`. */
  | { kind: 'tour'; weekday: Weekday; weekOffset: number };

interface ActivityTemplate {
  title: string;
  titleEn: string;
  description: string;
  category: CategorySlug;
  siteKinds: readonly SiteKind[];
  /** Space kinds it can use, best first; `seats` claims places in a shared seat area instead of a whole room. */
  spaceKinds: readonly string[];
  seats?: boolean;
  schedule: Schedule;
  start: string;
  minutes: number;
  places: number;
  maxPartySize?: number;
  audience?: 'everyone' | 'seniors' | 'district' | 'home_site';
  /** Index into PARTNERS when a partner runs it; otherwise the site's staff organize it. */
  partner?: number;
  /** How many sites run their own copy. */
  copies?: number;
  /** Its first upcoming session is full, with residents waiting. */
  popular?: boolean;
  cancelled?: boolean;
}

const TEMPLATES: readonly ActivityTemplate[] = [
  {
    title: '亲子绘本共读',
    titleEn: 'Parent-child picture-book reading',
    description: '每周六上午，阅读推广老师带着3-6岁的孩子和家长一起读绘本、做小游戏。请家长全程陪同。',
    category: 'parent_child',
    siteKinds: ['study_room'],
    spaceKinds: ['activity_room', 'meeting_room'],
    schedule: { kind: 'weekly', weekday: 'sat', everyWeeks: 1 },
    start: '10:00',
    minutes: 60,
    places: 12,
    maxPartySize: 2,
    partner: 0,
    copies: 2,
  },
  {
    title: '亲子烘焙小课堂',
    titleEn: 'Parent-child baking class',
    description: '在共享厨房里和孩子一起做曲奇和小蛋糕，材料由中心提供，每组一位家长加一位孩子。',
    category: 'parent_child',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['kitchen'],
    schedule: { kind: 'weekly', weekday: 'sun', everyWeeks: 2 },
    start: '14:00',
    minutes: 120,
    places: 10,
    maxPartySize: 2,
  },
  {
    title: '周末亲子手工坊',
    titleEn: 'Weekend family craft workshop',
    description: '用废旧纸盒和布料做一件小手工，既环保又有趣，适合5岁以上的孩子。',
    category: 'parent_child',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['classroom', 'activity_room'],
    schedule: { kind: 'once', weekday: 'sat', weekOffset: 1 },
    start: '14:00',
    minutes: 90,
    places: 12,
    maxPartySize: 2,
    popular: true,
  },
  {
    title: '长者智能手机课堂',
    titleEn: 'Smartphone class for seniors',
    description: '手把手教长者用手机挂号、扫码乘车、视频通话和识别诈骗短信，请自带手机。',
    category: 'elderly',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['classroom', 'meeting_room', 'activity_room'],
    schedule: { kind: 'weekly', weekday: 'tue', everyWeeks: 1 },
    start: '09:30',
    minutes: 90,
    places: 12,
    audience: 'seniors',
    partner: 1,
    copies: 3,
  },
  {
    title: '银龄健康讲座：预防跌倒',
    titleEn: 'Healthy ageing talk: preventing falls',
    description: '社区卫生服务中心的医生讲解居家防跌倒要点，现场示范简单的平衡训练。',
    category: 'elderly',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['hall', 'activity_room'],
    schedule: { kind: 'once', weekday: 'thu', weekOffset: -2 },
    start: '09:00',
    minutes: 90,
    places: 40,
    audience: 'seniors',
  },
  {
    title: '长者合唱团排练',
    titleEn: 'Seniors’ choir rehearsal',
    description: '唱老歌、学新歌，由退休音乐老师指导，欢迎喜欢唱歌的长者加入。',
    category: 'elderly',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['gym', 'activity_room'],
    schedule: { kind: 'weekly', weekday: 'wed', everyWeeks: 1 },
    start: '15:00',
    minutes: 90,
    places: 16,
    audience: 'seniors',
  },
  {
    title: '午间职场微课',
    titleEn: 'Lunchtime career micro-class',
    description: '午休一小时，听一堂关于时间管理、汇报表达或理财入门的小课，可以带午饭。',
    category: 'young_professionals',
    siteKinds: ['white_collar_hub'],
    spaceKinds: ['meeting_room'],
    schedule: { kind: 'weekly', weekday: 'wed', everyWeeks: 1 },
    start: '12:00',
    minutes: 60,
    places: 8,
    copies: 3,
  },
  {
    title: '青年读书会',
    titleEn: 'Young professionals’ book club',
    description: '每两周读一本书，下班后来聊一聊，本期书目在群内公布。',
    category: 'young_professionals',
    siteKinds: ['white_collar_hub'],
    spaceKinds: ['meeting_room'],
    schedule: { kind: 'weekly', weekday: 'fri', everyWeeks: 2 },
    start: '19:00',
    minutes: 90,
    places: 10,
  },
  {
    title: '职场减压手作之夜',
    titleEn: 'After-work crafting night',
    description: '下班后做一支香薰蜡烛，认识同一栋楼里的新朋友。',
    category: 'young_professionals',
    siteKinds: ['white_collar_hub'],
    spaceKinds: ['kitchen', 'meeting_room'],
    schedule: { kind: 'once', weekday: 'tue', weekOffset: 1 },
    start: '18:00',
    minutes: 120,
    places: 8,
    popular: true,
  },
  {
    title: '社区书法班',
    titleEn: 'Community calligraphy class',
    description: '从基本笔画练起，每周一次，笔墨纸砚由中心提供。',
    category: 'culture',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['classroom', 'activity_room'],
    schedule: { kind: 'weekly', weekday: 'fri', everyWeeks: 1 },
    start: '14:00',
    minutes: 120,
    places: 12,
    copies: 2,
  },
  {
    title: '城市书房读书分享会',
    titleEn: 'Reading-sharing afternoon at the study room',
    description: '在阅览区留出一片座位，读者轮流分享最近读的一本书，旁听也欢迎。',
    category: 'culture',
    siteKinds: ['study_room'],
    spaceKinds: ['study_area'],
    seats: true,
    schedule: { kind: 'weekly', weekday: 'sun', everyWeeks: 2 },
    start: '15:00',
    minutes: 120,
    places: 20,
    copies: 2,
  },
  {
    title: '非遗剪纸体验',
    titleEn: 'Paper-cutting heritage workshop',
    description: '非遗传承人现场教剪窗花和生肖，完成的作品可以带回家。',
    category: 'culture',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['classroom', 'activity_room'],
    schedule: { kind: 'once', weekday: 'sat', weekOffset: 2 },
    start: '09:30',
    minutes: 90,
    places: 15,
    maxPartySize: 2,
    popular: true,
  },
  {
    title: '沪语童谣传唱',
    titleEn: 'Shanghainese nursery rhymes',
    description: '老上海人教孩子们念沪语童谣，一起感受家乡话的味道。',
    category: 'culture',
    siteKinds: ['study_room'],
    spaceKinds: ['activity_room', 'meeting_room'],
    schedule: { kind: 'once', weekday: 'sun', weekOffset: -3 },
    start: '10:00',
    minutes: 60,
    places: 15,
    maxPartySize: 2,
  },
  {
    title: '社区广场舞教学',
    titleEn: 'Square dance lessons',
    description: '专业老师分解动作，零基础也能跟上，跳完一起拉伸放松。',
    category: 'sport',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['gym', 'hall'],
    schedule: { kind: 'weekly', weekday: 'mon', everyWeeks: 1 },
    start: '19:00',
    minutes: 60,
    places: 20,
    copies: 2,
  },
  {
    title: '太极拳晨练班',
    titleEn: 'Morning tai chi',
    description: '二十四式太极拳，每周三早上练一小时，请穿宽松的衣服和平底鞋。',
    category: 'sport',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['gym', 'hall'],
    schedule: { kind: 'weekly', weekday: 'wed', everyWeeks: 1 },
    start: '08:30',
    minutes: 60,
    places: 20,
  },
  {
    title: '白领下班后瑜伽',
    titleEn: 'After-work yoga',
    description: '一小时流瑜伽，舒缓久坐的肩颈和腰背，瑜伽垫由驿站提供。',
    category: 'sport',
    siteKinds: ['white_collar_hub'],
    spaceKinds: ['gym'],
    schedule: { kind: 'weekly', weekday: 'thu', everyWeeks: 1 },
    start: '18:30',
    minutes: 60,
    places: 12,
    copies: 2,
  },
  {
    title: '社区议事会',
    titleEn: 'Community deliberation meeting',
    description: '街道居民代表一起商量停车管理、楼道堆物和口袋公园改造等身边事。',
    category: 'deliberation',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['meeting_room', 'activity_room'],
    schedule: { kind: 'weekly', weekday: 'thu', everyWeeks: 2 },
    start: '19:00',
    minutes: 90,
    places: 16,
    audience: 'district',
    copies: 2,
  },
  {
    title: '加装电梯协商会',
    titleEn: 'Consultation on adding lifts',
    description: '老公房加装电梯方案说明与意见征集，请本中心服务范围内的居民参加。',
    category: 'deliberation',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['meeting_room', 'activity_room'],
    schedule: { kind: 'once', weekday: 'sat', weekOffset: -1 },
    start: '10:00',
    minutes: 90,
    places: 20,
    audience: 'home_site',
  },
  {
    title: '志愿者服务日',
    titleEn: 'Volunteer service day',
    description: '义剪、义诊、家电小维修，志愿者团队每周六走进区里的一个站点。',
    category: 'volunteering',
    siteKinds: ['neighborhood_center', 'study_room'],
    spaceKinds: ['hall', 'activity_room'],
    schedule: { kind: 'tour', weekday: 'sat', weekOffset: -2 },
    start: '09:00',
    minutes: 120,
    places: 20,
  },
  {
    title: '垃圾分类宣传志愿行',
    titleEn: 'Waste-sorting volunteers',
    description: '培训后到小区投放点做分类引导，活动结束计入志愿服务时长。',
    category: 'volunteering',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['activity_room', 'meeting_room'],
    schedule: { kind: 'once', weekday: 'sat', weekOffset: -4 },
    start: '14:00',
    minutes: 120,
    places: 15,
    copies: 2,
  },
  {
    title: '社区急救技能培训（AED）',
    titleEn: 'First aid and AED training',
    description: '红十字会救护培训师教授心肺复苏和AED使用，考核通过可获救护员证书。',
    category: 'training',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['hall', 'activity_room'],
    schedule: { kind: 'once', weekday: 'sat', weekOffset: 1 },
    start: '09:00',
    minutes: 120,
    places: 24,
    partner: 2,
    popular: true,
  },
  {
    title: '反诈骗知识讲座',
    titleEn: 'Anti-fraud awareness talk',
    description: '社区民警讲解冒充客服、养老投资和刷单诈骗的常见套路，巡回到区内各站点。',
    category: 'training',
    siteKinds: ['neighborhood_center', 'study_room'],
    spaceKinds: ['hall', 'activity_room', 'meeting_room'],
    schedule: { kind: 'tour', weekday: 'wed', weekOffset: -3 },
    start: '15:30',
    minutes: 90,
    places: 30,
  },
  {
    title: '简历与面试工作坊',
    titleEn: 'CV and interview workshop',
    description: 'HR志愿者一对一修改简历，并进行模拟面试，请带上纸质简历。',
    category: 'training',
    siteKinds: ['white_collar_hub'],
    spaceKinds: ['meeting_room'],
    schedule: { kind: 'once', weekday: 'tue', weekOffset: -2 },
    start: '18:30',
    minutes: 90,
    places: 10,
  },
  {
    title: '新任楼组长培训',
    titleEn: 'Training for new building-group leaders',
    description: '楼组长的职责、常用联系方式与矛盾调解方法。因主讲老师临时有事，本期取消。',
    category: 'training',
    siteKinds: ['neighborhood_center'],
    spaceKinds: ['meeting_room', 'activity_room'],
    schedule: { kind: 'once', weekday: 'thu', weekOffset: 1 },
    start: '14:00',
    minutes: 90,
    places: 16,
    cancelled: true,
  },
];

const COMMENTS: readonly string[] = [
  '老师讲得很耐心，收获很大',
  '组织得很好，下次还来',
  '时间有点短，意犹未尽',
  '房间稍微有点挤，希望换个大一点的场地',
  '认识了几位邻居，很开心',
  '内容很实用，回家就用上了',
  '志愿者很热情，给个赞',
  '希望能多办几期',
];
const WALK_IN_NOTES: readonly string[] = ['现场报名参加', '陪同家属一起来', '看到海报进来体验'];

interface SpaceRef {
  id: string;
  siteId: string;
  kind: string;
  bookingMode: string;
  capacity: number;
  policy: { slotMinutes?: number; bufferMinutes?: number; maxDurationMinutes?: number };
}

export interface DemoProgrammeInput {
  orgId: string;
  now: Date;
  sites: readonly SiteRef[];
  spaces: readonly SpaceRef[];
  closures: readonly (typeof closures.$inferInsert)[];
  residents: readonly PlannedUser[];
  staffBySite: ReadonlyMap<string, string>;
  /** The demo bookings already planned: sessions go where these leave the room free. */
  bookings: readonly PlannedBooking[];
}

export interface DemoProgramme {
  categories: (typeof activityCategories.$inferInsert)[];
  partners: (typeof partnerOrganizations.$inferInsert & { id: string })[];
  activities: (typeof activities.$inferInsert & { id: string; audience: ActivityAudience; maxPartySize: number })[];
  sessions: (typeof activitySessions.$inferInsert & { id: string })[];
  bookings: PlannedBooking[];
  bookingEvents: PlannedBookingEvent[];
  registrations: (typeof activityRegistrations.$inferInsert & { id: string })[];
  registrationEvents: (typeof registrationEvents.$inferInsert)[];
  /** In arrival order: the database numbers them as they are inserted. */
  waitlistEntries: (typeof activityWaitlistEntries.$inferInsert)[];
  feedback: (typeof activityFeedback.$inferInsert)[];
  walkIns: (typeof activityWalkIns.$inferInsert)[];
  /** Residents' birth years, so age-band audiences (为老 activities) have someone to admit. */
  birthYears: Map<string, number>;
}

type Programme = Omit<DemoProgramme, 'categories' | 'partners' | 'birthYears'>;
type PlannedActivity = DemoProgramme['activities'][number];
type PlannedSession = DemoProgramme['sessions'][number];

/** Everything one planning run shares: the input, the random source, and who holds which room when. */
interface Planner {
  random: SeededRandom;
  input: DemoProgrammeInput;
  now: number;
  /** When the cancelled activity was called off: two days ago. */
  cancelledAt: number;
  partnerIds: string[];
  /** Claims occupying each space (bookings that held it at their time, and sessions placed so far). */
  occupancy: Map<string, HoldingClaim[]>;
  /** How many demo bookings each space has: emptier rooms are tried first. */
  bookingCount: Map<string, number>;
  siteById: Map<string, SiteRef>;
  spacesBySite: Map<string, SpaceRef[]>;
  birthYears: Map<string, number>;
  /** Next site to try, per site kind, so copies spread over the portfolio. */
  nextSite: Map<string, number>;
  sitesByKind: Map<string, SiteRef[]>;
  out: Programme;
}

export function planDemoProgramme(random: SeededRandom, input: DemoProgrammeInput): DemoProgramme {
  const planner = startPlanner(random, input);
  for (const template of TEMPLATES) {
    for (let copy = 0; copy < (template.copies ?? 1); copy++) planActivity(planner, template);
  }
  return {
    categories: DEFAULT_ACTIVITY_CATEGORIES.map((c) => ({ orgId: input.orgId, ...c })),
    partners: PARTNERS.map((p, i) => ({ id: planner.partnerIds[i]!, orgId: input.orgId, ...p })),
    ...planner.out,
    birthYears: planner.birthYears,
  };
}

function startPlanner(random: SeededRandom, input: DemoProgrammeInput): Planner {
  const occupying: ReadonlySet<string> = new Set(CONSUMING_STATUSES);
  const occupancy = new Map<string, HoldingClaim[]>();
  const bookingCount = new Map<string, number>();
  for (const booking of input.bookings) {
    bookingCount.set(booking.spaceId, (bookingCount.get(booking.spaceId) ?? 0) + 1);
    if (!occupying.has(booking.status)) continue;
    const claim = { range: { start: booking.startAt.getTime(), end: booking.endAt.getTime() }, quantity: booking.partySize ?? 1 };
    claimsOf(occupancy, booking.spaceId).push(claim);
  }
  const sitesByKind = new Map<string, SiteRef[]>();
  for (const kind of ['neighborhood_center', 'white_collar_hub', 'study_room']) {
    sitesByKind.set(kind, random.shuffle(input.sites.filter((s) => s.kind === kind)));
  }
  return {
    random,
    input,
    now: input.now.getTime(),
    cancelledAt: input.now.getTime() - 2 * DAY,
    partnerIds: PARTNERS.map(() => uuidv7()),
    occupancy,
    bookingCount,
    siteById: new Map(input.sites.map((s) => [s.id, s])),
    spacesBySite: spacesBySite(input.spaces),
    birthYears: planBirthYears(random, input.residents),
    nextSite: new Map(),
    sitesByKind,
    out: {
      activities: [],
      sessions: [],
      bookings: [],
      bookingEvents: [],
      registrations: [],
      registrationEvents: [],
      waitlistEntries: [],
      feedback: [],
      walkIns: [],
    },
  };
}

function spacesBySite(spaces: readonly SpaceRef[]): Map<string, SpaceRef[]> {
  const bySite = new Map<string, SpaceRef[]>();
  for (const space of spaces) bySite.set(space.siteId, [...(bySite.get(space.siteId) ?? []), space]);
  return bySite;
}

/** About two in five demo residents are 60 or older, as in Shanghai's older neighbourhoods. */
function planBirthYears(random: SeededRandom, residents: readonly PlannedUser[]): Map<string, number> {
  return new Map(
    residents.map((r) => {
      const roll = random.next();
      return [r.id, roll < 0.4 ? random.int(1946, 1964) : roll < 0.8 ? random.int(1976, 1996) : random.int(1997, 2004)];
    }),
  );
}

interface SessionSlot {
  site: SiteRef;
  localDate: string;
}

/** One activity from a template: its sessions where rooms are free, then the people in them. Nothing if no session fits. */
function planActivity(planner: Planner, template: ActivityTemplate): void {
  const slots = sessionSlots(planner, template);
  if (slots.length === 0) return;
  const firstStart = localTimeToInstant(slots[0]!.localDate, clockMinutes(template.start), slots[0]!.site.timezone);
  // Published a fortnight before its first session, and at least a few days ago, so registration is open now.
  const createdAt = Math.min(firstStart - 15 * DAY, planner.now - 4 * DAY);
  const activityId = uuidv7();
  const sessions = slots
    .map((slot) => placeSession(planner, template, { activityId, createdAt }, slot))
    .filter((s): s is PlacedSession => s !== null);
  if (sessions.length === 0) return;
  const activity = activityRow(planner, template, { id: activityId, createdAt }, sessions);
  planner.out.activities.push(activity);
  const firstUpcoming = sessions.find((s) => s.range.start > planner.now);
  for (const placed of sessions) {
    planner.out.sessions.push(placed.session);
    planSessionPeople(planner, template, activity, placed, placed === firstUpcoming);
  }
}

/** The dates a template runs on, each at a site: one site for weekly and one-off activities, a district for a tour. */
function sessionSlots(planner: Planner, template: ActivityTemplate): SessionSlot[] {
  const candidates = template.siteKinds.flatMap((kind) => planner.sitesByKind.get(kind) ?? []);
  if (template.schedule.kind === 'tour') {
    const district = busiestDistrict(planner, template, candidates);
    const sites = candidates.filter((s) => s.district === district && hasRoomFor(planner, template, s));
    return scheduleDates(planner, template.schedule, sites[0])
      .slice(0, sites.length)
      .map((localDate, i) => ({ site: sites[i]!, localDate }));
  }
  const site = nextSiteWithRoom(planner, template);
  return site ? scheduleDates(planner, template.schedule, site).map((localDate) => ({ site, localDate })) : [];
}

/** The district with the most sites that can host the tour, so it visits several. */
function busiestDistrict(planner: Planner, template: ActivityTemplate, sites: readonly SiteRef[]): string | undefined {
  const counts = new Map<string, number>();
  for (const site of sites) if (hasRoomFor(planner, template, site)) counts.set(site.district, (counts.get(site.district) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** Sites take turns per kind, so the copies of one template and templates of one kind spread over the portfolio. */
function nextSiteWithRoom(planner: Planner, template: ActivityTemplate): SiteRef | undefined {
  for (const kind of template.siteKinds) {
    const sites = planner.sitesByKind.get(kind) ?? [];
    const first = planner.nextSite.get(kind) ?? 0;
    for (let i = 0; i < sites.length; i++) {
      const site = sites[(first + i) % sites.length]!;
      if (!hasRoomFor(planner, template, site)) continue;
      planner.nextSite.set(kind, (first + i + 1) % sites.length);
      return site;
    }
  }
  return undefined;
}

const hasRoomFor = (planner: Planner, template: ActivityTemplate, site: SiteRef) =>
  opensFor(template, site) && roomsFor(planner, template, site).length > 0;

/** Whether the site's weekly hours cover the template's time on its weekday (a centre closed on Mondays does not). */
function opensFor(template: ActivityTemplate, site: SiteRef): boolean {
  const end = clockMinutes(template.start) + template.minutes;
  const endClock = `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`;
  return (site.openingHours[template.schedule.weekday] ?? []).some((open) => open.start <= template.start && endClock <= open.end);
}

/** Rooms of the site the template can use, on the slot grid and within the room's longest booking; emptiest first. */
function roomsFor(planner: Planner, template: ActivityTemplate, site: SiteRef): SpaceRef[] {
  const startMinutes = clockMinutes(template.start);
  const rooms = (planner.spacesBySite.get(site.id) ?? []).filter((space) => {
    const slot = space.policy.slotMinutes ?? 30;
    return (
      template.spaceKinds.includes(space.kind) &&
      (space.bookingMode === 'shared_capacity') === (template.seats === true) &&
      space.capacity >= (template.seats ? template.places * 2 : Math.ceil(template.places / 2)) &&
      startMinutes % slot === 0 &&
      template.minutes % slot === 0 &&
      template.minutes <= (space.policy.maxDurationMinutes ?? Infinity)
    );
  });
  const rank = (space: SpaceRef) => template.spaceKinds.indexOf(space.kind) * 10_000 + (planner.bookingCount.get(space.id) ?? 0);
  return rooms.sort((a, b) => rank(a) - rank(b));
}

function scheduleDates(planner: Planner, schedule: Schedule, site: SiteRef | undefined): string[] {
  if (!site) return [];
  const today = localDateOf(planner.now, site.timezone);
  const dates: string[] = [];
  for (let offset = -PAST_DAYS; offset < AHEAD_DAYS; offset++) {
    const localDate = addDaysToLocalDate(today, offset);
    if (weekdayOf(localDate) !== schedule.weekday) continue;
    const week = Math.floor(offset / 7);
    const runs =
      schedule.kind === 'weekly'
        ? week % schedule.everyWeeks === 0
        : schedule.kind === 'once'
          ? week === schedule.weekOffset
          : week >= schedule.weekOffset;
    if (runs) dates.push(localDate);
  }
  return dates;
}

interface PlacedSession {
  session: PlannedSession;
  site: SiteRef;
  range: InstantRange;
}

/**
 * A session on one date: the first room of the site that is open, off closures, and free (a seat area: with the
 * places left). Sessions that would be running at `now` are left out, so every status fits its time plainly.
 */
function placeSession(
  planner: Planner,
  template: ActivityTemplate,
  activity: { activityId: string; createdAt: number },
  slot: SessionSlot,
): PlacedSession | null {
  const { site, localDate } = slot;
  const start = localTimeToInstant(localDate, clockMinutes(template.start), site.timezone);
  const range = { start, end: start + template.minutes * MINUTE };
  if (range.start < planner.now && planner.now < range.end) return null;
  const open = openRanges(site.openingHours, site.timezone, range, closuresOf(site, planner.input.closures));
  if (!isWithinOpenRanges(range, open)) return null;
  for (const space of roomsFor(planner, template, site)) {
    const places = template.seats ? template.places : Math.min(template.places, space.capacity);
    if (!isFree(planner, space, range, places)) continue;
    claimsOf(planner.occupancy, space.id).push({ range, quantity: places });
    return { session: sessionRow(planner, template, activity, { site, space, range, places }), site, range };
  }
  return null;
}

function claimsOf(occupancy: Map<string, HoldingClaim[]>, spaceId: string): HoldingClaim[] {
  const claims = occupancy.get(spaceId) ?? [];
  if (claims.length === 0) occupancy.set(spaceId, claims);
  return claims;
}

function isFree(planner: Planner, space: SpaceRef, range: InstantRange, places: number): boolean {
  const claims = planner.occupancy.get(space.id) ?? [];
  const resource =
    space.bookingMode === 'exclusive'
      ? { mode: 'exclusive' as const, bufferMs: (space.policy.bufferMinutes ?? 0) * MINUTE }
      : { mode: 'counted' as const, capacity: space.capacity };
  return judgeClaim(resource, range, places, claims) === null;
}

/** The session row and the booking that holds its room, with the booking's history as the service records it. */
function sessionRow(
  planner: Planner,
  template: ActivityTemplate,
  activity: { activityId: string; createdAt: number },
  where: { site: SiteRef; space: SpaceRef; range: InstantRange; places: number },
): PlannedSession {
  const { site, space, range, places } = where;
  const { orgId } = planner.input;
  const staffId = planner.input.staffBySite.get(site.id) ?? null;
  const createdAt = new Date(activity.createdAt);
  const status = template.cancelled ? 'cancelled' : range.end <= planner.now ? 'completed' : 'confirmed';
  const bookingId = uuidv7();
  const steps: { to: string; at: Date; reason: string | null; actor: string | null }[] = [
    { to: 'confirmed', at: createdAt, reason: 'created', actor: staffId },
  ];
  if (status === 'completed') steps.push({ to: 'completed', at: new Date(range.end), reason: null, actor: null });
  if (status === 'cancelled') steps.push({ to: 'cancelled', at: new Date(planner.cancelledAt), reason: '活动取消：主讲老师临时有事', actor: staffId });
  planner.out.bookings.push({
    id: bookingId,
    orgId,
    siteId: site.id,
    spaceId: space.id,
    bookerId: null,
    createdById: staffId,
    exclusive: space.bookingMode === 'exclusive',
    partySize: places,
    startAt: new Date(range.start),
    endAt: new Date(range.end),
    purpose: template.title,
    status,
    source: 'activity',
    version: steps.length,
    createdAt,
    updatedAt: steps[steps.length - 1]!.at,
  });
  steps.forEach((step, i) =>
    planner.out.bookingEvents.push({
      id: uuidv7(),
      orgId,
      bookingId,
      actorId: step.actor,
      fromStatus: i === 0 ? null : steps[i - 1]!.to,
      toStatus: step.to,
      reason: step.reason,
      at: step.at,
    }),
  );
  return {
    id: uuidv7(),
    orgId,
    activityId: activity.activityId,
    siteId: site.id,
    spaceId: space.id,
    bookingId,
    startAt: new Date(range.start),
    endAt: new Date(range.end),
    places,
    status: template.cancelled ? 'cancelled' : 'scheduled',
    version: template.cancelled ? 2 : 1,
    createdAt,
    updatedAt: template.cancelled ? new Date(planner.cancelledAt) : createdAt,
  };
}

function activityRow(
  planner: Planner,
  template: ActivityTemplate,
  created: { id: string; createdAt: number },
  sessions: readonly PlacedSession[],
): PlannedActivity {
  const first = sessions[0]!;
  const last = sessions[sessions.length - 1]!;
  const opensAt = created.createdAt + DAY;
  const status = template.cancelled ? 'cancelled' : last.range.end <= planner.now ? 'completed' : 'published';
  return {
    id: created.id,
    orgId: planner.input.orgId,
    title: template.title,
    titleEn: template.titleEn,
    description: template.description,
    category: template.category,
    organizerUserId: template.partner === undefined ? (planner.input.staffBySite.get(first.site.id) ?? null) : null,
    partnerId: template.partner === undefined ? null : planner.partnerIds[template.partner]!,
    audience: audienceOf(template, first.site),
    places: template.places,
    maxPartySize: template.maxPartySize ?? 1,
    registrationOpensAt: new Date(opensAt),
    registrationClosesAt: new Date(last.range.start - 2 * HOUR),
    waitlistMode: template.popular ? 'auto_book' : 'offer',
    status,
    createdAt: new Date(created.createdAt),
    updatedAt: new Date(template.cancelled ? planner.cancelledAt : opensAt),
  };
}

function audienceOf(template: ActivityTemplate, site: SiteRef): ActivityAudience {
  switch (template.audience) {
    case 'seniors':
      return { kind: 'age_band', minAge: 60, maxAge: 100 };
    case 'district':
      return { kind: 'district', district: site.district };
    case 'home_site':
      return { kind: 'home_site', siteId: site.id };
    default:
      return { kind: 'everyone' };
  }
}

/**
 * Registrations from residents in the audience, each once: past sessions attended (some no-shows, a few cancelled,
 * feedback from about half who came, the odd walk-in); upcoming ones part-filled, or full with a waitlist when the
 * activity is popular and this is its first upcoming session.
 */
function planSessionPeople(
  planner: Planner,
  template: ActivityTemplate,
  activity: PlannedActivity,
  placed: PlacedSession,
  firstUpcoming: boolean,
): void {
  const { random } = planner;
  const { session, range } = placed;
  const past = range.end <= planner.now;
  const fillsUp = template.popular === true && firstUpcoming;
  const eligible = random.shuffle(eligibleResidents(planner, activity.audience, placed));
  const target = fillsUp ? session.places : Math.ceil(session.places * (past ? 0.55 + random.next() * 0.45 : 0.2 + random.next() * 0.6));
  const window = registrationSpan(planner, template, activity, range);
  const arrivals: number[] = [];
  let taken = 0;
  let next = 0;
  for (; next < eligible.length && taken < target; next++) {
    const partySize = Math.min(random.int(1, activity.maxPartySize), target - taken);
    const at = window.from + random.next() * Math.max(0, window.to - window.from);
    const status = registrationStatus(random, template, past);
    // A cancelled activity's registrations held their places until it was called off.
    if (status !== 'cancelled' || template.cancelled) taken += partySize;
    arrivals.push(at);
    addRegistration(planner, placed, eligible[next]!, { partySize, status, at });
  }
  if (fillsUp && taken === session.places) addWaitlist(planner, placed, eligible.slice(next, next + random.int(3, 6)), Math.max(...arrivals));
  if (past && !template.cancelled && random.chance(0.3)) addWalkIn(planner, placed);
}

/**
 * When residents registered for a session: from when registration opened (at most ten days before it) until three
 * hours before it, and never after now (nor after the cancellation, for the cancelled activity).
 */
function registrationSpan(planner: Planner, template: ActivityTemplate, activity: PlannedActivity, range: InstantRange) {
  const opensAt = activity.registrationOpensAt!.getTime();
  const to = Math.min(range.start - 3 * HOUR, (template.cancelled ? planner.cancelledAt : planner.now) - 2 * HOUR);
  const from = Math.max(opensAt, Math.min(range.start - 10 * DAY, to - DAY));
  return { from, to: Math.max(from, to) };
}

function eligibleResidents(planner: Planner, audience: ActivityAudience, placed: PlacedSession): PlannedUser[] {
  return planner.input.residents.filter((resident) => {
    const home = resident.homeSiteId ? planner.siteById.get(resident.homeSiteId) : undefined;
    return isInAudience(
      audience,
      { homeSiteId: resident.homeSiteId ?? null, homeDistrict: home?.district ?? null, birthYear: planner.birthYears.get(resident.id) ?? null },
      { start: placed.range.start, zone: placed.site.timezone },
    );
  });
}

function registrationStatus(random: SeededRandom, template: ActivityTemplate, past: boolean): string {
  if (template.cancelled) return 'cancelled';
  const roll = random.next();
  if (past) return roll < 0.8 ? 'completed' : roll < 0.93 ? 'no_show' : 'cancelled';
  return roll < 0.92 ? 'confirmed' : 'cancelled';
}

/** One registration, its one event (to its status, reason 'demo'), and feedback from some who attended. */
function addRegistration(
  planner: Planner,
  placed: PlacedSession,
  resident: PlannedUser,
  claim: { partySize: number; status: string; at: number },
): void {
  const { random, input } = planner;
  const { session, range } = placed;
  const staffId = input.staffBySite.get(placed.site.id) ?? null;
  const settledAt =
    claim.status === 'completed' || claim.status === 'no_show'
      ? range.end
      : session.status === 'cancelled'
        ? planner.cancelledAt
        : claim.status === 'cancelled'
          ? claim.at + (Math.min(range.start, planner.now) - claim.at) / 2
          : claim.at;
  const id = uuidv7();
  planner.out.registrations.push({
    id,
    orgId: input.orgId,
    sessionId: session.id,
    activityId: session.activityId,
    userId: resident.id,
    partySize: claim.partySize,
    status: claim.status,
    source: 'resident',
    checkInCode: String(random.int(100000, 999999)),
    checkedInAt: claim.status === 'completed' ? new Date(range.start + random.int(-15, 10) * MINUTE) : null,
    version: 1,
    createdAt: new Date(Math.round(claim.at)),
    updatedAt: new Date(Math.round(settledAt)),
  });
  planner.out.registrationEvents.push({
    id: uuidv7(),
    orgId: input.orgId,
    registrationId: id,
    actorId: claim.status === 'completed' ? staffId : claim.status === 'no_show' ? null : resident.id,
    fromStatus: null,
    toStatus: claim.status,
    reason: 'demo',
    at: new Date(Math.round(settledAt)),
  });
  if (claim.status === 'completed' && random.chance(0.5)) {
    planner.out.feedback.push({
      registrationId: id,
      orgId: input.orgId,
      sessionId: session.id,
      activityId: session.activityId,
      userId: resident.id,
      rating: random.pick([5, 5, 5, 4, 4, 4, 3]),
      comment: random.chance(0.7) ? random.pick(COMMENTS) : null,
      createdAt: new Date(Math.min(range.end + random.int(1, 48) * HOUR, planner.now)),
    });
  }
}

/** Residents who came too late for a full session, in the order they arrived (after the last place went). */
function addWaitlist(planner: Planner, placed: PlacedSession, residents: readonly PlannedUser[], lastPlaceTaken: number): void {
  const step = (planner.now - lastPlaceTaken) / (residents.length + 1);
  residents.forEach((resident, i) => {
    planner.out.waitlistEntries.push({
      id: uuidv7(),
      orgId: planner.input.orgId,
      sessionId: placed.session.id,
      userId: resident.id,
      partySize: 1,
      status: 'waiting',
      createdAt: new Date(Math.round(lastPlaceTaken + step * (i + 1))),
    });
  });
}

function addWalkIn(planner: Planner, placed: PlacedSession): void {
  const { random, input } = planner;
  planner.out.walkIns.push({
    id: uuidv7(),
    orgId: input.orgId,
    sessionId: placed.session.id,
    people: random.int(1, 3),
    note: random.pick(WALK_IN_NOTES),
    recordedBy: input.staffBySite.get(placed.site.id) ?? null,
    at: new Date(placed.range.start + 10 * MINUTE),
  });
}

/** '09:30' -> 570. */
function clockMinutes(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}
