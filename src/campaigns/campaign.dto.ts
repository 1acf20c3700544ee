import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsTime } from '../common/validators';
import { UNIT_STAGES } from '../domain/campaign';
import type { Quotas } from '../domain/campaign';
import type { Calendar } from '../domain/calendar';
import { FIELDS } from '../domain/nomination';
import { CalendarDto } from './calendar.dto';
import type { Campaign } from './campaign.entity';
import type { CampaignEventRow, UnitStatusRow } from './campaigns.repository';

const CALENDAR_EXAMPLE: Calendar = {
  stages: {
    district_registration: { dueAt: '2026-10-15T17:00:00+07:00', cutoffAt: '2026-10-20T17:00:00+07:00' },
    district_review: { dueAt: '2026-11-05T17:00:00+07:00', cutoffAt: '2026-11-10T17:00:00+07:00' },
    provincial_proposal: { dueAt: '2026-11-25T17:00:00+07:00', cutoffAt: '2026-11-30T17:00:00+07:00' },
    provincial_review: { dueAt: '2026-12-20T17:00:00+07:00', cutoffAt: '2026-12-28T17:00:00+07:00' },
    recognition: { dueAt: '2027-01-10T17:00:00+07:00', cutoffAt: '2027-01-15T17:00:00+07:00' },
  },
  reminderOffsetsHours: [72, 24],
  revisionWindowHours: 168,
};

const QUOTAS_EXAMPLE: Quotas = { perUnit: 3, perField: { economic: 1 } };

export class CreateCampaignDto {
  @ApiProperty({ example: 'Dân vận khéo 2026', maxLength: 200 })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 2026 })
  @IsInt({ message: 'year must be a whole number' })
  @Min(2000)
  @Max(2100)
  year!: number;

  @ApiProperty({ format: 'uuid', description: 'The province running the round' })
  @IsUUID()
  provinceUnitId!: string;

  /** Its shape and bounds are CalendarDto's (400); the rules between its dates the domain's (422). */
  @ApiProperty({
    type: CalendarDto,
    example: CALENDAR_EXAMPLE,
    description: 'Per stage a due date and a hard cut-off (RFC 3339 with an offset)',
  })
  @IsObject({ message: 'calendar must be an object' })
  @ValidateNested()
  @Type(() => CalendarDto)
  calendar!: Calendar;

  @ApiPropertyOptional({
    description: 'When units may start registering; default: now',
    example: '2026-09-01T00:00:00+07:00',
  })
  @IsOptional()
  @IsTime()
  registrationOpensAt?: string;

  @ApiPropertyOptional({
    example: QUOTAS_EXAMPLE,
    description: `Caps on proposals per district-level unit: overall and per field (${FIELDS.join(', ')})`,
  })
  @IsOptional()
  @IsObject({ message: 'quotas must be an object' })
  quotas?: Quotas;
}

export class QuotasDto {
  @ApiProperty({ example: QUOTAS_EXAMPLE })
  @IsObject({ message: 'quotas must be an object' })
  quotas!: Quotas;
}

export class CampaignDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Dân vận khéo 2026' }) name!: string;
  @ApiProperty({ example: 2026 }) year!: number;
  @ApiProperty({ format: 'uuid' }) provinceUnitId!: string;
  @ApiProperty({ example: CALENDAR_EXAMPLE }) calendar!: Calendar;
  @ApiProperty() registrationOpensAt!: Date;
  @ApiProperty({ example: QUOTAS_EXAMPLE }) quotas!: Quotas;
  @ApiProperty({ example: 'campaign-…' }) workflowId!: string;
  @ApiProperty({ nullable: true, description: 'When the last stage closed' }) closedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export function toCampaignDto(c: Campaign): CampaignDto {
  return {
    id: c.id,
    name: c.name,
    year: c.year,
    provinceUnitId: c.provinceUnitId,
    calendar: c.calendar,
    registrationOpensAt: c.registrationOpensAt,
    quotas: c.quotas,
    workflowId: c.workflowId,
    closedAt: c.closedAt,
    createdAt: c.createdAt,
  };
}

