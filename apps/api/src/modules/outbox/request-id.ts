/**
 * The id of the request being served, for code far below the route (the outbox records it with each
 * notification, so the worker's log lines can be joined to the request that caused them).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const requestIds = new AsyncLocalStorage<string>();

export function currentRequestId(): string | null {
  return requestIds.getStore() ?? null;
}

/** Runs `work` as if serving `requestId` (a job that continues a request's work, e.g. a reminder firing). */
export function withRequestId<T>(requestId: string | null, work: () => T): T {
  return requestId ? requestIds.run(requestId, work) : work();
}

/** Every request's handlers run with its id in scope; a hook of the root app, so it covers every route. */
export const requestIdScope = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', (request, _reply, done) => requestIds.run(request.id, done));
});
