import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { UNIT_STAGES } from '../domain/campaign';
import { FIELDS, KINDS } from '../domain/nomination';
import { FIELD_LABELS, KIND_LABELS, UNIT_STAGE_LABELS } from '../domain/vocabulary';
import { FUNNEL_STEPS } from './report';

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;

export class ReportQuery {
  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    default: 'json',
    description: 'csv: one line per district-level unit and a total line (UTF-8 with BOM); html: printable',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS, { message: `format must be one of ${REPORT_FORMATS.join(', ')}` })
  format?: (typeof REPORT_FORMATS)[number];
}

export class SplitCountDto {
  @ApiProperty({ description: 'collective + individual' }) total!: number;
  @ApiProperty() collective!: number;
  @ApiProperty() individual!: number;
}

export class ConversionDto {
  @ApiProperty({ nullable: true, example: 20.8, description: '% of registered, one decimal' })
  districtRecognizedOfRegistered!: number | null;
  @ApiProperty({ nullable: true, example: 25.2, description: '% of district-recognized' })
  proposedOfDistrictRecognized!: number | null;
  @ApiProperty({ nullable: true, example: 56.4, description: '% of proposed' })
  recognizedOfProposed!: number | null;
}

export class FunnelDto {
  @ApiProperty({ type: SplitCountDto }) registered!: SplitCountDto;
  @ApiProperty({ type: SplitCountDto }) districtRecognized!: SplitCountDto;
  @ApiProperty({ type: SplitCountDto }) proposed!: SplitCountDto;
  @ApiProperty({ type: SplitCountDto, description: 'Provincially recognized' }) recognized!: SplitCountDto;
  @ApiProperty({ type: ConversionDto }) conversion!: ConversionDto;
}

export class ReportUnitDto extends FunnelDto {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({ example: 'Huyện Đức Linh' }) name!: string;
  @ApiProperty() active!: boolean;
}

export class ReportFieldDto extends FunnelDto {
  @ApiProperty({ enum: FIELDS }) field!: string;
  @ApiProperty({ example: FIELD_LABELS.economic.vi }) label!: string;
}

export class ReportKindDto extends FunnelDto {
  @ApiProperty({ enum: KINDS }) kind!: string;
  @ApiProperty({ example: KIND_LABELS.collective.vi }) label!: string;
}

export class ReportUnitRefDto {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() name!: string;
}

export class ReportStageDto {
  @ApiProperty({ enum: UNIT_STAGES }) stage!: string;
  @ApiProperty({ example: UNIT_STAGE_LABELS.provincial_proposal.vi }) label!: string;
  @ApiProperty({ enum: FUNNEL_STEPS }) step!: string;
  @ApiProperty() submitted!: number;
  @ApiProperty({ description: 'Active district-level units' }) total!: number;
  @ApiProperty({ nullable: true }) closedAt!: Date | null;
  @ApiProperty({ type: [ReportUnitRefDto], description: 'Units that submitted nothing at this stage' })
  missing!: ReportUnitRefDto[];
  @ApiProperty({ example: '13/14 đơn vị đã đề xuất; chưa đề xuất: Huyện Đức Linh' }) summary!: string;
}

export class ReportCampaignDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() year!: number;
  @ApiProperty({ format: 'uuid' }) provinceUnitId!: string;
  @ApiProperty() provinceName!: string;
  @ApiProperty({ nullable: true }) closedAt!: Date | null;
}

export class CampaignReportDto {
  @ApiProperty({ type: ReportCampaignDto }) campaign!: ReportCampaignDto;
  @ApiProperty() generatedAt!: Date;
  @ApiProperty({ type: FunnelDto, description: 'The sum of the unit rows (and of the field rows)' })
  totals!: FunnelDto;
  @ApiProperty({ type: [ReportUnitDto], description: 'Every active district-level unit, zeros included' })
  units!: ReportUnitDto[];
  @ApiProperty({ type: [ReportFieldDto] }) fields!: ReportFieldDto[];
  @ApiProperty({ type: [ReportKindDto] }) kinds!: ReportKindDto[];
  @ApiProperty({ type: [ReportStageDto], description: 'Per unit stage, the units that submitted nothing' })
  stages!: ReportStageDto[];
}
