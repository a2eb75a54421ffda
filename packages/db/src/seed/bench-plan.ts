/**
 * The benchmark portfolio as plain values: sites, spaces and people from the same planner as the demo, and for
 * every space how its share of the bookings is laid on its site's opening hours (see booking-grid.ts). The
 * bookings themselves are made in SQL by generate.ts, from the SpaceLoad rows planned here.
 */
import type { PolicyRules } from '@linli/contracts';
import { type InstantRange, addDaysToLocalDate, localDateOf, localDayRange } from '@linli/domain';
import { v7 as uuidv7 } from 'uuid';
import type { organizations, sites, spaces, userSites, users } from '../schema.ts';
import { type GridBlock, bookingCountForSpace, lanesFor, largestPartyFor, planGridBlocks } from './booking-grid.ts';
import { personName } from './demo-people.ts';
import { type SitePlan, planSites, planSpaces } from './portfolio-plan.ts';
import { SeededRandom } from './random.ts';

export const BENCH_ORG_POLICY: PolicyRules = { slotMinutes: 30, horizonDays: 30, quotaPerWeekCount: 10 };

/** What the plan depends on; the same settings always plan the same portfolio. */
export interface BenchSettings {
  sites: number;
  spacesPerSite: number;
  bookings: number;
  seed: number;
  days: number;
  now: Date;
  orgSlug: string;
}

export type SiteRow = typeof sites.$inferInsert & { id: string; kind: SitePlan['kind'] };
export type SpaceRow = typeof spaces.$inferInsert & { id: string; capacity: number; bookingMode: string };

/** One row of the per-space plan the booking SQL joins against; snake_case, as it goes to SQL as JSON. */
export interface SpaceLoad {
  ordinal: number;
  space_id: string;
  site_id: string;
  staff_id: string;
  /** Staff-only rooms are booked by staff on a resident's or group's behalf. */
  staff_only: boolean;
  exclusive: boolean;
  approval: boolean;
  template: number;
  slot_count: number;
  slot_minutes: number;
  lanes: number;
  per_lane: number;
  max_party: number;
}

/** Opening-hours patterns shared by many sites; each is cut into blocks once. */
export interface HoursTemplate {
  index: number;
  blocks: GridBlock[];
}

export interface BenchPortfolio {
  orgId: string;
  organization: typeof organizations.$inferInsert;
  sites: SiteRow[];
  spaces: SpaceRow[];
  users: Omit<typeof users.$inferInsert, 'passwordHash'>[];
  userSites: (typeof userSites.$inferInsert)[];
  residentIds: string[];
  templates: HoursTemplate[];
  loads: SpaceLoad[];
}

/** Everything but the bookings themselves, with the per-space booking plan checked to fit. */
export function planBenchPortfolio(settings: BenchSettings): BenchPortfolio {
  const random = new SeededRandom(settings.seed);
  const orgId = uuidv7();
  const emailDomain = `${settings.orgSlug}.linli.dev`;
  const siteRows: SiteRow[] = planSites(random, settings.sites).map((plan) => ({ id: uuidv7(), orgId, ...plan }));
  const spaceRows: SpaceRow[] = siteRows.flatMap((site) =>
    planSpaces(random, site.kind, settings.spacesPerSite).map((plan) => ({ id: uuidv7(), orgId, siteId: site.id, ...plan })),
  );

  const admin = { id: uuidv7(), orgId, role: 'org_admin', email: `admin@${emailDomain}`, displayName: '压测管理员' };
  const staff = siteRows.map((_, i) => ({
    id: uuidv7(),
    orgId,
    role: 'staff',
    email: `staff${i + 1}@${emailDomain}`,
    displayName: personName(random),
  }));
  // About 25 residents a site, as a portfolio's regulars; enough that quotas are rarely the limit.
  const residentCount = Math.min(5000, Math.max(50, settings.sites * 25));
  const residents = Array.from({ length: residentCount }, (_, i) => ({
    id: uuidv7(),
    orgId,
    role: 'resident',
    email: `resident${i + 1}@${emailDomain}`,
    phone: `137${String(i + 1).padStart(8, '0')}`,
    displayName: personName(random),
    homeSiteId: siteRows[i % siteRows.length]!.id,
  }));

  const { templates, templateOfSite } = planHoursTemplates(siteRows, settings);
  const loads = planSpaceLoads(spaceRows, siteRows, staff, templateOfSite, settings);
  return {
    orgId,
    organization: { id: orgId, slug: settings.orgSlug, name: 'Linli 压测组合 Benchmark Portfolio', policy: BENCH_ORG_POLICY },
    sites: siteRows,
    spaces: spaceRows,
    users: [admin, ...staff, ...residents],
    userSites: siteRows.map((site, i) => ({ orgId, userId: staff[i]!.id, siteId: site.id })),
    residentIds: residents.map((r) => r.id),
    templates,
    loads,
  };
}

