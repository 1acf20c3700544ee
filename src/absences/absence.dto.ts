import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';

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
  @IsISO8601({ strict: true }, { message: 'startsAt must be an ISO-8601 date-time' })
  startsAt!: string;

  @ApiProperty({ example: '2026-12-15T00:00:00+07:00' })
  @IsISO8601({ strict: true }, { message: 'endsAt must be an ISO-8601 date-time' })
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
