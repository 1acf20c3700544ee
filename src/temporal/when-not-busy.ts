import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { BUSY_MESSAGE, REFUSAL } from '../../workflows/messages';

/** How long a request waits for another being applied on its nomination before it is answered "busy". */
export const BUSY_WAIT_MS = 5_000;
const FIRST_PAUSE_MS = 20;
const MAX_PAUSE_MS = 250;

function isBusy(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === REFUSAL.conflict &&
    err.cause.message === BUSY_MESSAGE
  );
}

/**
 * Sends a request again while the workflow refuses it only because another request is being applied,
 * for at most `withinMs`: "busy" says nothing about who won, while the workflow's judgement once the
 * other request is in (e.g. "already claimed by …") does. Any other answer, or the last busy one, is
 * the caller's. The request keeps its Update id: a refused Update leaves nothing behind to attach to.
 */
export async function whenNotBusy<T>(send: () => Promise<T>, withinMs = BUSY_WAIT_MS): Promise<T> {
  const until = Date.now() + withinMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      return await send();
    } catch (err) {
      if (!isBusy(err) || Date.now() + pause > until) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
