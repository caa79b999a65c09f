import { Module } from '@nestjs/common';
import { PoolDirectory } from './pool-directory';
import { PoolController } from './pool.controller';
import { PoolRepository } from './pool.repository';
import { PoolService } from './pool.service';
import { StatsController } from './stats.controller';

@Module({
  controllers: [PoolController, StatsController],
  providers: [PoolRepository, PoolDirectory, PoolService],
  exports: [PoolService],
})
export class PoolsModule {}
