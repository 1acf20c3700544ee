import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { FIELDS, KINDS, OUTCOMES, STAGES, type Field } from '../domain/nomination';
import type { FailureRow, GroupedRow, OldestRow, StuckRow } from './pipeline.repository';
import { hoursBetween } from './summary';

export class PipelineSummaryQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'campaignId must be a UUID' })
  campaignId!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only nominations registered by this unit or a unit under it',
  })
  @IsOptional()
  @IsUUID(undefined, { message: 'unitId must be a UUID' })
  unitId?: string;

  @ApiPropertyOptional({ enum: FIELDS })
  @IsOptional()
  @IsIn(FIELDS, { message: `field must be one of ${FIELDS.join(', ')}` })
  field?: Field;
}

export const STUCK_LIMIT_MAX = 500;

export class PipelineStuckQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'campaignId must be a UUID' })
  campaignId!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: STUCK_LIMIT_MAX, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(STUCK_LIMIT_MAX)
  limit?: number;
}

const stageCounts = Object.fromEntries(STAGES.map((s) => [s, 0]));
const outcomeCounts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));

/** Counts of one slice of the campaign (everything, one unit, one field, one kind). */
export class PipelineCountsDto {
  @ApiProperty({ description: 'open + closed' }) total!: number;
  @ApiProperty() open!: number;
  @ApiProperty() closed!: number;
  @ApiProperty({ description: 'Open tasks past their due date, of the open nominations' })
  overdueTasks!: number;
  @ApiProperty({ example: stageCounts, description: 'Open nominations per stage' })
  byStage!: Record<string, number>;
  @ApiProperty({ example: outcomeCounts, description: 'Closed nominations per outcome' })
  byOutcome!: Record<string, number>;
}

export class PipelineUnitCountsDto extends PipelineCountsDto {
  @ApiProperty({ format: 'uuid', description: 'The district-level unit that reviews the nominations' })
  unitId!: string;
  @ApiProperty({ example: 'Huyện Đức Linh' }) name!: string;
}

export class PipelineFieldCountsDto extends PipelineCountsDto {
  @ApiProperty({ enum: FIELDS }) field!: string;
}

export class PipelineKindCountsDto extends PipelineCountsDto {
  @ApiProperty({ enum: KINDS }) kind!: string;
}

export class WaitingNominationDto {
  @ApiProperty({ format: 'uuid' }) nominationId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ format: 'uuid', description: 'The unit that registered it' }) unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ description: 'When it entered its current stage' }) stageEnteredAt!: Date;
  @ApiProperty({ example: 312.5 }) waitingHours!: number;
}

export class PipelineStageDto {
  @ApiProperty({ enum: STAGES }) stage!: string;
  @ApiProperty({ description: 'Open nominations at this stage' }) open!: number;
  @ApiProperty() overdueTasks!: number;
  @ApiProperty({ type: WaitingNominationDto, nullable: true, description: 'The open one waiting longest' })
  oldestWaiting!: WaitingNominationDto | null;
  @ApiProperty({
    nullable: true,
    example: 52.3,
    description:
      'Median hours spent in this stage by the nominations that went through it (between two milestones)',
  })
  medianHours!: number | null;
  @ApiProperty({ description: 'How many nominations the median is taken over' }) measured!: number;
}

/** One cell of stage × outcome × district-level unit × field × kind; every other figure sums these. */
export class PipelineRowDto {
  @ApiProperty({ enum: [...STAGES, 'closed'] }) stage!: string;
  @ApiProperty({ enum: OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ format: 'uuid' }) districtUnitId!: string;
  @ApiProperty({ enum: FIELDS }) field!: string;
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty() count!: number;
  @ApiProperty() overdueTasks!: number;
}

export class PipelineSummaryDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty({ example: { unitId: null, field: null } }) filters!: {
    unitId: string | null;
    field: string | null;
  };
  @ApiProperty({ description: 'The moment the figures were read (one consistent snapshot)' }) asOf!: Date;
  @ApiProperty({ type: PipelineCountsDto }) totals!: PipelineCountsDto;
  @ApiProperty({ type: [PipelineStageDto] }) stages!: PipelineStageDto[];
  @ApiProperty({ type: [PipelineUnitCountsDto], description: 'District-level units with nominations' })
  units!: PipelineUnitCountsDto[];
  @ApiProperty({ type: [PipelineFieldCountsDto] }) fields!: PipelineFieldCountsDto[];
  @ApiProperty({ type: [PipelineKindCountsDto] }) kinds!: PipelineKindCountsDto[];
  @ApiProperty({ type: [PipelineRowDto] }) rows!: PipelineRowDto[];
}

