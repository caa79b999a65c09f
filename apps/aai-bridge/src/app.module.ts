import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { ConsoleModule } from '@app/platform/console/console.module';
import { AaiBridgeConfig, aaiBridgeEnv } from './config';
import { DeviceModule } from './device/device.module';
import { HandoffModule } from './handoff/handoff.module';
import { MappingModule } from './mapping/mapping.module';
import { MetadataModule } from './metadata/metadata.module';
import { CreateMappingVersions1732600000000 } from './migrations/1732600000000-CreateMappingVersions';
import { CreateGrants1732600000100 } from './migrations/1732600000100-CreateGrants';
import { CreateSamlStateAndSessions1732600000200 } from './migrations/1732600000200-CreateSamlStateAndSessions';
import { CreateUserSecrets1732600000300 } from './migrations/1732600000300-CreateUserSecrets';
import { CreateIdpMetadataCache1732600000400 } from './migrations/1732600000400-CreateIdpMetadataCache';
import { CreateFederatedUsers1764621000000 } from './migrations/1764621000000-CreateFederatedUsers';
import { CreateMappingApplyRuns1764621000100 } from './migrations/1764621000100-CreateMappingApplyRuns';
import { CreateIssuedAppCredentials1764621000200 } from './migrations/1764621000200-CreateIssuedAppCredentials';
import { CreateDeviceAuthorizations1764621000300 } from './migrations/1764621000300-CreateDeviceAuthorizations';
import { CreateDeviceVerificationFailures1764621000400 } from './migrations/1764621000400-CreateDeviceVerificationFailures';
import { AddMetadataSourceStatus1764630000000 } from './migrations/1764630000000-AddMetadataSourceStatus';
import { AddFederatedUserProvisionFingerprint1764700000100 } from './migrations/1764700000100-AddFederatedUserProvisionFingerprint';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { SamlModule } from './saml/saml.module';
import { SessionModule } from './session/session.module';

@Module({
  imports: [
    PlatformModule.forRoot({
      serviceName: 'aai-bridge',
      env: aaiBridgeEnv,
      configToken: AaiBridgeConfig,
      // reader: the mapping rules and their history, read-only.
      roles: ['admin', 'reader'],
      // Earlier versions shared mac-pool's key; a distinct one only matters when both share a database.
      migrationLockKey: 0x61616962, // "aaib"
      migrations: [
        CreateMappingVersions1732600000000,
        CreateGrants1732600000100,
        CreateSamlStateAndSessions1732600000200,
        CreateUserSecrets1732600000300,
        CreateIdpMetadataCache1732600000400,
        AddMetadataSourceStatus1764630000000,
        CreateFederatedUsers1764621000000,
        CreateMappingApplyRuns1764621000100,
        CreateIssuedAppCredentials1764621000200,
        CreateDeviceAuthorizations1764621000300,
        CreateDeviceVerificationFailures1764621000400,
        AddFederatedUserProvisionFingerprint1764700000100,
      ],
      adminToken: { tokenVar: 'AAI_ADMIN_TOKEN', dataDirVar: 'AAI_DATA_DIR' },
    }),
    MappingModule,
    ProvisioningModule,
    SessionModule,
    MetadataModule,
    SamlModule,
    HandoffModule,
    DeviceModule,
    ConsoleModule.forApp('aai-bridge'),
  ],
})
export class AppModule {}
