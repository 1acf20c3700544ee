import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Can } from '../auth/can';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { CalendarDto, toCalendar } from './calendar.dto';
import {
  CampaignDto,
  CampaignEventDto,
  CampaignUnitsDto,
  CreateCampaignDto,
  QuotasDto,
} from './campaign.dto';
import { CampaignsService } from './campaigns.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Get()
  @ApiOkResponse({ type: [CampaignDto], description: 'All campaigns, newest year first' })
  list(@AuthUser() user: CurrentUser): Promise<CampaignDto[]> {
    return this.campaigns.list(user);
  }

  @Post()
  @Can('campaign.create', 'create a campaign')
  @ApiCreatedResponse({ type: CampaignDto, description: 'The campaign, with its workflow started' })
  @ApiUnprocessableEntityResponse({
    description: 'The calendar, quotas or province are invalid; the message names each field',
  })
  @ApiConflictResponse({ description: 'The province already has a campaign that year' })
  create(@AuthUser() user: CurrentUser, @Body() body: CreateCampaignDto): Promise<CampaignDto> {
    return this.campaigns.create(user, body);
  }

  @Get(':id')
  @ApiOkResponse({ type: CampaignDto, description: 'One campaign with its calendar' })
  get(@AuthUser() user: CurrentUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<CampaignDto> {
    return this.campaigns.get(user, id);
  }

  @Get(':id/units')
  @ApiOkResponse({
    type: CampaignUnitsDto,
    description: 'Per district-level unit: counts, open work, submissions, quotas',
  })
  units(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<CampaignUnitsDto> {
    return this.campaigns.unitStatus(user, id);
  }

  @Get(':id/events')
  @ApiOkResponse({ type: [CampaignEventDto], description: 'The campaign audit trail' })
  events(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<CampaignEventDto[]> {
    return this.campaigns.events(user, id);
  }

  /**
   * The body is the whole calendar (docs/design.md §5): its shape and bounds are CalendarDto's (400), the rules
   * between its dates the domain's (422 naming the exact field, `calendar.stages.district_review.cutoffAt`).
   */
  @Patch(':id/calendar')
  @ApiOkResponse({
    description: 'The campaign with its new calendar, and how many open nominations were told',
  })
  @ApiUnprocessableEntityResponse({
    description: 'The calendar is invalid, or moves a closed stage; the message names each field',
  })
  @ApiConflictResponse({ description: 'The campaign is over, or another change is being applied' })
  changeCalendar(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() calendar: CalendarDto,
  ) {
    return this.campaigns.changeCalendar(user, id, toCalendar(calendar));
  }

  @Patch(':id/quotas')
  @ApiOkResponse({ type: CampaignDto })
  @ApiUnprocessableEntityResponse({ description: 'The quotas are invalid; the message names each field' })
  changeQuotas(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: QuotasDto,
  ): Promise<CampaignDto> {
    return this.campaigns.changeQuotas(user, id, body.quotas);
  }
}
