import type { DataSource } from 'typeorm';
import { ReconcileRepository } from './reconcile.repository';
import type { NominationState } from '../contracts/nomination.messages';
import type { Difference, ReadModelNomination } from './compare';

/** The administrator in whose name a repair is audited. */
export interface RepairActor {
  userId: string;
  displayName: string;
  unitId: string;
}

/** Audit events of repairs are keyed apart from the workflow's own steps, whose `seq` they must not take. */
export function repairAuditWorkflowId(workflowId: string): string {
  return `reconcile:${workflowId}`;
}

/**
 * Writes the workflow's state into the read model in one transaction, with an audit event naming the
 * administrator and the differences. Returns false, writing nothing, when a projection changed the row
 * since it was compared (the comparison is stale: run again).
 */
export async function repairNomination(
  ds: DataSource,
  rm: ReadModelNomination,
  wf: NominationState,
  diffs: Difference[],
  actor: RepairActor,
): Promise<boolean> {
  return new ReconcileRepository(ds).transaction(async (m) => {
    const projectionSeq = await m.lockProjectionSeq(rm.id);
    if (projectionSeq === undefined || projectionSeq !== rm.projectionSeq) return false;
    const c = wf.content;
    await m.writeNomination(rm.id, {
      stage: wf.stage,
      outcome: wf.outcome,
      revisions: wf.revisions,
      overdue: wf.overdue,
      title: c.title,
      description: c.description,
      field: c.field,
      kind: c.kind,
      nomineeName: c.nomineeName,
    });
    const t = wf.task;
    await m.cancelOpenTasks(rm.id, t?.id ?? null);
    if (t) {
      await m.upsertOpenTask({
        id: t.id,
        nominationId: rm.id,
        workflowId: rm.workflowId,
        stage: t.stage,
        kind: t.kind,
        allowedDecisions: t.allowedDecisions,
        assigneeRole: t.assigneeRole,
        assigneeUnitId: t.assigneeUnitId,
        assigneeUserId: t.assigneeUserId ?? null,
        openedAt: t.openedAt,
        dueAt: t.dueAt,
        cutoffAt: t.cutoffAt,
        overdue: wf.overdue,
      });
    }
    const auditId = repairAuditWorkflowId(rm.workflowId);
    await m.insertRepairAudit({
      nominationId: rm.id,
      auditWorkflowId: auditId,
      actorUserId: actor.userId,
      actorName: actor.displayName,
      actorUnitId: actor.unitId,
      stageBefore: rm.stage,
      stageAfter: wf.stage,
      outcome: wf.outcome,
      taskId: t?.id ?? null,
      comment: `read model repaired from the workflow's state: ${describe(diffs)}`,
    });
    return true;
  });
}

function describe(diffs: Difference[]): string {
  return diffs
    .map((d) => `${d.field} ${JSON.stringify(d.readModel)} → ${JSON.stringify(d.workflow)}`)
    .join('; ');
}
