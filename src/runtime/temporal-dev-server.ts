import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../contracts/search-attributes';
import { canListen, freePort } from './ports';
import {
  BinaryNotFoundError,
  isProcessAlive,
  requireTemporalBinary,
  type ResolvedBinary,
  type ResolveOptions,
} from './temporal-binaries';

/*
 * The Temporal dev server of `npm start` (docs/design.md §4): `temporal server start-dev` with its state in
 * `<dataDir>/temporal.db`, our search attributes registered, bound to 127.0.0.1 only.
 *
 * It runs in its own process group, so that Ctrl-C reaches only Node, which stops the worker before the
 * server. The price is that the server would outlive a Node that dies without stopping it; hence the kill on
 * exit, the signal hook (when nobody else handles the signal), and `<dataDir>/temporal.pid`, by which the next
 * start finds and stops a server that a killed run left behind.
 */

export type DevServerLogLevel = 'info' | 'warn' | 'error';

export interface DevServerOptions {
  /** Holds temporal.db (the state, kept across restarts), temporal.log and temporal.pid. Created if missing. */
  dataDir: string;
  /** Created at start (the "default" namespace always exists too). */
  namespace: string;
  /** Frontend gRPC port. Default 7233; when busy, or 0: a free one. */
  port?: number;
  /** Web UI port. Default 8233; when busy: a free one; 0: no Web UI. */
  uiPort?: number;
  log: (msg: string, meta?: Record<string, unknown>, level?: DevServerLogLevel) => void;
  /** Default 60 s. */
  readyTimeoutMs?: number;
  /** How the `temporal` binary is found. Default: the resolver, installing into .tools/ when needed. */
  resolve?: ResolveOptions;
}

export interface RunningDevServer {
  /** host:port of the frontend. */
  address: string;
  /** Undefined when started without the Web UI (uiPort 0). */
  uiUrl?: string;
  /** Stops the server (and its process group) and waits until its ports are free. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;
const DB_FILE = 'temporal.db';
const LOG_FILE = 'temporal.log';
const PID_FILE = 'temporal.pid';
/** A port found free can be taken before the server binds it (another copy starting): try again. */
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const PORT_RELEASE_MS = 5_000;
const POLL_MS = 100;

export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const startedAt = Date.now();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dataDir = fs.realpathSync(opts.dataDir);
  const release = claimInProcess(dataDir);
  try {
    await stopLeftover(dataDir, opts.log);
    const binary = await findBinary(opts);
    const server =
      binary instanceof BinaryNotFoundError
        ? await startFromSdkDownload(dataDir, binary, opts)
        : await startFromBinary(binary, dataDir, opts);
    opts.log(`Temporal dev server ready on ${server.address} in ${Date.now() - startedAt} ms`, {
      uiUrl: server.uiUrl,
      namespace: opts.namespace,
      db: path.join(dataDir, DB_FILE),
      binary: binary instanceof BinaryNotFoundError ? 'Temporal SDK download' : binary.path,
    });
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= server.stop().finally(release));
    return { ...server, stop };
  } catch (err) {
    release();
    throw err;
  }
}

async function findBinary(opts: DevServerOptions): Promise<ResolvedBinary | BinaryNotFoundError> {
  try {
    return await requireTemporalBinary('temporal', {
      install: true,
      log: (msg) => opts.log(msg),
      ...opts.resolve,
    });
  } catch (err) {
    if (err instanceof BinaryNotFoundError) return err;
    throw err;
  }
}

const claimed = new Set<string>();

function claimInProcess(dataDir: string): () => void {
  if (claimed.has(dataDir)) throw new Error(`a Temporal dev server for ${dataDir} is already running`);
  claimed.add(dataDir);
  return () => claimed.delete(dataDir);
}

// ---------------------------------------------------------------------------------------------------------
// Running our binary

