import { Controller, HttpCode, HttpStatus, Param, Post, Put, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { uploadFormatOf } from '@app/mac';
import { ApiError, AuthenticatedRequest, bodyStream } from '@app/platform';
import { UploadResultDto } from './dto/upload-result.response';
import { UploadQuery } from './dto/upload.query';
import { UploadSlots } from './upload-slots.interceptor';
import { UploadService } from './upload.service';

const CONSUMES = ['text/plain', 'text/csv', 'application/json'];

@ApiTags('pools')
@ApiBearerAuth()
@ApiTooManyRequestsResponse({ description: 'MACPOOL_MAX_CONCURRENT_UPLOADS uploads in progress; retry after Retry-After seconds' })
@UseInterceptors(UploadSlots)
@Controller('v1/pools/:name/macs')
export class UploadController {
  constructor(private readonly uploads: UploadService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Add MACs (and update metadata of MACs already in this pool)' })
  @ApiConsumes(...CONSUMES)
  @ApiBody({
    description: 'text: one MAC or first-last range per line; csv: header with mac[,hostname,ipv4,ipv6,description]; json: array',
  })
  @ApiOkResponse({ type: UploadResultDto })
  add(@Param('name') pool: string, @Query() query: UploadQuery, @Req() req: AuthenticatedRequest): Promise<UploadResultDto> {
    return this.run(pool, false, query, req);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'Make the pool equal to the upload: add, update metadata, remove free MACs not listed' })
  @ApiConsumes(...CONSUMES)
  @ApiOkResponse({ type: UploadResultDto })
  replace(@Param('name') pool: string, @Query() query: UploadQuery, @Req() req: AuthenticatedRequest): Promise<UploadResultDto> {
    return this.run(pool, true, query, req);
  }

  /** The service reads the request stream itself, whatever the format. */
  private run(pool: string, replace: boolean, query: UploadQuery, req: AuthenticatedRequest): Promise<UploadResultDto> {
    const format = uploadFormatOf(req.headers['content-type']);
    if (!format) {
      throw new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', `Content-Type must be one of ${CONSUMES.join(', ')}`);
    }
    return this.uploads.upload({
      pool,
      replace,
      dryRun: query.dryRun ?? false,
      allowEmpty: query.allowEmpty ?? false,
      format,
      body: bodyStream(req),
      actor: req.principal!,
    });
  }
}
