import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The campaign's own audit trail (calendar changes, reminders to late units, stages closed). */
@Entity({ name: 'campaign_events' })
@Index('uq_campaign_events_workflow_seq', ['workflowId', 'seq'], { unique: true })
@Index('ix_campaign_events_campaign', ['campaignId', 'occurredAt'])
export class CampaignEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  /** The event's place in its workflow's history: a replayed projection writes nothing twice. */
  @Column({ type: 'int' })
  seq!: number;

  @Column({ type: 'text' })
  action!: string;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: 'user' | 'system';

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'actor_name', type: 'text' })
  actorName!: string;

  @Column({ type: 'text', nullable: true })
  stage!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  details!: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;
}
