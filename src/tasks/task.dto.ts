import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { PageQuery } from '../common/page';
import { queryBool } from '../common/query-bool';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import {
  DECISIONS,
  FIELDS,
  KINDS,
  SCORE_MAX,
  SCORE_MIN,
  STAGES,
  type Decision,
  type Field,
  type Stage,
} from '../domain/nomination';
import { TASK_KINDS, TASK_STATUSES, type TaskStatus } from './task.entity';
import type { InboxRow } from './tasks.repository';
import { may, type Principal } from '../domain/access-policy';

/** The inbox's filters; `cursor` and `limit` page it (src/common/page.ts). */
export class ListTasksQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TASK_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  nominationId?: string;

  @ApiPropertyOptional({ enum: STAGES })
  @IsOptional()
  @IsIn(STAGES, { message: `stage must be one of ${STAGES.join(', ')}` })
  stage?: Stage;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'Only overdue (true) or only not overdue (false) tasks',
  })
  @IsOptional()
  @Transform(queryBool)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ enum: FIELDS })
  @IsOptional()
  @IsIn(FIELDS, { message: `field must be one of ${FIELDS.join(', ')}` })
  field?: Field;

  @ApiPropertyOptional({
    description: 'Text in the title or nominee name, diacritics and case ignored',
    example: 'ham tien',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export class ReassignDto {
  @ApiProperty({ format: 'uuid', description: 'An active user of the task’s unit with the role it asks for' })
  @IsUUID()
  userId!: string;

  @ApiPropertyOptional({ example: 'Đồng chí Bình đi công tác', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
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

/** A task as the inbox shows it: with what it is about and who holds it. */
export class InboxTaskDto extends TaskDto {
  @ApiProperty({ example: 'Mô hình "Tuyến đường tự quản xanh – sạch – đẹp"' }) nominationTitle!: string;
  @ApiProperty({ example: 'Hội Liên hiệp Phụ nữ xã Hàm Tiến' }) nomineeName!: string;
  @ApiProperty({ format: 'uuid', description: 'The unit that registered the model' }) unitId!: string;
  @ApiProperty({ example: 'Xã Nam Chính' }) unitName!: string;
  @ApiProperty({ enum: FIELDS }) field!: string;
  @ApiProperty({ enum: KINDS }) nominationKind!: string;
  @ApiProperty({ nullable: true, example: 'Nguyễn Văn Bình' }) claimedByName!: string | null;
  @ApiProperty({ nullable: true }) claimedAt!: Date | null;
  @ApiProperty({
    nullable: true,
    format: 'uuid',
    description: 'Set when the caller sees it as the acting colleague of the absent holder',
  })
  coveringFor!: string | null;
  @ApiProperty({
    description: 'The caller may claim this task now (src/domain/access-policy.ts: task.claim)',
  })
  canClaim!: boolean;
  @ApiProperty({ description: 'The caller may decide this task (access policy: task.decide)' })
  canDecide!: boolean;
}

/** The task as the inbox shows it, with what the caller may do on it (the pages show only those buttons). */
export function toInboxTaskDto(r: InboxRow, user: Principal): InboxTaskDto {
  const task = {
    assigneeRole: r.assignee_role,
    assigneeUnitId: r.assignee_unit_id,
    assigneeUserId: r.assignee_user_id ?? null,
  };
  const review = r.kind === 'review' && r.status === 'open';
  return {
    id: r.id,
    nominationId: r.nomination_id,
    workflowId: r.workflow_id,
    stage: r.stage,
    kind: r.kind,
    status: r.status,
    allowedDecisions: r.allowed_decisions,
    assigneeRole: r.assignee_role,
    assigneeUnitId: r.assignee_unit_id,
    assigneeUserId: r.assignee_user_id ?? null,
    dueAt: r.due_at,
    cutoffAt: r.cutoff_at ?? null,
    overdue: r.overdue,
    openedAt: r.opened_at,
    closedAt: r.closed_at ?? null,
    decision: r.decision ?? null,
    decidedBy: r.decided_by ?? null,
    comment: r.comment ?? null,
    score: r.score ?? null,
    nominationTitle: r.title,
    nomineeName: r.nominee_name,
    unitId: r.nomination_unit_id,
    unitName: r.unit_name,
    field: r.field,
    nominationKind: r.nomination_kind,
    claimedByName: r.claimed_by_name ?? null,
    claimedAt: r.claimed_at ?? null,
    coveringFor: r.covering_for ?? null,
    canClaim: review && !task.assigneeUserId && may(user, 'task.claim', { task }),
    canDecide: review && may(user, 'task.decide', { task, inSubtree: r.assignee_within === true }),
  };
}

export class DecisionResultDto {
  @ApiProperty({ format: 'uuid' }) nominationId!: string;
  @ApiProperty({ format: 'uuid' }) taskId!: string;
  @ApiProperty({ enum: DECISIONS }) decision!: string;
  @ApiProperty({ description: 'The nomination’s stage after the decision (or closed)' }) stage!: string;
  @ApiProperty({ nullable: true }) outcome!: string | null;
  @ApiProperty({ nullable: true, format: 'uuid' }) nextTaskId!: string | null;
}
