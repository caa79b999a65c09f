import { Module } from '@nestjs/common';
import { AllocationController } from './allocation.controller';
import { AllocationRepository } from './allocation.repository';
import { AllocationService } from './allocation.service';
import { ExpirySweeper } from './expiry-sweeper';
import { PoolsModule } from '../pools/pools.module';

@Module({
  imports: [PoolsModule],
  controllers: [AllocationController],
  providers: [AllocationRepository, AllocationService, ExpirySweeper],
  exports: [AllocationRepository],
})
export class AllocationsModule {}
