import { Module } from '@nestjs/common';
import { PoolsModule } from '../pools/pools.module';
import { AllocationController } from './allocation.controller';
import { AllocationRepository } from './allocation.repository';
import { AllocationService } from './allocation.service';
import { ExpirySweeper } from './expiry-sweeper';

@Module({
  imports: [PoolsModule],
  controllers: [AllocationController],
  providers: [AllocationRepository, AllocationService, ExpirySweeper],
  exports: [AllocationRepository],
})
export class AllocationsModule {}
