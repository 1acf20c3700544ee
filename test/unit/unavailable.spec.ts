import { type Client, ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { databaseUnavailable } from '../../src/common/unavailable';
import type { AppConfig } from '../../src/config/config';
import { BUSY_MESSAGE, REFUSAL } from '../../src/contracts/failures';
import { TemporalCalls, temporalUnavailable } from '../../src/temporal/temporal-calls';
import { decisionUpdateId, requestUpdateId } from '../../src/temporal/update-ids';

/** A gRPC status error as grpc-js makes it, wrapped as the Temporal SDK wraps it. */
function grpcError(code: number, details: string): ServiceError {
  const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Workflow Update failed', { cause });
}

describe('dependencies that are down become 503 with Retry-After', () => {
  it.each([
    ['UNAVAILABLE', 14, 'the workflow service is unreachable: not recorded yet; send the same request again'],
    ['RESOURCE_EXHAUSTED', 8, 'the workflow service is busy: not recorded yet; send the same request again'],
    [
      'FAILED_PRECONDITION (its last workflow task failed)',
      9,
      'the workflow is not ready for this request: not recorded yet; send the same request again',
    ],
    [
      'DEADLINE_EXCEEDED',
      4,
      'the workflow did not answer in time: not recorded yet; send the same request again',
    ],
  ])('Temporal %s on an Update', (_name, code, message) => {
    const http = temporalUnavailable(grpcError(code, 'x'), 'update', 7);
    expect(http?.getStatus()).toBe(503);
    expect(http?.message).toBe(message);
    expect(http?.retryAfterSeconds).toBe(7);
  });

  it('says "send the request again" for calls that are not Updates, and leaves refusals alone', () => {
    expect(temporalUnavailable(grpcError(14, 'x'), 'call')?.message).toBe(
      'the workflow service is unreachable: send the request again',
    );
    const refusal = new WorkflowUpdateFailedError('refused', ApplicationFailure.create({ type: 'Conflict' }));
    expect(temporalUnavailable(refusal, 'update')).toBeUndefined();
    expect(temporalUnavailable(grpcError(3, 'invalid argument'), 'update')).toBeUndefined();
    expect(temporalUnavailable(grpcError(9, 'failed precondition'), 'call')).toBeUndefined();
  });

  it.each([
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'refused on every address',
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}),
    ],
    [
      'admin shutdown (wrapped by TypeORM)',
      Object.assign(new Error('q'), { driverError: { code: '57P01' } }),
    ],
    ['a connection exception', Object.assign(new Error('q'), { code: '08006' })],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ])('PostgreSQL: %s', (_name, err) => {
    const http = databaseUnavailable(err);
    expect(http?.getStatus()).toBe(503);
    expect(http?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('leaves data errors of PostgreSQL alone (they are not the client’s to retry)', () => {
    expect(databaseUnavailable(Object.assign(new Error('q'), { code: '22021' }))).toBeUndefined();
    expect(databaseUnavailable(Object.assign(new Error('q'), { code: '23505' }))).toBeUndefined();
  });
});

describe('Update ids derived from the request', () => {
  const body = { decision: 'accept', comment: 'Đạt' };
  it('names the same decision of the same person on the same task the same, and any other differently', () => {
    const id = decisionUpdateId('t1', 'u1', body);
    expect(decisionUpdateId('t1', 'u1', { ...body })).toBe(id);
    expect(id).toMatch(/^decision:t1:[\w-]{32}$/); // the task, then a digest of who decided what
    expect(decisionUpdateId('t1', 'u2', body)).not.toBe(id);
    expect(decisionUpdateId('t2', 'u1', body)).not.toBe(id);
    expect(decisionUpdateId('t1', 'u1', { ...body, comment: 'Chưa đạt' })).not.toBe(id);
    expect(decisionUpdateId('t1', 'u1', { ...body, score: 80 })).not.toBe(id);
  });

  it('uses the Idempotency-Key, scoped to its sender, when there is one', () => {
    const id = decisionUpdateId('t1', 'u1', body, 'k');
    expect(decisionUpdateId('t1', 'u1', { decision: 'reject' }, 'k')).toBe(id);
    expect(decisionUpdateId('t1', 'u2', body, 'k')).not.toBe(id);
  });

  it('gives a request to a workflow a new id once the nomination has moved on', () => {
    const claim = requestUpdateId('assign', 'w1', 'u1', 3, { kind: 'claim' });
    expect(requestUpdateId('assign', 'w1', 'u1', 3, { kind: 'claim' })).toBe(claim);
    expect(requestUpdateId('assign', 'w1', 'u1', 5, { kind: 'claim' })).not.toBe(claim);
  });
});

describe('an Update the workflow was not ready for', () => {
  /** Just the part of the SDK's Client that TemporalCalls uses: the deadline wrapper. */
  const client = {
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
  } as unknown as Client;
  const calls = (timeoutMs: number) =>
    new TemporalCalls(client, { temporal: { requestTimeoutMs: timeoutMs } } as AppConfig);

  it('is sent again until the workflow takes it, within the deadline', async () => {
    let tries = 0;
    const answer = await calls(5_000).run('update', async () => {
      tries += 1;
      if (tries < 3)
        throw grpcError(
          9,
          'Workflow Update is rejected because it may be lost due to a workflow task failure',
        );
      return 'taken';
    });
    expect({ answer, tries }).toEqual({ answer: 'taken', tries: 3 });
  });

  it("is sent again while another request is being applied, as a person's request only", async () => {
    const busy = () =>
      new WorkflowUpdateFailedError(
        'refused',
        ApplicationFailure.create({ type: REFUSAL.conflict, message: BUSY_MESSAGE }),
      );
    let tries = 0;
    const answer = await calls(5_000).run('request', async () => {
      tries += 1;
      if (tries < 3) throw busy();
      return 'judged';
    });
    expect({ answer, tries }).toEqual({ answer: 'judged', tries: 3 });
    let updates = 0;
    const update = calls(5_000).run('update', async () => {
      updates += 1;
      throw busy();
    });
    await expect(update).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(updates).toBe(1);
  });

  it('is a 503 once the deadline leaves no time for another try, and other calls are not repeated', async () => {
    let tries = 0;
    const refused = calls(250).run('update', async () => {
      tries += 1;
      throw grpcError(9, 'failed precondition');
    });
    await expect(refused).rejects.toMatchObject({
      status: 503,
      message: 'the workflow is not ready for this request: not recorded yet; send the same request again',
    });
    expect(tries).toBeGreaterThanOrEqual(2);
    let queries = 0;
    const query = calls(5_000).run('call', async () => {
      queries += 1;
      throw grpcError(9, 'failed precondition');
    });
    await expect(query).rejects.toBeInstanceOf(ServiceError);
    expect(queries).toBe(1);
  });
});
