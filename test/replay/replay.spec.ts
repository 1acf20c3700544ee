import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/temporal/worker-options';

const DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * Today's workflow code must replay every history recorded from earlier versions: nominations stay in
 * flight for months, and a change that replays differently would break them. Guard changes with
 * patched() (README, "Changing workflow code"); never re-record fixtures to make this pass.
 */
describe('replay of recorded workflow histories', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has fixtures of completed and in-flight nominations', () => {
    expect(files.some((f) => f.includes('completed'))).toBe(true);
    expect(files.some((f) => f.includes('in-flight'))).toBe(true);
  });

  it('replays every one of them without nondeterminism', async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'))),
    }));
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories))
      results.push(r);
    expect(
      results.map((r) => ({ file: r.workflowId, error: r.error ? String(r.error) : undefined })),
    ).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
