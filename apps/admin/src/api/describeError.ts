import { i18n } from '../i18n/index.ts';
import { ApiError } from './client.ts';

/** One sentence for a person: the API's own detail when it sent one, else ours. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK_ERROR') return i18n.t('errors.network');
    if (error.detail) return error.detail;
  }
  return i18n.t('errors.unexpected');
}
