import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { ConsoleModule } from '@app/platform/console/console.module';
import { AllocationsModule } from './allocations/allocations.module';
import { MacPoolConfig, macPoolEnv } from './config';
import { MacSearchModule } from './macs/mac-search.module';
import { MacsModule } from './macs/macs.module';
import { UsageModule } from './macs/usage.module';
import { CreatePoolsMacsHistory1732500000100 } from './migrations/1732500000100-CreatePoolsMacsHistory';
import { NotifyPoolChanges1764700000000 } from './migrations/1764700000000-NotifyPoolChanges';
import { PoolsModule } from './pools/pools.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { UploadsModule } from './uploads/uploads.module';

@Module({
  imports: [
    PlatformModule.forRoot({
      serviceName: 'mac-pool',
      env: macPoolEnv,
      configToken: MacPoolConfig,
      // hook: the allocation API (Neutron's plugin); reader: read-only.
      roles: ['admin', 'hook', 'reader'],
      migrationLockKey: 0x6d6163706f6f6c, // "macpool"
      migrations: [CreatePoolsMacsHistory1732500000100, NotifyPoolChanges1764700000000],
      adminToken: { tokenVar: 'MACPOOL_ADMIN_TOKEN', dataDirVar: 'MACPOOL_DATA_DIR' },
    }),
    PoolsModule,
    UploadsModule,
    AllocationsModule,
    MacsModule,
    ReconcileModule,
    UsageModule,
    MacSearchModule,
    ConsoleModule.forApp('mac-pool'),
  ],
})
export class AppModule {}
