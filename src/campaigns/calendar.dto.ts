import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CALENDAR_LIMITS,
  type Calendar,
  DEFAULT_RESUBMISSION_REVIEW_HOURS,
  MAX_RESUBMISSION_REVIEW_HOURS,
  type StageDeadline,
} from '../domain/calendar';
import type { Stage } from '../domain/nomination';
import { IsTime } from '../common/validators';

const { maxHours, maxReminderOffsets, minEscalationCadenceHours, maxRevisions } = CALENDAR_LIMITS;
const hours = { allowNaN: false, allowInfinity: false };

export class StageDeadlineDto implements StageDeadline {
  @ApiProperty({ example: '2026-10-15T17:00:00+07:00', description: 'RFC 3339 with an offset' })
  @IsTime()
  dueAt!: string;

  @ApiProperty({ example: '2026-10-20T17:00:00+07:00', description: 'Not before dueAt' })
  @IsTime()
  cutoffAt!: string;
}

/**
 * The shape of every stage's dates. A missing stage is not refused here but by the domain's
 * calendarProblems, which names it in the same 422 as the dates out of order.
 */
export class CalendarStagesDto implements Partial<Record<Stage, StageDeadlineDto>> {
  @ApiProperty({ type: StageDeadlineDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StageDeadlineDto)
  district_registration?: StageDeadlineDto;

  @ApiProperty({ type: StageDeadlineDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StageDeadlineDto)
  district_review?: StageDeadlineDto;

  @ApiProperty({ type: StageDeadlineDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StageDeadlineDto)
  provincial_proposal?: StageDeadlineDto;

  @ApiProperty({ type: StageDeadlineDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StageDeadlineDto)
  provincial_review?: StageDeadlineDto;

  @ApiProperty({ type: StageDeadlineDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StageDeadlineDto)
  recognition?: StageDeadlineDto;
}

/**
 * A campaign's calendar (`POST /campaigns` `calendar`, `PATCH /campaigns/:id/calendar`): unknown keys, wrong
 * types and numbers out of CALENDAR_LIMITS are a 400 (docs/input.md). A missing field passes here: the
 * domain's calendarProblems names every missing one in one 422, after the caller's rights are checked.
 */
export class CalendarDto {
  @ApiProperty({ type: CalendarStagesDto, description: 'Every stage, each with a due date and a cut-off' })
  @IsOptional()
  @IsObject({ message: 'stages must be an object' })
  @ValidateNested()
  @Type(() => CalendarStagesDto)
  stages!: CalendarStagesDto;

  @ApiProperty({
    example: [72, 24],
    maxItems: maxReminderOffsets,
    description: `Hours before a due date at which the assignee is reminded; each above 0, at most ${maxHours}`,
  })
  @IsOptional()
  @IsArray({ message: 'reminderOffsetsHours must be a list of hours' })
  @ArrayMaxSize(maxReminderOffsets)
  @IsNumber(hours, { each: true, message: 'reminderOffsetsHours must hold numbers of hours' })
  @Min(Number.MIN_VALUE, { each: true, message: 'reminderOffsetsHours must each be above 0' })
  @Max(maxHours, { each: true })
  reminderOffsetsHours!: number[];

  @ApiProperty({ example: 168, exclusiveMinimum: true, minimum: 0, maximum: maxHours })
  @IsOptional()
  @IsNumber(hours, { message: 'revisionWindowHours must be a number of hours' })
  @Min(Number.MIN_VALUE, { message: 'revisionWindowHours must be above 0' })
  @Max(maxHours)
  revisionWindowHours!: number;

  @ApiPropertyOptional({ example: 24, minimum: minEscalationCadenceHours, maximum: maxHours, default: 24 })
  @IsOptional()
  @IsNumber(hours, { message: 'escalationCadenceHours must be a number of hours' })
  @Min(minEscalationCadenceHours)
  @Max(maxHours)
  escalationCadenceHours?: number;

  @ApiPropertyOptional({ example: 3, minimum: 0, maximum: maxRevisions, default: 3 })
  @IsOptional()
  @IsInt({ message: 'maxRevisions must be a whole number' })
  @Min(0)
  @Max(maxRevisions)
  maxRevisions?: number;

  @ApiPropertyOptional({
    example: DEFAULT_RESUBMISSION_REVIEW_HOURS,
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_RESUBMISSION_REVIEW_HOURS,
    default: DEFAULT_RESUBMISSION_REVIEW_HOURS,
    description:
      "Hours a model resubmitted in time is given for its review when its stage's dates are nearer",
  })
  @IsOptional()
  @IsNumber(hours, { message: 'resubmissionReviewHours must be a number of hours' })
  @Min(Number.MIN_VALUE, { message: 'resubmissionReviewHours must be above 0' })
  @Max(MAX_RESUBMISSION_REVIEW_HOURS)
  resubmissionReviewHours?: number;
}

/** The DTO's instance as the plain Calendar the domain and the workflow take. */
export function toCalendar(dto: CalendarDto): Calendar {
  return JSON.parse(JSON.stringify(dto)) as Calendar;
}
