/** The demo's people: one operator admin, a manager per district, two staff per district, and residents. */
import type { Role } from '@linli/contracts';
import { v7 as uuidv7 } from 'uuid';
import type { userSites, users } from '../schema.ts';
import type { SeededRandom } from './random.ts';
import { GIVEN_NAMES, SURNAMES } from './shanghai-places.ts';

/** Users as planned; the password hash is added when they are written, because hashing is slow. */
export type PlannedUser = Omit<typeof users.$inferInsert, 'passwordHash'> & { id: string; role: Role };
export type PlannedUserSite = typeof userSites.$inferInsert;

export interface DemoPeople {
  users: PlannedUser[];
  userSites: PlannedUserSite[];
  residents: PlannedUser[];
  /** One staff member per site, who approves and checks in that site's demo bookings. */
  staffBySite: Map<string, string>;
}

export const DEMO_EMAIL_DOMAIN = 'demo.linli.dev';
export const DEMO_RESIDENT_COUNT = 50;

interface SiteRef {
  id: string;
  district: string;
}

export function planDemoPeople(random: SeededRandom, orgId: string, sites: readonly SiteRef[]): DemoPeople {
  const people: PlannedUser[] = [];
  const links: PlannedUserSite[] = [];
  const staffBySite = new Map<string, string>();
  const person = (role: Role, login: string, displayName: string, extra: Partial<PlannedUser> = {}): PlannedUser => {
    const user: PlannedUser = { id: uuidv7(), orgId, role, email: `${login}@${DEMO_EMAIL_DOMAIN}`, displayName, ...extra };
    people.push(user);
    return user;
  };
  const link = (user: PlannedUser, siteIds: readonly string[]) => {
    for (const siteId of siteIds) links.push({ orgId, userId: user.id, siteId });
  };

  person('org_admin', 'admin', '运营管理员');

  // A manager runs a whole district; its two staff split the district's sites between them.
  const districts = [...new Set(sites.map((s) => s.district))];
  districts.forEach((district, d) => {
    const siteIds = sites.filter((s) => s.district === district).map((s) => s.id);
    link(person('site_manager', `manager${d + 1}`, personName(random)), siteIds);
    for (let shift = 0; shift < 2; shift++) {
      const shiftSites = siteIds.filter((_, i) => i % 2 === shift);
      if (shiftSites.length === 0) continue;
      const staff = person('staff', `staff${d * 2 + shift + 1}`, personName(random));
      link(staff, shiftSites);
      for (const siteId of shiftSites) staffBySite.set(siteId, staff.id);
    }
  });

  const residents = Array.from({ length: DEMO_RESIDENT_COUNT }, (_, i) =>
    person('resident', `resident${i + 1}`, personName(random), {
      phone: `139${String(i + 1).padStart(8, '0')}`,
      homeSiteId: random.pick(sites).id,
    }),
  );
  return { users: people, userSites: links, residents, staffBySite };
}

export function personName(random: SeededRandom): string {
  return random.pick(SURNAMES) + random.pick(GIVEN_NAMES);
}
