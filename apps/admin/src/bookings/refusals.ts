import type { BookingAlternative } from '@linli/contracts';
import { ApiError, type RefusalReason } from '../api/client.ts';
import { describeError } from '../api/describeError.ts';
import { i18n } from '../i18n/index.ts';

/** One refusal reason in words, with its numbers (minutes, limits, dates) filled in. */
export function describeReason(reason: RefusalReason): string {
  const key = `reasons.${reason.code}`;
  if (!i18n.exists(key)) return reason.code;
  const params: Record<string, string | number> = { ...reason.params };
  if (reason.code === 'QUOTA_EXCEEDED' && typeof params.quota === 'string') {
    params.quotaName = i18n.exists(`policy.fields.${params.quota}`) ? i18n.t(`policy.fields.${params.quota}` as 'policy.fields.quotaPerDayCount') : params.quota;
  }
  if (typeof params.earliestStart === 'number') params.earliestStart = new Date(params.earliestStart).toLocaleString(i18n.language);
  if (typeof params.deadline === 'number') params.deadline = new Date(params.deadline).toLocaleString(i18n.language);
  return i18n.t(key as 'reasons.SLOT_TAKEN', params);
}

export interface Refusal {
  /** The headline: the API's own localized detail. */
  summary: string;
  /** Every reason, in words (empty when the problem had none). */
  reasons: string[];
  alternatives: BookingAlternative[];
  /** Taken or full: joining the waitlist makes sense. */
  canWait: boolean;
}

export function refusalOf(error: unknown): Refusal {
  const summary = describeError(error);
  if (!(error instanceof ApiError)) return { summary, reasons: [], alternatives: [], canWait: false };
  const reasons = (error.details.reasons ?? []).map(describeReason).filter((text) => text !== summary);
  return {
    summary,
    reasons: [...new Set(reasons)],
    alternatives: error.details.alternatives ?? [],
    canWait: error.code === 'SLOT_TAKEN' || error.code === 'CAPACITY_FULL',
  };
}
