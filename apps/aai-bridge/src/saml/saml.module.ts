import { Module } from '@nestjs/common';
import { HousekeepingModule } from '@app/platform/housekeeping/housekeeping.module';
import { IdpMetadataCacheRepository } from './idp-metadata-cache.repository';
import { SamlSp } from './saml-sp';
import { SamlStatePurgeJob } from './saml-state-purge.job';
import { SamlStateRepository } from './saml-state.repository';
import { SamlController } from './saml.controller';
import { SamlService } from './saml.service';
import { MappingModule } from '../mapping/mapping.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { SessionModule } from '../session/session.module';

@Module({
  imports: [MappingModule, ProvisioningModule, SessionModule, HousekeepingModule],
  controllers: [SamlController],
  providers: [SamlStateRepository, IdpMetadataCacheRepository, SamlSp, SamlService, SamlStatePurgeJob],
  exports: [SamlService],
})
export class SamlModule {}
