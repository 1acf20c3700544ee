import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const UNIT_LEVELS = ['province', 'district', 'grassroots'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

@Entity({ name: 'units' })
@Index('ix_units_parent_id', ['parentId'])
export class Unit {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  level!: UnitLevel;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
