import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * workflows/ next to src/: the TypeScript sources under ts-jest, the compiled JavaScript under dist/.
 * Bundled at a worker's start only in tests (or when WORKFLOW_BUNDLE=off): webpack takes seconds there.
 */
export const WORKFLOWS_PATH = require.resolve(path.resolve(__dirname, '../../workflows'));

/** Written by `npm run build` (scripts/build-workflow-bundle.ts) from the compiled workflows/. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '../../workflow-bundle.js');

export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

/**
 * What a worker runs: compiled code (`npm start`, `start:worker`, the image) loads the prebuilt bundle, so a
 * worker starts without webpack and runs exactly what was built; the sources under ts-jest are bundled at
 * start. A missing bundle stops the start with the command that makes it.
 */
export function workflowSource(
  env: NodeJS.ProcessEnv = process.env,
  compiled = path.extname(__filename) === '.js',
  exists: (file: string) => boolean = fs.existsSync,
): WorkflowSource {
  if (!compiled || env.WORKFLOW_BUNDLE === 'off') return { workflowsPath: WORKFLOWS_PATH };
  if (!exists(WORKFLOW_BUNDLE_PATH)) {
    throw new Error(
      `the workflow bundle ${path.relative(process.cwd(), WORKFLOW_BUNDLE_PATH)} is missing: run \`npm run build\` ` +
        '(or set WORKFLOW_BUNDLE=off to bundle workflows/ at every worker start)',
    );
  }
  return { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } };
}
