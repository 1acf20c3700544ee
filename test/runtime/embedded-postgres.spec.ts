import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { promises as fs, readFileSync } from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { Client } from 'pg';
import { canListen } from '../../src/runtime/ports';
import {
  installedNativeDir,
  relocatedClusterDir,
  type RunningPostgres,
  startEmbeddedPostgres,
} from '../../src/runtime/embedded-postgres';
import { describeUnless, needsRoot } from '../support/skips';

// Real PostgreSQL servers: initdb plus a start takes a second or two, a restart well under one.
jest.setTimeout(120_000);

interface LogLine {
  msg: string;
  level?: string;
}

function recorder(): { lines: LogLine[]; log: (msg: string, meta?: object, level?: string) => void } {
  const lines: LogLine[] = [];
  return { lines, log: (msg, _meta, level) => lines.push({ msg, level }) };
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postmasterPid(clusterDir: string): number {
  return Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** A directory like a checkout under /root: mode 700, owned by root. */
async function privateDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o700);
  return dir;
}

async function openDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

const cleanups: (() => Promise<unknown>)[] = [];
const servers: RunningPostgres[] = [];

async function start(opts: Parameters<typeof startEmbeddedPostgres>[0]): Promise<RunningPostgres> {
  const pg = await startEmbeddedPostgres(opts);
  servers.push(pg);
  return pg;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('startEmbeddedPostgres', () => {
  it('keeps data across stop and start, frees its port, and leaves no process behind', async () => {
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const dataDir = path.join(base, 'data');
    const { lines, log } = recorder();

    let t = Date.now();
    const first = await start({ dataDir, database: 'nominations', log });
    const firstMs = Date.now() - t;
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/nominations$/);
    expect(first.clusterDir).toBe(path.join(await fs.realpath(dataDir), 'postgres'));
    expect(lines.some((l) => l.msg.startsWith('initialising a new PostgreSQL cluster'))).toBe(true);
    const pid = postmasterPid(first.clusterDir);
    await query(first.url, 'CREATE TABLE nominee (id serial PRIMARY KEY, name text NOT NULL)');
    await query(first.url, 'INSERT INTO nominee (name) VALUES ($1)', ['Zahra Ahmadi']);
    // builtin C.UTF-8: case mapping beyond ASCII works whatever locales the OS has
    expect(await query(first.url, "SELECT upper('é') AS u")).toEqual([{ u: 'É' }]);

    await first.stop();
    await first.stop(); // idempotent
    expect(await canListen(first.port)).toBe(true);
    expect(isAlive(pid)).toBe(false);
    await expect(fs.access(path.join(first.clusterDir, 'postmaster.pid'))).rejects.toMatchObject({
      code: 'ENOENT',
    });

    lines.length = 0;
    t = Date.now();
    const second = await start({ dataDir, database: 'nominations', log });
    const restartMs = Date.now() - t;
    expect(lines.some((l) => l.msg.startsWith('initialising'))).toBe(false);
    expect(await query(second.url, 'SELECT name FROM nominee')).toEqual([{ name: 'Zahra Ahmadi' }]);
    expect((await fs.stat(path.join(dataDir, 'postgres-password'))).mode & 0o777).toBe(0o600);
    await second.stop();
    expect(await canListen(second.port)).toBe(true);
    process.stdout.write(
      `embedded PostgreSQL: first start (initdb) ${firstMs} ms, restart ${restartMs} ms\n`,
    );
  });

  it('uses an explicit port, and refuses a second start of the same cluster in one process', async () => {
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const dataDir = path.join(base, 'data');
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const pg = await start({ dataDir, database: 'app', log: () => undefined, port });
    expect(pg.port).toBe(port);
    expect(pg.url).toContain(`@127.0.0.1:${port}/app`);
    await expect(startEmbeddedPostgres({ dataDir, database: 'app', log: () => undefined })).rejects.toThrow(
      /already running in this process/,
    );
  });

  it('starts despite a stale postmaster.pid naming a dead or an unrelated process', async () => {
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const dataDir = path.join(base, 'data');
    const pg = await start({ dataDir, database: 'app', log: () => undefined });
    const pidFile = path.join(pg.clusterDir, 'postmaster.pid');
    const lockText = await fs.readFile(pidFile, 'utf8');
    await pg.stop();
    servers.splice(0);

    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    for (const stalePid of [dead.pid!, process.pid]) {
      await fs.writeFile(pidFile, lockText.replace(/^\d+/, String(stalePid)), { mode: 0o600 });
      const { lines, log } = recorder();
      const again = await start({ dataDir, database: 'app', log });
      expect(lines.some((l) => l.msg.includes('removing the stale'))).toBe(true);
      expect(await query(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await again.stop();
      servers.splice(0);
    }
  });

  it('stops a server that a killed run left behind, but not one another live instance owns', async () => {
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const dataDir = path.join(base, 'data');
    const pg = await start({ dataDir, database: 'app', log: () => undefined });
    await pg.stop();
    servers.splice(0);

    // What a SIGKILLed `npm start` leaves: a server nobody will stop, and the owner file of a dead process.
    const orphan = spawnOrphan(pg.binDir, pg.clusterDir, pg.port);
    cleanups.push(async () => orphan.pid && isAlive(orphan.pid) && process.kill(orphan.pid, 'SIGKILL'));
    await waitFor(async () =>
      (await fs.readFile(path.join(pg.clusterDir, 'postmaster.pid'), 'utf8')).includes('ready'),
    );

    const liveOwner = spawn('sleep', ['60']);
    cleanups.push(async () => liveOwner.kill('SIGKILL'));
    await fs.writeFile(
      path.join(dataDir, 'postgres.pid'),
      JSON.stringify({ owner: liveOwner.pid, ownerStart: startTime(liveOwner.pid!) }),
    );
    await expect(startEmbeddedPostgres({ dataDir, database: 'app', log: () => undefined })).rejects.toThrow(
      /in use by another running instance/,
    );
    expect(isAlive(orphan.pid!)).toBe(true);

    liveOwner.kill('SIGKILL');
    await new Promise((resolve) => liveOwner.once('exit', resolve));
    const { lines, log } = recorder();
    const again = await start({ dataDir, database: 'app', log });
    expect(lines.some((l) => l.msg.includes('that a previous run left behind'))).toBe(true);
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(await query(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('refuses to guess when the password file of an existing cluster is gone', async () => {
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const dataDir = path.join(base, 'data');
    const pg = await start({ dataDir, database: 'app', log: () => undefined });
    await pg.stop();
    servers.splice(0);
    await fs.rm(path.join(dataDir, 'postgres-password'));
    await expect(startEmbeddedPostgres({ dataDir, database: 'app', log: () => undefined })).rejects.toThrow(
      /postgres-password is missing but the cluster in .* needs it/,
    );
  });

  it('explains a port that is already taken', async () => {
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(
      startEmbeddedPostgres({
        dataDir: path.join(base, 'data'),
        database: 'app',
        log: () => undefined,
        port,
      }),
    ).rejects.toThrow(new RegExp(`failed to start on port ${port}[\\s\\S]*could not bind`));
  });

  it('runs the binaries from a reachable copy when they lie under a private directory, symlinks missing', async () => {
    const checkout = await privateDir('pg-checkout-');
    cleanups.push(() => fs.rm(checkout, { recursive: true, force: true }));
    const nativeDir = path.join(checkout, 'native');
    await fs.cp(installedNativeDir(), nativeDir, { recursive: true, verbatimSymlinks: true });
    await fs.copyFile(
      path.join(installedNativeDir(), '..', 'package.json'),
      path.join(checkout, 'package.json'),
    );
    // As after `npm ci` when npm skipped the package's install script.
    const manifest = JSON.parse(await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as {
      target: string;
    }[];
    for (const { target } of manifest) await fs.rm(path.join(checkout, target), { force: true });
    const cache = await openDir('pg-cache-');
    cleanups.push(() => fs.rm(cache, { recursive: true, force: true }));
    const base = await openDir('embedded-pg-');
    cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
    const { lines, log } = recorder();

    const pg = await start({
      dataDir: path.join(base, 'data'),
      database: 'app',
      log,
      nativeDir,
      binaryCacheDir: cache,
    });
    const copy = lines.find((l) => l.msg.startsWith('using a copy of the PostgreSQL binaries'));
    expect(copy?.msg).toContain(cache);
    expect(await query(pg.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // Named by the package's version and platform: another version or platform gets a copy of its own.
    const { version } = JSON.parse(await fs.readFile(path.join(checkout, 'package.json'), 'utf8'));
    const entry = `pg-${version}-${process.platform}-${process.arch}`;
    expect(await fs.readdir(cache)).toEqual([entry]);
    for (const { target } of manifest) {
      expect((await fs.lstat(path.join(cache, entry, target))).isSymbolicLink()).toBe(true);
    }
    const exe = readFileSync(`/proc/${postmasterPid(pg.clusterDir)}/cmdline`, 'utf8').split('\0')[0];
    expect(exe.startsWith(path.join(cache, entry))).toBe(true);
    await pg.stop();
    servers.splice(0);

    // The second start reuses the finished copy.
    lines.length = 0;
    const again = await start({
      dataDir: path.join(base, 'data'),
      database: 'app',
      log,
      nativeDir,
      binaryCacheDir: cache,
    });
    expect(await fs.readdir(cache)).toEqual([entry]);
    expect(await query(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

describeUnless(
  needsRoot('a checkout under a directory closed to the postgres user'),
  'startEmbeddedPostgres as root with a checkout under a private (mode 700) directory',
  () => {
    it('keeps the cluster in a reachable place derived from DATA_DIR, and survives a restart', async () => {
      const home = await privateDir('pg-home-');
      cleanups.push(() => fs.rm(home, { recursive: true, force: true }));
      const dataDir = path.join(home, 'project', 'data');
      const relocatedRoot = await openDir('pg-relocated-');
      cleanups.push(() => fs.rm(relocatedRoot, { recursive: true, force: true }));
      const { lines, log } = recorder();

      const first = await start({ dataDir, database: 'nominations', log, relocatedDataRoot: relocatedRoot });
      const expected = relocatedClusterDir(await fs.realpath(dataDir), relocatedRoot);
      expect(first.clusterDir).toBe(expected);
      const notes = lines.filter((l) => l.msg.startsWith('DATA_DIR is not reachable'));
      expect(notes).toHaveLength(1);
      expect(notes[0].msg).toContain(expected);
      const owner = await fs.stat(first.clusterDir);
      expect(owner.uid).toBe(Number(execId('-u')));
      await query(first.url, 'CREATE TABLE t (v text)');
      await query(first.url, "INSERT INTO t VALUES ('kept')");
      await first.stop();
      servers.splice(0);

      const second = await start({ dataDir, database: 'nominations', log, relocatedDataRoot: relocatedRoot });
      expect(second.clusterDir).toBe(expected);
      expect(await query(second.url, 'SELECT v FROM t')).toEqual([{ v: 'kept' }]);
      await second.stop();
      servers.splice(0);

      // Wiping DATA_DIR resets the database, as it does when the cluster lives inside it.
      await fs.rm(dataDir, { recursive: true, force: true });
      const third = await start({ dataDir, database: 'nominations', log, relocatedDataRoot: relocatedRoot });
      expect(await query(third.url, "SELECT to_regclass('t') AS t")).toEqual([{ t: null }]);
    });

    it('hands a cluster that another user created over to the postgres OS user', async () => {
      const base = await openDir('embedded-pg-');
      cleanups.push(() => fs.rm(base, { recursive: true, force: true }));
      const dataDir = path.join(base, 'data');
      const pg = await start({ dataDir, database: 'app', log: () => undefined });
      await pg.stop();
      servers.splice(0);
      execFileSync('chown', ['-R', '54321:54321', pg.clusterDir]);
      const { lines, log } = recorder();
      const again = await start({ dataDir, database: 'app', log });
      expect(lines.some((l) => l.msg.startsWith(`handing ${pg.clusterDir} over`))).toBe(true);
      expect((await fs.stat(path.join(pg.clusterDir, 'PG_VERSION'))).uid).toBe(Number(execId('-u')));
      expect(await query(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });

    it('works with the default relocation root', async () => {
      const home = await privateDir('pg-home-');
      cleanups.push(() => fs.rm(home, { recursive: true, force: true }));
      const dataDir = path.join(home, 'data');
      await fs.mkdir(dataDir);
      const expected = relocatedClusterDir(await fs.realpath(dataDir), '/var/lib/nomination-engine');
      cleanups.push(() => fs.rm(path.dirname(expected), { recursive: true, force: true }));
      const pg = await start({ dataDir, database: 'nominations', log: () => undefined });
      expect(pg.clusterDir).toBe(expected);
      expect(await query(pg.url, 'SELECT current_database() AS db')).toEqual([{ db: 'nominations' }]);
    });
  },
);

function spawnOrphan(binDir: string, clusterDir: string, port: number): ChildProcess {
  const postgres = path.join(binDir, 'bin', 'postgres');
  const ids = process.getuid?.() === 0 ? { uid: Number(execId('-u')), gid: Number(execId('-g')) } : {};
  const child = spawn(postgres, ['-D', clusterDir, '-p', String(port), '-h', '127.0.0.1', '-k', ''], {
    ...ids,
    cwd: clusterDir,
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

function execId(flag: '-u' | '-g'): string {
  return execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim();
}

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}
