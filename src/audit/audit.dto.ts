import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsTime } from '../common/validators';
import type { AuditRow } from './audit.repository';

export const AUDIT_FORMATS = ['json', 'csv'] as const;
export const AUDIT_LIMIT_MAX = 10_000;

export class AuditQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only nominations of this campaign' })
  @IsOptional()
  @IsUUID(undefined, { message: 'campaignId must be a UUID' })
  campaignId?: string;

  @ApiPropertyOptional({
    description: 'A user id, or text the actor’s name contains (case and diacritics ignored)',
    example: 'nguyen van binh',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'From this time on (RFC 3339 with an offset, inclusive)' })
  @IsOptional()
  @IsTime()
  from?: string;

  @ApiPropertyOptional({ description: 'Before this time (RFC 3339 with an offset, exclusive)' })
  @IsOptional()
  @IsTime()
  to?: string;

  @ApiPropertyOptional({ enum: AUDIT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(AUDIT_FORMATS, { message: `format must be one of ${AUDIT_FORMATS.join(', ')}` })
  format?: (typeof AUDIT_FORMATS)[number];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: AUDIT_LIMIT_MAX,
    description: `Default 50 (json) or ${AUDIT_LIMIT_MAX} (csv)`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(AUDIT_LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `X-Next-Cursor` header of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class AuditActorDto {
  @ApiProperty({ enum: ['user', 'system'] }) type!: string;
  @ApiProperty({ nullable: true, format: 'uuid' }) userId!: string | null;
  @ApiProperty({ example: 'Nguyễn Văn Bình' }) name!: string;
  @ApiProperty({ nullable: true }) role!: string | null;
  @ApiProperty({ nullable: true, format: 'uuid' }) unitId!: string | null;
}

export class AuditEntryDto {
  @ApiProperty({ example: '1042' }) id!: string;
  @ApiProperty({ format: 'uuid' }) nominationId!: string;
  @ApiProperty() nominationTitle!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ format: 'uuid', description: 'The unit that registered the nomination' }) unitId!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty() seq!: number;
  @ApiProperty({ example: 'decided' }) action!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ nullable: true, example: { userId: '…', name: 'Lê Thị Thu' } })
  onBehalfOf!: { userId: string; name: string } | null;
  @ApiProperty({ nullable: true }) stageBefore!: string | null;
  @ApiProperty() stageAfter!: string;
  @ApiProperty({ nullable: true }) outcome!: string | null;
  @ApiProperty({ nullable: true }) decision!: string | null;
  @ApiProperty({ nullable: true }) comment!: string | null;
  @ApiProperty({ nullable: true }) score!: number | null;
  @ApiProperty() occurredAt!: Date;
}

export function toAuditEntryDto(r: AuditRow): AuditEntryDto {
  return {
    id: String(r.id),
    nominationId: r.nomination_id,
    nominationTitle: r.title,
    campaignId: r.campaign_id,
    unitId: r.unit_id,
    workflowId: r.workflow_id,
    seq: r.seq,
    action: r.action,
    actor: {
      type: r.actor_type,
      userId: r.actor_user_id,
      name: r.actor_name,
      role: r.actor_role,
      unitId: r.actor_unit_id,
    },
    onBehalfOf: r.on_behalf_of_user_id
      ? { userId: r.on_behalf_of_user_id, name: r.on_behalf_of_name ?? '' }
      : null,
    stageBefore: r.stage_before,
    stageAfter: r.stage_after,
    outcome: r.outcome,
    decision: r.decision,
    comment: r.comment,
    score: r.score,
    occurredAt: r.occurred_at,
  };
}
