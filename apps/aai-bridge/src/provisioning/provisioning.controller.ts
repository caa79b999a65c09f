import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsDefined, IsObject } from 'class-validator';
import { ProvisioningError, ProvisioningService, provisioningFailed } from './provisioning.service';
import { MappingService } from '../mapping/mapping.service';

class ProvisionDto {
  @ApiProperty({
    example: { eduPersonPrincipalName: 'alice@infn.it', isMemberOf: 'infn:cms' },
    description: 'attributes as a login would bring them (several values joined with ;)',
  })
  @IsDefined()
  @IsObject()
  assertion: Record<string, string>;
}

/** Admins provision a user ahead of a login (or repair one) exactly as a login would. */
@ApiTags('provisioning')
@ApiBearerAuth()
@Controller('v1/provisioning')
export class ProvisioningController {
  constructor(
    private readonly mapping: MappingService,
    private readonly provisioning: ProvisioningService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Map the attributes with the stored rules and make Keystone match (grants and revocations)' })
  async provision(@Body() dto: ProvisionDto) {
    const mapped = await this.mapping.forLogin(dto.assertion);
    const attributes = Object.fromEntries(Object.entries(dto.assertion).map(([k, v]) => [k, String(v).split(';')]));
    try {
      return await this.provisioning.provision(mapped, attributes);
    } catch (err) {
      if (err instanceof ProvisioningError) throw provisioningFailed(err);
      throw err;
    }
  }
}