export class WaitingForDto {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ example: 'Huyện Đức Linh' }) unitName!: string;
  @ApiProperty({ example: 'district_reviewer' }) role!: string;
  @ApiProperty({ format: 'uuid', nullable: true, description: 'The user holding the task, if claimed' })
  userId!: string | null;
  @ApiProperty({ nullable: true, example: 'Nguyễn Văn Bình' }) userName!: string | null;
  @ApiProperty({ example: 'Huyện Đức Linh · district_reviewer · Nguyễn Văn Bình' }) label!: string;
}

export class StuckTaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'review' }) kind!: string;
  @ApiProperty({ nullable: true }) dueAt!: Date | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() openedAt!: Date;
}

export class StepFailureDto {
  @ApiProperty({ example: 'decided', description: 'The step that could not be recorded' }) action!: string;
  @ApiProperty({ example: 'invalid byte sequence for encoding "UTF8" (SQLSTATE 22021)' }) reason!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty() lastFailedAt!: Date;
  @ApiProperty({
    description:
      "true: the system's own step (a reminder, a cut-off, a calendar change), held and retried; " +
      'false: a person was answered 422 and the nomination kept its state',
  })
  held!: boolean;
}

export class StuckNominationDto extends WaitingNominationDto {
  @ApiProperty({
    type: StepFailureDto,
    nullable: true,
    description: 'A step PostgreSQL refused for its data',
  })
  failure!: StepFailureDto | null;
  @ApiProperty({ enum: STAGES }) stage!: string;
  @ApiProperty() nomineeName!: string;
  @ApiProperty({ enum: FIELDS }) field!: string;
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty({ format: 'uuid' }) districtUnitId!: string;
  @ApiProperty() districtUnitName!: string;
  @ApiProperty({ type: StuckTaskDto, nullable: true, description: 'Its open task' })
  task!: StuckTaskDto | null;
  @ApiProperty({ type: WaitingForDto, nullable: true }) waitingFor!: WaitingForDto | null;
}

export class PipelineStuckDto {
  @ApiProperty({ format: 'uuid' }) campaignId!: string;
  @ApiProperty() asOf!: Date;
  @ApiProperty({ description: 'Open nominations of the campaign' }) open!: number;
  @ApiProperty({
    type: [StuckNominationDto],
    description: 'Those with a step that could not be recorded first, then the longest waiting',
  })
  items!: StuckNominationDto[];
  @ApiProperty({
    type: [StepFailureDto],
    description: "The campaign workflow's own steps that could not be recorded",
  })
  campaignFailures!: StepFailureDto[];
}

/** A grouped count; its overdue tasks are added from the overdue counts. */
export function toPipelineRowDto(r: GroupedRow): PipelineRowDto {
  return {
    stage: r.stage,
    outcome: r.outcome,
    districtUnitId: r.district_unit_id,
    field: r.field,
    kind: r.kind,
    count: r.count,
    overdueTasks: 0,
  };
}

/** The oldest nomination of a stage; how long it has waited is reckoned from the answer's time. */
export function toWaitingNominationDto(o: OldestRow): Omit<WaitingNominationDto, 'waitingHours'> {
  return {
    nominationId: o.id,
    title: o.title,
    unitId: o.unit_id,
    unitName: o.unit_name,
    stageEnteredAt: o.stage_entered_at,
  };
}

export function toStepFailureDto(f: FailureRow): StepFailureDto {
  return {
    action: f.action,
    reason: f.reason,
    attempts: f.attempts,
    lastFailedAt: f.last_failed_at,
    held: f.held,
  };
}

export function toStuckNominationDto(r: StuckRow, asOf: Date, f: FailureRow | undefined): StuckNominationDto {
  return {
    failure: f ? toStepFailureDto(f) : null,
    nominationId: r.id,
    title: r.title,
    nomineeName: r.nominee_name,
    stage: r.stage,
    field: r.field,
    kind: r.kind,
    unitId: r.unit_id,
    unitName: r.unit_name,
    districtUnitId: r.district_unit_id,
    districtUnitName: r.district_unit_name,
    stageEnteredAt: r.stage_entered_at,
    waitingHours: hoursBetween(r.stage_entered_at, asOf),
    task: r.task_id
      ? {
          id: r.task_id,
          kind: r.task_kind!,
          dueAt: r.due_at,
          overdue: r.task_overdue ?? false,
          openedAt: r.opened_at!,
        }
      : null,
    waitingFor: r.task_id
      ? {
          unitId: r.assignee_unit_id!,
          unitName: r.assignee_unit_name!,
          role: r.assignee_role!,
          userId: r.assignee_user_id,
          userName: r.holder_name,
          label: [r.assignee_unit_name, r.assignee_role, r.holder_name].filter(Boolean).join(' · '),
        }
      : null,
  };
}
