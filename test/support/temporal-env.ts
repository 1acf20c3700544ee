import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/domain/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPE = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
} as const;

/**
 * The time-skipping test server, from the binary global setup resolved (TEMPORAL_TEST_SERVER_PATH),
 * else the SDK's own download; with our search attributes registered, as the dev server has them.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: path ? { type: 'existing-path', path } : { type: 'cached-download' } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_DEFINITIONS.map((sa) => [sa.name, INDEXED_TYPE[sa.cliType]]),
    ),
  });
  return env;
}
