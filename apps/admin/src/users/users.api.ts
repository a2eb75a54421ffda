/**
 * Accounts (issue #14.6) through the typed client and TanStack Query: the admin's list with its filters, invitations,
 * role and site changes, deactivation. Every change invalidates the account keys.
 */
import type { InviteUserBody, ListUsersQuery, UpdateUserBody } from '@linli/contracts';
import { queryOptions } from '@tanstack/react-query';
import { queryClient } from '../api/queryClient.ts';
import { api, data } from '../api/typed.ts';

export type UserFilter = Pick<ListUsersQuery, 'role' | 'siteId' | 'q' | 'active'>;

export const userKeys = {
  all: ['users'] as const,
  list: (filter: UserFilter) => ['users', 'list', filter] as const,
};

export const userQueries = {
  list: (filter: UserFilter) =>
    queryOptions({
      queryKey: userKeys.list(filter),
      queryFn: ({ signal }) =>
        data(
          api.GET('/api/v1/users', {
            params: {
              query: {
                limit: 200,
                ...(filter.role ? { role: filter.role } : {}),
                ...(filter.siteId ? { siteId: filter.siteId } : {}),
                ...(filter.q ? { q: filter.q } : {}),
                ...(filter.active !== undefined ? { active: String(filter.active) } : {}),
              },
            },
            signal,
          }),
        ),
    }),
};

export function invalidateUsers(): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: userKeys.all });
}

export function inviteUser(body: InviteUserBody) {
  return data(api.POST('/api/v1/users/invitations', { body }));
}

export function reissueInvitation(id: string) {
  return data(api.POST('/api/v1/users/{id}/invitation', { params: { path: { id } } }));
}

export function updateUser(id: string, body: UpdateUserBody) {
  return data(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body }));
}

export function setUserActive(id: string, active: boolean) {
  return active
    ? data(api.POST('/api/v1/users/{id}/reactivate', { params: { path: { id } } }))
    : data(api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id } } }));
}
