import { Module } from '@nestjs/common';
import { GrantExpiryScheduler } from './grant-expiry.scheduler';
import { GrantRepository } from './grant.repository';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';
import { KeystoneClient } from '../keystone/keystone.client';
import { MappingModule } from '../mapping/mapping.module';

@Module({
  imports: [MappingModule],
  controllers: [ProvisioningController],
  providers: [KeystoneClient, GrantRepository, ProvisioningService, GrantExpiryScheduler],
  exports: [ProvisioningService, KeystoneClient],
})
export class ProvisioningModule {}
