import { Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Campaign } from './campaign.entity';

/** Read-only for now: the campaigns and their calendars. */
@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('campaigns')
export class CampaignsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOkResponse({ description: 'All campaigns, newest year first' })
  list(): Promise<Campaign[]> {
    return this.dataSource.getRepository(Campaign).find({ order: { year: 'DESC', createdAt: 'DESC' } });
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One campaign with its calendar' })
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<Campaign> {
    const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id });
    if (!campaign) throw new NotFoundException('campaign not found');
    return campaign;
  }
}
