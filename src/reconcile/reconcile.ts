import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { nominationWorkflowId } from '../domain/nomination';
import { type NominationState, stateQuery } from '../contracts/nomination.messages';
import { compareNomination, type Difference } from './compare';
import { loadReadModel, reconcilableIds } from './read-model';
import { repairNomination, type RepairActor } from './repair';

export interface ReconcileOptions {
  /** Closed nominations are compared when they closed within this many hours (default 168). */
  closedWithinHours?: number;
  /** With an actor: write the workflow's state over each differing row, audited in that actor's name. */
  repairAs?: RepairActor;
  /** Each Temporal call's deadline (default 10 s): an unanswered workflow is reported, never waited for. */
  callTimeoutMs?: number;
  /** Workflows asked at once (default 8). */
  concurrency?: number;
  /** Limit to these nominations (default: every reconcilable one, and every nomination workflow). */
  nominationIds?: string[];
}

export type ReconcileStatus =
  /** Read model and workflow agree. */
  | 'equal'
  /** They differ (and, with repair, were not repaired). */
  | 'different'
  /** They differed and the read model now shows the workflow's state. */
  | 'repaired'
  /** A step is being recorded right now, so the two may legitimately differ: check again later. */
  | 'in_flight'
  /** A workflow without a row in the read model (its registration was never projected). */
  | 'missing_row'
  /** A row without a workflow. */
  | 'missing_workflow'
  /** The workflow did not answer its query in time (no worker, Temporal unreachable). */
  | 'unanswered';

export interface ReconcileEntry {
  nominationId: string;
  workflowId: string;
  status: ReconcileStatus;
  differences: Difference[];
  error?: string;
}

export interface ReconcileReport {
  entries: ReconcileEntry[];
  counts: Record<ReconcileStatus, number>;
}

const NOMINATION_PREFIX = nominationWorkflowId('');

/**
 * Compares the read model with each nomination workflow's `stateQuery` (docs/design.md §3: the workflow is the
 * truth) and, when asked, repairs the read model. Temporal is asked outside any transaction; a repair is
 * one short transaction per nomination.
 */
export async function reconcile(
  ds: DataSource,
  client: Client,
  opts: ReconcileOptions = {},
  onEntry?: (e: ReconcileEntry) => void,
): Promise<ReconcileReport> {
  const timeout = opts.callTimeoutMs ?? 10_000;
  const hours = opts.closedWithinHours ?? 168;
  const call = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + timeout, fn);
  const ids = opts.nominationIds ?? (await reconcilableIds(ds, hours));
  const known = new Set(ids);
  const entries: ReconcileEntry[] = [];
  const emit = (e: ReconcileEntry) => {
    entries.push(e);
    onEntry?.(e);
  };

  await eachLimited(ids, opts.concurrency ?? 8, async (id) => emit(await reconcileOne(id)));
  if (!opts.nominationIds) {
    const since = new Date(Date.now() - hours * 3600_000).toISOString();
    const query = `WorkflowType = 'nominationWorkflow' AND (ExecutionStatus = 'Running' OR CloseTime > '${since}')`;
    try {
      const orphans: string[] = [];
      for await (const wf of client.workflow.list({ query })) {
        if (!wf.workflowId.startsWith(NOMINATION_PREFIX)) continue;
        const id = wf.workflowId.slice(NOMINATION_PREFIX.length);
        if (!known.has(id)) orphans.push(id);
      }
      const rows = await loadReadModel(ds, orphans);
      await eachLimited(orphans, opts.concurrency ?? 8, async (id) =>
        emit(
          rows.has(id)
            ? await reconcileOne(id)
            : {
                nominationId: id,
                workflowId: nominationWorkflowId(id),
                status: 'missing_row',
                differences: [],
              },
        ),
      );
    } catch (err) {
      emit({
        nominationId: '*',
        workflowId: '*',
        status: 'unanswered',
        differences: [],
        error: `listing nomination workflows failed: ${(err as Error).message}`,
      });
    }
  }
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ReconcileStatus, number>;
  for (const e of entries) counts[e.status]++;
  return { entries, counts };

  async function reconcileOne(id: string): Promise<ReconcileEntry> {
    const workflowId = nominationWorkflowId(id);
    const entry = (
      status: ReconcileStatus,
      differences: Difference[] = [],
      error?: string,
    ): ReconcileEntry => ({
      nominationId: id,
      workflowId,
      status,
      differences,
      ...(error ? { error } : {}),
    });
    const handle = client.workflow.getHandle(workflowId);
    let before: NominationState;
    try {
      before = await call(() => handle.query(stateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return entry('missing_workflow');
      return entry('unanswered', [], (err as Error).message);
    }
    const rm = (await loadReadModel(ds, [id])).get(id);
    if (!rm) return entry('missing_row');
    const differences = compareNomination(rm, before);
    if (!differences.length) return entry('equal');
    // The workflow updates its state only after a step's projection committed: while one is running, or
    // if the state moved while we looked, the difference may be that step and not a fault.
    try {
      const described = await call(() => handle.describe());
      const after = await call(() => handle.query(stateQuery));
      if (
        (described.raw.pendingActivities?.length ?? 0) > 0 ||
        JSON.stringify(after) !== JSON.stringify(before)
      ) {
        return entry('in_flight', differences);
      }
    } catch (err) {
      return entry('unanswered', differences, (err as Error).message);
    }
    if (!opts.repairAs) return entry('different', differences);
    const repaired = await repairNomination(ds, rm, before, differences, opts.repairAs);
    return entry(repaired ? 'repaired' : 'in_flight', differences);
  }
}

const STATUSES: ReconcileStatus[] = [
  'equal',
  'different',
  'repaired',
  'in_flight',
  'missing_row',
  'missing_workflow',
  'unanswered',
];

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
