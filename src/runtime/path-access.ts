import { promises as fs } from 'fs';
import path from 'path';

/** The identity a child process runs as. Node drops supplementary groups when it spawns with uid/gid. */
export interface Identity {
  uid: number;
  gids: readonly number[];
}

/** What permission checks need to know about one file or directory. */
export interface PathStat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

export type Access = 'r' | 'w' | 'x';

const BITS: Record<Access, number> = { r: 4, w: 2, x: 1 };

/**
 * Classic POSIX permission check (ACLs and capabilities aside): the owner class applies when the uid owns the
 * file, else the group class when one of the gids matches, else "other"; only the first matching class counts.
 */
export function hasAccess(stat: PathStat, who: Identity, wanted: readonly Access[]): boolean {
  if (who.uid === 0) return true;
  const shift = stat.uid === who.uid ? 6 : who.gids.includes(stat.gid) ? 3 : 0;
  const granted = (stat.mode >> shift) & 7;
  return wanted.every((a) => (granted & BITS[a]) !== 0);
}

/**
 * Given the chain of directories from `/` down to a target directory (as `statChain` returns), the first one
 * that `who` cannot search (x bit), or undefined when every one of them can be traversed.
 */
export function firstUntraversable(chain: readonly PathStat[], who: Identity): string | undefined {
  return chain.find((dir) => !hasAccess(dir, who, ['x']))?.path;
}

/** `/a/b/c` → stats of `/`, `/a`, `/a/b`, `/a/b/c`. The path must exist; symlinks are resolved first. */
export async function statChain(target: string): Promise<PathStat[]> {
  const real = await fs.realpath(target);
  const parts = real.split(path.sep).filter(Boolean);
  const dirs = parts.map((_, i) => path.sep + parts.slice(0, i + 1).join(path.sep));
  return Promise.all([path.sep, ...dirs].map(statOf));
}

export async function statOf(p: string): Promise<PathStat> {
  const s = await fs.stat(p);
  return { path: p, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
}

/**
 * Whether `who` can reach `dir` (search permission on it and every ancestor). Returns the blocking directory,
 * or undefined when it is reachable. `dir` must exist.
 */
export async function untraversableAncestor(dir: string, who: Identity): Promise<string | undefined> {
  return firstUntraversable(await statChain(dir), who);
}
