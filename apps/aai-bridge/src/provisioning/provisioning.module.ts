import { Module } from '@nestjs/common';
import { ApplyRunRepository } from './apply-run.repository';
import { DormancyJob } from './dormancy.job';
import { DormancyService } from './dormancy.service';
import { DormantUsersController } from './dormant-users.controller';
import { FederatedUserRepository } from './federated-user.repository';
import { FederatedUsersService } from './federated-users.service';
import { GrantExpiryJob } from './grant-expiry.job';
import { GrantRepository } from './grant.repository';
import { IssuedCredentialRepository } from './issued-credential.repository';
import { MappingRolloutController } from './mapping-rollout.controller';
import { MappingRolloutService } from './mapping-rollout.service';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningService } from './provisioning.service';
import { UsersController } from './users.controller';
import { KeystoneModule } from '../keystone/keystone.module';
import { MappingModule } from '../mapping/mapping.module';

@Module({
  imports: [MappingModule, KeystoneModule],
  controllers: [ProvisioningController, MappingRolloutController, DormantUsersController, UsersController],
  providers: [
    GrantRepository,
    FederatedUserRepository,
    IssuedCredentialRepository,
    ApplyRunRepository,
    ProvisioningService,
    MappingRolloutService,
    DormancyService,
    FederatedUsersService,
    GrantExpiryJob,
    DormancyJob,
  ],
  exports: [ProvisioningService],
})
export class ProvisioningModule {}
