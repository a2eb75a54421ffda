import { describe, expect, it } from 'vitest';
import type { Actor } from '../../plugins/access.ts';
import { containing } from '../../lib/sql.ts';
import { bookerIdentityOf, maskEmail, maskPhone, mayKnowBooker } from './booking-answers.ts';

const SITE = '00000000-0000-4000-8000-000000000001';
const OTHER_SITE = '00000000-0000-4000-8000-000000000002';
const BOOKER = '00000000-0000-4000-8000-0000000000b0';
const actor = (role: Actor['role'], userId = '00000000-0000-4000-8000-0000000000a0', siteIds: string[] = []): Actor => ({ userId, orgId: 'org', role, siteIds });

describe('who may know who a booking is for', () => {
  it.each([
    ['the booker themselves', actor('resident', BOOKER), true],
    ['another resident', actor('resident'), false],
    ['staff of the booking site', actor('staff', undefined, [SITE]), true],
    ["another site's staff", actor('staff', undefined, [OTHER_SITE]), false],
    ["another site's manager", actor('site_manager', undefined, [OTHER_SITE]), false],
    ['an org admin', actor('org_admin'), true],
  ])('%s', (_label, reader, expected) => {
    expect(mayKnowBooker(reader, { siteId: SITE, bookerId: BOOKER })).toBe(expected);
  });

  it('a walk-in (no booker) is known to staff of the site only, never to a resident', () => {
    expect(mayKnowBooker(actor('resident'), { siteId: SITE, bookerId: null })).toBe(false);
    expect(mayKnowBooker(actor('staff', undefined, [SITE]), { siteId: SITE, bookerId: null })).toBe(true);
  });
});

describe('masking', () => {
  it.each([
    ['13900010001', '139****0001'],
    ['12345', '****45'],
    [null, null],
  ])('phone %s -> %s', (phone, masked) => expect(maskPhone(phone)).toBe(masked));
  it.each([
    ['alice.wang@example.com', 'a***@example.com'],
    ['@example.com', '***'],
    [null, null],
  ])('email %s -> %s', (email, masked) => expect(maskEmail(email)).toBe(masked));

  it('a walk-in is shown by name with a masked phone; a booker by their account', () => {
    expect(bookerIdentityOf({ bookerId: null, walkInName: '张阿姨', walkInPhone: '13912345678' }, { bookerName: null, bookerPhone: null, bookerHomeSiteId: null, bookerHomeSiteName: null })).toEqual({
      userId: null, displayName: '张阿姨', maskedPhone: '139****5678', homeSiteId: null, homeSiteName: null, walkIn: true,
    });
    expect(bookerIdentityOf({ bookerId: BOOKER, walkInName: null, walkInPhone: null }, { bookerName: 'Li', bookerPhone: '13900010001', bookerHomeSiteId: SITE, bookerHomeSiteName: 'A' })).toMatchObject({ userId: BOOKER, maskedPhone: '139****0001', walkIn: false });
  });

  it('LIKE patterns take % _ and \\ literally', () => {
    expect(containing('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});
