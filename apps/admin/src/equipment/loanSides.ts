/**
 * Which steps of a loan the signed-in person may take, judged as the API judges them (packages/domain's
 * judgeLoanStep), so the board shows only the buttons that will be accepted.
 */
import type { CurrentUser, Loan } from '@linli/contracts';
import { LOAN_STEP_NAMES, type LoanParty, type LoanStep, judgeLoanStep } from '@linli/domain';

type Caller = Pick<CurrentUser, 'role' | 'siteIds'>;

/** The sides of a loan the caller works for: an org admin is both, site staff the sides of their sites. */
export function partiesOf(user: Caller | null, loan: Pick<Loan, 'lenderSiteId' | 'borrowerSiteId'>): LoanParty[] {
  if (!user) return [];
  if (user.role === 'org_admin') return ['lender', 'borrower'];
  const parties: LoanParty[] = [];
  if (user.siteIds.includes(loan.lenderSiteId)) parties.push('lender');
  if (user.siteIds.includes(loan.borrowerSiteId)) parties.push('borrower');
  return parties;
}

/** The steps the caller may take on a loan now, in the order of its life (the API judges the same way). */
export function stepsFor(user: Caller | null, loan: Pick<Loan, 'lenderSiteId' | 'borrowerSiteId' | 'status'>): LoanStep[] {
  const parties = partiesOf(user, loan);
  return LOAN_STEP_NAMES.filter((step) => judgeLoanStep(step, loan.status, parties) === null);
}