/**
 * The booking window: `days` local days ending `futureDays` after today, so most bookings are history and the
 * last weeks are upcoming, as in a live system.
 */
function bookingWindow(settings: BenchSettings, zone: string): InstantRange {
  const today = localDateOf(settings.now.getTime(), zone);
  const futureDays = Math.min(30, Math.floor(settings.days / 4));
  const firstDate = addDaysToLocalDate(today, futureDays - settings.days);
  const lastDate = addDaysToLocalDate(today, futureDays - 1);
  return { start: localDayRange(firstDate, zone).start, end: localDayRange(lastDate, zone).end };
}

function planHoursTemplates(siteRows: readonly SiteRow[], settings: BenchSettings) {
  const templates: HoursTemplate[] = [];
  const byKey = new Map<string, HoursTemplate>();
  const templateOfSite = new Map<string, HoursTemplate>();
  for (const site of siteRows) {
    const zone = site.timezone ?? 'Asia/Shanghai';
    const key = `${zone} ${JSON.stringify(site.openingHours)}`;
    let template = byKey.get(key);
    if (!template) {
      template = { index: templates.length, blocks: planGridBlocks(site.openingHours, zone, bookingWindow(settings, zone)) };
      templates.push(template);
      byKey.set(key, template);
    }
    templateOfSite.set(site.id, template);
  }
  return { templates, templateOfSite };
}

function planSpaceLoads(
  spaceRows: readonly SpaceRow[],
  siteRows: readonly SiteRow[],
  staff: readonly { id: string }[],
  templateOfSite: ReadonlyMap<string, HoursTemplate>,
  settings: BenchSettings,
): SpaceLoad[] {
  const siteIndex = new Map(siteRows.map((site, i) => [site.id, i]));
  return spaceRows.map((space, ordinal) => {
    const template = templateOfSite.get(space.siteId)!;
    const lanes = lanesFor(space);
    const perLane = Math.ceil(bookingCountForSpace(ordinal, settings.bookings, spaceRows.length) / lanes);
    if (perLane > template.blocks.length) {
      throw new Error(
        `${settings.bookings} bookings over ${spaceRows.length} spaces need ${perLane} time blocks for "${space.name}" ` +
          `(site ${siteIndex.get(space.siteId)! + 1}), but its opening hours give only ${template.blocks.length} in ` +
          `${settings.days} days. Use more sites or spaces, more days, or fewer bookings.`,
      );
    }
    return {
      ordinal,
      space_id: space.id,
      site_id: space.siteId,
      staff_id: staff[siteIndex.get(space.siteId)!]!.id,
      staff_only: space.bookableBy === 'staff_only',
      exclusive: space.bookingMode === 'exclusive',
      approval: space.policy?.approvalRequired === true,
      template: template.index,
      slot_count: template.blocks.length,
      slot_minutes: space.policy?.slotMinutes ?? BENCH_ORG_POLICY.slotMinutes!,
      lanes,
      per_lane: Math.max(perLane, 1),
      max_party: largestPartyFor(space),
    };
  });
}
