import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Quotas } from '../domain/campaign';
import type { Calendar } from '../domain/calendar';

@Entity({ name: 'campaigns' })
@Index('uq_campaigns_province_year', ['provinceUnitId', 'year'], { unique: true })
@Index('uq_campaigns_workflow_id', ['workflowId'], { unique: true })
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'int' })
  year!: number;

  @Column({ name: 'province_unit_id', type: 'uuid' })
  provinceUnitId!: string;

  @Column({ type: 'jsonb' })
  calendar!: Calendar;

  @Column({ name: 'registration_opens_at', type: 'timestamptz' })
  registrationOpensAt!: Date;

  @Column({ type: 'jsonb', default: {} })
  quotas!: Quotas;

  /** The campaign workflow that owns the calendar (derived from the id). */
  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  /** Set by the campaign workflow when the last stage has closed. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
