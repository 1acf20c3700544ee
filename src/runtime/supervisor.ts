import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { canListen } from './ports';

/*
 * The one place that runs the embedded servers (PostgreSQL, the Temporal dev server) as children of this
 * Node process: it claims their data directory, starts them with their output in a log file, waits until
 * they serve, notices when one dies, stops them, and stops everything this process started, in reverse
 * order, when it is told to go (Ctrl-C, SIGTERM) or exits.
 *
 * The children run in process groups of their own, so that Ctrl-C reaches only Node, which stops the
 * application before the servers it needs. The price is that a child would outlive a Node that dies without
 * stopping it; hence the signal on exit, and the claim file by which the next start finds a leftover server.
 */

export type Level = 'info' | 'warn' | 'error';
export type Log = (msg: string, meta?: Record<string, unknown>, level?: Level) => void;

/** Signals sent in turn, each with how long to wait for the exit before sending the next. */
export type StopSequence = readonly (readonly [NodeJS.Signals, number])[];

export interface ChildSpec {
  /** How log lines name it: "PostgreSQL", "the Temporal dev server". */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Its output, appended; the previous run's log (the one to read after a crash) is kept as `<logFile>.1`. */
  logFile: string;
  /** Output lines that also go to `log` as errors; the output then passes through Node. */
  alertLines?: RegExp;
  /** Given the child's pid: `true` once it serves; a string says why not yet; a throw fails the start. */
  ready: (pid: number | undefined) => Promise<true | string>;
  readyTimeoutMs: number;
  stopSignals: StopSequence;
  /** Signal its whole process group, so that nothing it started is left behind. */
  group?: boolean;
  /** Waited for, after it is gone, until free again (a start right after a stop must be able to bind them). */
  ports?: readonly (number | undefined)[];
  /** The claim of its data directory: it records the child's pid, and is released by stop(). */
  claim?: Claim;
  /** Without it, an unexpected exit is logged and that is all. */
  restart?: RestartPolicy;
  log: Log;
}

/** Starting a child again, on the same args and ports, when it exits unexpectedly. */
export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; the next unexpected exit gives up. */
  maxRestarts: number;
  windowMs: number;
  /** The delay before the first restart in the window, doubled for each further one up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called once, after the one log line that says it gave up (naming the child and its log file). */
  onGiveUp?: (message: string) => void;
}

export interface SupervisedChild {
  /** The running process's pid (a restart changes it). */
  pid(): number | undefined;
  /** Stops it as `stopSignals` says, releases its claim, waits for its ports. Idempotent. */
  stop(): Promise<void>;
}

/** Why a child did not come up, with the end of its log. */
export class StartError extends Error {
  constructor(
    readonly reason: string,
    /** The child exited (or could not be run) rather than not answering in time. */
    readonly exited: boolean,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`${reason}; the last lines of ${logFile}:\n${logTail}`);
  }

  /** A port found free was taken before the child bound it (another copy starting): worth another try. */
  get portTaken(): boolean {
    return this.exited && /address already in use|could not bind/i.test(this.logTail);
  }
}

const POLL_MS = 100;
const PORT_RELEASE_MS = 5_000;
const TAIL_LINES = 20;

/** Starts the child and resolves once `ready` says it serves; on failure it is stopped and StartError thrown. */
export async function superviseChild(spec: ChildSpec): Promise<SupervisedChild> {
  const child = new Supervised(spec);
  await child.launch();
  return child;
}

class Supervised implements SupervisedChild {
  private proc?: ChildProcess;
  /** "exited (SIGKILL)", "could not be run: …": set once the process is gone. */
  private exitReason?: string;
  private exited: Promise<void> = Promise.resolve();
  private stopping?: Promise<void>;
  private unregister?: () => void;
  /** When the restarts within the policy's window happened. */
  private restarts: number[] = [];

  constructor(private readonly spec: ChildSpec) {}

  pid(): number | undefined {
    return this.exitReason === undefined ? this.proc?.pid : undefined;
  }

