import { Module } from '@nestjs/common';
import { ApplyRunRepository } from './apply-run.repository';
import { DormancyJob } from './dormancy.job';
import { DormancyService } from './dormancy.service';
import { DormantUsersController } from './dormant-users.controller';
import { FederatedUserRepository } from './federated-user.repository';
import { GrantExpiryJob } from './grant-expiry.job';
import { GrantRepository } from './grant.repository';
import { IssuedCredentialRepository } from './issued-credential.repository';
import { MappingRolloutController } from './mapping-rollout.controller';
import { MappingRolloutService } from './mapping-rollout.service';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';
import { KeystoneModule } from '../keystone/keystone.module';
import { MappingModule } from '../mapping/mapping.module';

@Module({
  imports: [MappingModule, KeystoneModule],
  controllers: [ProvisioningController, MappingRolloutController, DormantUsersController],
  providers: [
    GrantRepository,
    FederatedUserRepository,
    IssuedCredentialRepository,
    ApplyRunRepository,
    ProvisioningService,
    MappingRolloutService,
    DormancyService,
    GrantExpiryJob,
    DormancyJob,
  ],
  exports: [ProvisioningService],
})
export class ProvisioningModule {}
