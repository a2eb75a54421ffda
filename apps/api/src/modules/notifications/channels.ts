/**
 * A channel that leaves the system (email today; SMS and WeChat when a provider adapter is written, see
 * docs/notifications.md). The in-app inbox is not one: it is the delivery row itself, marked sent.
 */
import type { DeliveryChannel, NotificationLocale } from '@linli/domain';

export type ExternalChannel = Exclude<DeliveryChannel, 'inbox'>;

/** Where a person can be reached; an adapter picks the address it needs. */
export interface RecipientAddress {
  email: string | null;
  phone: string | null;
}

export interface OutgoingMessage {
  to: string;
  locale: NotificationLocale;
  subject: string;
  text: string;
  html: string;
  /**
   * The same for every attempt at this (notification, channel): `<notificationId.channel@linli>`. Email carries it
   * as Message-ID; a provider with an idempotency key (most SMS gateways) should be given it, so a resend after
   * a crash can be recognised as the same message.
   */
  messageId: string;
  /** Where the person turns this category off on this channel. */
  unsubscribeUrl: string;
}

/**
 * A send that did not happen. `permanent`: retrying cannot help (no channel configured, a provider's definitive
 * refusal), so it goes dead at once; otherwise it is retried up to the retry limit. No SMTP reply is permanent.
 */
export class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }
}

export interface NotificationChannel {
  readonly channel: ExternalChannel;
  /** Null when it can send; otherwise why not (e.g. "SMTP_URL is not set"), and its deliveries are skipped with it. */
  readonly unavailableReason: string | null;
  /** The person's address on this channel, or null (they are then not sent anything here). */
  addressOf(recipient: RecipientAddress): string | null;
  /**
   * Hands the message to the provider; resolves once the provider accepted it. Must give up by itself within the
   * job timeout (hard timeouts on every network step) and when `signal` aborts, and throw DeliveryFailure.
   */
  send(message: OutgoingMessage, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** An error message fit to store and show admins: one line, short, with any credentials in a URL masked. */
export function shortErrorOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, '//***@')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