  /** Spawns and waits until ready: the first start, and (issue 18) any restart, on the same args and ports. */
  async launch(): Promise<void> {
    const proc = this.spawn();
    // From the spawn on, so that Ctrl-C during a start stops this child too.
    const first = !this.unregister;
    this.unregister ??= onShutdown(
      this.spec.name,
      () => this.stop(),
      () => this.signalNow(),
    );
    const abandon = async () => {
      await this.terminate(proc);
      if (!first) return; // a restart that failed: still supervised, the restart loop goes on
      this.unregister?.();
      this.unregister = undefined;
    };
    const failed = await this.waitUntilReady().catch(async (err: unknown) => {
      await abandon();
      throw err;
    });
    if (failed) {
      await abandon();
      throw new StartError(failed, this.exitReason !== undefined, this.spec.logFile, tail(this.spec.logFile));
    }
    proc.once('exit', () => {
      if (!this.stopping && this.proc === proc)
        void this.restart(`${this.spec.name} ${this.exitReason} unexpectedly`);
    });
    // The application decides how long Node lives; the exit hook signals the child when it ends.
    proc.unref();
  }

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      if (this.proc) await this.terminate(this.proc);
      this.unregister?.();
      this.spec.claim?.release();
      for (const port of this.spec.ports ?? []) {
        if (port !== undefined) await waitFor(() => canListen(port), PORT_RELEASE_MS);
      }
    })());
  }

  /** Starts it again with backoff, as the policy allows; a restart that does not come up counts too. */
  private async restart(why: string): Promise<void> {
    const { restart: policy, log, name, logFile } = this.spec;
    for (;;) {
      if (!policy) return log(`${why}; its log: ${logFile}`, {}, 'error');
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < policy.windowMs);
      if (this.restarts.length >= policy.maxRestarts) {
        const message =
          `${why}, after ${this.restarts.length} restarts in ${Math.round(policy.windowMs / 1000)} s: ` +
          `giving up on ${name}; its log: ${logFile}`;
        log(message, {}, 'error');
        return policy.onGiveUp?.(message);
      }
      this.restarts.push(now);
      const delay = Math.min(
        (policy.initialDelayMs ?? 500) * 2 ** (this.restarts.length - 1),
        policy.maxDelayMs ?? 30_000,
      );
      log(
        `${why}; restarting it in ${delay} ms (restart ${this.restarts.length} of ${policy.maxRestarts})`,
        {},
        'warn',
      );
      await sleep(delay);
      if (this.stopping) return log(`not restarting ${name}: it is being stopped`);
      const failed = await this.launch().then(
        () => undefined,
        (err: Error) => err.message.split('\n')[0],
      );
      if (this.stopping) return;
      if (!failed) return log(`${name} is running again (pid ${this.proc?.pid})`);
      why = `${name} did not come back: ${failed}`;
    }
  }

  private spawn(): ChildProcess {
    const { spec } = this;
    rotate(spec.logFile);
    const fd = fs.openSync(spec.logFile, 'a', 0o600);
    fs.writeSync(fd, `# ${new Date().toISOString()} ${spec.command} ${spec.args.join(' ')}\n`);
    let proc: ChildProcess;
    try {
      proc = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        uid: spec.uid,
        gid: spec.gid,
        stdio: spec.alertLines ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      if (!spec.alertLines) fs.closeSync(fd);
    }
    if (spec.alertLines)
      teeOutput(proc, fd, spec.alertLines, (line) => spec.log(`${spec.name}: ${line}`, {}, 'error'));
    this.proc = proc;
    this.exitReason = undefined;
    this.exited = new Promise<void>((resolve) => {
      // 'error' without a pid: it could not be run, and no 'exit' follows.
      proc.once('error', (err) => {
        this.exitReason ??= `could not be run: ${spawnError(err, spec.command)}`;
        if (proc.pid === undefined) resolve();
      });
      proc.once('exit', (code, signal) => {
        this.exitReason ??= `exited (${signal ?? `code ${code}`})`;
        resolve();
      });
    });
    if (proc.pid !== undefined) spec.claim?.recordServer(proc.pid);
    return proc;
  }

  /** Why it did not come up, or undefined once it serves. */
  private async waitUntilReady(): Promise<string | undefined> {
    const deadline = Date.now() + this.spec.readyTimeoutMs;
    for (;;) {
      if (this.exitReason) return `${this.exitReason} while starting`;
      const answer = await this.spec.ready(this.proc?.pid);
      if (answer === true) return undefined;
      if (Date.now() > deadline)
        return `did not become ready in ${this.spec.readyTimeoutMs / 1000} s (${answer})`;
      await sleep(POLL_MS);
    }
  }

  private async terminate(proc: ChildProcess): Promise<void> {
    proc.ref(); // Node stays until the child is gone
    const { stopSignals, group } = this.spec;
    if (proc.pid !== undefined && this.exitReason === undefined) {
      await stopProcess(proc.pid, stopSignals, group, (ms) => within(this.exited, ms));
    }
    await this.exited;
    // Whatever it started belongs to its group: leave nothing behind.
    if (group) signal(proc.pid, 'SIGKILL', true);
  }

  /** What the synchronous exit hook can do: ask it to stop, which it completes on its own. */
  private signalNow(): void {
    if (this.proc && this.exitReason === undefined)
      signal(this.proc.pid, this.spec.stopSignals[0][0], this.spec.group);
  }
}

