import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/contracts/search-attributes';
import { resolveTemporalBinary } from '../../src/runtime/temporal-binaries';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPE = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
} as const;

/**
 * The time-skipping test server from the resolved `temporal-test-server` binary (TEMPORAL_TEST_SERVER_PATH,
 * which global setup sets, else PATH, else .tools/, installed when missing), else the SDK's own download;
 * with our search attributes registered, as the dev server has them.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const binary = await resolveTemporalBinary('temporal-test-server', { install: true, log: console.log });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: binary ? { type: 'existing-path', path: binary.path } : { type: 'cached-download' },
    },
  });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTE_DEFINITIONS.map((sa) => [sa.name, INDEXED_TYPE[sa.cliType]]),
      ),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}
