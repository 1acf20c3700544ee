import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type RunningPostgres, startEmbeddedPostgres } from '../../src/runtime/embedded-postgres';
import { freePort, LOOPBACK } from '../../src/runtime/ports';
import { type RunningDevServer, startTemporalDevServer } from '../../src/runtime/temporal-dev-server';

type Log = (msg: string) => void;

/** The suite's own PostgreSQL: stopped and started again on the same port, keeping its data. */
export class Postgres {
  private running?: RunningPostgres;
  private constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<Postgres> {
    const pg = new Postgres(dataDir, await freePort());
    await pg.start();
    return pg;
  }

  get url(): string {
    return this.running!.url;
  }

  async start(): Promise<void> {
    this.running = await startEmbeddedPostgres({
      dataDir: this.dataDir,
      database: 'nominations',
      port: this.port,
      log: () => undefined,
    });
  }

  async stop(): Promise<void> {
    await this.running?.stop();
  }
}

/** The suite's own Temporal dev server: restarted on the same port with its database file kept. */
export class Temporal {
  private running?: RunningDevServer;
  private constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<Temporal> {
    const t = new Temporal(dataDir, await freePort());
    await t.start();
    return t;
  }

  get address(): string {
    return `${LOOPBACK}:${this.port}`;
  }

  async start(): Promise<void> {
    // The runtime's own start: the same search attributes, and "ready" only once they are registered.
    this.running = await startTemporalDevServer({
      dataDir: this.dataDir,
      namespace: 'default',
      port: this.port,
      uiPort: 0,
      log: () => undefined,
    });
  }

  async stop(): Promise<void> {
    await this.running?.stop();
  }
}

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

/** A real SMTP server in this process, on a fixed port, that can be taken down and brought back. */
export class Smtp {
  readonly received: ReceivedMail[] = [];
  private server?: SMTPServer;
  private constructor(readonly port: number) {}

  static async start(): Promise<Smtp> {
    const smtp = new Smtp(await freePort());
    await smtp.start();
    return smtp;
  }

  get url(): string {
    return `smtp://${LOOPBACK}:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then((mail) => {
          this.received.push({
            to: session.envelope.rcptTo.map((a) => a.address),
            subject: mail.subject ?? '',
            text: (mail.text ?? '').trim(),
          });
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

  /** Down as a crashed mail server is: nothing listens, so every connection is refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * One application process (`node dist/src/api.js` or `worker.js`), restarted when it dies on its own
 * (e.g. it could not reach PostgreSQL while that was restarting) as a supervisor would.
 */
export class AppProcess {
  private child?: ChildProcess;
  private stopped = false;
  /** Restarts after the process died without being told to. */
  crashes = 0;
  kills = 0;
  /** Since when the current process has been serving (its start banner printed); undefined while starting. */
  readySince?: number;
  /** How long each start took, from spawn to banner. */
  readonly startMs: number[] = [];

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly log: Log,
  ) {}

  start(): void {
    this.stopped = false;
    this.readySince = undefined;
    const spawnedAt = Date.now();
    const out = fs.createWriteStream(path.join(this.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [this.script], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.pipe(out, { end: false });
    child.stdout!.on('data', (chunk: Buffer) => {
      out.write(chunk);
      if (this.child === child && this.readySince === undefined && chunk.toString().includes(READY_BANNER)) {
        this.readySince = Date.now();
        this.startMs.push(this.readySince - spawnedAt);
      }
    });
    child.once('exit', (code, signal) => {
      out.end();
      if (this.child !== child) return;
      this.readySince = undefined;
      if (this.stopped || signal === 'SIGKILL') return;
      this.crashes++;
      this.log(`${this.name} exited (${signal ?? `code ${code}`}); restarting it in 1 s`);
      setTimeout(() => {
        if (this.child === child && !this.stopped) this.start();
      }, 1_000);
    });
  }

  /** SIGKILL, then a fresh process: a crash and the supervisor's restart. */
  async killAndRestart(): Promise<void> {
    this.kills++;
    await this.kill();
    this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.kill();
  }

  private async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** What runProcess prints once the process serves (src/runtime/process.ts). */
const READY_BANNER = 'Nomination workflow engine is running.';
