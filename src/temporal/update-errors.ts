import {
  ConflictException,
  ForbiddenException,
  HttpException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { REFUSAL } from '../contracts/failures';

/**
 * Turns a workflow's refusal of an Update into the HTTP answer that says why; anything else
 * (Temporal unreachable, a bug) is not a refusal and is rethrown.
 */
export function refusalToHttp(err: unknown): HttpException {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const { type, message } = err.cause;
    if (type === REFUSAL.conflict) return new ConflictException(message);
    if (type === REFUSAL.forbidden) return new ForbiddenException(message);
    if (type === REFUSAL.invalid || type === REFUSAL.unrecorded)
      return new UnprocessableEntityException(message);
  }
  // The workflow has completed (or is gone): no decision can reach it any more.
  if (err instanceof WorkflowNotFoundError) return new ConflictException('the nomination is closed');
  throw err;
}
