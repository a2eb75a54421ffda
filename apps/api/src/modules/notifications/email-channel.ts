/**
 * Email through SMTP with nodemailer, configured by SMTP_URL and MAIL_FROM. Every network step has a hard timeout
 * and a send gives up when its job's signal aborts: a handler that never returned would keep its worker from
 * fetching anything else.
 */
import nodemailer from 'nodemailer';
import { DeliveryFailure, type NotificationChannel, type OutgoingMessage, shortErrorOf } from './channels.ts';

export interface EmailSettings {
  smtpUrl: string | undefined;
  from: string;
  timeoutMs: number;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

export function emailChannel(settings: EmailSettings): NotificationChannel {
  const transport = settings.smtpUrl
    ? nodemailer.createTransport(
        { url: settings.smtpUrl, connectionTimeout: settings.timeoutMs, greetingTimeout: settings.timeoutMs, socketTimeout: settings.timeoutMs },
        { from: settings.from },
      )
    : null;
  return {
    channel: 'email',
    unavailableReason: transport ? null : 'SMTP_URL is not set',
    addressOf: (recipient) => recipient.email,
    async send(message, signal) {
      if (!transport) throw new DeliveryFailure('SMTP_URL is not set', true);
      signal.throwIfAborted();
      let onAbort = () => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new DeliveryFailure('gave up: the job timed out', false));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        await Promise.race([transport.sendMail(mailOf(message)), aborted]);
      } catch (error) {
        throw error instanceof DeliveryFailure ? error : failureOf(error as SmtpError);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    close: () => transport?.close(),
  };
}

function mailOf(message: OutgoingMessage) {
  return {
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: {
      'Content-Language': message.locale,
      // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
      'List-Unsubscribe': `<${message.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
  };
}

/**
 * Every SMTP failure is retried with backoff, 5xx too: a misconfigured relay answers 5xx for transient faults, so
 * a real "no such mailbox" costs a few wasted attempts, bounded by NOTIFICATION_RETRY_LIMIT, before it goes dead.
 */
function failureOf(error: SmtpError): DeliveryFailure {
  const what = error.responseCode ? `SMTP ${error.responseCode}` : (error.code ?? 'SMTP error');
  return new DeliveryFailure(shortErrorOf(`${what}: ${error.response ?? error.message}`), false);
}
