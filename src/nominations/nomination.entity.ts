import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Field, Kind, NominationStage, Outcome } from '../domain/nomination';

/** Read model of one nomination; written by the workflow's activities, read by people. */
@Entity({ name: 'nominations' })
@Index('uq_nominations_workflow_id', ['workflowId'], { unique: true })
@Index('ix_nominations_campaign_stage', ['campaignId', 'stage'])
@Index('ix_nominations_unit_stage', ['unitId', 'stage'])
@Index('ix_nominations_campaign_district_unit', ['campaignId', 'districtUnitId'])
export class Nomination {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  /** The district-level unit that reviews it: unitId itself, or its parent for a grassroots unit. */
  @Column({ name: 'district_unit_id', type: 'uuid' })
  districtUnitId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  field!: Field;

  @Column({ type: 'text' })
  kind!: Kind;

  @Column({ name: 'nominee_name', type: 'text' })
  nomineeName!: string;

  @Column({ type: 'text' })
  stage!: NominationStage;

  @Column({ type: 'text', nullable: true })
  outcome!: Outcome | null;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  /** A task of this nomination is past its due date. */
  @Column({ type: 'boolean', default: false })
  overdue!: boolean;

  /** How many times a reviewer has asked the submitter to revise it. */
  @Column({ type: 'int', default: 0 })
  revisions!: number;

  /** Sequence number of the last workflow step applied here; older steps arriving late are ignored. */
  @Column({ name: 'projection_seq', type: 'int', default: 0 })
  projectionSeq!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** When it entered its current stage: how long it has been waiting there. */
  @Column({ name: 'stage_entered_at', type: 'timestamptz' })
  stageEnteredAt!: Date;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'district_recognized_at', type: 'timestamptz', nullable: true })
  districtRecognizedAt!: Date | null;

  @Column({ name: 'proposed_at', type: 'timestamptz', nullable: true })
  proposedAt!: Date | null;

  @Column({ name: 'recommended_at', type: 'timestamptz', nullable: true })
  recommendedAt!: Date | null;

  @Column({ name: 'recognized_at', type: 'timestamptz', nullable: true })
  recognizedAt!: Date | null;
}
