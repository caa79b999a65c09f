import { Module } from '@nestjs/common';
import { NeutronClient } from './neutron.client';
import { ReconcileController } from './reconcile.controller';
import { ReconcileRepository } from './reconcile.repository';
import { ReconcileJob } from './reconcile.job';
import { ReconcileService } from './reconcile.service';
import { AllocationsModule } from '../allocations/allocations.module';

@Module({
  imports: [AllocationsModule],
  controllers: [ReconcileController],
  providers: [NeutronClient, ReconcileRepository, ReconcileService, ReconcileJob],
})
export class ReconcileModule {}
