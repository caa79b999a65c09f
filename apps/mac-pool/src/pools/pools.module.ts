import { Module } from '@nestjs/common';
import { UploadController } from '../uploads/upload.controller';
import { UploadRepository } from '../uploads/upload.repository';
import { UploadService } from '../uploads/upload.service';
import { PoolController } from './pool.controller';
import { PoolRepository } from './pool.repository';
import { PoolService } from './pool.service';
import { StatsController } from './stats.controller';

@Module({
  controllers: [PoolController, UploadController, StatsController],
  providers: [PoolRepository, PoolService, UploadRepository, UploadService],
  exports: [PoolRepository],
})
export class PoolsModule {}
