import * as path from 'node:path';

/**
 * workflows/ next to src/: the TypeScript sources under ts-jest, the compiled JavaScript under dist/.
 * The worker bundles them at start, in Temporal's deterministic sandbox.
 */
export const WORKFLOWS_PATH = require.resolve(path.resolve(__dirname, '../../workflows'));