async function startFromBinary(
  binary: ResolvedBinary,
  dataDir: string,
  opts: DevServerOptions,
): Promise<RunningDevServer> {
  const deadline = Date.now() + (opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  const logFile = path.join(dataDir, LOG_FILE);
  for (let attempt = 1; ; attempt++) {
    const port = await portOrFree(opts.port ?? DEFAULT_PORT, 'frontend', opts.log);
    const uiPort =
      opts.uiPort === 0 ? undefined : await portOrFree(opts.uiPort ?? DEFAULT_UI_PORT, 'Web UI', opts.log);
    const server = spawnServer(binary.path, dataDir, opts.namespace, port, uiPort);
    try {
      await waitUntilReady(server.address, opts.namespace, deadline, server.exitReason, uiPort);
      return server;
    } catch (err) {
      await server.stop();
      const log = tail(logFile, 15);
      if (err instanceof ServerExited && /address already in use/i.test(log) && attempt < START_ATTEMPTS) {
        opts.log(
          'a port of the Temporal dev server was taken while it started; trying other ports',
          {},
          'warn',
        );
        continue;
      }
      throw new Error(`${(err as Error).message}; the last lines of ${logFile}:\n${log}`);
    }
  }
}

interface SpawnedServer extends RunningDevServer {
  /** Why the process is gone, once it is. */
  exitReason: () => string | undefined;
}

function spawnServer(
  bin: string,
  dataDir: string,
  namespace: string,
  port: number,
  uiPort: number | undefined,
): SpawnedServer {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(dataDir, DB_FILE),
    '--ip',
    HOST,
    '--port',
    String(port),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort), '--ui-disable-news-fetch']),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...searchAttributeArgs(),
  ];
  const logFile = path.join(dataDir, LOG_FILE);
  rotate(logFile);
  const out = fs.openSync(logFile, 'a');
  fs.writeSync(out, `# ${new Date().toISOString()} ${bin} ${args.join(' ')}\n`);
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out], env: serverEnv() });
  } finally {
    fs.closeSync(out);
  }
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    // 'error' alone (the binary cannot be run) means no process; 'close' follows it or the exit.
    child.once('error', (err) => (exitReason = `the Temporal dev server could not be run: ${err.message}`));
    child.once('close', (code, signal) => {
      exitReason ??= `the Temporal dev server exited (${signal ?? `code ${code}`})`;
      resolve();
    });
  });
  const untrack = track(child);
  if (child.pid) writePidFile(dataDir, child.pid);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await terminateGroup(child, exited);
      untrack();
      removePidFile(dataDir, child.pid);
      await waitForPortsFree([port, uiPort]);
    })());
  return {
    address: `${HOST}:${port}`,
    uiUrl: uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`,
    stop,
    exitReason: () => exitReason,
  };
}

function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTE_DEFINITIONS.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.cliType}`]);
}

/** The CLI reads TEMPORAL_* variables (address, namespace, TLS, profiles) meant for the app, not for it. */
function serverEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

/** Keeps the previous run's log (the one to read after a crash) and starts a fresh one. */
function rotate(logFile: string): void {
  try {
    fs.renameSync(logFile, `${logFile}.1`);
  } catch {
    // No previous log.
  }
}

async function terminateGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (!isRunning(child)) return exited;
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  // The CLI is one process, but anything it may have started belongs to its group: leave nothing behind.
  signalGroup(child.pid, 'SIGKILL');
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // Already gone.
  }
}

// ---------------------------------------------------------------------------------------------------------
// Not outliving Node

