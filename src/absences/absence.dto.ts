import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { IsTime } from '../common/validators';
import type { AbsenceRow } from './absences.repository';

export class CreateAbsenceDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The absent reviewer; default: the caller. Others: admins only.',
  })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiProperty({ format: 'uuid', description: 'The acting colleague: same unit, same role, active' })
  @IsUUID()
  actingUserId!: string;

  @ApiProperty({ example: '2026-12-01T00:00:00+07:00' })
  @IsTime()
  startsAt!: string;

  @ApiProperty({ example: '2026-12-15T00:00:00+07:00' })
  @IsTime()
  endsAt!: string;
}

export class AbsenceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ example: 'Nguyễn Văn Bình' }) userName!: string;
  @ApiProperty({ format: 'uuid' }) actingUserId!: string;
  @ApiProperty({ example: 'Trần Văn Cường' }) actingUserName!: string;
  @ApiProperty() startsAt!: Date;
  @ApiProperty() endsAt!: Date;
}

export function toAbsenceDto(r: AbsenceRow): AbsenceDto {
  return {
    id: r.id,
    userId: r.user_id,
    userName: r.user_name,
    actingUserId: r.acting_user_id,
    actingUserName: r.acting_user_name,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  };
}