/** Output to the log file through Node, with `alert` lines passed on. */
function teeOutput(proc: ChildProcess, fd: number, alert: RegExp, report: (line: string) => void): void {
  const file = fs.createWriteStream('', { fd });
  file.on('error', () => undefined); // the log is a convenience; never let it take the server down
  const onData = (chunk: Buffer) => {
    file.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) if (alert.test(line)) report(line);
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    stream?.on('data', onData);
    (stream as { unref?: () => void } | null)?.unref?.();
  }
  proc.once('exit', () => file.end());
}

function spawnError(err: Error, file: string): string {
  if ((err as NodeJS.ErrnoException).code === 'EACCES')
    return `cannot execute ${file} (EACCES): its directory is not reachable`;
  return err.message;
}

function rotate(logFile: string): void {
  try {
    fs.renameSync(logFile, `${logFile}.1`);
  } catch {
    // No previous log.
  }
}

function tail(file: string, lines = TAIL_LINES): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Stopping everything this process started, in reverse order

interface Stoppable {
  name: string;
  stop: () => Promise<void>;
  /** Synchronous last resort, from the exit hook. */
  signalNow?: () => void;
}

const started: Stoppable[] = [];
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let signalOwner: { after: (signal: NodeJS.Signals) => void; onError: StopErrorHandler } | undefined;
let hooksInstalled = false;
let stoppingAll: Promise<void> | undefined;

export type StopErrorHandler = (name: string, err: unknown) => void;

/** Adds something to what is stopped, last started first; returns its removal. */
export function onShutdown(name: string, stop: () => Promise<void>, signalNow?: () => void): () => void {
  const entry: Stoppable = { name, stop, signalNow };
  started.push(entry);
  installHooks();
  return () => {
    const i = started.indexOf(entry);
    if (i >= 0) started.splice(i, 1);
    if (!started.length && !signalOwner) removeHooks();
  };
}

/** Stops everything registered, last started first, one at a time; a failure does not stop the rest. */
export function stopAll(onError: StopErrorHandler = () => undefined): Promise<void> {
  return (stoppingAll ??= (async () => {
    for (const entry of [...started].reverse()) await entry.stop().catch((err) => onError(entry.name, err));
  })().finally(() => (stoppingAll = undefined)));
}

/**
 * Makes SIGINT, SIGTERM and SIGHUP stop everything, then call `after` (which exits). Without it (a test,
 * a script) the supervisor leaves a signal that someone else handles to them, and the exit hook signals the
 * children; a signal nobody handles stops everything, then takes its default course.
 */
export function stopAllOnSignals(after: (signal: NodeJS.Signals) => void, onError: StopErrorHandler): void {
  signalOwner = { after, onError };
  installHooks();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', signalAllNow);
  // First in line, so that at signal time we still see whether anybody else handles it.
  for (const s of SIGNALS) process.prependListener(s, onSignal);
}

function removeHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', signalAllNow);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** 'exit' handlers must be synchronous. */
function signalAllNow(): void {
  for (const entry of started) entry.signalNow?.();
}

