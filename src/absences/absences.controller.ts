import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { AbsenceDto, CreateAbsenceDto } from './absence.dto';
import { AbsencesService } from './absences.service';

@ApiTags('absences')
@ApiBearerAuth()
@Controller('absences')
export class AbsencesController {
  constructor(private readonly absences: AbsencesService) {}

  @Post()
  @ApiCreatedResponse({
    type: AbsenceDto,
    description: 'From startsAt to endsAt the colleague covers the reviewer',
  })
  @ApiUnprocessableEntityResponse({
    description: 'Not a colleague of the same unit and role, or dates out of order',
  })
  create(@AuthUser() user: CurrentUser, @Body() body: CreateAbsenceDto): Promise<AbsenceDto> {
    return this.absences.create(user, body);
  }

  @Get()
  @ApiOkResponse({
    type: [AbsenceDto],
    description: 'Current and coming absences the caller is part of (admins: their subtree)',
  })
  list(@AuthUser() user: CurrentUser): Promise<AbsenceDto[]> {
    return this.absences.list(user);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The cover ends now' })
  async remove(@AuthUser() user: CurrentUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.absences.remove(user, id);
  }
}
