import { Module } from '@nestjs/common';
import { HandoffController } from './handoff.controller';
import { HandoffService } from './handoff.service';
import { SecretBox } from './secret-box';
import { UserSecretRepository } from './user-secret.repository';
import { UserTokenService } from './user-token.service';
import { KeystoneModule } from '../keystone/keystone.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { SamlModule } from '../saml/saml.module';
import { SessionModule } from '../session/session.module';

@Module({
  imports: [SamlModule, SessionModule, KeystoneModule, ProvisioningModule],
  controllers: [HandoffController],
  providers: [UserSecretRepository, SecretBox, UserTokenService, HandoffService],
  exports: [HandoffService],
})
export class HandoffModule {}
