import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { queryBool } from '../common/query-bool';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../domain/nomination';
import type { UserRow } from './users.repository';

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const DISPLAY_NAME_MAX = 200;
export const EMAIL_MAX = 254;

/** A user as the API shows it: never the password hash. */
export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nguyen.thi.hoa' }) username!: string;
  @ApiProperty({ example: 'Nguyễn Thị Hoa' }) displayName!: string;
  @ApiProperty({ enum: ROLES, example: 'submitter' }) role!: Role;
  @ApiProperty({ format: 'uuid', description: 'The unit the user belongs to and acts within' })
  unitId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'hoa.nt@danvan.binhthuan.example.vn',
    description: 'Where notifications for the user’s unit and role are emailed; null: in-app only',
  })
  email!: string | null;
  @ApiProperty({ example: true, description: 'A deactivated user cannot sign in; their tokens stop working' })
  active!: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
}

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    unitId: row.unit_id,
    email: row.email,
    active: row.active,
    createdAt: row.created_at,
  };
}

export class UpdatedUserDto extends UserDto {
  @ApiPropertyOptional({
    example: 2,
    description:
      'Only when the request deactivated the user: how many open tasks they had claimed went back to ' +
      'their unit’s pool',
  })
  releasedTasks?: number;
}

/**
 * The JSON types are checked here (a wrong type or an unknown field is a 400); the rules about the values
 * (lengths, the username's characters, the role fitting the unit, ...) are the service's, a 422 naming the
 * field.
 */
export class CreateUserDto {
  @ApiProperty({
    example: 'nguyen.thi.hoa',
    minLength: 3,
    maxLength: 64,
    pattern: USERNAME_PATTERN.source,
    description: 'Trimmed and lower-cased; 3–64 of a–z, 0–9, `.`, `_`, `-`; unique',
  })
  @IsOptional()
  @IsString({ message: 'username must be a string' })
  username!: string;

  @ApiProperty({
    example: 'Mật-khẩu-dài-đủ-8',
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    format: 'password',
    description: `${PASSWORD_MIN}–${PASSWORD_MAX} characters; stored only as a bcrypt hash`,
  })
  @IsOptional()
  @IsString({ message: 'password must be a string' })
  password!: string;

  @ApiProperty({
    example: 'Nguyễn Thị Hoa',
    minLength: 1,
    maxLength: DISPLAY_NAME_MAX,
    description: 'Trimmed and NFC-normalized',
  })
  @IsOptional()
  @IsString({ message: 'displayName must be a string' })
  displayName!: string;

  @ApiProperty({
    enum: ROLES,
    example: 'submitter',
    description:
      'Must fit the unit: provincial_reviewer at a province, district_reviewer at a district-level unit, ' +
      'submitter at a district-level or grassroots unit, admin at a province or district-level unit',
  })
  @IsOptional()
  @IsString({ message: 'role must be a string' })
  role!: Role;

  @ApiProperty({
    format: 'uuid',
    description: 'An active unit within the administrator’s own unit and the units under it',
  })
  @IsOptional()
  @IsUUID('all', { message: 'unitId must be a UUID' })
  unitId!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: EMAIL_MAX,
    example: 'hoa.nt@danvan.binhthuan.example.vn',
    description: 'Where notifications are emailed (when SMTP_URL is set)',
  })
  @IsOptional()
  @IsString({ message: 'email must be a string' })
  email?: string | null;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'Nguyễn Thị Thu Hoa', minLength: 1, maxLength: DISPLAY_NAME_MAX })
  @IsOptional()
  @IsString({ message: 'displayName must be a string' })
  displayName?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: EMAIL_MAX,
    example: 'hoa.nt@danvan.binhthuan.example.vn',
    description: 'A new address; null clears it',
  })
  @IsOptional()
  @IsString({ message: 'email must be a string or null' })
  email?: string | null;

  @ApiPropertyOptional({
    example: 'Mật-khẩu-mới-đủ-dài',
    minLength: PASSWORD_MIN,
    maxLength: PASSWORD_MAX,
    format: 'password',
    description: 'A new password; changing one’s own needs `currentPassword` too',
  })
  @IsOptional()
  @IsString({ message: 'password must be a string' })
  password?: string;

  @ApiPropertyOptional({
    format: 'password',
    maxLength: PASSWORD_MAX,
    description:
      'The caller’s current password, required when changing their own password (a wrong one counts as a ' +
      'failed sign-in)',
  })
  @IsOptional()
  @IsString({ message: 'currentPassword must be a string' })
  @MaxLength(PASSWORD_MAX, { message: `currentPassword must be at most ${PASSWORD_MAX} characters` })
  currentPassword?: string;

  @ApiPropertyOptional({
    example: false,
    description:
      'Administrators only: false deactivates the user (no more sign-in, existing tokens refused at once, ' +
      'claimed open tasks returned to the unit’s pool); true reactivates',
  })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only users of this unit and the units under it' })
  @IsOptional()
  @IsUUID('all', { message: 'unitId must be a UUID' })
  unitId?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({
    maxLength: 200,
    example: 'nguyen thi hoa',
    description: 'Part of the username or display name, ignoring diacritics and case',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (true) or deactivated (false) users' })
  @IsOptional()
  @Transform(queryBool)
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
