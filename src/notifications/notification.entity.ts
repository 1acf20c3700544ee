import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../domain/nomination';

/** An in-app message to everyone holding a role in a unit: reminders, escalations, revision requests. */
@Entity({ name: 'notifications' })
@Index('uq_notifications_workflow_seq_idx', ['workflowId', 'seq', 'idx'], { unique: true })
@Index('ix_notifications_recipient', ['recipientUnitId', 'recipientRole', 'createdAt'])
export class Notification {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @Column({ type: 'int' })
  idx!: number;

  /** Null for a campaign-level notice ("Huyện Đức Linh has proposed nothing"). */
  @Column({ name: 'nomination_id', type: 'uuid', nullable: true })
  nominationId!: string | null;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  /** Set when addressed to one user (a task's holder) rather than everyone of the unit and role. */
  @Column({ name: 'recipient_user_id', type: 'uuid', nullable: true })
  recipientUserId!: string | null;

  @Column({ name: 'recipient_unit_id', type: 'uuid' })
  recipientUnitId!: string;

  @Column({ name: 'recipient_role', type: 'text' })
  recipientRole!: Role;

  @Column({ type: 'text' })
  kind!: string;

  /**
   * Which text of src/domain/notices.ts the notice is, with `params`; null on the rows written before
   * notices had templates, which keep their (Vietnamese) `message`.
   */
  @Column({ type: 'text', nullable: true })
  template!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  params!: Record<string, unknown> | null;

  /** The text of a notice written before notices had templates; null on the others. */
  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  /**
   * When the last of its emails (email_outbox) was sent, or when it was found to have no recipient; null:
   * some still waiting, or email off (SMTP_URL unset).
   */
  @Column({ name: 'emailed_at', type: 'timestamptz', nullable: true })
  emailedAt!: Date | null;
}
