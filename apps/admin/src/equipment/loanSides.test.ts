/**
 * The board shows a step's button only when the API would accept it from the caller: the lending site approves,
 * dispatches and checks, the borrowing site receives and returns, either cancels until the units leave, and an org
 * admin acts for both. A button shown to the wrong side would only earn a 403.
 */
import type { LoanStatus } from '@linli/domain';
import { describe, expect, it } from 'vitest';
import { partiesOf, stepsFor } from './loanSides.ts';

const LENDER = 'site-lender';
const BORROWER = 'site-borrower';
const loanAt = (status: LoanStatus) => ({ lenderSiteId: LENDER, borrowerSiteId: BORROWER, status });
const lenderStaff = { role: 'staff' as const, siteIds: [LENDER] };
const borrowerStaff = { role: 'site_manager' as const, siteIds: [BORROWER] };
const admin = { role: 'org_admin' as const, siteIds: [] };
const outsider = { role: 'staff' as const, siteIds: ['site-elsewhere'] };

describe('which loan steps the caller sees', () => {
  it.each([
    ['requested', lenderStaff, ['approve', 'reject', 'cancel']],
    ['requested', borrowerStaff, ['cancel']],
    ['approved', lenderStaff, ['cancel', 'dispatch']],
    ['approved', borrowerStaff, ['cancel']],
    ['dispatched', lenderStaff, []],
    ['dispatched', borrowerStaff, ['receive']],
    ['received', borrowerStaff, ['return']],
    ['returned', borrowerStaff, []],
    ['returned', lenderStaff, ['check']],
    ['checked', lenderStaff, []],
    ['requested', admin, ['approve', 'reject', 'cancel']],
    ['received', admin, ['return']],
    ['requested', outsider, []],
  ] as const)('%s loan, %o: %o', (status, caller, steps) => {
    expect(stepsFor(caller, loanAt(status))).toEqual(steps);
  });

  it('a site lending to itself acts for both sides', () => {
    expect(partiesOf({ role: 'staff', siteIds: [LENDER] }, { lenderSiteId: LENDER, borrowerSiteId: LENDER })).toEqual(['lender', 'borrower']);
  });

  it('nobody signed in takes no step', () => {
    expect(stepsFor(null, loanAt('requested'))).toEqual([]);
  });
});