export class StageSubmissionDto {
  @ApiProperty({ enum: UNIT_STAGES }) stage!: string;
  @ApiProperty({ example: 13 }) submitted!: number;
  @ApiProperty({ example: 14 }) total!: number;
  @ApiProperty({ example: [{ id: '…', name: 'Huyện Đức Linh' }] }) missing!: { id: string; name: string }[];
  @ApiProperty({ description: 'The campaign workflow has closed this stage' }) closed!: boolean;
  @ApiProperty({ example: '13 of 14 units proposed; missing: Huyện Đức Linh' }) summary!: string;
}

export class QuotaUseDto {
  @ApiProperty({ nullable: true, example: 3 }) cap!: number | null;
  @ApiProperty({ example: 2 }) proposed!: number;
}

export class UnitStatusDto {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ example: 'Huyện Đức Linh' }) name!: string;
  @ApiProperty() registered!: number;
  @ApiProperty() districtRecognized!: number;
  @ApiProperty() proposed!: number;
  @ApiProperty() provinciallyRecognized!: number;
  @ApiProperty({ description: 'Open tasks the unit owes (its district-level stages)' }) openTasks!: number;
  @ApiProperty() overdueTasks!: number;
  @ApiProperty({
    example: { district_registration: true, district_review: true, provincial_proposal: false },
  })
  submitted!: Record<string, boolean>;
  @ApiProperty({
    example: { overall: { cap: 3, proposed: 2 }, perField: { economic: { cap: 1, proposed: 1 } } },
  })
  quota!: { overall: QuotaUseDto; perField: Record<string, QuotaUseDto> };
}

/** A unit's status row, with its proposals set against the campaign's quotas. */
export function toUnitStatusDto(r: UnitStatusRow, quotas: Quotas): UnitStatusDto {
  return {
    unitId: r.id,
    name: r.name,
    registered: r.registered,
    districtRecognized: r.district_recognized,
    proposed: r.proposed,
    provinciallyRecognized: r.recognized,
    openTasks: r.open_tasks,
    overdueTasks: r.overdue_tasks,
    submitted: {
      district_registration: r.registered > 0,
      district_review: r.district_recognized > 0,
      provincial_proposal: r.proposed > 0,
    },
    quota: {
      overall: { cap: quotas.perUnit ?? null, proposed: r.proposed },
      perField: Object.fromEntries(
        FIELDS.map((f) => [
          f,
          { cap: quotas.perField?.[f] ?? null, proposed: r.proposed_by_field?.[f] ?? 0 },
        ]),
      ),
    },
  };
}

export class CampaignUnitsDto {
  @ApiProperty({ type: [StageSubmissionDto] }) stages!: StageSubmissionDto[];
  @ApiProperty({ type: [UnitStatusDto] }) units!: UnitStatusDto[];
}

export class CampaignEventDto {
  @ApiProperty() seq!: number;
  @ApiProperty({ example: 'stage_closed' }) action!: string;
  @ApiProperty({ example: { type: 'system', name: 'system' } }) actor!: {
    type: string;
    userId: string | null;
    name: string;
  };
  @ApiProperty({ nullable: true }) stage!: string | null;
  @ApiProperty({ example: { missingUnits: [{ id: '…', name: 'Huyện Đức Linh' }], totalUnits: 14 } })
  details!: Record<string, unknown>;
  @ApiProperty() occurredAt!: Date;
}

export function toCampaignEventDto(r: CampaignEventRow): CampaignEventDto {
  return {
    seq: r.seq,
    action: r.action,
    actor: { type: r.actor_type, userId: r.actor_user_id, name: r.actor_name },
    stage: r.stage,
    details: r.details,
    occurredAt: r.occurred_at,
  };
}
