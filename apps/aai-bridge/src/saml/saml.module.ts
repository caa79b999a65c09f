import { Module } from '@nestjs/common';
import { HousekeepingModule } from '@app/platform/housekeeping/housekeeping.module';
import { SamlSp } from './saml-sp';
import { SamlStatePurgeJob } from './saml-state-purge.job';
import { SamlStateRepository } from './saml-state.repository';
import { SamlController } from './saml.controller';
import { SamlService } from './saml.service';
import { MappingModule } from '../mapping/mapping.module';
import { MetadataModule } from '../metadata/metadata.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { SessionModule } from '../session/session.module';

@Module({
  imports: [MappingModule, ProvisioningModule, SessionModule, HousekeepingModule, MetadataModule],
  controllers: [SamlController],
  providers: [SamlStateRepository, SamlSp, SamlService, SamlStatePurgeJob],
  exports: [SamlService],
})
export class SamlModule {}
