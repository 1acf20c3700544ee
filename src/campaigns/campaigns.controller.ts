import { Body, Controller, ForbiddenException, Get, Param, ParseUUIDPipe, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import type { Calendar } from '../domain/calendar';
import { Campaign } from './campaign.entity';
import { CampaignsService } from './campaigns.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Get()
  @ApiOkResponse({ description: 'All campaigns, newest year first' })
  list(): Promise<Campaign[]> {
    return this.campaigns.list();
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One campaign with its calendar' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<Campaign> {
    return this.campaigns.get(id);
  }

  /**
   * The body is the whole calendar (DESIGN.md §5); it is validated by the domain's calendar rules rather
   * than a DTO, so the 422 names the exact field (`calendar.stages.district_review.cutoffAt`).
   */
  @Patch(':id/calendar')
  @ApiOkResponse({
    description: 'The campaign with its new calendar, and how many open nominations were told',
  })
  @ApiUnprocessableEntityResponse({ description: 'The calendar is invalid; the message names each field' })
  async changeCalendar(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() calendar: Calendar,
  ) {
    if (user.role !== 'admin') throw new ForbiddenException('only an admin may change a campaign calendar');
    return this.campaigns.changeCalendar(user, id, calendar);
  }
}
