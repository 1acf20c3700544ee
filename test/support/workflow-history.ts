import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/**
 * Waits until the workflow's worker has finished recording `count` steps with `action` (its recordProjection
 * activities completed), by long-polling the workflow's history: the server answers as soon as an event is
 * added, so the test waits on the recording itself and `timeoutMs` is only an upper bound.
 */
export async function stepsRecorded(
  client: Client,
  workflowId: string,
  action: string,
  count: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const scheduled = new Set<string>();
  let completed = 0;
  let nextPageToken: Uint8Array | undefined;
  while (completed < count) {
    if (Date.now() > deadline) {
      throw new Error(`${workflowId} recorded ${completed} of ${count} ${action} steps in ${timeoutMs} ms`);
    }
    const res = await client.withDeadline(deadline, () =>
      client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId },
        waitNewEvent: true,
        nextPageToken,
      }),
    );
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
    for (const e of res.history?.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name === 'recordProjection' && recordsAction(s.input?.payloads, action)) {
        scheduled.add(String(e.eventId));
      }
      const c = e.activityTaskCompletedEventAttributes;
      if (c && scheduled.has(String(c.scheduledEventId))) completed++;
    }
    if (!nextPageToken && completed < count) {
      throw new Error(`${workflowId} closed after ${completed} of ${count} ${action} steps`);
    }
  }
}

function recordsAction(
  payloads: temporal.api.common.v1.IPayload[] | null | undefined,
  action: string,
): boolean {
  return (payloads ?? []).some((p) => {
    if (!p.data) return false;
    const record = JSON.parse(Buffer.from(p.data).toString('utf8')) as { action?: string };
    return record.action === action;
  });
}
