import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { idempotencyKey } from '../common/idempotency';
import { DecisionDto, DecisionResultDto, ListTasksQuery, TaskDto } from './task.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOkResponse({ type: [TaskDto] })
  list(@Query() query: ListTasksQuery): Promise<TaskDto[]> {
    return this.tasks.list(query);
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
