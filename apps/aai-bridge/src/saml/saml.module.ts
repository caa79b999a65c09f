import { Module } from '@nestjs/common';
import { IdpMetadataCacheRepository } from './idp-metadata-cache.repository';
import { SamlSp } from './saml-sp';
import { SamlStateRepository } from './saml-state.repository';
import { SamlController } from './saml.controller';
import { SamlService } from './saml.service';
import { SessionRepository } from './session.repository';
import { MappingModule } from '../mapping/mapping.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';

@Module({
  imports: [MappingModule, ProvisioningModule],
  controllers: [SamlController],
  providers: [SamlStateRepository, SessionRepository, IdpMetadataCacheRepository, SamlSp, SamlService],
  exports: [SessionRepository, SamlService],
})
export class SamlModule {}
