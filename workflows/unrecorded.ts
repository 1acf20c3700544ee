import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { PROJECTION_DATA_ERROR } from '../src/contracts/failures';

/** PostgreSQL's reason when an activity failed because it refused the step's data; null for anything else. */
export function unrecordable(err: unknown): string | null {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === PROJECTION_DATA_ERROR) return err.cause.message;
  }
  return null;
}

const MINUTE_MS = 60_000;

/**
 * When the system's own step (a reminder, a cut-off, a calendar change) is refused for its data, the
 * workflow holds it and tries again after 1, 2, 4 … minutes, at most hourly: an operator can fix the
 * data (or the code) meanwhile, and nothing is lost or skipped. People's requests are served meanwhile.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(60 * MINUTE_MS, MINUTE_MS * 2 ** Math.min(attempts - 1, 6));
}
