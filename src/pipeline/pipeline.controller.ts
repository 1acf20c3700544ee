import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import {
  PipelineStuckDto,
  PipelineStuckQuery,
  PipelineSummaryDto,
  PipelineSummaryQuery,
} from './pipeline.dto';
import { PipelineService } from './pipeline.service';

@ApiTags('pipeline')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Only admins and provincial reviewers of the campaign’s province' })
@ApiNotFoundResponse({ description: 'No such campaign in the caller’s province' })
@Controller('pipeline')
export class PipelineController {
  constructor(private readonly pipeline: PipelineService) {}

  @Get('summary')
  @ApiOkResponse({
    type: PipelineSummaryDto,
    description:
      'Counts by stage × district-level unit × field × kind, open and closed by outcome, overdue tasks, ' +
      'the longest-waiting nomination and the median hours per stage; every total sums the `rows`',
  })
  @ApiUnprocessableEntityResponse({ description: 'unitId is not a unit of the campaign’s province' })
  summary(@AuthUser() user: CurrentUser, @Query() query: PipelineSummaryQuery): Promise<PipelineSummaryDto> {
    return this.pipeline.summary(user, query);
  }

  @Get('stuck')
  @ApiOkResponse({
    type: PipelineStuckDto,
    description: 'Open nominations, longest waiting in their stage first, with whom they wait for',
  })
  stuck(@AuthUser() user: CurrentUser, @Query() query: PipelineStuckQuery): Promise<PipelineStuckDto> {
    return this.pipeline.stuck(user, query);
  }
}
