import { Controller, HttpCode, HttpStatus, Inject, Param, ParseBoolPipe, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { uploadFormatOf } from '@app/mac';
import { ApiError, AuthenticatedRequest } from '@app/platform';
import { MacPoolConfig } from '../config';
import { readJsonBody } from './read-json-body';
import { UploadService } from './upload.service';

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
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  add(
    @Param('name') pool: string,
    @Query('dryRun', new ParseBoolPipe({ optional: true })) dryRun: boolean | undefined,
    @Req() req: AuthenticatedRequest,
  ) {
    return this.run(pool, false, dryRun ?? false, req);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Make the pool equal to the upload: add, update metadata, remove free MACs not listed' })
  @ApiConsumes(...CONSUMES)
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  replace(
    @Param('name') pool: string,
    @Query('dryRun', new ParseBoolPipe({ optional: true })) dryRun: boolean | undefined,
    @Req() req: AuthenticatedRequest,
  ) {
    return this.run(pool, true, dryRun ?? false, req);
  }

  private async run(pool: string, replace: boolean, dryRun: boolean, req: AuthenticatedRequest) {
    const format = uploadFormatOf(req.headers['content-type']);
    if (!format) {
      throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', `Content-Type must be one of ${CONSUMES.join(', ')}`);
    }
    const body = format === 'json' ? await readJsonBody(req, this.config.MACPOOL_JSON_UPLOAD_LIMIT) : req;
    return this.uploads.upload({ pool, replace, dryRun, format, body, actor: req.principal! });
  }
}