const live = new Set<ChildProcess>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Kills the server when Node exits, and on a signal that would otherwise end Node without an exit event. */
function track(child: ChildProcess): () => void {
  if (live.size === 0) {
    process.on('exit', killAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  live.add(child);
  return () => {
    if (!live.delete(child) || live.size > 0) return;
    process.off('exit', killAll);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
}

function killAll(): void {
  for (const child of live) if (isRunning(child)) signalGroup(child.pid, 'SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else handles it (runProcess stops everything in order, the server last): leave it to them.
  if (process.listenerCount(signal) > 1) return;
  killAll();
  process.off('exit', killAll);
  for (const s of SIGNALS) process.off(s, onSignal);
  // With our handler gone, the signal's default action ends Node as it would have without us.
  process.kill(process.pid, signal);
}

// ---------------------------------------------------------------------------------------------------------
// A server left behind by a killed run

interface PidRecord {
  server: number;
  serverStart?: string;
  owner: number;
  ownerStart?: string;
}

function writePidFile(dataDir: string, serverPid: number): void {
  const record: PidRecord = {
    server: serverPid,
    serverStart: processStartTime(serverPid),
    owner: process.pid,
    ownerStart: processStartTime(process.pid),
  };
  fs.writeFileSync(path.join(dataDir, PID_FILE), JSON.stringify(record) + '\n');
}

function removePidFile(dataDir: string, serverPid: number | undefined): void {
  if (readPidFile(dataDir)?.server === serverPid) fs.rmSync(path.join(dataDir, PID_FILE), { force: true });
}

function readPidFile(dataDir: string): PidRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8')) as PidRecord;
    return Number.isInteger(record.server) && Number.isInteger(record.owner) ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Two servers on one SQLite file would corrupt it, and a leftover one holds the ports: stop a server whose
 * owner is gone, refuse to start beside one whose owner is alive.
 */
async function stopLeftover(dataDir: string, log: DevServerOptions['log']): Promise<void> {
  const record = readPidFile(dataDir);
  if (!record) return;
  const pidFile = path.join(dataDir, PID_FILE);
  if (!isSameProcess(record.server, record.serverStart)) {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  if (isSameProcess(record.owner, record.ownerStart)) {
    throw new Error(
      `the Temporal dev server in ${dataDir} is in use by another running instance (process ${record.owner}): ` +
        'stop it, or give this one a different DATA_DIR',
    );
  }
  if (!record.serverStart) {
    // Without /proc there is no telling a leftover server from an unrelated process that reused its pid.
    log(
      `process ${record.server} may be a Temporal dev server left behind on ${dataDir}; not touching it`,
      {},
      'warn',
    );
    return;
  }
  log(`stopping the Temporal dev server (pid ${record.server}) that a previous run left behind`, {}, 'warn');
  signalGroup(record.server, 'SIGTERM');
  if (!(await waitFor(() => !isProcessAlive(record.server), STOP_GRACE_MS))) {
    signalGroup(record.server, 'SIGKILL');
    await waitFor(() => !isProcessAlive(record.server), STOP_GRACE_MS);
  }
  fs.rmSync(pidFile, { force: true });
}

function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isProcessAlive(pid)) return false;
  const actual = processStartTime(pid);
  return !startTime || !actual || actual === startTime;
}

/** Field 22 of /proc/<pid>/stat: tells a process from a later one that got the same pid (Linux only). */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The Temporal SDK's download, when no binary is at hand

/**
 * Last resort (docs/design.md §4): the SDK downloads the CLI from Temporal's site (machines with internet only).
 * @temporalio/testing is loaded only here, so that installs without it still run a resolved binary.
 */
async function startFromSdkDownload(
  dataDir: string,
  notFound: BinaryNotFoundError,
  opts: DevServerOptions,
): Promise<RunningDevServer> {
  const fail = (why: string) =>
    new Error(
      `cannot start the Temporal dev server: ${[...notFound.tried, why].join('; ')}. To fix: ${notFound.remedy}`,
    );
  opts.log(
    `no \`temporal\` binary (${notFound.tried.join('; ')}): trying the Temporal SDK's download`,
    {},
    'warn',
  );
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw fail(
      `the Temporal SDK's download needs the npm package @temporalio/testing, which is not installed`,
    );
  }
  const port = await portOrFree(opts.port ?? DEFAULT_PORT, 'frontend', opts.log);
  const uiPort =
    opts.uiPort === 0 ? undefined : await portOrFree(opts.uiPort ?? DEFAULT_UI_PORT, 'Web UI', opts.log);
  let env: TestWorkflowEnvironment;
  try {
    env = await testing.TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        dbFilename: path.join(dataDir, DB_FILE),
        ip: HOST,
        port,
        ui: uiPort !== undefined,
        uiPort,
        namespace: opts.namespace,
        extraArgs: searchAttributeArgs(),
      },
    });
  } catch (err) {
    throw fail(`the Temporal SDK's download failed: ${(err as Error).message}`);
  }
  const address = `${HOST}:${port}`;
  try {
    await waitUntilReady(
      address,
      opts.namespace,
      Date.now() + (opts.readyTimeoutMs ?? READY_TIMEOUT_MS),
      () => undefined,
      uiPort,
    );
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`,
    stop: async () => {
      await env.teardown();
      await waitForPortsFree([port, uiPort]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Readiness

class ServerExited extends Error {}

/**
 * Ready means: the namespace answers and every search attribute is registered with its type — the CLI
 * registers them only after the frontend is up, and a workflow started in between would fail to upsert them.
 */
async function waitUntilReady(
  address: string,
  namespace: string,
  deadline: number,
  exitReason: () => string | undefined,
  uiPort: number | undefined,
): Promise<void> {
  let connection: Connection | undefined;
  let last = 'no answer';
  try {
    for (;;) {
      const exited = exitReason();
      if (exited) throw new ServerExited(`${exited} while starting`);
      if (Date.now() > deadline) {
        throw new Error(`the Temporal dev server at ${address} did not become ready in time (${last})`);
      }
      try {
        connection ??= await Connection.connect({ address, connectTimeout: 1_000 });
        const missing = await missingSearchAttributes(connection, namespace);
        if (!missing.length && (uiPort === undefined || (await accepts(uiPort)))) return;
        last = missing.length
          ? `search attributes not registered yet: ${missing.join(', ')}`
          : 'Web UI not up';
      } catch (err) {
        if (err instanceof SearchAttributeConflict) throw err;
        last = (err as Error).message;
      }
      await sleep(POLL_MS);
    }
  } finally {
    await connection?.close();
  }
}

class SearchAttributeConflict extends Error {}

type CliType = (typeof SEARCH_ATTRIBUTE_DEFINITIONS)[number]['cliType'];
const SDK_TYPE: Record<CliType, SearchAttributeType> = {
  Keyword: SearchAttributeType.KEYWORD,
  Bool: SearchAttributeType.BOOL,
};

async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const res = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = res.customAttributes ?? {};
  const missing: string[] = [];
  for (const { name, cliType } of SEARCH_ATTRIBUTE_DEFINITIONS) {
    const wanted = encodeSearchAttributeIndexedValueType(SDK_TYPE[cliType]);
    if (!(name in registered)) missing.push(name);
    else if (registered[name] !== wanted) {
      // Temporal cannot change the type of a registered attribute; the CLI leaves the old one in place.
      throw new SearchAttributeConflict(
        `search attribute ${name} is registered in ${namespace} with another type than ${cliType}; ` +
          'move the old temporal.db out of DATA_DIR to start over',
      );
    }
  }
  return missing;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Ports

/** The wanted port when it is free; otherwise (or when 0) one the OS hands out. */
async function portOrFree(wanted: number, what: string, log: DevServerOptions['log']): Promise<number> {
  if (wanted !== 0 && (await canListen(wanted))) return wanted;
  const port = await freePort();
  if (wanted !== 0) log(`port ${wanted} for the Temporal ${what} is busy; using ${port}`, {}, 'warn');
  return port;
}

async function waitForPortsFree(ports: (number | undefined)[]): Promise<void> {
  for (const port of ports) {
    if (port !== undefined) await waitFor(() => canListen(port), PORT_RELEASE_MS);
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
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

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
