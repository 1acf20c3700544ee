import { createTransport } from 'nodemailer';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

/** Where notification emails go out; the activities depend on this, never on nodemailer itself. */
export interface Mailer {
  /** Resolves once the server accepted the message; rejects when it did not (the caller retries). */
  send(msg: MailMessage): Promise<void>;
}

/**
 * Each send must fit in the recording activity's 30-second start-to-close timeout, with the database work
 * beside it; nodemailer's own defaults (2 minutes to connect, 10 of silence) would outlive the attempt.
 * Options in the URL's query (e.g. `?connectionTimeout=20000`) still take precedence.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 };

/** Sends through the SMTP server at `url` (`smtp://` or `smtps://`, credentials in the URL), one connection per message. */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = createTransport({ url, ...TIMEOUTS }, { from });
  return {
    // Bcc: colleagues addressed by one notice do not see each other's addresses. nodemailer rejects
    // when the server refuses the message or every recipient.
    send: async ({ to, subject, text }) => {
      await transport.sendMail({ bcc: to, subject, text });
    },
  };
}
