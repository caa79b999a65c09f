import { Module } from '@nestjs/common';
import { KeystoneSession, NeutronApi, OpenStackHttp } from '@app/openstack';
import { ClockRepository } from '@app/platform';
import { ReconcileCloud } from './clouds-yaml';
import { NeutronClient } from './neutron.client';
import { ReconcileController } from './reconcile.controller';
import { ReconcileJob } from './reconcile.job';
import { ReconcileRepository } from './reconcile.repository';
import { ReconcileService } from './reconcile.service';
import { AllocationsModule } from '../allocations/allocations.module';
import { MacPoolConfig } from '../config';

@Module({
  imports: [AllocationsModule],
  controllers: [ReconcileController],
  providers: [
    ReconcileCloud,
    { provide: OpenStackHttp, useFactory: () => new OpenStackHttp() },
    {
      // None in Neutron's noauth mode (or when reconciliation is not configured).
      provide: KeystoneSession,
      inject: [ReconcileCloud, OpenStackHttp, ClockRepository],
      useFactory: (cloud: ReconcileCloud, http: OpenStackHttp, clock: ClockRepository) =>
        cloud.named ? new KeystoneSession(() => cloud.get(), http, { clock }) : null,
    },
    {
      provide: NeutronApi,
      inject: [OpenStackHttp, KeystoneSession, MacPoolConfig],
      useFactory: (http: OpenStackHttp, session: KeystoneSession | null, config: MacPoolConfig) =>
        new NeutronApi(http, session, config.MACPOOL_NEUTRON_URL),
    },
    NeutronClient,
    ReconcileRepository,
    ReconcileService,
    ReconcileJob,
  ],
})
export class ReconcileModule {}
