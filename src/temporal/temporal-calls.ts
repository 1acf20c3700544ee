import { Inject, Injectable } from '@nestjs/common';
import {
  ApplicationFailure,
  Client,
  isGrpcServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { BUSY_MESSAGE, REFUSAL } from '../contracts/failures';
import { RetryLaterException } from '../common/unavailable';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { jsonLog } from '../logging/logger';

/**
 * What a call is: an Update (the caller may resend it: its id is derived from the request), a person's
 * request to a nomination (an Update that is also judged after any other request being applied, not
 * answered "busy"), or neither.
 */
export type CallKind = 'update' | 'request' | 'call';

/**
 * A gRPC retry may be sleeping between attempts when the deadline passes; the answer must not wait for
 * it. This much after the deadline the request is answered whatever the SDK is doing.
 */
const GRACE_MS = 250;

class DeadlinePassed extends Error {}

/** Between two tries of an Update the workflow was not ready for (see `attempt`). */
const FIRST_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 1_000;
/** How long a request waits for another being applied on its nomination before it is answered "busy". */
export const BUSY_WAIT_MS = 5_000;

/** The gRPC status codes we act on (grpc-js is the SDK's dependency, not ours). */
const GRPC = {
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAVAILABLE: 14,
} as const;

/**
 * The one way the API calls Temporal: every call runs under the configured deadline
 * (TEMPORAL_REQUEST_TIMEOUT_MS), and Temporal being unreachable, busy or too slow becomes a 503 with
 * `Retry-After`, never a hung request or a 500. A workflow's own answers (refusals) pass through.
 */
@Injectable()
export class TemporalCalls {
  /** Calls given up on at their deadline whose SDK retries may still be pending. */
  private readonly abandoned = new Set<Promise<unknown>>();

  constructor(
    readonly client: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get timeoutMs(): number {
    return this.config.temporal.requestTimeoutMs;
  }

  /** `timeoutMs`: a shorter deadline than the configured one (the health check's). */
  async run<T>(kind: CallKind, fn: (client: Client) => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    const ms = Math.min(timeoutMs, this.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlinePassed()), ms + GRACE_MS);
    });
    const deadline = Date.now() + ms;
    const call = this.client.withDeadline(deadline, () => this.attempt(kind, fn, deadline));
    try {
      return await Promise.race([call, late]);
    } catch (err) {
      if (err instanceof DeadlinePassed) this.track(call);
      const unavailable = temporalUnavailable(err, kind, retryAfterSeconds(ms));
      if (!unavailable) throw err;
      jsonLog('warn', 'temporal call answered 503', {
        component: 'temporal',
        kind,
        timeoutMs: ms,
        reason: unavailable.message,
        err: err instanceof DeadlinePassed ? undefined : err,
      });
      throw unavailable;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends the call again, backing off, while its answer only says "not now", until the deadline:
   * - an Update refused with FAILED_PRECONDITION met a workflow whose last task failed or timed out (a
   *   worker that died or is still warming up on a loaded machine), which Temporal retries by itself;
   * - a `request` refused because another request on the nomination is being applied (for at most
   *   BUSY_WAIT_MS): "busy" says nothing about who won, the workflow's judgement once the other request
   *   is in (e.g. "already claimed by …") does.
   * The Update keeps its id, derived from the request, so a resend is never applied twice.
   */
  private async attempt<T>(kind: CallKind, fn: (client: Client) => Promise<T>, deadline: number): Promise<T> {
    const busyUntil = Math.min(deadline, Date.now() + BUSY_WAIT_MS);
    for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(2 * backoff, MAX_BACKOFF_MS)) {
      try {
        return await fn(this.client);
      } catch (err) {
        const notReady = kind !== 'call' && grpcCode(err) === GRPC.FAILED_PRECONDITION;
        const busy = kind === 'request' && isBusy(err);
        const until = notReady ? deadline : busy ? busyUntil : 0;
        if (Date.now() + backoff >= until) throw err;
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  private track(call: Promise<unknown>): void {
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    this.abandoned.add(settled);
    void settled.then(() => this.abandoned.delete(settled));
  }

  /**
   * Waits for the calls answered at their deadline to end (each ends within one retry backoff, at most
   * 5 s, of its deadline): closing the connection under a pending SDK retry would throw from its timer.
   */
  async settle(): Promise<void> {
    await Promise.all([...this.abandoned]);
  }
}

function isBusy(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === REFUSAL.conflict &&
    err.cause.message === BUSY_MESSAGE
  );
}

function retryAfterSeconds(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000));
}

/**
 * The gRPC status behind an SDK error: the SDK wraps the transport's error in its own (ServiceError,
 * WorkflowUpdateRPCTimeoutOrCancelledError) with the original as `cause`.
 */
function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

/** Temporal did not answer in time, cannot be reached, or is shedding load: a 503 to retry. */
export function temporalUnavailable(
  err: unknown,
  kind: CallKind,
  retryAfter = 10,
): RetryLaterException | undefined {
  const code = grpcCode(err);
  const timedOut =
    err instanceof DeadlinePassed ||
    err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    code === GRPC.DEADLINE_EXCEEDED ||
    code === GRPC.CANCELLED;
  const again = kind === 'call' ? 'send the request again' : 'not recorded yet; send the same request again';
  if (code === GRPC.RESOURCE_EXHAUSTED) {
    return new RetryLaterException(`the workflow service is busy: ${again}`, retryAfter);
  }
  if (code === GRPC.UNAVAILABLE) {
    return new RetryLaterException(`the workflow service is unreachable: ${again}`, retryAfter);
  }
  // The server cannot take an Update while the workflow's last task failed (its worker died mid-task, say):
  // it is retried by Temporal, and the request may be sent again in a moment.
  if (code === GRPC.FAILED_PRECONDITION && kind !== 'call') {
    return new RetryLaterException(`the workflow is not ready for this request: ${again}`, retryAfter);
  }
  if (timedOut) {
    return new RetryLaterException(
      kind !== 'call'
        ? `the workflow did not answer in time: ${again}`
        : `the workflow service did not answer in time: ${again}`,
      retryAfter,
    );
  }
  return undefined;
}
