import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from '../src/temporal/worker-options';

/**
 * `npm run build`, after tsc: bundles the compiled workflows/ once, with the options a worker would use
 * (the SDK's defaults), so production workers load it instead of running webpack at every start.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  await writeFile(WORKFLOW_BUNDLE_PATH, code);
  const kb = Math.round(Buffer.byteLength(code) / 1024);
  process.stdout.write(
    `workflow bundle: ${path.relative(process.cwd(), WORKFLOW_BUNDLE_PATH)} (${kb} KB, ${Date.now() - started} ms)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`cannot bundle the workflows: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
