import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../common/page';
import { IsTime } from '../common/validators';
import { FIELDS, KINDS, OUTCOMES, STAGES, type Field, type Kind } from '../domain/nomination';
import type { AuditEvent } from '../audit/audit-event.entity';
import type { Nomination } from './nomination.entity';

export class CreateNominationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  campaignId!: string;

  @ApiProperty({ format: 'uuid', description: 'The unit registering the model' })
  @IsUUID()
  unitId!: string;

  @ApiProperty({ example: 'Mô hình "Tuyến đường tự quản xanh – sạch – đẹp"', maxLength: 300 })
  @IsString()
  @MinLength(1, { message: 'title must not be empty' })
  @MaxLength(300)
  title!: string;

  @ApiProperty({ example: 'Người dân tự quản lý, giữ gìn vệ sinh tuyến đường ven biển.', maxLength: 10000 })
  @IsString()
  @MinLength(1, { message: 'description must not be empty' })
  @MaxLength(10000)
  description!: string;

  @ApiProperty({ enum: FIELDS, example: 'culture_society' })
  @IsIn(FIELDS, { message: `field must be one of ${FIELDS.join(', ')}` })
  field!: Field;

  @ApiProperty({ enum: KINDS, example: 'collective' })
  @IsIn(KINDS, { message: `kind must be one of ${KINDS.join(', ')}` })
  kind!: Kind;

  @ApiProperty({ example: 'Hội Liên hiệp Phụ nữ xã Hàm Tiến', maxLength: 300 })
  @IsString()
  @MinLength(1, { message: 'nomineeName must not be empty' })
  @MaxLength(300)
  nomineeName!: string;
}

export class WithdrawDto {
  @ApiProperty({ example: 'Đơn vị rút hồ sơ để hoàn thiện thêm', maxLength: 2000 })
  @IsString()
  @MinLength(1, { message: 'reason must not be empty' })
  @MaxLength(2000)
  reason!: string;
}

export class ExtendDeadlineDto {
  @ApiProperty({ example: '2026-12-10T17:00:00+07:00', description: 'New due date of the open task' })
  @IsTime()
  dueAt!: string;

  @ApiProperty({ example: '2026-12-15T17:00:00+07:00', description: 'New hard cut-off, not before dueAt' })
  @IsTime()
  cutoffAt!: string;

  @ApiProperty({ example: 'Đơn vị bị ảnh hưởng bởi bão, cần thêm thời gian', maxLength: 2000 })
  @IsString()
  @MinLength(1, { message: 'reason must not be empty' })
  @MaxLength(2000)
  reason!: string;
}

/** Only the fields the submitter changes (validated as at registration); the rest stay as they were. */
export class ResubmitDto extends PartialType(
  PickType(CreateNominationDto, ['title', 'description', 'field', 'kind', 'nomineeName'] as const),
) {
  @ApiPropertyOptional({ example: 'Đã bổ sung số liệu năm 2025', maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comment?: string;
}

/**
 * The filters of `GET /nominations`, each narrowing the caller's own scope (never widening it); `cursor`
 * and `limit` page it, newest first (src/common/page.ts).
 */
export class ListNominationsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID(undefined, { message: 'campaignId must be a UUID' })
  campaignId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The registering unit (exactly; not the units under it)',
  })
  @IsOptional()
  @IsUUID(undefined, { message: 'unitId must be a UUID' })
  unitId?: string;

  @ApiPropertyOptional({ enum: [...STAGES, 'closed'] })
  @IsOptional()
  @IsIn([...STAGES, 'closed'], { message: `stage must be one of ${[...STAGES, 'closed'].join(', ')}` })
  stage?: string;

  @ApiPropertyOptional({ enum: FIELDS })
  @IsOptional()
  @IsIn(FIELDS, { message: `field must be one of ${FIELDS.join(', ')}` })
  field?: Field;

  @ApiPropertyOptional({ enum: KINDS })
  @IsOptional()
  @IsIn(KINDS, { message: `kind must be one of ${KINDS.join(', ')}` })
  kind?: Kind;

  @ApiPropertyOptional({
    description: 'Text in the title or nominee name, diacritics and case ignored',
    example: 'ham tien',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class NominationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ format: 'uuid', description: 'The district-level unit that reviews it' })
  districtUnitId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: FIELDS }) field!: Field;
  @ApiProperty({ enum: KINDS }) kind!: Kind;
  @ApiProperty() nomineeName!: string;
  @ApiProperty({ enum: [...STAGES, 'closed'] }) stage!: string;
  @ApiProperty({ enum: OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ description: 'Temporal workflow id (derived from the nomination id)' }) workflowId!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
  @ApiProperty({ nullable: true }) closedAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'When the district recognized it' })
  districtRecognizedAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'When its unit proposed it to the province' })
  proposedAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'When the provincial review recommended it' })
  recommendedAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'When the province recognized it' }) recognizedAt!: Date | null;
  @ApiProperty({ description: 'A task of this nomination is past its due date' }) overdue!: boolean;
  @ApiProperty({ description: 'Revision requests so far' }) revisions!: number;
}

/** One nomination as its page shows it: with what the caller may do on it. */
export class NominationDetailDto extends NominationDto {
  @ApiProperty({
    type: [String],
    example: ['nomination.withdraw', 'nomination.resubmit'],
    description:
      'The access-policy actions the caller may ask for on this nomination (docs/access-control.md); ' +
      'the workflow still judges the moment (a closed nomination, no revision requested)',
  })
  actions!: string[];
}

export class AuditEventDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ example: 'decided' }) action!: string;
  @ApiProperty({ example: { type: 'user', userId: '…', name: 'Nguyễn Văn An', role: 'admin', unitId: '…' } })
  actor!: {
    type: 'user' | 'system';
    userId: string | null;
    name: string;
    role: string | null;
    unitId: string | null;
  };
  @ApiProperty({ nullable: true }) stageBefore!: string | null;
  @ApiProperty() stageAfter!: string;
  @ApiProperty({ nullable: true }) outcome!: string | null;
  @ApiProperty({ nullable: true }) taskId!: string | null;
  @ApiProperty({ nullable: true }) decision!: string | null;
  @ApiProperty({ nullable: true }) comment!: string | null;
  @ApiProperty({ nullable: true }) score!: number | null;
  @ApiProperty({
    nullable: true,
    example: { userId: '…', name: 'Nguyễn Văn Bình' },
    description: 'The absent reviewer the actor decided for (absence cover)',
  })
  onBehalfOf!: { userId: string; name: string } | null;
  @ApiProperty() occurredAt!: Date;
  @ApiProperty() workflowId!: string;
}

export function toAuditEventDto(e: AuditEvent): AuditEventDto {
  return {
    seq: e.seq,
    action: e.action,
    actor: {
      type: e.actorType,
      userId: e.actorUserId,
      name: e.actorName,
      role: e.actorRole,
      unitId: e.actorUnitId,
    },
    stageBefore: e.stageBefore,
    stageAfter: e.stageAfter,
    outcome: e.outcome,
    taskId: e.taskId,
    decision: e.decision,
    comment: e.comment,
    score: e.score,
    onBehalfOf: e.onBehalfOfUserId ? { userId: e.onBehalfOfUserId, name: e.onBehalfOfName ?? '' } : null,
    occurredAt: e.occurredAt,
    workflowId: e.workflowId,
  };
}

/** The API's view of a nomination: the read-model row without its projection bookkeeping. */
export function toNominationDto(n: Nomination): NominationDto {
  const { projectionSeq: _internal, createdBy: _createdBy, searchText: _searchText, ...dto } = n;
  return dto;
}
