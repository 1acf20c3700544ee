import { ApplicationFailure } from '@temporalio/activity';
import { PROJECTION_DATA_ERROR } from '../src/contracts/failures';

/**
 * SQLSTATE classes caused by the data rather than by the database being unavailable: 22 data exception
 * (a NUL byte, an out-of-range date), 23 integrity constraint violation, 54 program limit exceeded (a
 * value too large to index). Retrying these can never succeed; everything else (connection refused,
 * timeouts, a restarting server) is infrastructure and keeps Temporal's retries.
 */
const DATA_CLASSES = new Set(['22', '23', '54']);

export function isDataError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && DATA_CLASSES.has(code.slice(0, 2));
}

/**
 * Runs one step's writes; if PostgreSQL refuses them for their data, fails the activity without retry,
 * naming the reason (PostgreSQL's message up to the first value it quotes, so no refused data is echoed).
 */
export async function refusingBadData<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDataError(err)) throw err;
    throw ApplicationFailure.create({
      type: PROJECTION_DATA_ERROR,
      message: dataErrorReason(err),
      nonRetryable: true,
      details: [{ sqlState: err.code }],
    });
  }
}

export function dataErrorReason(err: Error & { code: string }): string {
  const text = err.message
    .split(': ')[0]
    .replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?')
    .slice(0, 200);
  return `${text} (SQLSTATE ${err.code})`;
}
