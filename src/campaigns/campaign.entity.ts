import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Calendar } from '../domain/calendar';

@Entity({ name: 'campaigns' })
@Index('uq_campaigns_province_year', ['provinceUnitId', 'year'], { unique: true })
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
