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
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { idempotencyKey } from '../common/idempotency';
import { NEXT_CURSOR_DOC, sendPage } from '../common/page';
import {
  AuditEventDto,
  CreateNominationDto,
  ExtendDeadlineDto,
  ListNominationsQuery,
  NominationDetailDto,
  NominationDto,
  ResubmitDto,
  toNominationDto,
  WithdrawDto,
} from './nomination.dto';
import { NominationsService } from './nominations.service';
import { Can } from '../auth/can';
import { may } from '../domain/access-policy';

/** What a caller may ask for on a nomination of their subtree, judged on its unit as the workflow does. */
const NOMINATION_ACTIONS = ['nomination.withdraw', 'nomination.resubmit'] as const;

@ApiTags('nominations')
@ApiBearerAuth()
@Controller('nominations')
export class NominationsController {
  constructor(private readonly nominations: NominationsService) {}

  @Post()
  @Can('nomination.register', 'register a model')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retrying with the same key returns the same nomination',
  })
  @ApiCreatedResponse({ type: NominationDto })
  async create(
    @AuthUser() user: CurrentUser,
    @Body() body: CreateNominationDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NominationDto> {
    const { nomination, replayed } = await this.nominations.create(user, body, idempotencyKey(key));
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return toNominationDto(nomination);
  }

  /** The body is the page, newest first; the next page's cursor is in the `X-Next-Cursor` header (absent on the last). */
  @Get()
  @ApiOkResponse({ type: [NominationDto], headers: NEXT_CURSOR_DOC })
  @ApiBadRequestResponse({ description: 'A filter, `limit` (1–200) or `cursor` that is not valid' })
  async list(
    @AuthUser() user: CurrentUser,
    @Query() query: ListNominationsQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NominationDto[]> {
    const page = await this.nominations.list(user, query);
    return sendPage(res, { ...page, items: page.items.map(toNominationDto) });
  }

  @Get(':id')
  @ApiOkResponse({ type: NominationDetailDto })
  async get(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<NominationDetailDto> {
    const nomination = await this.nominations.get(user, id);
    const actions = NOMINATION_ACTIONS.filter((a) => may(user, a, { unitId: nomination.unitId }));
    return { ...toNominationDto(nomination), actions };
  }

  @Get(':id/history')
  @ApiOkResponse({ type: [AuditEventDto] })
  history(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<AuditEventDto[]> {
    return this.nominations.history(user, id);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOkResponse({ type: NominationDto, description: 'Closed as withdrawn' })
  @ApiConflictResponse({ description: 'The nomination is already closed' })
  async withdraw(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: WithdrawDto,
  ): Promise<NominationDto> {
    return toNominationDto(await this.nominations.withdraw(user, id, body));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({
    type: NominationDto,
    description: 'Closed as withdrawn; audited as cancelled by the admin',
  })
  @ApiConflictResponse({ description: 'The nomination is already closed' })
  async cancel(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: WithdrawDto,
  ): Promise<NominationDto> {
    return toNominationDto(await this.nominations.cancel(user, id, body));
  }

  @Post(':id/deadline')
  @HttpCode(200)
  @ApiOkResponse({
    type: NominationDto,
    description: 'The open task has the new dates; its reminders start again',
  })
  @ApiUnprocessableEntityResponse({
    description: 'Dates out of order, in the past, or earlier than the current ones',
  })
  async extendDeadline(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ExtendDeadlineDto,
  ): Promise<NominationDto> {
    return toNominationDto(await this.nominations.extendDeadline(user, id, body));
  }

  @Post(':id/resubmit')
  @HttpCode(200)
  @ApiOkResponse({ type: NominationDto, description: 'Back at the same stage, with a fresh task' })
  @ApiConflictResponse({ description: 'No revision was requested, or the nomination is closed' })
  async resubmit(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ResubmitDto,
  ): Promise<NominationDto> {
    return toNominationDto(await this.nominations.resubmit(user, id, body));
  }
}
