import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import {
  firstUntraversable,
  hasAccess,
  type Identity,
  type PathStat,
  statChain,
  untraversableAncestor,
} from '../../src/runtime/path-access';
import { describeUnless, needsRoot } from '../support/skips';

const ROOT: Identity = { uid: 0, gids: [0] };

function stat(mode: number, uid = 0, gid = 0, p = '/x'): PathStat {
  return { path: p, mode, uid, gid };
}

describe('hasAccess (pure)', () => {
  const alice: Identity = { uid: 1000, gids: [1000] };

  it('uses the owner bits when the uid owns the file', () => {
    expect(hasAccess(stat(0o700, 1000, 5), alice, ['r', 'w', 'x'])).toBe(true);
    expect(hasAccess(stat(0o600, 1000, 5), alice, ['x'])).toBe(false);
  });

  it('uses only the owner class for the owner, even when group or other would allow more', () => {
    expect(hasAccess(stat(0o077, 1000, 1000), alice, ['x'])).toBe(false);
  });

  it('uses the group bits when one of the gids matches and the uid does not own the file', () => {
    expect(hasAccess(stat(0o710, 0, 1000), alice, ['x'])).toBe(true);
    expect(hasAccess(stat(0o701, 0, 1000), alice, ['x'])).toBe(false);
    expect(hasAccess(stat(0o750, 0, 42), { uid: 1000, gids: [7, 42] }, ['r', 'x'])).toBe(true);
  });

  it('uses the other bits for everybody else', () => {
    expect(hasAccess(stat(0o701, 0, 0), alice, ['x'])).toBe(true);
    expect(hasAccess(stat(0o755, 0, 0), alice, ['r', 'x'])).toBe(true);
    expect(hasAccess(stat(0o750, 0, 0), alice, ['x'])).toBe(false);
    expect(hasAccess(stat(0o704, 0, 0), alice, ['r', 'x'])).toBe(false);
  });

  it('lets root through regardless of the mode', () => {
    expect(hasAccess(stat(0o000, 1000, 1000), ROOT, ['r', 'w', 'x'])).toBe(true);
  });
});

describe('firstUntraversable (pure)', () => {
  const pg: Identity = { uid: 101, gids: [104] };

  it('returns the first directory of the chain lacking search permission', () => {
    const chain = [stat(0o755, 0, 0, '/'), stat(0o700, 0, 0, '/root'), stat(0o755, 0, 0, '/root/app')];
    expect(firstUntraversable(chain, pg)).toBe('/root');
  });

  it('returns undefined when every directory can be searched', () => {
    const chain = [stat(0o755, 0, 0, '/'), stat(0o711, 0, 0, '/srv'), stat(0o700, 101, 104, '/srv/pg')];
    expect(firstUntraversable(chain, pg)).toBeUndefined();
  });
});

describe('untraversableAncestor on real directories', () => {
  // Only uid 0 can make directories owned by others; the owner cases work for any user.
  const other: Identity = { uid: 54321, gids: [54321] };
  let base: string;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'path-access-'));
    await fs.chmod(base, 0o755); // mkdtemp makes it 700
  });

  afterEach(async () => {
    await fs.chmod(base, 0o755);
    await fs.rm(base, { recursive: true, force: true });
  });

  async function nested(modes: number[]): Promise<string[]> {
    const dirs: string[] = [];
    let current = base;
    for (const [i, mode] of modes.entries()) {
      current = path.join(current, `d${i}`);
      await fs.mkdir(current);
      await fs.chmod(current, mode);
      dirs.push(current);
    }
    return dirs;
  }

  it('walks every ancestor from / and resolves symlinks', async () => {
    const [d0] = await nested([0o755]);
    const link = path.join(base, 'link');
    await fs.symlink(d0, link);
    const chain = await statChain(link);
    expect(chain[0].path).toBe('/');
    expect(chain[chain.length - 1].path).toBe(await fs.realpath(d0));
    expect(chain.map((c) => c.path)).toContain(await fs.realpath(base));
  });

  it('reports a mode-700 ancestor as blocking another user', async () => {
    const [d0, d1] = await nested([0o700, 0o755]);
    expect(await untraversableAncestor(d1, other)).toBe(await fs.realpath(d0));
  });

  it('accepts directories with the x bit for others, even without r', async () => {
    const [, d1] = await nested([0o711, 0o755]);
    expect(await untraversableAncestor(d1, other)).toBeUndefined();
  });

  it('reports the deepest blocking directory only when the ones above are open', async () => {
    const [, d1, d2] = await nested([0o755, 0o750, 0o755]);
    expect(await untraversableAncestor(d2, other)).toBe(await fs.realpath(d1));
  });

  describeUnless(needsRoot('making directories owned by another user'), 'as root', () => {
    it('lets the owner and the group through a directory closed to others', async () => {
      const [d0, d1] = await nested([0o700, 0o755]);
      await fs.chown(d0, other.uid, 999);
      expect(await untraversableAncestor(d1, other)).toBeUndefined();
      await fs.chown(d0, 0, other.gids[0]);
      await fs.chmod(d0, 0o710);
      expect(await untraversableAncestor(d1, other)).toBeUndefined();
      await fs.chmod(d0, 0o700);
      expect(await untraversableAncestor(d1, other)).toBe(await fs.realpath(d0));
    });
  });

  it('checks the current user against its own private directory', async () => {
    const me: Identity = { uid: process.getuid?.() ?? 0, gids: [process.getgid?.() ?? 0] };
    const [, d1] = await nested([0o700, 0o700]);
    expect(await untraversableAncestor(d1, me)).toBeUndefined();
  });
});
