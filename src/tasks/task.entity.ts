import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Decision, Role, Stage } from '../domain/nomination';
import type { TaskKind } from '../domain/vocabulary';

export const TASK_STATUSES = ['open', 'completed', 'cancelled'] as const;
export { TASK_KINDS } from '../domain/vocabulary';
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A piece of human work a nomination workflow waits for (read model; the workflow owns the truth). */
@Entity({ name: 'tasks' })
@Index('ix_tasks_nomination', ['nominationId'])
@Index('ix_tasks_inbox', ['assigneeUnitId', 'status', 'dueAt'])
export class Task {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'nomination_id', type: 'uuid' })
  nominationId!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ type: 'text' })
  stage!: Stage;

  /** `review`: a reviewer decides; `revision`: the submitter revises and resubmits. */
  @Column({ type: 'text', default: 'review' })
  kind!: TaskKind;

  @Column({ type: 'text' })
  status!: TaskStatus;

  @Column({ name: 'allowed_decisions', type: 'jsonb' })
  allowedDecisions!: Decision[];

  @Column({ name: 'assignee_role', type: 'text' })
  assigneeRole!: Role;

  @Column({ name: 'assignee_unit_id', type: 'uuid' })
  assigneeUnitId!: string;

  @Column({ name: 'assignee_user_id', type: 'uuid', nullable: true })
  assigneeUserId!: string | null;

  /** When the current holder claimed it (null: pooled, or assigned by the workflow or an admin). */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'cutoff_at', type: 'timestamptz', nullable: true })
  cutoffAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  overdue!: boolean;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  decision!: Decision | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ type: 'int', nullable: true })
  score!: number | null;
}
