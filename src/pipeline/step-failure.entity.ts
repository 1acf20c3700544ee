import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A step PostgreSQL refused for its data; the stuck list reads the unresolved ones. */
@Entity({ name: 'step_failures' })
@Index('ux_step_failures_open', ['workflowId', 'action'], { unique: true, where: 'resolved_at IS NULL' })
@Index('ix_step_failures_stuck', ['nominationId', 'lastFailedAt'], { where: 'resolved_at IS NULL' })
@Index('ix_step_failures_campaign', ['campaignId', 'lastFailedAt'], { where: 'resolved_at IS NULL' })
export class StepFailure {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'nomination_id', type: 'uuid', nullable: true })
  nominationId!: string | null;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ type: 'int', default: 1 })
  attempts!: number;

  @Column({ name: 'first_failed_at', type: 'timestamptz' })
  firstFailedAt!: Date;

  @Column({ name: 'last_failed_at', type: 'timestamptz' })
  lastFailedAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}
