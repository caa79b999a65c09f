import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { CurrentPrincipal, Principal, Roles } from '@app/platform';
import { MappingService } from './mapping.service';

class MappingTestDto {
  @ApiPropertyOptional({ description: 'rules to try ({rules: [...]} or a list); default: the stored ones' })
  @IsOptional()
  rules?: unknown;

  @ApiProperty({
    example: { eduPersonPrincipalName: 'alice@infn.it', isMemberOf: 'infn:cms;infn:lhcb' },
    description: "Keystone's input: attribute → value, several joined with ;",
  })
  @IsDefined()
  @IsObject()
  assertion: Record<string, string>;
}

class HistoryQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

@ApiTags('mapping')
@ApiBearerAuth()
@Controller('v1/mapping')
export class MappingController {
  constructor(private readonly mapping: MappingService) {}

  @Get()
  @Roles('reader')
  current() {
    return this.mapping.current();
  }

  @Put()
  @ApiOperation({ summary: 'Replace the mapping rules (Keystone format); the old ones stay in the history' })
  @ApiBody({
    schema: { type: 'object', example: { rules: [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'eduPersonPrincipalName' }] }] } },
  })
  replace(@Body() body: unknown, @Query('comment') comment: string | undefined, @CurrentPrincipal() actor: Principal) {
    return this.mapping.replace(body, actor, comment);
  }

  @Get('history')
  @Roles('reader')
  history(@Query() q: HistoryQuery) {
    return this.mapping.history(q.limit);
  }

  @Post('test')
  @HttpCode(200)
  @Roles('reader')
  @ApiOperation({ summary: 'Dry run: what keystone-manage mapping_engine would print for this assertion' })
  test(@Body() dto: MappingTestDto) {
    return this.mapping.test(dto.rules, dto.assertion);
  }
}
