import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DormancyService } from './dormancy.service';
import { DormantUserDto, DormantUsersQueryDto, SweepResultDto } from './dto/dormant.dto';

/** Admins see the dormant accounts, and may run the hourly sweep now. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users/dormant')
export class DormantUsersController {
  constructor(private readonly dormancy: DormancyService) {}

  @Get()
  @ApiOperation({ summary: 'Users disabled as dormant (no login for AAI_DORMANT_DAYS); a login re-enables them' })
  @ApiOkResponse({ type: [DormantUserDto] })
  list(@Query() query: DormantUsersQueryDto): Promise<DormantUserDto[]> {
    return this.dormancy.list(query.limit);
  }

  @Post('sweep')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the dormant-account sweep now (it runs hourly)' })
  @ApiOkResponse({ type: SweepResultDto })
  sweep(): Promise<SweepResultDto> {
    return this.dormancy.sweep();
  }
}
