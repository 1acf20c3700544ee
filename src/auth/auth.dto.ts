import type { Action } from '../domain/access-policy';
import { ROLES, type Role } from '../domain/nomination';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  username!: string;

  @ApiProperty({ example: 'admin-demo-password' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password!: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'JWT to send as `Authorization: Bearer <token>`' })
  accessToken!: string;

  @ApiProperty({ example: 3600, description: 'Seconds until the token expires; sign in again after that.' })
  expiresIn!: number;
}

export class MeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'demo.district' }) username!: string;
  @ApiProperty({ example: 'Cán bộ thẩm định huyện' }) displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty({
    type: [String],
    example: ['task.view', 'task.decide', 'task.claim'],
    description:
      'The access-policy actions the caller’s role may do somewhere (docs/access-control.md); whether a ' +
      'given resource is within reach is told with it (a task’s canClaim, a nomination’s actions).',
  })
  can!: Action[];
}
