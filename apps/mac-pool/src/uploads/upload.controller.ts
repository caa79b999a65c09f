import { Controller, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { uploadFormatOf } from '@app/mac';
import { ApiError, AuthenticatedRequest } from '@app/platform';
import { UploadResultDto } from './dto/upload-result.response';
import { UploadQuery } from './dto/upload.query';
import { readJsonBody } from './read-json-body';
import { UploadService } from './upload.service';
import { MacPoolConfig } from '../config';

const CONSUMES = ['text/plain', 'text/csv', 'application/json'];

@ApiTags('pools')
@ApiBearerAuth()
@Controller('v1/pools/:name/macs')
export class UploadController {
  constructor(
    private readonly uploads: UploadService,
    @Inject(MacPoolConfig) private readonly config: MacPoolConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Add MACs (and update metadata of MACs already in this pool)' })
  @ApiConsumes(...CONSUMES)
  @ApiBody({
    description: 'text: one MAC or first-last range per line; csv: header with mac[,hostname,ipv4,ipv6,description]; json: array',
  })
  @ApiOkResponse({ type: UploadResultDto })
  add(@Param('name') pool: string, @Query() query: UploadQuery, @Req() req: AuthenticatedRequest): Promise<UploadResultDto> {
    return this.run(pool, false, query.dryRun ?? false, req);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Make the pool equal to the upload: add, update metadata, remove free MACs not listed' })
  @ApiConsumes(...CONSUMES)
  @ApiOkResponse({ type: UploadResultDto })
  replace(@Param('name') pool: string, @Query() query: UploadQuery, @Req() req: AuthenticatedRequest): Promise<UploadResultDto> {
    return this.run(pool, true, query.dryRun ?? false, req);
  }

  /** The body as the service reads it: the request stream itself, or parsed JSON (bounded). */
  private async run(pool: string, replace: boolean, dryRun: boolean, req: AuthenticatedRequest): Promise<UploadResultDto> {
    const format = uploadFormatOf(req.headers['content-type']);
    if (!format) {
      throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', `Content-Type must be one of ${CONSUMES.join(', ')}`);
    }
    const body = format === 'json' ? await readJsonBody(req, this.config.MACPOOL_JSON_UPLOAD_LIMIT) : req;
    return this.uploads.upload({ pool, replace, dryRun, format, body, actor: req.principal! });
  }
}
