import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { idempotencyKey } from '../common/idempotency';
import { NEXT_CURSOR_DOC, sendPage } from '../common/page';
import { DecisionDto, DecisionResultDto, InboxTaskDto, ListTasksQuery, ReassignDto } from './task.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** The body is the page; the next page's cursor is in the `X-Next-Cursor` header (absent on the last). */
  @Get()
  @ApiOkResponse({
    type: [InboxTaskDto],
    headers: NEXT_CURSOR_DOC,
  })
  async list(
    @AuthUser() user: CurrentUser,
    @Query() query: ListTasksQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<InboxTaskDto[]> {
    return sendPage(res, await this.tasks.list(user, query));
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOkResponse({ type: InboxTaskDto, description: 'The task, now held by the caller' })
  @ApiConflictResponse({ description: 'Someone else holds it, or another request is being applied' })
  @ApiForbiddenResponse({ description: 'The task asks for another role or unit' })
  claim(@AuthUser() user: CurrentUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<InboxTaskDto> {
    return this.tasks.assign(user, id, 'claim');
  }

  @Post(':id/unclaim')
  @HttpCode(200)
  @ApiOkResponse({ type: InboxTaskDto, description: 'The task, back in its unit’s pool' })
  unclaim(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<InboxTaskDto> {
    return this.tasks.assign(user, id, 'unclaim');
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @ApiOkResponse({ type: InboxTaskDto, description: 'The task, held by the named user, who is notified' })
  @ApiForbiddenResponse({ description: 'Only an admin may reassign' })
  @ApiUnprocessableEntityResponse({
    description: 'The user is unknown, inactive, or of another role or unit',
  })
  reassign(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ReassignDto,
  ): Promise<InboxTaskDto> {
    return this.tasks.assign(user, id, 'reassign', body);
  }

  @Post(':id/decision')
  @HttpCode(200)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key gets the first answer',
  })
  @ApiOkResponse({ type: DecisionResultDto, description: 'The workflow accepted the decision' })
  @ApiConflictResponse({ description: 'The task is not open (closed nomination, already decided)' })
  @ApiUnprocessableEntityResponse({
    description: 'The stage does not allow this decision, or a score is missing',
  })
  decide(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: DecisionDto,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<DecisionResultDto> {
    return this.tasks.decide(user, id, body, idempotencyKey(key));
  }
}
