import { createTransport } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /**
   * The outbox row the message comes from: its Message-ID is the same on every attempt, so a message sent
   * twice (at least once, not exactly once) shows once in most mail clients.
   */
  outboxId?: string;
  /** Header `X-Notification-Id`: which notification the message tells of. */
  notificationId?: string;
}

/** Where notification emails go out; the email sender depends on this, never on nodemailer itself. */
export interface Mailer {
  /** Resolves once the server accepted the message; rejects when it did not (the sender retries later). */
  send(msg: MailMessage): Promise<void>;
}

/**
 * nodemailer's own defaults (2 minutes to connect, 10 of silence) would let a dead server hold an email
 * well past the sender's claim on it (EMAIL_CLAIM_MS), after which another round would send it again.
 * Options in the URL's query (e.g. `?connectionTimeout=20000`) still take precedence.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 };

/** Sends through the SMTP server at `url` (`smtp://` or `smtps://`, credentials in the URL), one connection per message. */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = createTransport({ url, ...TIMEOUTS }, { from });
  const domain = /@([^\s@>]+)>?$/.exec(from)?.[1] ?? 'localhost';
  return {
    // One message per address (the outbox's row): nobody sees a colleague's address, and one refused
    // address does not hold back the others. nodemailer rejects when the server refuses the message.
    send: async ({ to, subject, text, outboxId, notificationId }) => {
      await transport.sendMail({
        to,
        subject,
        text,
        ...(outboxId ? { messageId: `<email-outbox-${outboxId}@${domain}>` } : {}),
        ...(notificationId ? { headers: { 'X-Notification-Id': notificationId } } : {}),
      });
    },
  };
}
