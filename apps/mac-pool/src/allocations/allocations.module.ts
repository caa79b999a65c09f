import { Module } from '@nestjs/common';
import { AllocationController } from './allocation.controller';
import { AllocationRepository } from './allocation.repository';
import { AllocationService } from './allocation.service';
import { ReservationExpiryJob } from './reservation-expiry.job';
import { PoolsModule } from '../pools/pools.module';

@Module({
  imports: [PoolsModule],
  controllers: [AllocationController],
  providers: [AllocationRepository, AllocationService, ReservationExpiryJob],
  exports: [AllocationService],
})
export class AllocationsModule {}