function onSignal(sig: NodeJS.Signals): void {
  const owner = signalOwner;
  if (!owner && process.listenerCount(sig) > 1) return;
  if (stoppingAll) return; // a second Ctrl-C while stopping
  void stopAll(owner?.onError).finally(() => {
    if (owner) return owner.after(sig);
    removeHooks();
    // With our handler gone, the signal's default action ends Node as it would have without us.
    process.kill(process.pid, sig);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Claiming a data directory

export interface ClaimRecord {
  owner: number;
  ownerStart?: string;
  server?: number;
  serverStart?: string;
}

export interface ClaimSpec {
  /** The claim file, e.g. `<dataDir>/temporal.pid`. */
  file: string;
  /** What serves the directory, for messages: "the Temporal dev server". */
  server: string;
  /** The directory, for messages. */
  dir: string;
  /**
   * The pid of a server of this directory that is still running (one that a previous run left behind), when
   * it is certainly one; clears whatever stale record it finds.
   */
  leftover: (record: ClaimRecord | undefined) => Promise<number | undefined> | number | undefined;
  stopSignals: StopSequence;
  group?: boolean;
  log: Log;
}

export interface Claim {
  recordServer(pid: number): void;
  /** Removes the claim file (when it is still ours). Idempotent. */
  release(): void;
}

const claimedFiles = new Set<string>();

/**
 * One server per data directory (two on one SQLite file or cluster would corrupt it): refuses a second one in
 * this process or beside a live owner, and stops a server whose owner is gone (a killed run's).
 */
export async function claimDataDir(spec: ClaimSpec): Promise<Claim> {
  const what = `${spec.server} in ${spec.dir}`;
  if (claimedFiles.has(spec.file)) throw new Error(`${what} is already running in this process`);
  claimedFiles.add(spec.file);
  let released = false;
  const claim: Claim = {
    recordServer: (pid) => writeClaim(spec.file, pid),
    release: () => {
      if (released) return;
      released = true;
      claimedFiles.delete(spec.file);
      if (readClaim(spec.file)?.owner === process.pid) fs.rmSync(spec.file, { force: true });
    },
  };
  try {
    const record = readClaim(spec.file);
    const pid = await spec.leftover(record);
    if (pid !== undefined) {
      if (record && record.owner !== process.pid && isSameProcess(record.owner, record.ownerStart)) {
        throw new Error(
          `${what} is in use by another running instance (process ${record.owner}): stop it, or give ` +
            'this one a different DATA_DIR',
        );
      }
      spec.log(`stopping ${spec.server} (pid ${pid}) that a previous run left behind`, {}, 'warn');
      const gone = (ms: number) => waitFor(() => !isProcessAlive(pid), ms);
      await stopProcess(pid, spec.stopSignals, spec.group, gone);
    }
    writeClaim(spec.file);
    return claim;
  } catch (err) {
    claim.release();
    throw err;
  }
}

function writeClaim(file: string, server?: number): void {
  const record: ClaimRecord = {
    owner: process.pid,
    ownerStart: processStartTime(process.pid),
    ...(server !== undefined && { server, serverStart: processStartTime(server) }),
  };
  fs.writeFileSync(file, JSON.stringify(record) + '\n');
}

function readClaim(file: string): ClaimRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as ClaimRecord;
    return Number.isInteger(record.owner) ? record : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Processes

async function stopProcess(
  pid: number,
  signals: StopSequence,
  group: boolean | undefined,
  gone: (ms: number) => Promise<boolean>,
): Promise<void> {
  for (const [sig, waitMs] of signals) {
    if (!signal(pid, sig, group)) return;
    if (await gone(waitMs)) return;
  }
}

/** False when there is no such process (group) any more. */
function signal(pid: number | undefined, sig: NodeJS.Signals, group?: boolean): boolean {
  if (!pid) return false;
  try {
    process.kill(group && process.platform !== 'win32' ? -pid : pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** A zombie counts as gone: it holds nothing, and where init does not reap (containers) it stays forever. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !['Z', 'X'].includes(procStat(pid)?.[0] ?? '');
}

/** Alive, and not a later process that got the same pid (when the start time can tell). */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  const actual = processStartTime(pid);
  return !startTime || !actual || actual === startTime;
}

/** Field 22 of /proc/<pid>/stat (Linux only). */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
