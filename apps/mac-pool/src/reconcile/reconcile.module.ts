import { Module } from '@nestjs/common';
import { NeutronClient } from './neutron.client';
import { ReconcileController } from './reconcile.controller';
import { ReconcileRepository } from './reconcile.repository';
import { ReconcileScheduler } from './reconcile.scheduler';
import { ReconcileService } from './reconcile.service';
import { AllocationsModule } from '../allocations/allocations.module';

@Module({
  imports: [AllocationsModule],
  controllers: [ReconcileController],
  providers: [NeutronClient, ReconcileRepository, ReconcileService, ReconcileScheduler],
})
export class ReconcileModule {}
