import { Module } from '@nestjs/common';
import { GrantExpiryJob } from './grant-expiry.job';
import { GrantRepository } from './grant.repository';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';
import { KeystoneModule } from '../keystone/keystone.module';
import { MappingModule } from '../mapping/mapping.module';

@Module({
  imports: [MappingModule, KeystoneModule],
  controllers: [ProvisioningController],
  providers: [GrantRepository, ProvisioningService, GrantExpiryJob],
  exports: [ProvisioningService],
})
export class ProvisioningModule {}
