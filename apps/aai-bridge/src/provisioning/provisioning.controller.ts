import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProvisionDto, ProvisionResultDto } from './dto/provision.dto';
import { ProvisioningService } from './provisioning.service';

/** Admins provision a user ahead of a login (or repair one) exactly as a login would. */
@ApiTags('provisioning')
@ApiBearerAuth()
@Controller('v1/provisioning')
export class ProvisioningController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Map the attributes with the stored rules and make Keystone match (grants and revocations)' })
  @ApiOkResponse({ type: ProvisionResultDto })
  provision(@Body() dto: ProvisionDto): Promise<ProvisionResultDto> {
    return this.provisioning.provisionAssertion(dto.assertion);
  }
}
