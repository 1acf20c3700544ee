import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An email a step must send, queued in the step's transaction and delivered later by the email sender. */
@Entity({ name: 'email_outbox' })
@Index('uq_email_outbox_notification_to', ['notificationId', 'toAddress'], { unique: true })
@Index('ix_email_outbox_due', ['nextAttemptAt'], { where: 'sent_at IS NULL' })
export class EmailOutbox {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'notification_id', type: 'bigint' })
  notificationId!: string;

  @Column({ name: 'nomination_id', type: 'uuid', nullable: true })
  nominationId!: string | null;

  @Column({ name: 'campaign_id', type: 'uuid', nullable: true })
  campaignId!: string | null;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ type: 'int' })
  seq!: number;

  @Column({ name: 'to_address', type: 'text' })
  toAddress!: string;

  /** Null since notices have templates: the sender renders the subject and body when it sends. */
  @Column({ type: 'text', nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
