import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../domain/nomination';

export type ActorType = 'user' | 'system';

/** An immutable record of something that happened to a nomination. */
@Entity({ name: 'audit_events' })
@Index('uq_audit_events_workflow_seq', ['workflowId', 'seq'], { unique: true })
@Index('ix_audit_events_nomination', ['nominationId', 'seq'])
@Index('ix_audit_events_occurred', ['occurredAt', 'id'])
@Index('ix_audit_events_actor', ['actorUserId', 'occurredAt', 'id'], { where: 'actor_user_id IS NOT NULL' })
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'nomination_id', type: 'uuid' })
  nominationId!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  /** The workflow's step number: with workflowId, the key that makes a retried write a no-op. */
  @Column({ type: 'int' })
  seq!: number;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: ActorType;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'actor_name', type: 'text' })
  actorName!: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole!: Role | null;

  @Column({ name: 'actor_unit_id', type: 'uuid', nullable: true })
  actorUnitId!: string | null;

  @Column({ name: 'stage_before', type: 'text', nullable: true })
  stageBefore!: string | null;

  @Column({ name: 'stage_after', type: 'text' })
  stageAfter!: string;

  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ type: 'text', nullable: true })
  decision!: string | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ type: 'int', nullable: true })
  score!: number | null;

  /** The absent reviewer an acting colleague decided for. */
  @Column({ name: 'on_behalf_of_user_id', type: 'uuid', nullable: true })
  onBehalfOfUserId!: string | null;

  @Column({ name: 'on_behalf_of_name', type: 'text', nullable: true })
  onBehalfOfName!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;
}
