import { Module } from '@nestjs/common';
import { UploadController } from './upload.controller';
import { UploadRepository } from './upload.repository';
import { UploadService } from './upload.service';
import { PoolsModule } from '../pools/pools.module';

@Module({
  imports: [PoolsModule],
  controllers: [UploadController],
  providers: [UploadRepository, UploadService],
})
export class UploadsModule {}
