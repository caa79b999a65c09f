import { Module } from '@nestjs/common';
import { UploadController } from '../uploads/upload.controller';
import { UploadRepository } from '../uploads/upload.repository';
import { UploadService } from '../uploads/upload.service';
import { PoolController } from './pool.controller';
import { PoolDirectory } from './pool-directory';
import { PoolRepository } from './pool.repository';
import { PoolService } from './pool.service';
import { StatsController } from './stats.controller';

@Module({
  controllers: [PoolController, UploadController, StatsController],
  providers: [PoolRepository, PoolDirectory, PoolService, UploadRepository, UploadService],
  exports: [PoolDirectory],
})
export class PoolsModule {}
