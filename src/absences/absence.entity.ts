import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A reviewer away between two times, and the colleague (same unit and role) who covers their tasks. */
@Entity({ name: 'absences' })
@Index('ix_absences_acting_user', ['actingUserId', 'endsAt'])
@Index('ix_absences_user', ['userId', 'endsAt'])
@Check(`ends_at > starts_at`)
@Check(`acting_user_id <> user_id`)
export class Absence {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'acting_user_id', type: 'uuid' })
  actingUserId!: string;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
