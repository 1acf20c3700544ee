import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { Can } from '../auth/can';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { CreateUnitDto, ListUnitsQuery, UnitDto, UnitNodeDto, UpdateUnitDto } from './unit.dto';
import { UnitsService } from './units.service';

/** The organisation tree: everyone signed in reads it, administrators change it. */
@ApiTags('units')
@ApiBearerAuth()
@ApiExtraModels(UnitNodeDto, UnitDto)
@Controller('units')
export class UnitsController {
  constructor(private readonly units: UnitsService) {}

  @Get()
  @ApiOkResponse({
    description:
      'Without q: the tree, roots first, children sorted by name (deactivated units hidden unless ' +
      'includeInactive). With q: a flat list of at most 100 matching units with their path, best match first.',
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(UnitNodeDto) } },
        { type: 'array', items: { $ref: getSchemaPath(UnitDto) } },
      ],
    },
  })
  @ApiBadRequestResponse({ description: 'An unknown or malformed query parameter' })
  list(@AuthUser() user: CurrentUser, @Query() query: ListUnitsQuery): Promise<UnitNodeDto[] | UnitDto[]> {
    return this.units.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: UnitDto, description: 'One unit with the names from the root down to it' })
  @ApiNotFoundResponse({ description: 'unit not found' })
  get(@AuthUser() user: CurrentUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UnitDto> {
    return this.units.getVisible(user, id);
  }

  @Post()
  @Can('unit.create', 'create a unit')
  @ApiCreatedResponse({ type: UnitDto, description: 'The new unit' })
  @ApiBadRequestResponse({ description: 'A field of the wrong type, or an unknown field' })
  @ApiForbiddenResponse({ description: 'Only an admin may create a unit' })
  @ApiUnprocessableEntityResponse({
    description:
      'The name is missing or too long, the level unknown, or the parent wrong (missing, of the wrong ' +
      'level, deactivated); the message names each field',
  })
  @ApiConflictResponse({ description: 'A sibling has the same name (ignoring case)' })
  create(@AuthUser() user: CurrentUser, @Body() body: CreateUnitDto): Promise<UnitDto> {
    return this.units.create(user, body);
  }

  @Patch(':id')
  @Can('unit.update', 'change a unit')
  @ApiOkResponse({ type: UnitDto, description: 'The unit as changed' })
  @ApiForbiddenResponse({ description: 'Only an admin may change a unit' })
  @ApiNotFoundResponse({ description: 'unit not found' })
  @ApiUnprocessableEntityResponse({ description: 'The new name is empty or too long' })
  @ApiConflictResponse({
    description:
      'A sibling has the new name; or the unit cannot be deactivated (open nominations in its subtree, ' +
      'active child units) or reactivated (its parent is deactivated)',
  })
  update(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateUnitDto,
  ): Promise<UnitDto> {
    return this.units.update(user, id, body);
  }

  @Delete(':id')
  @Can('unit.delete', 'delete a unit')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiForbiddenResponse({ description: 'Only an admin may delete a unit' })
  @ApiNotFoundResponse({ description: 'unit not found' })
  @ApiConflictResponse({
    description:
      'Something refers to the unit (child units, nominations, users, campaigns, ...); deactivate it instead',
  })
  async remove(@AuthUser() user: CurrentUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.units.remove(user, id);
  }
}
