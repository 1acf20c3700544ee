import {
  Body,
  Controller,
  Get,
  Ip,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Can } from '../auth/can';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { RetryAfterInterceptor } from '../auth/login-limiter';
import { CreateUserDto, ListUsersQuery, UpdatedUserDto, UpdateUserDto, UserDto } from './user.dto';
import { UsersService } from './users.service';

/** User accounts: administrators manage those within their unit; everyone changes their own profile. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Can('user.create', 'create a user')
  @ApiCreatedResponse({ type: UserDto, description: 'The new user (never the password hash)' })
  @ApiBadRequestResponse({ description: 'A field of the wrong type, or an unknown field' })
  @ApiForbiddenResponse({ description: 'Only an admin may create a user' })
  @ApiUnprocessableEntityResponse({
    description:
      'A missing or malformed value (username, password length, display name, email), a unit that is ' +
      'unknown, outside the admin’s unit or deactivated, or a role that does not fit the unit’s level; ' +
      'the message names each field',
  })
  @ApiConflictResponse({ description: 'username: already taken' })
  create(@AuthUser() user: CurrentUser, @Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(user, body);
  }

  @Get()
  @Can('user.list', 'list users')
  @ApiOkResponse({
    type: [UserDto],
    description: 'At most 200 users of the admin’s unit and the units under it, sorted by display name',
  })
  @ApiBadRequestResponse({ description: 'An unknown or malformed query parameter' })
  @ApiForbiddenResponse({ description: 'Only an admin may list users' })
  list(@AuthUser() user: CurrentUser, @Query() query: ListUsersQuery): Promise<UserDto[]> {
    return this.users.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserDto })
  @ApiForbiddenResponse({ description: 'Only an admin may view other users' })
  @ApiNotFoundResponse({ description: 'user not found (also for a user outside the admin’s unit)' })
  get(@AuthUser() user: CurrentUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserDto> {
    return this.users.get(user, id);
  }

  @Patch(':id')
  @UseInterceptors(RetryAfterInterceptor)
  @ApiOkResponse({
    type: UpdatedUserDto,
    description: 'The user as changed; with `releasedTasks` when the request deactivated them',
  })
  @ApiBadRequestResponse({ description: 'A field of the wrong type, or an unknown field' })
  @ApiForbiddenResponse({
    description: 'Only an admin may change another user, or activate or deactivate anyone',
  })
  @ApiNotFoundResponse({ description: 'user not found (also for a user outside the admin’s unit)' })
  @ApiUnprocessableEntityResponse({
    description:
      'A malformed value, or a missing or wrong `currentPassword` when changing one’s own password',
  })
  @ApiConflictResponse({
    description: 'An admin may not deactivate themself; a user of a deactivated unit cannot be reactivated',
  })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords (counted as sign-ins)' })
  update(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateUserDto,
    @Ip() address: string,
  ): Promise<UpdatedUserDto> {
    return this.users.update(user, id, body, address);
  }
}
