import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A place held by a proposal whose Update is on its way to the workflow (proposal-quota.ts).
 * The table has no primary key constraint: task_id is NOT NULL and unique (uq_proposal_reservations_task),
 * and stands in for one because TypeORM needs a primary column.
 */
@Entity({ name: 'proposal_reservations' })
@Index('uq_proposal_reservations_task', ['taskId'], { unique: true })
@Index('ix_proposal_reservations_nomination', ['nominationId'])
@Index('ix_proposal_reservations_unit', ['campaignId', 'districtUnitId'])
export class ProposalReservation {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ name: 'nomination_id', type: 'uuid' })
  nominationId!: string;

  @Column({ name: 'campaign_id', type: 'uuid' })
  campaignId!: string;

  @Column({ name: 'district_unit_id', type: 'uuid' })
  districtUnitId!: string;

  /** Lapses by itself, so a crashed API's places come back. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
