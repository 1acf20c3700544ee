import { Controller, HttpStatus, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthUser, type CurrentUser } from '../auth/current-user';
import { MAX_IMPORT_ROWS } from './import-csv';
import { ImportErrorDto, ImportResultDto } from './import.dto';
import { ImportsService, IMPORT_CONCURRENCY } from './imports.service';
import { checkCsvContentType, checkIdentityEncoding, MAX_IMPORT_BYTES, readRawBody } from './read-body';
import { Can } from '../auth/can';

const EXAMPLE_CSV = `title,description,field,kind,nomineeName,unit
"Tuyến đường tự quản xanh, sạch, đẹp","Người dân tự quản lý, giữ gìn vệ sinh tuyến đường.",culture_society,collective,Hội Phụ nữ xã Nam Chính,Xã Nam Chính
Chợ phiên nông sản sạch,Kết nối nông dân với người tiêu dùng.,Kinh tế,Tập thể,Hội Nông dân thị trấn Võ Xu,Thi tran Vo Xu
Dân vận khéo trong giải phóng mặt bằng,Vận động người dân bàn giao mặt bằng đúng hạn.,political_system,individual,Nguyễn Văn An,Huyện Tánh Linh`;

@ApiTags('nominations')
@ApiBearerAuth()
@Controller('campaigns')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post(':id/nominations/import')
  @Can('nomination.register', 'register a model')
  @ApiOperation({
    summary: 'Register many models from a CSV file',
    description: [
      `The request body is the CSV file itself (\`Content-Type: text/csv\`, UTF-8 with or without a byte order mark, at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB and ${MAX_IMPORT_ROWS} rows), separated by \`,\` or \`;\` (detected from the header), e.g.`,
      '`curl --data-binary @models.csv -H \'content-type: text/csv\' -H "authorization: Bearer $TOKEN" …/campaigns/<id>/nominations/import`.',
      '',
      "The header row names the columns `title, description, field, kind, nomineeName, unit` — or in Vietnamese `Tên mô hình, Mô tả, Lĩnh vực, Loại, Tên đơn vị/cá nhân, Đơn vị` — in any order, ignoring case and diacritics; other columns are ignored. `field` and `kind` take the API values or the Vietnamese labels (Kinh tế, Văn hóa - xã hội, Quốc phòng - an ninh, Xây dựng hệ thống chính trị; Tập thể, Cá nhân). `unit` is the registering unit's name (exact, or without diacritics), `Parent / Name` when two units share a name, or its id; it must be one of the caller's units.",
      '',
      'Every row is checked first: if any is wrong nothing is registered (422 with each row, column and reason). Otherwise every row is registered as `POST /nominations` would, ' +
        `${IMPORT_CONCURRENCY} at a time. Each row's nomination id is derived from (campaign, unit, title, nominee), so sending the same file again registers nothing twice (\`created: 0\`).`,
      '',
      'Example:',
      '```',
      EXAMPLE_CSV,
      '```',
    ].join('\n'),
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: EXAMPLE_CSV } })
  @ApiCreatedResponse({ type: ImportResultDto, description: 'At least one model was registered' })
  @ApiOkResponse({ type: ImportResultDto, description: 'Every row was registered before (nothing new)' })
  @ApiUnprocessableEntityResponse({
    type: ImportErrorDto,
    description:
      'Rows with errors (nothing registered), a missing column, an empty or unreadable file, or an unknown campaign',
  })
  @ApiForbiddenResponse({ description: 'Only a submitter or an administrator registers models' })
  @ApiConflictResponse({ description: 'The campaign is not open for registration' })
  @ApiPayloadTooLargeResponse({ description: `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB` })
  @ApiUnsupportedMediaTypeResponse({ description: 'The body is not sent as text/csv in UTF-8' })
  @ApiBadGatewayResponse({
    description:
      'A registration failed midway: `started` lists the rows registered, `notStarted` the others; sending the same file again is safe',
  })
  @ApiServiceUnavailableResponse({ description: 'As 502, when Temporal could not be reached' })
  async import(
    @AuthUser() user: CurrentUser,
    @Param('id', new ParseUUIDPipe()) campaignId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportResultDto> {
    checkCsvContentType(req.headers['content-type']);
    checkIdentityEncoding(req.headers['content-encoding']);
    const file = await readRawBody(req);
    const result = await this.imports.importCsv(user, campaignId, file);
    res.status(result.created > 0 ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }
}
