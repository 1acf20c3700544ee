import { ApplicationFailure } from '@temporalio/workflow';
import { REFUSAL } from '../src/contracts/failures';

/** A request refused: never retried, its type (REFUSAL) tells the API which HTTP status to answer. */
export function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** A request PostgreSQL refused to record for its data: nothing changed. */
export function notRecorded(what: string, reason: string): ApplicationFailure {
  return refuse(REFUSAL.unrecorded, `the ${what} could not be recorded: ${reason}`);
}

/**
 * A request accepted by its validator can still lose the race against a timer that closes the
 * nomination (the cut-off) in the same moment: it is answered with a conflict, never applied.
 */
export function closedMeanwhile(): never {
  throw refuse(REFUSAL.conflict, 'the nomination closed before this request could be applied');
}
