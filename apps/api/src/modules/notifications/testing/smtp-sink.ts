/**
 * A real SMTP server started in the test process (smtp-server), whose received mail is parsed with mailparser.
 * Tests decide how it answers each message: accept, refuse with a reply code, or never answer (a timeout).
 */
import { type AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** accept; refuse with an SMTP reply (e.g. 451 try later, 550 no such mailbox); or hang until the client gives up. */
export type SinkAnswer = 'accept' | { refuse: number; message?: string } | 'hang';

export interface SmtpSink {
  url: string;
  /** Every message the sink received in full, whatever it answered. */
  received: ParsedMail[];
  /** The ones it accepted. */
  accepted: ParsedMail[];
  /** How to answer the next messages; called with each message after it was received in full. */
  answerWith(decide: (mail: ParsedMail) => SinkAnswer | Promise<SinkAnswer>): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  let decide: (mail: ParsedMail) => SinkAnswer | Promise<SinkAnswer> = () => 'accept';
  const received: ParsedMail[] = [];
  const accepted: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // A hung session would otherwise hold close() for 30 s.
    closeTimeout: 500,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          received.push(mail);
          const answer = await decide(mail);
          if (answer === 'hang') return;
          if (answer === 'accept') {
            accepted.push(mail);
            callback();
          } else {
            callback(Object.assign(new Error(answer.message ?? 'refused by the test'), { responseCode: answer.refuse }));
          }
        })
        .catch(callback);
    },
  });
  // A hung session is closed by the client's socket timeout; nothing here should keep the process up.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    accepted,
    answerWith: (next) => {
      decide = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until `check` returns something truthy, polling; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
