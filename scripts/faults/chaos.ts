import type { AppProcess, Postgres, Smtp, Temporal } from './services';
import { sleep } from './client';

export interface ChaosTargets {
  api: AppProcess;
  workers: AppProcess[];
  temporal: Temporal;
  postgres: Postgres;
  smtp: Smtp;
}

export interface ChaosCounts {
  workerKills: number;
  apiKills: number;
  temporalRestarts: number;
  postgresRestarts: number;
  smtpOutages: number;
  /** What happened when, in seconds from the start of the drive. */
  timeline: string[];
}

/**
 * The faults of issue 11 item 9 while the drive runs: a worker SIGKILLed every `workerKillEveryMs` and
 * restarted; and, one after another as the drive passes 15 %, 30 %, 45 % and 60 % of its
 * nominations, the API SIGKILLed and restarted, the dev server restarted (its state file kept), PostgreSQL
 * restarted, and SMTP down for `smtpDownMs`. Tied to progress rather than the clock so that each fault
 * lands in the middle of the load whatever the machine's speed.
 */
export class Chaos {
  readonly counts: ChaosCounts = {
    workerKills: 0,
    apiKills: 0,
    temporalRestarts: 0,
    postgresRestarts: 0,
    smtpOutages: 0,
    timeline: [],
  };
  private stopped = false;
  private readonly started = Date.now();
  private oneShots?: Promise<void>;

  constructor(
    private readonly t: ChaosTargets,
    private readonly opts: { workerKillEveryMs: number; smtpDownMs: number },
    private readonly progress: () => number,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    void this.killWorkers();
    this.oneShots = this.runOneShots();
  }

  /** Stops the worker kills; waits for the one-shot faults to have run (and been undone). */
  async stop(): Promise<void> {
    await this.oneShots;
    this.stopped = true;
  }

  private note(what: string): void {
    const line = `${((Date.now() - this.started) / 1000).toFixed(1)} s: ${what}`;
    this.counts.timeline.push(line);
    this.log(line);
  }

  /**
   * Every `workerKillEveryMs` the worker serving longest is killed, but only while the other one serves:
   * on a loaded machine a worker takes longer than that to start (it bundles the workflows), and killing
   * both would test an outage of every worker rather than a crash of one.
   */
  private async killWorkers(): Promise<void> {
    while (!this.stopped) {
      await sleep(this.opts.workerKillEveryMs);
      let victim: AppProcess | undefined;
      while (!this.stopped) {
        const serving = this.t.workers.filter((w) => w.readySince !== undefined);
        if (serving.length === this.t.workers.length) {
          victim = serving.sort((a, b) => a.readySince! - b.readySince!)[0];
          break;
        }
        await sleep(250);
      }
      if (!victim || this.stopped) return;
      await victim.killAndRestart();
      this.counts.workerKills++;
      this.note(`SIGKILL ${victim.name}, restarted`);
    }
  }

  private async at(fraction: number): Promise<void> {
    while (this.progress() < fraction) await sleep(250);
  }

  private async runOneShots(): Promise<void> {
    await this.at(0.15);
    await this.t.api.killAndRestart();
    this.counts.apiKills++;
    this.note('SIGKILL api, restarted');

    await this.at(0.3);
    this.note('Temporal dev server stopping');
    await this.t.temporal.stop();
    await this.t.temporal.start();
    this.counts.temporalRestarts++;
    this.note('Temporal dev server restarted (state file kept)');

    await this.at(0.45);
    this.note('PostgreSQL stopping');
    await this.t.postgres.stop();
    await this.t.postgres.start();
    this.counts.postgresRestarts++;
    this.note('PostgreSQL restarted');

    await this.at(0.6);
    await this.t.smtp.stop();
    this.note(`SMTP down for ${this.opts.smtpDownMs / 1000} s`);
    await sleep(this.opts.smtpDownMs);
    await this.t.smtp.start();
    this.counts.smtpOutages++;
    this.note('SMTP up');
  }
}
