import { Module } from '@nestjs/common';
import { HandoffController } from './handoff.controller';
import { UserSecretRepository } from './user-secret.repository';
import { UserTokenService } from './user-token.service';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { SamlModule } from '../saml/saml.module';

@Module({
  imports: [SamlModule, ProvisioningModule],
  controllers: [HandoffController],
  providers: [UserSecretRepository, UserTokenService],
})
export class HandoffModule {}
