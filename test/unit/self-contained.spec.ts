import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * The design reference is the project's own docs/design.md: no file the repository tracks may send a
 * reader to a design file or a folder outside it.
 */
describe('the repository points only inside itself', () => {
  it('names no design file or shared folder outside the repository', () => {
    const root = path.resolve(__dirname, '../..');
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && f !== 'test/unit/self-contained.spec.ts' && !f.startsWith('test/fixtures/'));
    let hits = '';
    try {
      hits = execFileSync(
        'git',
        ['grep', '-n', '-I', '-E', String.raw`DESIGN\.md|\.\./shared/`, '--', ...tracked],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
    } catch (e) {
      // git grep exits 1 when nothing matches.
      if ((e as { status?: number }).status !== 1) throw e;
    }
    expect(hits).toBe('');
  });
});
