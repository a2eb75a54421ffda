import { CreateLoanBody, IdParams, Loan, LoanDetail, LoanListQuery, LoanPage, LoanRequestResponse, LoanStepBody, LoanStepParams } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { STAFF_ROLES, actorOf } from '../../plugins/access.ts';
import { getLoanDetail, listLoans, requestLoan, takeLoanStep } from './loans.service.ts';

export async function loanRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const tags = ['equipment'];

  app.post('/equipment/loans', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'requestLoan',
      summary: 'Request equipment for a site',
      description:
        'Claims units for the borrowing site (one the caller works at) over the use window plus transit each way, from the named lenders or, left out, the nearest sites with free units. All or nothing: a shortfall is 409 EQUIPMENT_SHORTFALL with the sites that could lend, and is kept for unmet-demand analytics. A site borrowing from itself is approved at once.',
      errors: ['NOT_FOUND', 'ARCHIVED', 'INVALID_INTERVAL', 'LOAN_TOO_LONG', 'LOAN_OWNER_AT_OTHER_SITE', 'EQUIPMENT_SHORTFALL', 'CONFLICT'],
      tags,
      body: CreateLoanBody,
      response: { 201: LoanRequestResponse },
    },
    handler: async (request, reply) => reply.status(201).send(await requestLoan(deps, actorOf(request), request.body)),
  });

  app.get('/equipment/loans', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'listLoans',
      summary: 'Loans my sites lend or borrow',
      description: 'Site staff see the loans of their sites; org admins every loan of the organization. `from`/`to` keep loans whose use window overlaps [from, to).',
      errors: ['NOT_FOUND'],
      tags,
      querystring: LoanListQuery,
      response: { 200: LoanPage },
    },
    handler: async (request) => listLoans(deps, actorOf(request), request.query),
  });

  app.get('/equipment/loans/:id', {
    config: { access: STAFF_ROLES },
    schema: { operationId: 'getLoan', summary: 'A loan with its history', tags, params: IdParams, response: { 200: LoanDetail } },
    handler: async (request) => getLoanDetail(deps, actorOf(request), request.params.id),
  });

  app.post('/equipment/loans/:id/:step', {
    config: { access: STAFF_ROLES },
    schema: {
      operationId: 'takeLoanStep',
      summary: 'Take the next step of a loan',
      description:
        'approve / reject / dispatch / check by the lending site; receive / return by the borrowing site; cancel by either until the units leave. Dispatch of a tracked type names the items (itemIds); return reports and check records damaged and missing units, which the check takes out of the pool.',
      errors: ['LOAN_INVALID_TRANSITION', 'LOAN_WRONG_SIDE', 'LOAN_ITEMS_MISMATCH', 'RETURN_EXCEEDS_LOAN', 'HOLDING_UNITS_INSUFFICIENT', 'CONFLICT'],
      tags,
      params: LoanStepParams,
      body: LoanStepBody,
      response: { 200: Loan },
    },
    handler: async (request) => takeLoanStep(deps, actorOf(request), request.params.id, request.params.step, request.body),
  });
}
