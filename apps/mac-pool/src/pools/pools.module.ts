import { Module } from '@nestjs/common';
import { PoolDirectory } from './pool-directory';
import { PoolController } from './pool.controller';
import { PoolRepository } from './pool.repository';
import { PoolService } from './pool.service';
import { StatsController } from './stats.controller';
import { UploadController } from '../uploads/upload.controller';
import { UploadRepository } from '../uploads/upload.repository';
import { UploadService } from '../uploads/upload.service';

@Module({
  controllers: [PoolController, UploadController, StatsController],
  providers: [PoolRepository, PoolDirectory, PoolService, UploadRepository, UploadService],
  exports: [PoolDirectory],
})
export class PoolsModule {}
