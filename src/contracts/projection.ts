import type { Calendar } from '../domain/calendar';
import type { Decision, NominationStage, Outcome, Role, Stage } from '../domain/nomination';
import type { NoticeContent } from '../domain/notices';
import type { AuditAction, CampaignAction } from './audit';
import type { Actor, NominationContent, NominationInput, OpenTask } from './nomination.messages';

/**
 * What the workflows hand their activities to record: the read model's and the audit log's inputs. The
 * workflows build them; activities/ writes them.
 */

/** A message for everyone holding a role in a unit (a unit's reviewers, its administrators). */
export interface Notice {
  unitId: string;
  role: Role;
  /** The kind of step that raised it (an audit action). */
  kind: string;
  /** What it says: a template and its parameters, rendered in the reader's language when read. */
  content?: NoticeContent;
  /**
   * Pre-rendered Vietnamese text: what workflow code before templates sent. An activity it scheduled may
   * still run after an upgrade; its notice is stored as this text.
   */
  message?: string;
  /** Addressed to one user of that unit and role (a task's holder) rather than all of them. */
  userId?: string;
}

/** One step of a nomination workflow, as the read model and the audit log must show it. */
export interface ProjectionRecord {
  workflowId: string;
  nominationId: string;
  /** Step number within the workflow; (workflowId, seq) makes the write idempotent. */
  seq: number;
  occurredAt: string;
  action: AuditAction;
  /** Null when the system acted (a timer, a cut-off, a calendar change); never a person for an automatic step. */
  actor: Actor | null;
  /** The absent reviewer an acting colleague decided for. */
  onBehalfOf?: Actor | null;
  stageBefore: NominationStage | null;
  stageAfter: NominationStage;
  outcome: Outcome | null;
  /** The task the step concerns. */
  taskId?: string | null;
  decision?: Decision | null;
  comment?: string | null;
  score?: number | null;
  /** Present on the first step only: the nomination's content, so the row exists even if nothing else wrote it. */
  nomination?: NominationInput;
  /** Content the submitter changed on resubmission. */
  changes?: Partial<NominationContent>;
  revisions?: number;
  /** The nomination's (and its open task's) overdue flag after this step. */
  overdue?: boolean;
  closeTask?: { id: string; status: 'completed' | 'cancelled' };
  openTask?: OpenTask | null;
  /** The open task's new holder; null: back to the unit's pool. */
  taskAssignee?: { id: string; userId: string | null };
  /** New due date and cut-off of the open task (calendar change). */
  taskDeadline?: { id: string; dueAt: string; cutoffAt: string };
  notify?: Notice[];
  /** The system step the workflow still holds after a data error: its failure stays unresolved. */
  stillHeld?: AuditAction | null;
}

/** One step of a campaign workflow, as the campaign's audit log and the read model must show it. */
export interface CampaignStep {
  workflowId: string;
  campaignId: string;
  /** Step number within the workflow (carried over continue-as-new); (workflowId, seq) makes it idempotent. */
  seq: number;
  occurredAt: string;
  action: CampaignAction;
  /** Null when the system acted (a reminder, a cut-off). */
  actor: Actor | null;
  stage?: Stage;
  /** calendar_changed: the new calendar, saved to the campaign. */
  calendar?: Calendar;
  /** stage_reminder: hours left before the stage's cut-off. */
  offsetHours?: number;
  /** stage_reminder and stage_closed: the stage's cut-off. */
  cutoffAt?: string;
}

export interface UnitRef {
  id: string;
  name: string;
}

/** What the step found: for a unit stage, the district-level units that had submitted nothing. */
export interface CampaignStepResult {
  applied: boolean;
  missingUnits: UnitRef[];
  totalUnits: number;
}

export interface FanOutPage {
  campaignId: string;
  calendar: Calendar;
  changedBy: string;
  /** Resume after this workflow id (keyset paging); null for the first page. */
  after: string | null;
  pageSize: number;
}

/** A step of a workflow that PostgreSQL refused for its data: kept for the administrators' stuck list. */
export interface StepFailure {
  workflowId: string;
  /** Null for a campaign's step. */
  nominationId: string | null;
  campaignId?: string | null;
  /** The audit action the step would have recorded. */
  action: string;
  reason: string;
  /** The person whose request it was (answered 422); null: the system's own work, held and retried. */
  actorUserId: string | null;
  occurredAt: string;
}
