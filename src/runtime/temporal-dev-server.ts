import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../contracts/search-attributes';
import { canListen, freePort } from './ports';
import {
  type Claim,
  claimDataDir,
  isSameProcess,
  type Log,
  onShutdown,
  StartError,
  type StopSequence,
  superviseChild,
  waitFor,
} from './supervisor';
import {
  BinaryNotFoundError,
  requireTemporalBinary,
  type ResolvedBinary,
  type ResolveOptions,
} from './temporal-binaries';

/*
 * The Temporal dev server of `npm start` (docs/design.md §4): `temporal server start-dev` with its state in
 * `<dataDir>/temporal.db`, our search attributes registered, bound to 127.0.0.1 only, run by the supervisor
 * (which claims the directory through `<dataDir>/temporal.pid`).
 */

export interface DevServerOptions {
  /** Holds temporal.db (the state, kept across restarts), temporal.log and temporal.pid. Created if missing. */
  dataDir: string;
  /** Created at start (the "default" namespace always exists too). */
  namespace: string;
  /** Frontend gRPC port. Default 7233; when busy, or 0: a free one. */
  port?: number;
  /** Web UI port. Default 8233; when busy: a free one; 0: no Web UI. */
  uiPort?: number;
  log: Log;
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
const STOP_SIGNALS: StopSequence = [
  ['SIGTERM', 10_000],
  ['SIGKILL', 10_000],
];

export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const startedAt = Date.now();
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dataDir = fs.realpathSync(opts.dataDir);
  // Two servers on one SQLite file would corrupt it, and a leftover one holds the ports.
  const claim = await claimDataDir({
    file: path.join(dataDir, PID_FILE),
    server: 'the Temporal dev server',
    dir: dataDir,
    leftover: (record) => leftoverServer(record, dataDir, opts.log),
    stopSignals: STOP_SIGNALS,
    group: true,
    log: opts.log,
  });
  try {
    const binary = await findBinary(opts);
    const server =
      binary instanceof BinaryNotFoundError
        ? await startFromSdkDownload(dataDir, binary, claim, opts)
        : await startFromBinary(binary, dataDir, claim, opts);
    opts.log(`Temporal dev server ready on ${server.address} in ${Date.now() - startedAt} ms`, {
      uiUrl: server.uiUrl,
      namespace: opts.namespace,
      db: path.join(dataDir, DB_FILE),
      binary: binary instanceof BinaryNotFoundError ? 'Temporal SDK download' : binary.path,
    });
    return server;
  } catch (err) {
    claim.release();
    throw err;
  }
}

/** A server the claim names that is still running: with /proc to tell it from a process that reused its pid. */
function leftoverServer(
  record: { server?: number; serverStart?: string } | undefined,
  dataDir: string,
  log: Log,
): number | undefined {
  if (record?.server === undefined || !isSameProcess(record.server, record.serverStart)) return undefined;
  if (record.serverStart) return record.server;
  log(
    `process ${record.server} may be a Temporal dev server left behind on ${dataDir}; not touching it`,
    {},
    'warn',
  );
  return undefined;
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

// ---------------------------------------------------------------------------------------------------------
// Running our binary

async function startFromBinary(
  binary: ResolvedBinary,
  dataDir: string,
  claim: Claim,
  opts: DevServerOptions,
): Promise<RunningDevServer> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const port = await portOrFree(opts.port ?? DEFAULT_PORT, 'frontend', opts.log);
    const uiPort =
      opts.uiPort === 0 ? undefined : await portOrFree(opts.uiPort ?? DEFAULT_UI_PORT, 'Web UI', opts.log);
    const address = `${HOST}:${port}`;
    const probe = readiness(address, opts.namespace, uiPort);
    try {
      const child = await superviseChild({
        name: 'the Temporal dev server',
        command: binary.path,
        args: serverArgs(dataDir, opts.namespace, port, uiPort),
        env: serverEnv(),
        logFile: path.join(dataDir, LOG_FILE),
        ready: probe.check,
        readyTimeoutMs,
        stopSignals: STOP_SIGNALS,
        group: true,
        ports: [port, uiPort],
        claim,
        log: opts.log,
      });
      return { address, uiUrl: uiUrl(uiPort), stop: () => child.stop() };
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      if (err.portTaken && attempt < START_ATTEMPTS) {
        opts.log(
          'a port of the Temporal dev server was taken while it started; trying other ports',
          {},
          'warn',
        );
        continue;
      }
      throw new Error(`the Temporal dev server at ${address} ${err.message}`);
    } finally {
      await probe.close();
    }
  }
}

function serverArgs(dataDir: string, namespace: string, port: number, uiPort: number | undefined): string[] {
  return [
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
}

function uiUrl(uiPort: number | undefined): string | undefined {
  return uiPort === undefined ? undefined : `http://${HOST}:${uiPort}`;
}

function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTE_DEFINITIONS.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.cliType}`]);
}

/** The CLI reads TEMPORAL_* variables (address, namespace, TLS, profiles) meant for the app, not for it. */
function serverEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
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
  claim: Claim,
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
  const readyTimeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const probe = readiness(address, opts.namespace, uiPort);
  try {
    if (!(await waitFor(async () => (await probe.check()) === true, readyTimeoutMs))) {
      throw new Error(
        `the Temporal dev server at ${address} did not become ready in ${readyTimeoutMs / 1000} s`,
      );
    }
  } catch (err) {
    await env.teardown();
    throw err;
  } finally {
    await probe.close();
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await env.teardown();
      unregister();
      claim.release();
      for (const p of [port, uiPort]) if (p !== undefined) await waitFor(() => canListen(p), 5_000);
    })());
  const unregister = onShutdown('the Temporal dev server', stop);
  return { address, uiUrl: uiUrl(uiPort), stop };
}

// ---------------------------------------------------------------------------------------------------------
// Readiness

/**
 * Ready means: the namespace answers and every search attribute is registered with its type — the CLI
 * registers them only after the frontend is up, and a workflow started in between would fail to upsert them.
 */
function readiness(address: string, namespace: string, uiPort: number | undefined) {
  let connection: Connection | undefined;
  return {
    check: async (): Promise<true | string> => {
      try {
        connection ??= await Connection.connect({ address, connectTimeout: 1_000 });
        const missing = await missingSearchAttributes(connection, namespace);
        if (missing.length) return `search attributes not registered yet: ${missing.join(', ')}`;
        return uiPort === undefined || (await accepts(uiPort)) || 'Web UI not up';
      } catch (err) {
        if (err instanceof SearchAttributeConflict) throw err;
        return (err as Error).message;
      }
    },
    close: async () => {
      await connection?.close();
      connection = undefined;
    },
  };
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
