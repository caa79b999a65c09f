import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { aaiBridgeEnv } from './config';
import { MappingModule } from './mapping/mapping.module';
import { CreateMappingVersions1732600000000 } from './migrations/1732600000000-CreateMappingVersions';

@Module({
  imports: [
    PlatformModule.forRoot({
      serviceName: 'aai-bridge',
      env: aaiBridgeEnv,
      migrations: [CreateMappingVersions1732600000000],
      adminToken: { tokenVar: 'AAI_ADMIN_TOKEN', dataDirVar: 'AAI_DATA_DIR' },
    }),
    MappingModule,
  ],
})
export class AppModule {}
