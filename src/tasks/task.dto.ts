import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { DECISIONS, SCORE_MAX, SCORE_MIN, STAGES, type Decision } from '../domain/nomination';
import { TASK_KINDS, TASK_STATUSES, type TaskStatus } from './task.entity';

export class ListTasksQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  nominationId?: string;
}

export class DecisionDto {
  @ApiProperty({ enum: DECISIONS, example: 'accept', description: 'One of the task’s allowedDecisions' })
  @IsIn(DECISIONS, { message: `decision must be one of ${DECISIONS.join(', ')}` })
  decision!: Decision;

  @ApiPropertyOptional({ example: 'Mô hình tiêu biểu, đề nghị công nhận.', maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comment?: string;

  @ApiPropertyOptional({
    minimum: SCORE_MIN,
    maximum: SCORE_MAX,
    description: 'Required at provincial_review only',
  })
  @IsOptional()
  @IsInt({ message: 'score must be an integer' })
  @Min(SCORE_MIN)
  @Max(SCORE_MAX)
  score?: number;
}

export class TaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) nominationId!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty({ enum: STAGES }) stage!: string;
  @ApiProperty({
    enum: TASK_KINDS,
    description: 'review: a reviewer decides; revision: the submitter resubmits',
  })
  kind!: string;
  @ApiProperty({ enum: TASK_STATUSES }) status!: string;
  @ApiProperty({ enum: DECISIONS, isArray: true }) allowedDecisions!: string[];
  @ApiProperty() assigneeRole!: string;
  @ApiProperty({ format: 'uuid' }) assigneeUnitId!: string;
  @ApiProperty({ nullable: true }) assigneeUserId!: string | null;
  @ApiProperty({ nullable: true }) dueAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'At this time the nomination closes without a decision' })
  cutoffAt!: Date | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() openedAt!: Date;
  @ApiProperty({ nullable: true }) closedAt!: Date | null;
  @ApiProperty({ nullable: true }) decision!: string | null;
  @ApiProperty({ nullable: true }) decidedBy!: string | null;
  @ApiProperty({ nullable: true }) comment!: string | null;
  @ApiProperty({ nullable: true }) score!: number | null;
}

export class DecisionResultDto {
  @ApiProperty({ format: 'uuid' }) nominationId!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty({ enum: DECISIONS }) decision!: string;
  @ApiProperty({ description: 'The nomination’s stage after the decision (or closed)' }) stage!: string;
  @ApiProperty({ nullable: true }) outcome!: string | null;
  @ApiProperty({ nullable: true, format: 'uuid' }) nextTaskId!: string | null;
}
