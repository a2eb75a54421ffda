import { ApiError } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { i18n } from '../i18n/index.ts';

/** A registration refusal in words: the API's own sentence, and the numbers it carried (limits, places left). */
export function describeRegistrationError(error: unknown): string {
  const summary = describeError(error);
  if (!(error instanceof ApiError)) return summary;
  const extra = (error.details.reasons ?? []).flatMap((reason) => {
    const params = reason.params ?? {};
    if (reason.code === 'PARTY_TOO_LARGE' && typeof params.maxPartySize === 'number') return [i18n.t('activities.reasons.maxParty', { count: params.maxPartySize })];
    if (reason.code === 'PARTY_TOO_LARGE' && typeof params.places === 'number') return [i18n.t('activities.reasons.maxParty', { count: params.places })];
    if (reason.code === 'CAPACITY_FULL' && typeof params.remaining === 'number') return [i18n.t('activities.reasons.remaining', { count: params.remaining })];
    if (reason.code === 'CATEGORY_LIMIT_REACHED' && typeof params.limit === 'number') return [i18n.t('activities.reasons.weeklyLimit', { count: params.limit })];
    return [];
  });
  return [summary, ...new Set(extra)].join(' ');
}

/** The most a party may be, when the API said so (PARTY_TOO_LARGE carries the activity's limit). */
export function maxPartyOf(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null;
  for (const reason of error.details.reasons ?? []) {
    const max = reason.params?.maxPartySize;
    if (reason.code === 'PARTY_TOO_LARGE' && typeof max === 'number') return max;
  }
  return null;
}
