import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { queryBool } from '../common/query-bool';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { UNIT_LEVELS, type UnitLevel } from './unit.entity';
import type { UnitRow } from './units.repository';

export class UnitNodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Huyện Hàm Thuận Bắc' }) name!: string;
  @ApiProperty({ enum: UNIT_LEVELS, example: 'district' }) level!: UnitLevel;
  @ApiProperty({ format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ description: 'A deactivated unit takes no new work', example: true }) active!: boolean;
  @ApiProperty({ type: () => [UnitNodeDto] }) children!: UnitNodeDto[];
}

export class UnitDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Huyện Hàm Thuận Bắc' }) name!: string;
  @ApiProperty({ enum: UNIT_LEVELS, example: 'district' }) level!: UnitLevel;
  @ApiProperty({ format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ description: 'A deactivated unit takes no new work', example: true }) active!: boolean;
  @ApiProperty({
    type: [String],
    description: 'The names from the root down to this unit',
    example: ['Tỉnh Bình Thuận', 'Huyện Hàm Thuận Bắc'],
  })
  path!: string[];
}

/** A unit as a node of the tree; its children are added as the tree is built. */
export function toUnitNodeDto(u: UnitRow): UnitNodeDto {
  return { id: u.id, name: u.name, level: u.level, parentId: u.parent_id, active: u.active, children: [] };
}

/** `path`: the names from the root down to the unit. */
export function toUnitDto(u: UnitRow, path: string[]): UnitDto {
  return { id: u.id, name: u.name, level: u.level, parentId: u.parent_id, active: u.active, path };
}

export class ListUnitsQuery {
  @ApiPropertyOptional({
    maxLength: 200,
    example: 'ham thuan bac',
    description:
      'Search by name, ignoring diacritics and case ("duc linh" finds "Huyện Đức Linh"). With q the answer ' +
      'is a flat list (at most 100, best match first) of units with their path instead of the tree.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: UNIT_LEVELS,
    description:
      'With q: only units of this level. Without q: the tree down to this level (e.g. `district` gives ' +
      'the provinces and their district-level units).',
  })
  @IsOptional()
  @IsIn(UNIT_LEVELS, { message: `level must be one of ${UNIT_LEVELS.join(', ')}` })
  level?: UnitLevel;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also show deactivated units' })
  @IsOptional()
  @Transform(queryBool)
  @IsBoolean({ message: 'includeInactive must be true or false' })
  includeInactive?: boolean;
}

/**
 * The JSON types are checked here (a wrong type or an unknown field is a 400); the rules about the values
 * (a name is required, a district's parent is a province, ...) are the service's, a 422 naming the field.
 */
export class CreateUnitDto {
  @ApiProperty({
    example: 'Xã Hàm Đức',
    minLength: 1,
    maxLength: 200,
    description: 'Trimmed and NFC-normalized; unique among its siblings, ignoring case',
  })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  name!: string;

  @ApiProperty({
    enum: UNIT_LEVELS,
    example: 'grassroots',
    description: 'province (no parent), district (under a province) or grassroots (under a district)',
  })
  @IsOptional()
  @IsString({ message: 'level must be a string' })
  level!: UnitLevel;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'The parent unit: a province for a district-level unit, a district for a grassroots unit',
  })
  @IsOptional()
  @IsUUID('all', { message: 'parentId must be a UUID' })
  parentId?: string | null;
}

export class UpdateUnitDto {
  @ApiPropertyOptional({
    example: 'Thị trấn Ma Lâm',
    minLength: 1,
    maxLength: 200,
    description: 'A new name',
  })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  name?: string;

  @ApiPropertyOptional({
    example: false,
    description:
      'false deactivates the unit (refused while it or a unit under it has open nominations, or while it ' +
      'has active child units); true reactivates it (refused while its parent is deactivated)',
  })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
