import { Connection } from '@temporalio/client';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../domain/search-attributes';
import { requireTemporalBinary } from './temporal-binaries';

export interface DevServerOptions {
  dataDir: string;
  namespace: string;
  /** Frontend gRPC port; busy or 0: a free one. */
  port?: number;
  /** Web UI port; busy: a free one; 0: no UI (tests). */
  uiPort?: number;
  log: (msg: string, meta?: Record<string, unknown>) => void;
  readyTimeoutMs?: number;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts `temporal server start-dev` with its state in `<dataDir>/temporal.db` (so workflows survive a
 * restart) and our search attributes registered. It runs in its own process group: Ctrl-C reaches only
 * Node, which stops the worker first and the server after it.
 */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const bin = await requireTemporalBinary('temporal', { install: true, log: (m) => opts.log(m) });
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const port = await portOrFree(opts.port ?? 7233, 'frontend', opts.log);
  const uiPort = opts.uiPort === 0 ? undefined : await portOrFree(opts.uiPort ?? 8233, 'Web UI', opts.log);
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    path.join(opts.dataDir, 'temporal.db'),
    '--ip',
    HOST,
    '--port',
    String(port),
    ...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...SEARCH_ATTRIBUTE_DEFINITIONS.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.cliType}`]),
  ];
  const logFile = path.join(opts.dataDir, 'temporal.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(bin.path, args, { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.on('exit', killOnExit);

  const address = `${HOST}:${port}`;
  try {
    await waitUntilReady(child, address, opts.namespace, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    killGroup(child, 'SIGKILL');
    process.off('exit', killOnExit);
    throw new Error(`${(err as Error).message}; last lines of ${logFile}:\n${tail(logFile, 10)}`);
  }
  opts.log('temporal dev server ready', { address, uiPort, binary: bin.path, pid: child.pid });
  return {
    address,
    uiUrl: uiPort ? `http://localhost:${uiPort}` : undefined,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function waitUntilReady(child: ChildProcess, address: string, namespace: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the Temporal dev server exited during start (code ${child.exitCode})`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(
    `the Temporal dev server did not become ready at ${address} within ${timeoutMs} ms (${lastError})`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** The wanted port if it is free; otherwise (or when 0) one the OS hands out. */
async function portOrFree(wanted: number, what: string, log: DevServerOptions['log']): Promise<number> {
  if (wanted !== 0 && (await canListen(wanted))) return wanted;
  const port = await freePort();
  if (wanted !== 0) log(`port ${wanted} for the Temporal ${what} is busy; using ${port}`);
  return port;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
