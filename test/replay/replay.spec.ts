import * as fs from 'node:fs';
import * as path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/temporal/worker-options';
import { HISTORIES_DIR, historyFiles } from './manifest';

/**
 * Today's workflow code must replay every history recorded from earlier versions: nominations stay in
 * flight for months, and a change that replays differently would break them. Guard changes with
 * patched() (docs/changing-workflows.md); never re-record fixtures to make this pass.
 */
describe('replay of recorded workflow histories', () => {
  // Every version folder (test/fixtures/histories/README.md), the oldest as much as the newest.
  const files = historyFiles();

  it('has fixtures of completed and in-flight nominations in every version folder', () => {
    const versions = new Set(files.map((f) => path.dirname(f)));
    for (const version of versions) {
      const own = files.filter((f) => path.dirname(f) === version);
      expect({ version, completed: own.some((f) => f.includes('completed')) }).toEqual({
        version,
        completed: true,
      });
      expect({ version, inFlight: own.some((f) => f.includes('in-flight')) }).toEqual({
        version,
        inFlight: true,
      });
    }
  });

  it('replays every one of them without nondeterminism', async () => {
    const histories = files.map((f) => ({
      workflowId: f,
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
    }));
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories))
      results.push(r);
    expect(
      results.map((r) => ({ file: r.workflowId, error: r.error ? String(r.error) : undefined })),
    ).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
