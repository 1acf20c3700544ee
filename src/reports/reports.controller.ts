import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import type { CampaignReport } from './report';
import { CampaignReportDto, ReportQuery } from './report.dto';
import { reportCsv, reportFileName, reportHtml } from './report-render';
import { ReportsService } from './reports.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('campaigns')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get(':id/report')
  @ApiProduces('application/json', 'text/csv', 'text/html')
  @ApiOkResponse({
    type: CampaignReportDto,
    description:
      'The funnel registered → district-recognized → proposed → provincially recognized, by unit, field ' +
      'and kind, the units that submitted nothing, and conversion rates; totals sum the rows',
  })
  @ApiForbiddenResponse({ description: 'Only admins and provincial reviewers of the campaign’s province' })
  @ApiNotFoundResponse({ description: 'No such campaign in the caller’s province' })
  async report(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ReportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CampaignReport | string> {
    const report = await this.reports.report(user, id);
    if (query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${reportFileName(report, 'csv')}"`);
      return reportCsv(report);
    }
    if (query.format === 'html') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return reportHtml(report);
    }
    return report;
  }
}
