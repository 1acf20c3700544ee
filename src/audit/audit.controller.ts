import { Controller, Get, Query, Res } from '@nestjs/common';
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
import { AuditEntryDto, AuditQuery } from './audit.dto';
import { Can } from '../auth/can';
import { auditCsv, AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The body is the page; the next page's cursor is in the `X-Next-Cursor` header (absent on the last). */
  @Get()
  @Can('audit.view', 'read the audit log')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: [AuditEntryDto],
    description: 'Audit events of the nominations in the caller’s subtree, newest first',
    headers: {
      'X-Next-Cursor': { description: 'Pass as `cursor` for the next page', schema: { type: 'string' } },
    },
  })
  @ApiForbiddenResponse({ description: 'Administrators only' })
  @ApiNotFoundResponse({ description: 'campaignId is not a campaign the caller sees' })
  async list(
    @AuthUser() user: CurrentUser,
    @Query() query: AuditQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuditEntryDto[] | string> {
    const page = await this.audit.list(user, query);
    if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
    if (query.format === 'csv') {
      const day = new Date().toISOString().slice(0, 10);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="nhat-ky-${day}.csv"`);
      return auditCsv(page.items);
    }
    return page.items;
  }
}
