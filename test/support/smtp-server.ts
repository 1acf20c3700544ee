import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort, LOOPBACK } from '../../src/runtime/ports';

export interface Received {
  from: string;
  to: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP server on the loopback (plain text, no auth) keeping what it accepts; stop() and start()
 * take it down and bring it back on the same port, as an outage of the mail server would.
 */
export class TestSmtpServer {
  readonly received: Received[] = [];
  /** The next message is refused with this SMTP reply code, as a full mailbox or a server outage would. */
  refuseNext?: number;
  private server?: SMTPServer;
  private readonly arrivals = new Set<() => void>();
  private constructor(private readonly port: number) {}

  get url(): string {
    return `smtp://${LOOPBACK}:${this.port}`;
  }

  /** Starts one on a free port; `running: false` only reserves the port (the server is down from the start). */
  static async create({ running = true } = {}): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(await freePort());
    if (running) await smtp.start();
    return smtp;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then((mail) => {
          const refuse = this.refuseNext;
          if (refuse) {
            this.refuseNext = undefined;
            return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: refuse }));
          }
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((a) => a.address).sort(),
            mail,
          });
          for (const arrival of [...this.arrivals]) arrival();
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, LOOPBACK, () => resolve());
    });
    this.server = server;
  }

  /** Refuses connections from now on (and ends the open ones) until start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * The messages received so far, once there are at least `count`: resolves on the arrival itself; the time
   * is an upper bound only.
   */
  messages(count: number, timeoutMs = 20_000): Promise<Received[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.received.length < count) return;
        done();
        resolve([...this.received]);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.received.length} of ${count} messages within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.arrivals.delete(check);
      };
      this.arrivals.add(check);
      check();
    });
  }

  /** Addresses that received a message whose subject contains `text`, once per message. */
  recipientsOf(text: string): string[] {
    return this.received
      .filter((r) => r.mail.subject?.includes(text))
      .flatMap((r) => r.to)
      .sort();
  }
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`: for a state in
 * PostgreSQL that no event announces (use TestSmtpServer.messages for mail arriving).
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
